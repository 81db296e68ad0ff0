/**
 * Uniformly random permutations drawn from a PRG, in a form that is cheap to apply to long
 * columns (shuffle.ts).
 *
 * Method (Rao 1961, Sandelius 1962): every row draws one of B buckets uniformly (B a power of
 * two, so a byte of keystream gives an exactly uniform bucket); the rows are laid out bucket by
 * bucket, in row order within a bucket; then each bucket is shuffled on its own with
 * Fisher–Yates. The result is exactly uniform: a given output order needs one particular
 * bucket assignment (probability B^-n for each vector of bucket sizes c) and then one order in
 * each bucket (prod 1/c_b!); summed over all c this is B^-n * B^n / n! = 1/n!.
 *
 * Why: plain Fisher–Yates over a million rows swaps at random across 4 MB, and applying the
 * result reads a 8 MB column at random: a cache miss per row each (~25 ms per million on this
 * machine). Bucketed, the draw and the application are a streaming scatter into B write heads
 * plus work inside one bucket at a time (~4,096 rows: it stays in the core's cache).
 *
 * Fisher–Yates indices are drawn exactly uniformly with Lemire's multiply-and-reject method:
 * from 16-bit keystream units for bounds up to 8,192 (every bound of a bucket of ~4,096 rows;
 * products below 2^29, so the loop is plain 32-bit integer arithmetic), from 32-bit draws above
 * (the 64-bit product exact: in one double for bounds below 2^21, in two halves above). Nothing
 * is merely close to uniform. Both holders of a PRG make the same draws and rejections, so they
 * get the same permutation.
 */

import { UsageError } from '../../errors.js';
import type { Prg } from '../../crypto/prg.js';
import { UniformDraws, type SmallDraws } from './uniform-draws.js';

/** Rows per bucket aimed at: a bucket's rows and their 64-bit words stay in the core's cache. */
const ROWS_PER_BUCKET = 4096;
/** At most 256 buckets, so that one keystream byte picks a bucket. */
const MAX_BUCKETS = 256;

/**
 * out = src permuted, in two cache-friendly passes:
 *   tmp[place[i]] = src[i];   out[j] = tmp[local[j]]   (local[j] lies in j's own bucket).
 */
export interface StagedPermutation {
  readonly n: number;
  readonly place: Int32Array;
  readonly local: Int32Array;
}

/** Buckets for n rows (a power of two; 1 for short columns, where plain Fisher–Yates is best). */
export function bucketCount(n: number): number {
  let b = 1;
  while (b < MAX_BUCKETS && b * ROWS_PER_BUCKET < n) b *= 2;
  return b;
}

/**
 * A draw's kernels in wasm (permute-wasm.ts): the small bounds (SmallDraws) and layOut, which
 * draws the rows' bucket bytes (8·ceil(n/8) bytes of keystream, as prg.words(ceil(n/8))) into the
 * kernel's memory, lays the rows out into `place` (in that memory too) and returns the buckets'
 * starts (buckets + 1 entries).
 */
export interface DrawKernels extends SmallDraws {
  layOut(prg: Prg, n: number, buckets: number, place: Int32Array): Int32Array;
}

/**
 * A uniformly random permutation of n rows (at most 2^31), staged for application. `memory`, if
 * given, holds its two index arrays (2n entries, any content: every entry is written), so a
 * caller can take them from its scratch pool instead of paying a fresh array's page faults;
 * `kernels`, if given, run the draw in wasm on that memory (the same permutation, unit for unit).
 */
export function drawPermutation(prg: Prg, n: number, buckets = bucketCount(n), memory?: Int32Array, kernels?: DrawKernels): StagedPermutation {
  if (n > 2 ** 31) throw new UsageError(`cannot shuffle ${n} rows (at most 2^31)`);
  if (buckets < 1 || buckets > MAX_BUCKETS || (buckets & (buckets - 1)) !== 0) throw new UsageError(`buckets must be a power of two up to ${MAX_BUCKETS}`);
  if (memory !== undefined && memory.length < 2 * n) throw new UsageError(`drawPermutation: ${memory.length} index entries for ${n} rows (needs ${2 * n})`);
  const place = memory === undefined ? new Int32Array(n) : memory.subarray(0, n);
  const local = memory === undefined ? new Int32Array(n) : memory.subarray(n, 2 * n);
  let starts: Int32Array = new Int32Array(buckets + 1);
  if (buckets === 1) {
    for (let i = 0; i < n; i++) place[i] = i;
    starts[1] = n;
  } else if (kernels !== undefined) starts = kernels.layOut(prg, n, buckets, place);
  else {
    const bucketOf = new Uint8Array(prg.words(Math.ceil(n / 8)).buffer, 0, n);
    layOut(bucketOf, buckets - 1, starts, place);
  }
  const draws = new UniformDraws(prg, n, kernels);
  for (let b = 0; b < buckets; b++) draws.shuffle(local, starts[b], starts[b + 1]);
  return { n, place, local };
}

/** The same permutation as one index array: out[j] = src[perm[j]]. */
export function composedPermutation(p: StagedPermutation): Int32Array {
  const source = new Int32Array(p.n); // source[place[i]] = i
  for (let i = 0; i < p.n; i++) source[p.place[i]] = i;
  const perm = new Int32Array(p.n);
  for (let j = 0; j < p.n; j++) perm[j] = source[p.local[j]];
  return perm;
}

/** A uniformly random permutation of 0..n-1 as an index array (out[j] = src[perm[j]]). */
export function randomPermutation(prg: Prg, n: number, buckets?: number): Int32Array {
  return composedPermutation(drawPermutation(prg, n, buckets));
}

// Small monomorphic kernels: V8 compiles each whole.

function layOut(bucketOf: Uint8Array, mask: number, starts: Int32Array, place: Int32Array): void {
  const n = place.length;
  const buckets = mask + 1;
  // Four bucket bytes per 32-bit read (measured: half the time of a byte at a time). The bytes
  // come from a fresh keystream array, so the view is aligned; the last n % 4 go one by one.
  const whole = n >>> 2;
  const quads = new Uint32Array(bucketOf.buffer, bucketOf.byteOffset, whole);
  const counts = new Int32Array(buckets);
  for (let q = 0; q < whole; q++) {
    const c = quads[q];
    counts[c & mask]++;
    counts[(c >>> 8) & mask]++;
    counts[(c >>> 16) & mask]++;
    counts[(c >>> 24) & mask]++;
  }
  for (let i = whole * 4; i < n; i++) counts[bucketOf[i] & mask]++;
  for (let b = 0; b < buckets; b++) starts[b + 1] = starts[b] + counts[b];
  const next = starts.slice(0, buckets);
  for (let q = 0, i = 0; q < whole; q++, i += 4) {
    const c = quads[q];
    place[i] = next[c & mask]++;
    place[i + 1] = next[(c >>> 8) & mask]++;
    place[i + 2] = next[(c >>> 16) & mask]++;
    place[i + 3] = next[(c >>> 24) & mask]++;
  }
  for (let i = whole * 4; i < n; i++) place[i] = next[bucketOf[i] & mask]++;
}
