/** What the `tessera stats …` subcommands share: their flags' parsing, the tables they read, their JSON output. */

import type { LazyFrame } from '../../client/frame.js';
import type { Tessera } from '../../client/tessera.js';
import { UsageError } from '../../errors.js';

/** A comma-separated flag's items, trimmed, empty ones dropped. */
export const list = (text: string): string[] => text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);

/** A numeric flag, or undefined when it was not given; anything but a finite number is refused. */
export function numberFlag(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isFinite(v)) throw new UsageError(`${flag} takes a number, not ${JSON.stringify(text)}`);
  return v;
}

/** The named tables, concatenated (same columns) when there are several: what `--table A,B` reads. */
export function concatTables(client: Tessera, tables: readonly string[]): LazyFrame<string> {
  if (tables.length === 0) throw new UsageError('--table names at least one table');
  const [first, ...rest] = tables.map((t) => client.table(t));
  return rest.length > 0 ? first.concat(...rest) : first;
}

/** A result as JSON without its text() printer: non-finite numbers as null, bigints as decimal strings. */
export function resultJson(result: object): string {
  const { text: _text, ...data } = result as { text?: unknown };
  return JSON.stringify(data, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : typeof v === 'bigint' ? v.toString() : v));
}
