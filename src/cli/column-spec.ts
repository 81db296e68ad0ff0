/**
 * `--column NAME:TYPE[:MIN:MAX]` declarations for `tessera upload`:
 *
 *   age:integer:0:120          price:decimal(2):0:1000      smoker:boolean
 *   visit:date:2000-01-01:2030-12-31    blood:category(A|B|AB|O)    patient:identifier
 *   code:text(16)   (at most 16 bytes of UTF-8, padded: table/types/text.ts)
 *
 * A `?` after the type makes the column nullable: `income:decimal(2)?:0:1000000`. Columns not
 * declared are inferred from the file. Bounds are public: they go into the schema everyone sees.
 */

import { UsageError } from '../errors.js';
import type { ColumnDeclaration } from '../client/declarations.js';

const SPEC = /^(?<name>[^:]+):(?<type>[a-z]+)(?:\((?<arg>[^)]*)\))?(?<nullable>\?)?(?::(?<min>[^:]+):(?<max>[^:]+))?$/;
const RANGED = new Set(['integer', 'decimal', 'date']);
const TYPES = ['integer', 'decimal(SCALE)', 'boolean', 'date', 'category(A|B|...)', 'identifier', 'text(MAX_BYTES)'];

export function parseColumnSpec(text: string): [string, ColumnDeclaration] {
  const m = SPEC.exec(text);
  if (!m?.groups) throw new UsageError(`--column '${text}' must be NAME:TYPE or NAME:TYPE:MIN:MAX, e.g. age:integer:0:120 (types: ${TYPES.join(', ')})`);
  const { name, type, arg, nullable, min, max } = m.groups;
  const declaration: Record<string, unknown> = { type, ...(nullable ? { nullable: true } : {}) };
  switch (type) {
    case 'decimal': {
      const scale = Number(arg);
      if (arg === undefined || !/^[0-9]+$/.test(arg)) throw new UsageError(`--column '${text}': give the decimal's scale (digits after the point), e.g. ${name}:decimal(2):0:1000`);
      declaration.scale = scale;
      break;
    }
    case 'category': {
      const dictionary = (arg ?? '').split('|').filter((v) => v.length > 0);
      if (dictionary.length === 0) throw new UsageError(`--column '${text}': list the categories, e.g. ${name}:category(A|B|AB|O)`);
      declaration.dictionary = dictionary;
      break;
    }
    case 'text':
      if (arg === undefined || !/^[0-9]+$/.test(arg)) throw new UsageError(`--column '${text}': give the text's bound in UTF-8 bytes, e.g. ${name}:text(16)`);
      declaration.maxBytes = Number(arg);
      break;
    case 'integer':
    case 'boolean':
    case 'date':
    case 'identifier':
      if (arg !== undefined) throw new UsageError(`--column '${text}': type '${type}' takes no argument in parentheses`);
      break;
    default:
      throw new UsageError(`--column '${text}': unknown type '${type}' (types: ${TYPES.join(', ')})`);
  }
  if (min !== undefined) {
    if (!RANGED.has(type)) throw new UsageError(`--column '${text}': only integer, decimal and date columns take a range`);
    declaration.min = min;
    declaration.max = max;
  }
  return [name, declaration];
}
