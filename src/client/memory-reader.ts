/** Reads a table from in-memory columns (arrays of JS values) with the table layer's encoder. */

import { EmptyTableError, SchemaError, UsageError } from '../errors.js';
import { encodeTable, type EncodedTable } from '../table/encode.js';
import { inferColumnType } from '../table/infer.js';
import { makeSchema } from '../table/schema.js';
import { isTypeDeclared, planColumns, toColumnSchema, type ReadTableOptions } from './declarations.js';
import { refuseInexactNumbers } from './exact-numbers.js';

export type InMemoryColumns = Readonly<Record<string, ArrayLike<unknown>>>;

export function readTableFromColumns(columns: InMemoryColumns, options: ReadTableOptions = {}): EncodedTable {
  const sourceNames = Object.keys(columns);
  if (sourceNames.length === 0) throw new SchemaError('the table has no columns');
  const lengths = new Set(sourceNames.map((n) => columns[n]?.length));
  if (lengths.size > 1) throw new UsageError(`the columns have different lengths (${[...lengths].join(', ')}); every column needs one value per row`);
  if (lengths.has(0)) throw new EmptyTableError('the table has no rows; there is nothing to upload');
  const planned = planColumns(sourceNames, options);
  const valuesOf = (sourceIndex: number): ArrayLike<unknown> => columns[sourceNames[sourceIndex] as string] as ArrayLike<unknown>;
  const schema = makeSchema(
    planned.map((p) => toColumnSchema(p, isTypeDeclared(p) ? undefined : inferColumnType(p.name, valuesOf(p.sourceIndex)), options)),
  );
  const byName: Record<string, ArrayLike<unknown>> = {};
  for (const p of planned) byName[p.name] = valuesOf(p.sourceIndex);
  refuseInexactNumbers(schema, byName);
  return encodeTable(schema, byName, { identifierKey: options.identifierKey });
}
