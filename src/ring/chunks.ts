/**
 * Kernel loops in pieces. V8 runs a function's first two calls in the interpreter or in
 * on-stack-replacement code and installs its optimized code only for a later call; a first
 * call over millions of 64-bit words therefore runs to its end at 40–150 ns a word (every
 * BigUint64Array element boxed as a heap BigInt, which the collector then sweeps) instead of
 * ~2.5 ns (measured: a carry-tree operand loop over 2^22 words took 170, 145, then 10 ms in a
 * fresh process; called per piece of 2^14 words, 46, 11, 13 ms). Each party process meets its
 * largest vectors in the first calls (the first quickselect level compares every row), so the
 * kernels on those vectors take them a piece at a time.
 */

/** Elements per call of a kernel's range function. */
export const KERNEL_CHUNK = 1 << 14;

/** range(from, to) over [0, n) in pieces of at most KERNEL_CHUNK elements, in order. */
export function inChunks(n: number, range: (from: number, to: number) => void): void {
  for (let from = 0; from < n; from += KERNEL_CHUNK) range(from, Math.min(n, from + KERNEL_CHUNK));
}
