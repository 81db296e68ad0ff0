/**
 * How `tessera upload` reads its file: the flags that map onto the SDK's ReadTableOptions, so
 * that the advice in reading errors (rename a column, leave one out, name the format, raise the
 * line limit) can be followed from the command line as from the SDK.
 *
 *   --format csv|parquet      when the extension does not say
 *   --select a,b,c            keep these columns (names after --rename), in this order
 *   --rename 'Patient ID=patient_id'   (repeatable) a file column's name → a valid column name
 *   --max-line-size BYTES     the longest CSV line accepted
 */

import type { ColumnDeclaration, ReadTableOptions } from '../client/declarations.js';
import { DEFAULT_MAX_LINE_SIZE, MAX_MAX_LINE_SIZE } from '../client/csv-line-limit.js';
import { UsageError } from '../errors.js';
import { parseColumnSpec } from './column-spec.js';

export const FILE_FORMATS = ['csv', 'parquet'] as const;

export interface UploadReadFlags {
  readonly column: readonly string[];
  readonly schema?: string;
  readonly format?: (typeof FILE_FORMATS)[number];
  readonly select?: string;
  readonly rename: readonly string[];
  readonly maxLineSize?: string;
}

/** The read options the flags ask for (the schema file, read elsewhere, is not among them). */
export function readOptionsFromFlags(flags: UploadReadFlags): ReadTableOptions {
  if (flags.schema !== undefined && flags.column.length > 0) throw new UsageError('give either --schema or --column, not both');
  if (flags.schema !== undefined && flags.select !== undefined) throw new UsageError('give either --schema or --select, not both: a schema file lists exactly the columns to upload');
  const columns: Record<string, ColumnDeclaration> = Object.fromEntries(flags.column.map(parseColumnSpec));
  const rename = parseRenames(flags.rename);
  return {
    ...(flags.schema === undefined ? { columns } : {}),
    ...(flags.format !== undefined ? { format: flags.format } : {}),
    ...(flags.select !== undefined ? { select: parseSelect(flags.select) } : {}),
    ...(Object.keys(rename).length > 0 ? { rename } : {}),
    ...(flags.maxLineSize !== undefined ? { maxLineSize: parseMaxLineSize(flags.maxLineSize) } : {}),
  };
}

export function parseSelect(text: string): string[] {
  const names = text.split(',').map((s) => s.trim());
  if (names.some((n) => n.length === 0)) throw new UsageError(`--select '${text}' must be column names separated by commas, e.g. --select age,visits`);
  return names;
}

/**
 * `OLD=new`, split at the last `=`: a file's column name may contain `=`, a valid column name
 * cannot. OLD may be empty (a header field with no name).
 */
export function parseRenames(specs: readonly string[]): Record<string, string> {
  const rename: Record<string, string> = {};
  for (const spec of specs) {
    const at = spec.lastIndexOf('=');
    if (at < 0 || at === spec.length - 1) throw new UsageError(`--rename '${spec}' must be OLD=new, e.g. --rename 'Patient ID=patient_id'`);
    const from = spec.slice(0, at);
    if (Object.hasOwn(rename, from)) throw new UsageError(`--rename names column '${from}' twice`);
    rename[from] = spec.slice(at + 1);
  }
  return rename;
}

export function parseMaxLineSize(text: string): number {
  const bytes = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(bytes >= 1 && bytes <= MAX_MAX_LINE_SIZE)) {
    throw new UsageError(`--max-line-size must be a number of bytes from 1 to ${MAX_MAX_LINE_SIZE} (1 GiB); the default is ${DEFAULT_MAX_LINE_SIZE}`);
  }
  return bytes;
}
