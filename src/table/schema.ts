/**
 * A table schema: ordered, named, typed columns. It is public metadata (it will be hashed and
 * signed), so its JSON form is explicit and canonical-friendly: every field is always present,
 * bounds are strings (no floats, no integers beyond 2^53), and parsing is strict.
 *
 * Declared ranges come from the data owner, never from the data: inferring them would publish
 * each column's minimum and maximum.
 */

import { DuplicateColumnError, SchemaError } from '../errors.js';
import { textWordColumn, textWordCount } from './types/text.js';
import { columnTypeToJson, parseColumnType, type ColumnType, type ColumnTypeJson } from './column-type.js';

export const SCHEMA_VERSION = 1;
export const MAX_COLUMNS = 4096;

/** Letters, digits, underscore; not starting with a digit; at most 63 characters. No '$': it marks derived columns. */
export const COLUMN_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Suffix of the validity-bit column that a nullable column brings along. */
export const VALIDITY_SUFFIX = '$valid';

export interface ColumnSchema {
  readonly name: string;
  readonly type: ColumnType;
  /** Nullable columns store null as 0 and carry a `<name>$valid` column (1 = present, 0 = null). */
  readonly nullable: boolean;
}

export interface TableSchema {
  readonly columns: readonly ColumnSchema[];
}

export type ColumnSchemaJson = { readonly name: string; readonly nullable: boolean } & ColumnTypeJson;

export interface TableSchemaJson {
  readonly version: typeof SCHEMA_VERSION;
  readonly columns: readonly ColumnSchemaJson[];
}

export function checkColumnName(name: unknown, hint = ''): string {
  if (typeof name !== 'string' || !COLUMN_NAME_PATTERN.test(name)) {
    const shown = typeof name === 'string' ? `'${name}'` : 'a column name';
    throw new SchemaError(`${shown} is not a valid column name: use letters, digits and _ (not starting with a digit, at most 63 characters)${hint}`);
  }
  return name;
}

/** Parses one column (a JSON object with name, type, nullable and the type's fields). */
export function parseColumnSchema(json: unknown): ColumnSchema {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SchemaError('each column must be an object with name and type');
  const { name, nullable, ...typeFields } = json as Record<string, unknown>;
  const checkedName = checkColumnName(name);
  if (nullable !== undefined && typeof nullable !== 'boolean') throw new SchemaError(`column '${checkedName}': nullable must be true or false`);
  return { name: checkedName, type: parseColumnType(typeFields, checkedName), nullable: nullable ?? false };
}

/** Builds a schema from columns, checking that names are unique (case-insensitively). */
export function makeSchema(columns: readonly ColumnSchema[]): TableSchema {
  if (columns.length === 0) throw new SchemaError('a table needs at least one column');
  if (columns.length > MAX_COLUMNS) throw new SchemaError(`a table has at most ${MAX_COLUMNS} columns`);
  const seen = new Map<string, string>();
  for (const c of columns) {
    checkColumnName(c.name);
    const folded = c.name.toLowerCase();
    const earlier = seen.get(folded);
    if (earlier !== undefined) {
      throw new DuplicateColumnError(`column names must be unique (ignoring case): '${earlier}' and '${c.name}' clash; rename one of them`);
    }
    seen.set(folded, c.name);
  }
  return Object.freeze({ columns: Object.freeze([...columns]) });
}

/** Parses and validates a schema's JSON form (or an equivalent object with looser bound types). */
export function parseSchema(json: unknown): TableSchema {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SchemaError('a schema must be an object { version, columns }');
  const { version, columns, ...rest } = json as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new SchemaError(`unknown schema field '${unknown[0]}' (allowed: version, columns)`);
  if (version !== SCHEMA_VERSION) throw new SchemaError(`schema version must be ${SCHEMA_VERSION}`);
  if (!Array.isArray(columns)) throw new SchemaError('schema columns must be a list');
  return makeSchema(columns.map(parseColumnSchema));
}

export function columnToJson(c: ColumnSchema): ColumnSchemaJson {
  return { name: c.name, nullable: c.nullable, ...columnTypeToJson(c.type) };
}

/** The schema as plain JSON: `parseSchema(schemaToJson(s))` gives back `s`. */
export function schemaToJson(schema: TableSchema): TableSchemaJson {
  return { version: SCHEMA_VERSION, columns: schema.columns.map(columnToJson) };
}

/**
 * Names of the encoded columns, in order: each column (a text column: its words, `<name>`,
 * `<name>$w1`, …: types/text.ts), followed by `<name>$valid` if nullable.
 */
export function encodedColumnNames(schema: TableSchema): string[] {
  const names: string[] = [];
  for (const c of schema.columns) {
    names.push(...valueColumnNames(c));
    if (c.nullable) names.push(c.name + VALIDITY_SUFFIX);
  }
  return names;
}

/** The encoded columns holding a column's values: one, or a text column's words. */
export function valueColumnNames(c: ColumnSchema): string[] {
  if (c.type.kind !== 'text') return [c.name];
  const words = textWordCount(c.type.maxBytes);
  return Array.from({ length: words }, (_, k) => textWordColumn(c.name, k));
}

export function findColumn(schema: TableSchema, name: string): ColumnSchema | undefined {
  return schema.columns.find((c) => c.name === name);
}
