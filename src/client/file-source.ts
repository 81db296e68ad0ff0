/**
 * Loads a CSV or Parquet file into a DuckDB table `src`, with our own checks and messages in
 * front of DuckDB's: DuckDB's errors can quote lines of the file, so none is passed on.
 *
 * CSV: every field is read as text (the table layer's grammar decides what parses), the first
 * line is the header, an unquoted empty field is null and a quoted one ("") is an empty string.
 * Rows DuckDB cannot fit to the header are collected with store_rejects and reported by line.
 */

import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { DuckDBDecimalType, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { DuplicateColumnError, EmptyTableError, InputFileError, RaggedRowError } from '../errors.js';
import { lineTooLongError, lineTooLongFromDuckDB } from './csv-line-limit.js';
import { sourceKindOf, type SourceKind } from './source-kind.js';
import { sqlIdentifier } from './sql-columns.js';

export type FileFormat = 'csv' | 'parquet';

export interface LoadedSource {
  /** Column names as the file gives them (the CSV header, or the Parquet schema). */
  readonly names: readonly string[];
  /** SQL references to each column of `src`. */
  readonly refs: readonly string[];
  readonly kinds: readonly SourceKind[];
  readonly typeNames: readonly string[];
  readonly decimalScales: readonly (number | undefined)[];
  /** SQL for the 1-based data row number of a row of `src`, and the filter that keeps data rows. */
  readonly rowNumber: string;
  readonly dataRows: string;
  readonly rowCount: number;
}

export function formatOf(path: string, declared: FileFormat | undefined): FileFormat {
  if (declared !== undefined) return declared;
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  throw new InputFileError(`cannot tell the format of '${path}' from its extension (.csv, .tsv, .txt, .parquet or .pq); name it (SDK: format: 'csv' or 'parquet'; CLI: --format csv or --format parquet)`);
}

/** Checks the file before DuckDB sees it, so each problem gets a message that says what to do. */
export async function checkReadableFile(path: string): Promise<void> {
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new InputFileError(`'${path}' is a directory; give the path of a CSV or Parquet file`);
    size = info.size;
    await access(path, constants.R_OK);
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') throw new InputFileError(`file not found: '${path}'; check the path`);
    if (code === 'EACCES' || code === 'EPERM') throw new InputFileError(`cannot read '${path}': permission denied; check the file's permissions`);
    throw new InputFileError(`cannot read '${path}' (${typeof code === 'string' ? code : 'unknown error'})`);
  }
  if (size === 0) throw new EmptyTableError(`'${path}' is empty; a table needs a header line and at least one data row`);
}

export interface CsvOptions {
  readonly delimiter: string;
  /** The longest line accepted, in bytes (checked: see csv-line-limit.ts). */
  readonly maxLineSize: number;
}

export async function loadCsv(connection: DuckDBConnection, path: string, { delimiter, maxLineSize }: CsvOptions): Promise<LoadedSource> {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new InputFileError('the CSV delimiter must be one character other than a quote or a line break');
  }
  try {
    await connection.run(
      `CREATE TABLE src AS SELECT * FROM read_csv($path, header = false, all_varchar = true, delim = $delim, quote = '"', escape = '"', ` +
        `allow_quoted_nulls = false, max_line_size = $maxLineSize, store_rejects = true, rejects_table = 'csv_rejects', rejects_scan = 'csv_scans')`,
      { path, delim: delimiter, maxLineSize },
    );
  } catch (error) {
    const tooLong = await lineTooLongFromDuckDB(error instanceof Error ? error.message : '', path, maxLineSize);
    if (tooLong !== undefined) throw tooLong;
    throw new InputFileError(`could not read '${path}' as CSV; check that it is UTF-8 text with '${delimiter === '\t' ? '\\t' : delimiter}' between fields and balanced double quotes`);
  }
  await throwFirstRejectedLine(connection, maxLineSize);
  const rowCount = await countRows(connection);
  if (rowCount === 0) throw new EmptyTableError(`'${path}' has no lines; a table needs a header line and at least one data row`);
  const types = await columnTypes(connection);
  await throwBlankHeader(connection, path, types.map((t) => `src.${sqlIdentifier(t.name)}`));
  if (rowCount === 1) throw new EmptyTableError(`'${path}' has a header but no data rows; there is nothing to upload`);
  const header = await connection.runAndReadAll('SELECT * FROM src WHERE rowid = 0');
  const names = (header.getRows()[0] ?? []).map((v: DuckDBValue) => (typeof v === 'string' ? v : ''));
  return {
    names,
    refs: types.map((t) => `src.${sqlIdentifier(t.name)}`),
    kinds: types.map(() => 'text' as const),
    typeNames: types.map(() => 'VARCHAR'),
    decimalScales: types.map(() => undefined),
    rowNumber: 'src.rowid',
    dataRows: 'src.rowid >= 1',
    rowCount: rowCount - 1,
  };
}

