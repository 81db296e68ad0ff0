/**
 * Faults in the allocator's heap before the first query, without forcing a collection.
 *
 * Why: a node's first query takes its share vectors from fresh memory, and on the development
 * machine (a virtual machine) the kernel's first touch of a page costs far more than rewriting
 * memory already mapped (docs/benchmarks.md "s9-firstquery": a first filter at 1M rows spent
 * 0.36-0.58 s of system time in faults that later runs did not pay, three parties in one
 * thread). Node processes run with glibc's malloc told to keep what is freed
 * (mpc/party-environment.ts PARTY_ALLOCATOR_ENV: mmap threshold 1 GiB, trim threshold 4 GiB), so
 * buffers allocated here, touched page by page and dropped stay mapped in the heap once V8
 * frees them, and the query's typed arrays reuse them.
 *
 * They are freed by V8's own collections during the warm-up's workloads, which run after this
 * (warm-up.ts): an earlier version forced a full collection through `--expose-gc` set at run
 * time, and that made the join at 1M rows 7-9 s of CPU per node slower (docs/benchmarks.md
 * "s8-warmup").
 */

const PIECE_BYTES = 16 << 20;
const PAGE_BYTES = 4096;
/** More would only cost start-up time and resident memory (the warm-up's bound). */
export const MAX_PREFAULT_BYTES = 1 << 30;

/** Allocates `bytes` in pieces and touches every page; drops them at once; returns the bytes touched. */
export function prefaultHeap(bytes: number): number {
  if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > MAX_PREFAULT_BYTES) throw new RangeError(`warm-up: the pre-fault takes a whole number of bytes from 0 to ${MAX_PREFAULT_BYTES} (got ${bytes})`);
  // All pieces live at once, so that they are distinct memory; none outlives this call.
  const pieces: Buffer[] = [];
  let touched = 0;
  for (let done = 0; done < bytes; done += PIECE_BYTES) {
    const piece = Buffer.allocUnsafeSlow(Math.min(PIECE_BYTES, bytes - done));
    for (let i = 0; i < piece.byteLength; i += PAGE_BYTES) piece[i] = 0;
    pieces.push(piece);
    touched += piece.byteLength;
  }
  pieces.length = 0;
  return touched;
}
