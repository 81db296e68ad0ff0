/**
 * Writing an opened table to a file, through DuckDB: every cell goes in as exact text into a
 * staging table of VARCHAR columns, one cast per column gives it its type (integer → BIGINT,
 * decimal(s) → DECIMAL(38, s) from the exact decimal text, boolean → BOOLEAN, date → DATE,
 * category → VARCHAR, identifier hash → BIGINT, mean/var/std → DOUBLE), and COPY … TO writes
 * CSV or Parquet. Text casts are exact: DuckDB parses integers and decimals digit for digit and
 * reads a double's shortest text back to the same double. The file appears whole or not at all
 * (written beside it, then linked or renamed into place).
 *
 * Arrow IPC goes through the apache-arrow package instead (client/write-arrow.ts), from the same
 * exact text: DuckDB writes Arrow only through its 'arrow' extension, which this build does not
 * bundle and which cannot be downloaded at run time.
 */

import { randomBytes } from 'node:crypto';
import { link, rename, stat, unlink } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { OutputFileError, TesseraError, UsageError } from '../errors.js';
import type { ResultCell, ResultTable } from './result.js';
import type { ResultColumnType } from './result-types.js';
import { sqlIdentifier, sqlString } from './sql-columns.js';
import { formatScaled } from '../table/text-grammar.js';
import { writeArrowFile, type ArrowColumnType } from './write-arrow.js';

export type ResultFileFormat = 'csv' | 'parquet' | 'arrow';

export interface WriteResultOptions {
  /** The file format; by default from the extension (.csv; .parquet or .pq; .arrow, .arrows, .feather, .ipc). */
  readonly format?: ResultFileFormat;
  /** Replace an existing file (default: refuse it). */
  readonly overwrite?: boolean;
}

/**
 * What writeResult needs: the table, and (from an opened QueryResult) each column's type and the
 * exact text of its decimals. A table built by hand may leave both out: types are then taken from
 * the cells (whole numbers and bigints → integer, other numbers → double, text, booleans).
 */
export interface WritableResult {
  readonly table: ResultTable;
  readonly columnTypes?: Readonly<Record<string, ResultColumnType>>;
  readonly exactDecimals?: Readonly<Record<string, readonly (string | null)[]>>;
  /** A design-mode result (dummy data): written only to a file whose name says "dummy", and marked inside Parquet and Arrow files. */
  readonly design?: true;
}

/** What was written. */
export interface WrittenResult {
  readonly path: string;
  readonly format: ResultFileFormat;
  readonly rows: number;
  readonly columns: readonly { readonly name: string; readonly sqlType: string }[];
}

/** The table as columns: each column's cells in row order, keyed by name. */
export function resultColumns(result: { readonly table: ResultTable }): Record<string, ResultCell[]> {
  const out: Record<string, ResultCell[]> = {};
  for (const name of result.table.columns) out[name] = result.table.rows.map((row) => row[name] ?? null);
  return out;
}

export function resultFileFormat(path: string, given?: ResultFileFormat): ResultFileFormat {
  if (given !== undefined) {
    if (given !== 'csv' && given !== 'parquet' && given !== 'arrow') throw new UsageError(`unknown result format '${String(given)}': use csv, parquet or arrow`);
    return given;
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  if (ext === '.arrow' || ext === '.arrows' || ext === '.feather' || ext === '.ipc') return 'arrow';
  throw new OutputFileError(`cannot tell the format to write '${path}' in from its extension: name the file .csv, .parquet or .arrow, or give the format (SDK: format: 'csv', 'parquet' or 'arrow'; CLI: --format csv, parquet or arrow)`);
}

/**
 * Writes the result's table to `path` as CSV (with a header), Parquet or Arrow IPC (the file
 * format; the stream format for a .arrows path), each column with its type.
 */
export async function writeResult(result: WritableResult, path: string, options: WriteResultOptions = {}): Promise<WrittenResult> {
  const format = await checkOutputPath(path, options);
  if (result.design) checkDummyPath(path);
  const columns = result.table.columns.map((name) => planColumn(result, name));
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    if (format === 'arrow') await writeArrowFile(columns, result.table.rows.length, temporary, extname(path).toLowerCase() === '.arrows', designMetadata(result.design === true));
    else await copyThroughDuckDB(result.table, columns, temporary, format, result.design === true);
    await moveIntoPlace(temporary, path, options.overwrite === true);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  return { path, format, rows: result.table.rows.length, columns: columns.map((c) => ({ name: c.name, sqlType: c.sqlType })) };
}

/**
 * The format a result would be written in, refusing up front what writeResult would refuse about
 * the path (an unknown extension, an existing file without overwrite): the CLI checks this
 * before it runs a query whose result could not be written.
 */
export async function checkOutputPath(path: string, options: WriteResultOptions = {}): Promise<ResultFileFormat> {
  const format = resultFileFormat(path, options.format);
  if (!options.overwrite && (await exists(path))) throw new OutputFileError(`'${path}' exists: choose another path, or replace it (SDK: overwrite: true; CLI: --force)`);
  return format;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return false;
    throw new OutputFileError(`cannot check '${path}' (${String((error as { code?: unknown }).code ?? 'unknown error')}); check the directory's permissions`);
  }
}

