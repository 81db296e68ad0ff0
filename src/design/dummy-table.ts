/**
 * A dummy table an owner uploads for design mode (docs/governance.md, "Design mode"): public
 * rows in the stored encoding, sent as they are to every node (they are dummies, so nothing about
 * them is secret). Every node checks them against the schema's declarations on its own.
 *
 *   { "format": "tessera-dummy-table/v1", "table": "visits", "schema": { "version": 1, "columns": [...] },
 *     "rows": 3, "columns": [ { "name": "age", "values": ["41", "67", "0"] }, { "name": "age$valid", "values": ["1", "1", "0"] } ] }
 *
 * Values are the stored signed integers as decimal text (decimals in units of their scale, dates
 * in days since 1970-01-01, categories as dictionary indices, identifiers as their 62-bit hashes,
 * booleans 0/1); a nullable column is followed by its validity column, and a null's value is 0.
 */

import { canonicalHash, type JsonValue } from '../crypto/canonical-json.js';
import { FormatError, RangeCheckError } from '../errors.js';
import { describeRange, storedRange } from '../table/column-type.js';
import type { EncodedColumn, EncodedTable } from '../table/encode.js';
import { encodedColumnNames, parseSchema, schemaToJson, VALIDITY_SUFFIX, type TableSchema, type TableSchemaJson } from '../table/schema.js';

export const DUMMY_TABLE_FORMAT = 'tessera-dummy-table/v1';
/** Design mode is for developing an analysis, not for volume (and a request body holds at most 1 MiB). */
export const MAX_DUMMY_ROWS = 10_000;

export interface DummyTableFile {
  readonly format: typeof DUMMY_TABLE_FORMAT;
  readonly table: string;
  readonly schema: TableSchemaJson;
  readonly rows: number;
  readonly columns: readonly { readonly name: string; readonly values: readonly string[] }[];
}

export interface DummyTable {
  readonly table: string;
  readonly schema: TableSchema;
  readonly rows: number;
  /** Ring elements, in encodedColumnNames order. */
  readonly columns: readonly EncodedColumn[];
  /** SHA-256 of the file's canonical JSON: the three nodes compare it before computing on it. */
  readonly digest: string;
}

const IDENTIFIER_LIMIT = 1n << 62n;
const INTEGER_TEXT = /^-?(0|[1-9][0-9]{0,19})$/;

/** The file of an encoded table (the client's reader did the parsing and range checks). */
export function dummyTableFile(table: string, encoded: EncodedTable): DummyTableFile {
  return {
    format: DUMMY_TABLE_FORMAT,
    table,
    schema: schemaToJson(encoded.schema),
    rows: encoded.rowCount,
    columns: encoded.columns.map((c) => ({ name: c.name, values: Array.from(c.values, (v) => BigInt.asIntN(64, v).toString()) })),
  };
}

/** Validates a dummy table file: format, schema, shape, and every value against its column's declaration. */
export function parseDummyTable(value: unknown): DummyTable {
  const f = value as Partial<DummyTableFile> | null;
  if (!f || typeof f !== 'object' || Array.isArray(f) || f.format !== DUMMY_TABLE_FORMAT) throw new FormatError(`a dummy table is a ${DUMMY_TABLE_FORMAT} object (write one with 'tessera design upload')`);
  const extra = Object.keys(f).find((k) => !['format', 'table', 'schema', 'rows', 'columns'].includes(k));
  if (extra !== undefined) throw new FormatError(`unknown dummy table field '${extra}'`);
  if (typeof f.table !== 'string') throw new FormatError('a dummy table names its table');
  const schema = parseSchema(f.schema);
  const rows = f.rows;
  if (typeof rows !== 'number' || !Number.isSafeInteger(rows) || rows < 1 || rows > MAX_DUMMY_ROWS) throw new FormatError(`a dummy table has 1 to ${MAX_DUMMY_ROWS} rows`);
  const names = encodedColumnNames(schema);
  if (!Array.isArray(f.columns) || f.columns.length !== names.length || f.columns.some((c, i) => c?.name !== names[i])) {
    throw new FormatError(`a dummy table's columns must be ${names.join(', ')} (the schema's columns, each nullable one followed by its validity column)`);
  }
  const values = new Map<string, bigint[]>();
  for (const c of f.columns) {
    if (!Array.isArray(c.values) || c.values.length !== rows) throw new FormatError(`dummy column '${c.name}' must have ${rows} values`);
    values.set(c.name, (c.values as readonly unknown[]).map((v: unknown, row: number) => {
      if (typeof v !== 'string' || !INTEGER_TEXT.test(v)) throw new FormatError(`dummy column '${c.name}', row ${row + 1}: values are whole numbers as text`);
      return BigInt(v);
    }));
  }
  for (const column of schema.columns) {
    const present = column.nullable ? values.get(column.name + VALIDITY_SUFFIX)! : undefined;
    values.get(column.name)!.forEach((v, row) => {
      const where = { column: column.name, row: row + 1 };
      if (present && present[row] !== 0n && present[row] !== 1n) throw new RangeCheckError(`dummy column '${column.name}${VALIDITY_SUFFIX}', row ${row + 1}: a validity is 0 (null) or 1`, where);
      if (present && present[row] === 0n) {
        if (v !== 0n) throw new RangeCheckError(`dummy column '${column.name}', row ${row + 1}: a null is stored as 0`, where);
        return;
      }
      const t = column.type;
      const range = storedRange(t) ?? (t.kind === 'category' ? { min: 0n, max: BigInt(t.dictionary.length - 1) } : { min: 0n, max: IDENTIFIER_LIMIT - 1n });
      if (v < range.min || v > range.max) throw new RangeCheckError(`dummy column '${column.name}', row ${row + 1}: ${v} is outside its declared range ${describeRange(t)} (in stored units)`, where);
    });
  }
  return {
    table: f.table,
    schema,
    rows,
    columns: names.map((name) => ({ name, values: BigUint64Array.from(values.get(name)!, (v) => BigInt.asUintN(64, v)) })),
    digest: canonicalHash(value as JsonValue),
  };
}