async function throwFirstRejectedLine(connection: DuckDBConnection, maxLineSize: number): Promise<void> {
  const rejects = await connection.runAndReadAll('SELECT line, error_type, column_idx FROM csv_rejects ORDER BY line LIMIT 1');
  const first = rejects.getRows()[0];
  if (first === undefined) return;
  const line = Number(first[0]);
  const kind = String(first[1]);
  if (kind === 'LINE SIZE OVER MAXIMUM') throw lineTooLongError(line, maxLineSize);
  if (kind === 'MISSING COLUMNS' || kind === 'TOO MANY COLUMNS') {
    const fewerOrMore = kind === 'MISSING COLUMNS' ? 'fewer' : 'more';
    throw new RaggedRowError(`line ${line} of the file has ${fewerOrMore} fields than the other lines; every line needs exactly one field per column (quote fields that contain the delimiter)`, line);
  }
  throw new InputFileError(`line ${line} of the file is not valid CSV (${kind.toLowerCase()}); check its quotes and its text encoding (UTF-8)`);
}

/**
 * DuckDB skips blank lines before the header, but a file of nothing else comes back as rows of
 * empty fields, whose "header" would then give columns named ''. Said as what it is instead.
 * Only a blank header costs a second look at the data.
 */
async function throwBlankHeader(connection: DuckDBConnection, path: string, refs: readonly string[]): Promise<void> {
  const blankRow = refs.map((ref) => `coalesce(regexp_full_match(${ref}, '\\s*'), true)`).join(' AND ');
  const header = await connection.runAndReadAll(`SELECT ${blankRow} FROM src WHERE src.rowid = 0`);
  if (header.getRows()[0]?.[0] !== true) return;
  const data = await connection.runAndReadAll(`SELECT 1 FROM src WHERE NOT (${blankRow}) LIMIT 1`);
  if (data.getRows().length === 0) {
    throw new EmptyTableError(`'${path}' has only blank lines (or lines of empty fields): no header and no data; a table needs a header line with the column names and at least one data row`);
  }
  throw new InputFileError(`the first line of '${path}' has no column names (its fields are empty or blank); the first line must be the header, e.g. id,age`);
}

export async function loadParquet(connection: DuckDBConnection, path: string): Promise<LoadedSource> {
  try {
    await connection.run('CREATE TABLE src AS SELECT * FROM read_parquet($path)', { path });
  } catch {
    throw new InputFileError(`could not read '${path}' as Parquet; check that it is a complete Parquet file`);
  }
  await throwDuplicateParquetNames(connection, path);
  const rowCount = await countRows(connection);
  if (rowCount === 0) throw new EmptyTableError(`'${path}' has no rows; there is nothing to upload`);
  const types = await columnTypes(connection);
  return {
    names: types.map((t) => t.name),
    refs: types.map((t) => `src.${sqlIdentifier(t.name)}`),
    kinds: types.map((t) => t.kind),
    typeNames: types.map((t) => t.typeName),
    decimalScales: types.map((t) => t.decimalScale),
    rowNumber: '(src.rowid + 1)',
    dataRows: 'true',
    rowCount,
  };
}

/** DuckDB silently renames duplicate Parquet columns (a, a_1); the file's own schema shows them. */
async function throwDuplicateParquetNames(connection: DuckDBConnection, path: string): Promise<void> {
  const schema = await connection.runAndReadAll('SELECT name, num_children FROM parquet_schema($path)', { path });
  const rows = schema.getRows().map(([name, children]) => ({ name: String(name), children: Number(children ?? 0) }));
  const topLevel: string[] = [];
  let i = 1;
  const skipSubtree = (at: number): number => {
    let next = at + 1;
    for (let c = 0; c < (rows[at]?.children ?? 0); c++) next = skipSubtree(next);
    return next;
  };
  while (i < rows.length) {
    topLevel.push(rows[i]?.name ?? '');
    i = skipSubtree(i);
  }
  const seen = new Map<string, string>();
  for (const name of topLevel) {
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined) throw new DuplicateColumnError(`the file has two columns named '${earlier}' and '${name}' (names are compared ignoring case); rename one of them`);
    seen.set(name.toLowerCase(), name);
  }
}

async function countRows(connection: DuckDBConnection): Promise<number> {
  const reader = await connection.runAndReadAll('SELECT count(*) FROM src');
  return Number(reader.getRows()[0]?.[0] ?? 0);
}

interface StoredColumn {
  readonly name: string;
  readonly kind: SourceKind;
  readonly typeName: string;
  readonly decimalScale: number | undefined;
}

async function columnTypes(connection: DuckDBConnection): Promise<StoredColumn[]> {
  const result = await connection.run('SELECT * FROM src LIMIT 0');
  return result.columnTypes().map((type, i) => ({
    name: result.columnName(i),
    kind: sourceKindOf(type),
    typeName: type.toString(),
    decimalScale: type instanceof DuckDBDecimalType ? type.scale : undefined,
  }));
}
