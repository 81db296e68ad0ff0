/**
 * Encodes columns of JS values into ring elements (Z_2^64, two's complement for negatives),
 * checking types, declared ranges and nullability. This is the in-memory path; the file reader
 * (client/) computes the same encoding inside DuckDB, and tests hold the two to equality.
 */

import { UsageError } from '../errors.js';
import { cellError } from './cell-errors.js';
import { storedRange, valueEncoder } from './column-type.js';
import { IdentifierHasher, checkIdentifierKey } from './types/identifier.js';
import { textEncoder, type TextType } from './types/text.js';
import { VALIDITY_SUFFIX, valueColumnNames, type ColumnSchema, type TableSchema } from './schema.js';

export interface EncodedColumn {
  readonly name: string;
  readonly values: BigUint64Array;
}

/** A table ready for secret sharing: one ring vector per encoded column, in schema order. */
export interface EncodedTable {
  readonly schema: TableSchema;
  readonly rowCount: number;
  /** Each schema column, followed by its `<name>$valid` column when nullable. */
  readonly columns: readonly EncodedColumn[];
}

export interface EncodeOptions {
  /** The collaboration's identifier key; required when the schema has identifier columns. */
  readonly identifierKey?: Uint8Array;
}

/**
 * Encodes one column; returns the value column and, for nullable columns, its validity column.
 * Throws the typed error of the first failing row (1-based).
 */
export function encodeColumn(column: ColumnSchema, values: ArrayLike<unknown>, hasher?: IdentifierHasher): EncodedColumn[] {
  if (column.type.kind === 'text') return encodeTextColumn(column, column.type, values);
  const encode = valueEncoder(column.type, { identifierHasher: hasher });
  const range = storedRange(column.type);
  const n = values.length;
  const out = new BigUint64Array(n);
  const valid = column.nullable ? new BigUint64Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const value = values[i];
    if (value === null || value === undefined) {
      if (valid === undefined) throw cellError('null', column, i + 1);
      continue; // stays 0, validity 0
    }
    const signed = encode(value);
    if (typeof signed !== 'bigint') throw cellError(signed, column, i + 1);
    if (range !== undefined && (signed < range.min || signed > range.max)) throw cellError('range', column, i + 1);
    out[i] = BigInt.asUintN(64, signed);
    if (valid !== undefined) valid[i] = 1n;
  }
  const encoded = [{ name: column.name, values: out }];
  if (valid !== undefined) encoded.push({ name: column.name + VALIDITY_SUFFIX, values: valid });
  return encoded;
}

/** A text column: its words (types/text.ts), then its validity column when nullable. */
function encodeTextColumn(column: ColumnSchema, type: TextType, values: ArrayLike<unknown>): EncodedColumn[] {
  const encode = textEncoder(type);
  const names = valueColumnNames(column);
  const n = values.length;
  const words = names.map(() => new BigUint64Array(n));
  const valid = column.nullable ? new BigUint64Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const value = values[i];
    if (value === null || value === undefined) {
      if (valid === undefined) throw cellError('null', column, i + 1);
      continue; // every word stays 0, validity 0
    }
    const encoded = encode(value);
    if (!Array.isArray(encoded)) throw cellError(encoded, column, i + 1);
    encoded.forEach((w, k) => (words[k][i] = w));
    if (valid !== undefined) valid[i] = 1n;
  }
  const out = names.map((name, k) => ({ name, values: words[k] }));
  if (valid !== undefined) out.push({ name: column.name + VALIDITY_SUFFIX, values: valid });
  return out;
}

/** Encodes in-memory columns (keyed by column name) under a schema. */
export function encodeTable(schema: TableSchema, columns: Readonly<Record<string, ArrayLike<unknown>>>, options: EncodeOptions = {}): EncodedTable {
  const hasher = schema.columns.some((c) => c.type.kind === 'identifier') ? new IdentifierHasher(checkIdentifierKey(options.identifierKey)) : undefined;
  let rowCount: number | undefined;
  const encoded: EncodedColumn[] = [];
  for (const column of schema.columns) {
    const values = columns[column.name];
    if (values === undefined) throw new UsageError(`no values were given for column '${column.name}'`);
    if (rowCount !== undefined && values.length !== rowCount) {
      throw new UsageError(`column '${column.name}' has ${values.length} values but earlier columns have ${rowCount}; all columns must have the same length`);
    }
    rowCount = values.length;
    encoded.push(...encodeColumn(column, values, hasher));
  }
  return { schema, rowCount: rowCount ?? 0, columns: encoded };
}
