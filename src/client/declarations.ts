/**
 * What a data owner tells the reader about a table, and how source column names become schema
 * columns: renames, a selection, and per-column declarations that override inference.
 */

import { DuplicateColumnError, SchemaError, TypeInferenceError } from '../errors.js';
import type { ColumnType } from '../table/column-type.js';
import { checkColumnName, parseColumnSchema, type ColumnSchema } from '../table/schema.js';

/**
 * A column declaration: the JSON fields of a schema column without its name, e.g.
 * { type: 'integer', min: 0, max: 120 }, { type: 'decimal', scale: 2, min: '0.00', max: '1000000.00' },
 * { type: 'category', dictionary: ['A', 'B', 'AB', 'O'], nullable: true }, { type: 'identifier' }.
 * Leave out `type` to have the type inferred while still declaring `nullable`.
 */
export type ColumnDeclaration = Readonly<Record<string, unknown>> & { readonly type?: string; readonly nullable?: boolean };

export interface ReadTableOptions {
  /** Declared columns, keyed by column name (after `rename`). Undeclared columns are inferred. */
  readonly columns?: Readonly<Record<string, ColumnDeclaration>>;
  /** Source name → column name, for headers that are not valid names ("Patient ID" → "patient_id"). */
  readonly rename?: Readonly<Record<string, string>>;
  /** Keep only these columns (names after `rename`), in this order. Default: all, in source order. */
  readonly select?: readonly string[];
  /** The collaboration's identifier key; required when a column is an identifier. */
  readonly identifierKey?: Uint8Array;
  /** Nullability of columns whose declaration does not say (default false: a null is an error). */
  readonly nullableByDefault?: boolean;
  /** File format; by default from the extension (.csv, .tsv, .txt, .parquet, .pq). */
  readonly format?: 'csv' | 'parquet';
  /** CSV field delimiter (default ',' or a tab for .tsv). */
  readonly delimiter?: string;
  /** CSV: the longest line accepted, in bytes (default 2,000,000, DuckDB's; at most 1 GiB). */
  readonly maxLineSize?: number;
}

/** A schema column to be, tied to its position among the source columns. */
export interface PlannedColumn {
  readonly name: string;
  readonly sourceIndex: number;
  readonly declaration: ColumnDeclaration | undefined;
}

/** Applies rename and select to the source names and checks names, duplicates and declarations. */
export function planColumns(sourceNames: readonly string[], options: ReadTableOptions): PlannedColumn[] {
  const rename = options.rename ?? {};
  for (const from of Object.keys(rename)) {
    if (!sourceNames.includes(from)) throw new SchemaError(`rename: the source has no column '${from}' (its columns: ${sourceNames.join(', ')})`);
  }
  const names = sourceNames.map((n) => (Object.hasOwn(rename, n) ? (rename[n] as string) : n));
  const seen = new Map<string, string>();
  for (const name of names) {
    const folded = name.toLowerCase();
    const earlier = seen.get(folded);
    if (earlier !== undefined) {
      throw new DuplicateColumnError(`the source has two columns named '${earlier}' and '${name}' (names are compared ignoring case); rename one of them in the file, or here (SDK: rename: { '${name}': 'other_name' }; CLI: --rename '${name}=other_name')`);
    }
    seen.set(folded, name);
  }
  const wanted = options.select ?? names;
  const planned: PlannedColumn[] = [];
  for (const name of wanted) {
    const sourceIndex = names.indexOf(name);
    if (sourceIndex < 0) throw new SchemaError(`select: there is no column '${name}' (columns: ${names.join(', ')})`);
    checkColumnName(name, `; give it a valid name (SDK: rename: { '${sourceNames[sourceIndex]}': 'new_name' }; CLI: --rename '${sourceNames[sourceIndex]}=new_name'), or leave it out (SDK: select; CLI: --select)`);
    planned.push({ name, sourceIndex, declaration: options.columns?.[name] });
  }
  for (const declared of Object.keys(options.columns ?? {})) {
    if (!wanted.includes(declared)) throw new SchemaError(`a declaration names column '${declared}', which is not in the table (columns: ${wanted.join(', ')})`);
  }
  if (planned.length === 0) throw new SchemaError('no columns selected');
  return planned;
}

/** True when the declaration fixes the type (inference is then skipped). */
export function isTypeDeclared(column: PlannedColumn): boolean {
  return column.declaration?.type !== undefined;
}

/** The schema column from a declaration, or from an inferred type plus declared nullability. */
export function toColumnSchema(column: PlannedColumn, inferred: ColumnType | undefined, options: ReadTableOptions): ColumnSchema {
  const nullable = column.declaration?.nullable ?? options.nullableByDefault ?? false;
  if (isTypeDeclared(column)) return parseColumnSchema({ ...column.declaration, name: column.name, nullable });
  if (inferred === undefined) throw new TypeInferenceError(`column '${column.name}' has no declared type and none was inferred`, column.name);
  if (column.declaration !== undefined) {
    const extra = Object.keys(column.declaration).filter((k) => k !== 'nullable');
    if (extra.length > 0) throw new SchemaError(`column '${column.name}': field '${extra[0]}' needs a declared type`);
  }
  return { name: column.name, type: inferred, nullable };
}
