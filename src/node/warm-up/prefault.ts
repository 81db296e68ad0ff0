/**
 * Faults in the allocator's heap before the first query. On the development machine (a virtual
 * machine) the first touch of fresh memory costs far more than rewriting memory already mapped
 * (net/buffer-pool.ts, mpc/scratch.ts: 60-90 ms against 0.6 ms for 8 MiB); a first query at 1M
 * rows takes ~150 MB of fresh memory for its share vectors. Node processes run with glibc's
 * malloc told to keep what is freed (mpc/process-cluster.ts PARTY_ALLOCATOR_ENV: mmap threshold
 * 1 GiB, trim threshold 4 GiB), so buffers allocated here, touched page by page and freed again
 * stay mapped in the heap, and the query's typed arrays reuse them without page faults.
 *
 * The buffers are freed by a full collection right away (V8 would free them at its next
 * collection anyway; the query's first allocations would come from fresh memory until then):
 * `gc` is V8's own, exposed to a fresh context through the --expose-gc flag, which changes
 * nothing else.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const PIECE_BYTES = 16 << 20;
const PAGE_BYTES = 4096;

/** Allocates `bytes` in pieces, touches every page, frees them and collects; returns whether the collection ran. */
export function prefaultHeap(bytes: number): boolean {
  let pieces: Buffer[] = [];
  for (let done = 0; done < bytes; done += PIECE_BYTES) {
    const piece = Buffer.allocUnsafeSlow(Math.min(PIECE_BYTES, bytes - done));
    for (let i = 0; i < piece.byteLength; i += PAGE_BYTES) piece[i] = 0;
    pieces.push(piece);
  }
  pieces = [];
  const collect = fullCollection();
  if (!collect) return false;
  collect();
  return pieces.length === 0;
}

function fullCollection(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
