/**
 * Frees a fresh buffer's memory at once, instead of when V8 next sweeps it: for node:crypto's
 * `Cipher.update` outputs, which the PRG reads once and drops.
 *
 * Why (docs/benchmarks.md, s13-mul): every `update` returns a fresh 64 KiB buffer, a 2^20
 * multiplication draws 16 MiB of them, and their memory goes back to malloc only at the next
 * scavenge. Until then each new chunk is memory not in cache, and the dead chunks count as
 * external memory, whose growth starts scavenges that promote the live share vectors (which then
 * take a mark-compact to free). Freed at once, the next `update` gets the same malloc block back,
 * still in cache: 16 MiB of keystream 3.4 → 2.3 ms of CPU in one thread, no external growth.
 *
 * How: `ArrayBuffer.prototype.transfer(0)` detaches the buffer, which drops its backing store
 * (ES2024; in node 20's V8 11.3 behind `--harmony-rab-gsab-transfer`). The flag is set only for
 * the moment it takes to make one fresh context and take the method from it (as
 * bench/primitive-jobs.ts takes `gc`), so this realm's `ArrayBuffer` is unchanged. Where the
 * method is missing (another engine) the release does nothing and the buffer waits for V8, as
 * before: the same bytes either way.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Transfer = (this: ArrayBuffer, length: number) => ArrayBuffer;

const transfer: Transfer | undefined = (() => {
  const own = (ArrayBuffer.prototype as { transfer?: Transfer }).transfer;
  if (typeof own === 'function') return own;
  try {
    setFlagsFromString('--harmony-rab-gsab-transfer');
    const fromContext: unknown = runInNewContext('ArrayBuffer.prototype.transfer');
    return typeof fromContext === 'function' ? (fromContext as Transfer) : undefined;
  } catch {
    return undefined;
  } finally {
    setFlagsFromString('--no-harmony-rab-gsab-transfer');
  }
})();

/** Whether releaseBuffer frees memory here (tests check that it does on node 20). */
export const releasesMemory = transfer !== undefined;

/**
 * Frees the memory behind `view` now, if `view` is the whole of its ArrayBuffer (a part of a
 * shared or pooled buffer is left alone). The caller must hold the only references: every view
 * of that buffer reads as empty afterwards.
 */
export function releaseBuffer(view: Uint8Array): void {
  const buffer = view.buffer;
  if (transfer === undefined || !(buffer instanceof ArrayBuffer) || view.byteOffset !== 0 || view.byteLength !== buffer.byteLength) return;
  transfer.call(buffer, 0);
}
