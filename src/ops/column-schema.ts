/**
 * The schema of a column an operator makes, from the facts the checker derived for it
 * (plan/types.ts): the secret table carries it, and the open root describes the column by it.
 */

import type { ColumnFacts } from '../plan/types.js';
import type { ColumnType } from '../table/column-type.js';
import type { ColumnSchema } from '../table/schema.js';
import { textTypeOf } from '../plan/types.js';

export function columnTypeOf(f: ColumnFacts): ColumnType {
  switch (f.kind) {
    case 'integer': return { kind: 'integer', min: f.min, max: f.max };
    case 'decimal': return { kind: 'decimal', scale: f.scale, min: f.min, max: f.max };
    case 'boolean': return { kind: 'boolean' };
    case 'date': return { kind: 'date', min: Number(f.min), max: Number(f.max) };
    case 'category': return { kind: 'category', dictionary: f.dictionary ?? [] };
    case 'identifier': return { kind: 'identifier' };
    case 'text': return textTypeOf(f);
  }
}

export function columnSchemaOf(f: ColumnFacts): ColumnSchema {
  return { name: f.name, type: columnTypeOf(f), nullable: f.nullable };
}