/** Without overwrite, link() fails if the file appeared meanwhile, so an existing file is never replaced. */
async function moveIntoPlace(temporary: string, path: string, overwrite: boolean): Promise<void> {
  try {
    if (overwrite) await rename(temporary, path);
    else await link(temporary, path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EEXIST') throw new OutputFileError(`'${path}' exists: choose another path, or replace it (SDK: overwrite: true; CLI: --force)`);
    throw new OutputFileError(`cannot write '${path}' (${String(code ?? 'unknown error')}); check the path and the directory's permissions`);
  }
}

interface PlannedColumn {
  readonly name: string;
  readonly sqlType: string;
  /** The same column's Arrow type (write-arrow.ts). */
  readonly arrow: ArrowColumnType;
  /** A cell as the exact text DuckDB casts to sqlType; null for SQL's null. */
  readonly text: (row: number) => string | null;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL38_MAX = 10n ** 38n - 1n;

function planColumn(result: WritableResult, name: string): PlannedColumn {
  const cells = result.table.rows.map((row) => row[name] ?? null);
  const type = result.columnTypes?.[name] ?? inferType(name, cells);
  const wrong = (i: number, what: string): never => {
    throw new UsageError(`column '${name}', row ${i + 1}: expected ${what} for a ${type.kind} column, found ${typeof cells[i]}`);
  };
  switch (type.kind) {
    case 'integer':
    case 'identifier': {
      const values = cells.map((c, i) => (c === null ? null : typeof c === 'bigint' ? c : typeof c === 'number' && Number.isSafeInteger(c) ? BigInt(c) : wrong(i, 'a whole number or bigint')));
      const wide = values.some((v) => v !== null && (v < INT64_MIN || v > INT64_MAX));
      // Parquet has no 128-bit integer (DuckDB would write HUGEINT as a double): wider integers go as DECIMAL(38, 0).
      if (wide && values.some((v) => v !== null && (v > DECIMAL38_MAX || v < -DECIMAL38_MAX))) throw new UsageError(`column '${name}' holds an integer of more than 38 digits, which neither CSV readers' nor Parquet's integer or decimal types hold exactly`);
      return { name, sqlType: wide ? 'DECIMAL(38, 0)' : 'BIGINT', arrow: wide ? { kind: 'decimal128', scale: 0 } : { kind: 'int64' }, text: (i) => values[i]?.toString() ?? null };
    }
    case 'decimal': {
      const exact = result.exactDecimals?.[name];
      if (exact !== undefined && exact.length !== cells.length) throw new UsageError(`column '${name}': its exact decimals have ${exact.length} rows, the table ${cells.length}`);
      const texts = cells.map((c, i) => {
        if (c === null) return null;
        if (typeof c !== 'number') return wrong(i, 'a number');
        return exact?.[i] ?? decimalText(name, i, c, type.scale);
      });
      return { name, sqlType: `DECIMAL(38, ${type.scale})`, arrow: { kind: 'decimal128', scale: type.scale }, text: (i) => texts[i] ?? null };
    }
    case 'double':
      return { name, sqlType: 'DOUBLE', arrow: { kind: 'float64' }, text: (i) => { const c = cells[i]; return c === null ? null : typeof c === 'number' ? String(c) : typeof c === 'bigint' ? c.toString() : wrong(i, 'a number'); } };
    case 'boolean':
      return { name, sqlType: 'BOOLEAN', arrow: { kind: 'bool' }, text: (i) => { const c = cells[i]; return c === null ? null : typeof c === 'boolean' ? String(c) : wrong(i, 'true or false'); } };
    case 'date':
      return { name, sqlType: 'DATE', arrow: { kind: 'date32' }, text: (i) => { const c = cells[i]; return c === null ? null : typeof c === 'string' && /^-?\d{4,}-\d{2}-\d{2}$/.test(c) ? c : wrong(i, 'a date YYYY-MM-DD'); } };
    case 'category':
    case 'text': {
      // A category with declared levels is dictionary-encoded over them; one built by hand (no levels) is plain text.
      const arrow: ArrowColumnType = type.kind === 'category' && type.dictionary.length > 0 ? { kind: 'dictionary', levels: type.dictionary } : { kind: 'utf8' };
      return { name, sqlType: 'VARCHAR', arrow, text: (i) => { const c = cells[i]; return c === null ? null : typeof c === 'string' ? c : wrong(i, 'text'); } };
    }
  }
}

/**
 * A decimal cell with no exact text beside it (a table built by hand): its double must be the one
 * nearest to a decimal with `scale` digits (the rule the readers apply, table/types/decimal.ts);
 * anything else is refused rather than rounded.
 */
function decimalText(name: string, row: number, x: number, scale: number): string {
  const scaled = Math.round(x * 10 ** scale);
  if (!Number.isSafeInteger(scaled) || scaled / 10 ** scale !== x) {
    throw new UsageError(`column '${name}', row ${row + 1}: ${x} is not exactly a decimal with ${scale} digits after the point; give its exact text in exactDecimals`);
  }
  return formatScaled(BigInt(scaled), scale);
}

function inferType(name: string, cells: readonly ResultCell[]): ResultColumnType {
  const kinds = new Set(cells.filter((c) => c !== null).map((c) => (typeof c === 'number' ? (Number.isInteger(c) ? 'whole' : 'fraction') : typeof c)));
  if (kinds.size === 0 || (kinds.size === 1 && kinds.has('string'))) return { kind: 'category', dictionary: [] };
  if (kinds.size === 1 && kinds.has('boolean')) return { kind: 'boolean' };
  if ([...kinds].every((k) => k === 'whole' || k === 'bigint')) return { kind: 'integer' };
  if ([...kinds].every((k) => k === 'whole' || k === 'fraction')) return { kind: 'double' };
  throw new UsageError(`column '${name}' mixes ${[...kinds].join(' and ')} cells: give its type in columnTypes`);
}

/**
 * `result.csv` → `result.dummy.csv`: where a design-mode result goes, so that dummy numbers are
 * never taken for real ones (a path that already says "dummy" stays as it is).
 */
export function dummyPath(path: string): string {
  if (/dummy/i.test(basename(path))) return path;
  const ext = extname(path);
  return `${path.slice(0, path.length - ext.length)}.dummy${ext}`;
}

function checkDummyPath(path: string): void {
  if (dummyPath(path) !== path) throw new OutputFileError(`this result was computed on dummy tables (design mode): write it to a file whose name says so, such as '${dummyPath(path)}'`);
}

/** What a file of a design-mode result carries in its metadata (Parquet key-value metadata, Arrow schema metadata). */
export const DESIGN_METADATA_KEY = 'tessera_design';
export const DESIGN_METADATA_VALUE = 'dummy data (design mode), not real results';

function designMetadata(design: boolean): ReadonlyMap<string, string> {
  return new Map(design ? [[DESIGN_METADATA_KEY, DESIGN_METADATA_VALUE]] : []);
}

async function copyThroughDuckDB(table: ResultTable, columns: readonly PlannedColumn[], target: string, format: 'csv' | 'parquet', design: boolean): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    try {
      await withoutDuckDBMessages(() => fillAndCopy(connection, table.rows.length, columns, target, format, design));
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

async function fillAndCopy(connection: DuckDBConnection, rows: number, columns: readonly PlannedColumn[], target: string, format: 'csv' | 'parquet', design: boolean): Promise<void> {
  const staged = columns.map((_, k) => `c${k}`);
  await connection.run(`CREATE TABLE staged (${staged.map((c) => `${c} VARCHAR`).join(', ')})`);
  const appender = await connection.createAppender('staged');
  for (let i = 0; i < rows; i++) {
    for (const column of columns) {
      const text = column.text(i);
      if (text === null) appender.appendNull();
      else appender.appendVarchar(text);
    }
    appender.endRow();
  }
  appender.closeSync();
  const select = columns.map((c, k) => `CAST(${staged[k]} AS ${c.sqlType}) AS ${sqlIdentifier(c.name)}`).join(', ');
  // A Parquet file of a design-mode result also says so inside (key tessera_design in its metadata).
  const how = format === 'csv' ? 'FORMAT csv, HEADER true' : `FORMAT parquet${design ? `, KV_METADATA {${DESIGN_METADATA_KEY}: ${sqlString(DESIGN_METADATA_VALUE)}}` : ''}`;
  await connection.run(`COPY (SELECT ${select} FROM staged ORDER BY rowid) TO ${sqlString(target)} (${how})`);
}

/** DuckDB's messages may quote cells, and a failure here is a bug or a file-system problem: say which without the data. */
async function withoutDuckDBMessages(step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (error instanceof TesseraError) throw error;
    const message = error instanceof Error ? error.message : '';
    if (/^IO Error/.test(message)) throw new OutputFileError('cannot write the result file (the database engine reported an I/O error); check the path, the free space and the directory\'s permissions');
    throw new OutputFileError('the database engine failed to write the result (its message is withheld because it may quote data); please report this');
  }
}
