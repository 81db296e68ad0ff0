/**
 * `--output FILE [--format csv|parquet|arrow] [--force]` for the commands that open a result (`sql`,
 * `result`): the opened table is written to the file (client/write-result.ts) instead of printed.
 * The path is checked before anything runs, so a query is not spent on a result that cannot be written.
 */

import type { Command } from 'commander';
import type { QueryResult } from '../client/result.js';
import { UsageError } from '../errors.js';
import { formatCount } from './output.js';

export interface OutputFlags {
  output?: string;
  format?: string;
  force?: boolean;
}

export function addOutputOptions(command: Command): Command {
  return command
    .option('--output <file>', 'write the opened table to FILE (.csv, .parquet or .arrow) instead of printing it')
    .option('--format <format>', 'with --output: csv, parquet or arrow (default: from the extension; arrow writes the IPC file format, or the stream format to a .arrows FILE)')
    .option('--force', 'with --output: replace FILE if it exists');
}

const writeOptions = (flags: OutputFlags): { format?: 'csv' | 'parquet' | 'arrow'; overwrite: boolean } => {
  if (flags.format !== undefined && flags.format !== 'csv' && flags.format !== 'parquet' && flags.format !== 'arrow') throw new UsageError(`--format must be csv, parquet or arrow, not '${flags.format}'`);
  return { ...(flags.format !== undefined ? { format: flags.format } : {}), overwrite: flags.force === true };
};

/** Refuses bad output flags and an output file that could not be written, before the command runs anything. */
export async function checkOutputFlags(flags: OutputFlags): Promise<void> {
  if (flags.output === undefined) {
    if (flags.format !== undefined || flags.force) throw new UsageError('--format and --force go with --output FILE');
    return;
  }
  const { checkOutputPath } = await import('../client/write-result.js');
  await checkOutputPath(flags.output, writeOptions(flags));
}

/** Writes the result's table when --output was given: what was written (undefined without --output). */
export async function writeOutputFile(result: QueryResult, flags: OutputFlags): Promise<{ path: string; format: string; rows: number } | undefined> {
  if (flags.output === undefined) return undefined;
  const { writeResult } = await import('../client/write-result.js');
  const written = await writeResult(result, flags.output, writeOptions(flags));
  return { path: written.path, format: written.format, rows: written.rows };
}

const FORMAT_NAMES: Readonly<Record<string, string>> = { csv: 'CSV', parquet: 'Parquet', arrow: 'Arrow IPC' };

export function describeWritten(written: { path: string; format: string; rows: number }, columns: readonly string[]): string {
  return `wrote ${formatCount(written.rows)} rows (${columns.join(', ')}) to ${written.path} as ${FORMAT_NAMES[written.format] ?? written.format}`;
}
