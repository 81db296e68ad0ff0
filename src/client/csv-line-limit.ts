/**
 * DuckDB reads a CSV line only up to its `max_line_size` (2,000,000 bytes by default) and fails
 * on a longer one. That limit is an option here (ReadTableOptions.maxLineSize, the CLI's
 * --max-line-size), and a line over it is reported as what it is, with its line number, instead
 * of as a malformed file.
 *
 * DuckDB reports an over-long line in two ways: in its rejects table, with the right line number,
 * or, when the line falls in the part of the file its sniffer samples first, as an exception
 * whose line number is not the line's. The exception also quotes the line, so only its two
 * figures are read from it, and the line is found by scanning the file.
 */

import { createReadStream } from 'node:fs';
import { LineTooLongError, UsageError } from '../errors.js';

/** DuckDB's own default. */
export const DEFAULT_MAX_LINE_SIZE = 2_000_000;

/**
 * 1 GiB. DuckDB allocates its read buffer from the limit: at 2 GiB it fails with an allocation
 * error before reading anything; a CSV line of a gigabyte is a file to fix, not to read.
 */
export const MAX_MAX_LINE_SIZE = 2 ** 30;

export function checkMaxLineSize(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_LINE_SIZE;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_MAX_LINE_SIZE) {
    throw new UsageError(`maxLineSize must be a whole number of bytes from 1 to ${MAX_MAX_LINE_SIZE} (1 GiB); the default is ${DEFAULT_MAX_LINE_SIZE}`);
  }
  return value;
}

/** DuckDB's wording, e.g. "Maximum line size of 2000000 bytes exceeded. Actual Size:3000003 bytes." */
const DUCKDB_LINE_SIZE = /Maximum line size of (\d+) bytes exceeded\. Actual Size: ?(\d+) bytes/;

/** The typed error for a DuckDB exception about an over-long line; undefined for any other. */
export async function lineTooLongFromDuckDB(message: string, path: string, maxLineSize: number): Promise<LineTooLongError | undefined> {
  const match = DUCKDB_LINE_SIZE.exec(message);
  if (match === null) return undefined;
  const actual = Number(match[2]);
  const line = await firstLineLongerThan(path, maxLineSize);
  return lineTooLongError(line, maxLineSize, actual);
}

export function lineTooLongError(line: number | undefined, maxLineSize: number, actualBytes?: number): LineTooLongError {
  const where = line === undefined ? 'a line of the file' : `line ${line} of the file`;
  const size = actualBytes === undefined ? 'is longer than' : `is ${actualBytes} bytes long, more than`;
  const which = maxLineSize === DEFAULT_MAX_LINE_SIZE ? 'the default' : 'the limit given';
  return new LineTooLongError(
    `${where} ${size} the maximum line size of ${maxLineSize} bytes (${which}); if the line is meant to be that long, raise the limit ` +
      `(SDK: maxLineSize, CLI: --max-line-size BYTES, at most ${MAX_MAX_LINE_SIZE}); otherwise look for a missing line break or an unclosed quote before it`,
    line,
    maxLineSize,
  );
}

/**
 * The 1-based number of the first line whose bytes, line break included (as DuckDB counts),
 * exceed `limit`; undefined when no physical line does (a record made long by quoted line breaks).
 */
export async function firstLineLongerThan(path: string, limit: number): Promise<number | undefined> {
  let line = 1;
  let length = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let newline = chunk.indexOf(10, start); newline >= 0; newline = chunk.indexOf(10, start)) {
      if (length + (newline - start + 1) > limit) return line;
      line++;
      length = 0;
      start = newline + 1;
    }
    length += chunk.length - start;
    if (length > limit) return line;
  }
  return undefined;
}
