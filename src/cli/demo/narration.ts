/** The demo's way of writing: section headings, indented steps, the "who learned what" table. */

import { TesseraError } from '../../errors.js';
import { hexBytes, formatBytes, table, type Console } from '../output.js';
import type { StoredSample } from './node-files.js';

export function heading(io: Console, title: string, intro: string): void {
  io.line('');
  io.line(io.style.bold(`━━ ${title} ━━`));
  io.line(io.style.dim(intro));
  io.line('');
}

export function storedBytes(io: Console, rows: readonly { node: string; sample: StoredSample | undefined }[]): void {
  io.line(
    table(
      rows.map((r) => [r.node, r.sample ? r.sample.file : '(not found)', r.sample ? io.style.yellow(hexBytes(r.sample.bytes) + ' …') : '', r.sample ? `(${formatBytes(r.sample.size)})` : '']),
      { indent: '    ' },
    ),
  );
}

export function learned(io: Console, rows: readonly (readonly [string, string, string])[]): void {
  io.line('  Who learned what:');
  io.line(
    table(
      [['', 'learned', 'did not learn'], ...rows.map(([who, yes, no]) => [who, yes, no])],
      { indent: '    ', header: true, style: io.style },
    ),
  );
}

/** "CODE: message" for an error the demo expects, e.g. a refusal. */
export function refusal(error: unknown): string {
  if (error instanceof TesseraError) return `${error.code}: ${error.message}`;
  throw error;
}

/** What happens when a party that is not a recipient tries to open a result (the demo shows the refusal). */
export async function triesToOpen(client: { result(query: string): Promise<unknown> }, query: string): Promise<string> {
  try {
    await client.result(query);
    return 'opened it (unexpected!)';
  } catch (error) {
    return refusal(error);
  }
}
