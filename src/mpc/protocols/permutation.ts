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
 * Fisher–Yates indices are drawn exactly uniformly with Lemire's multiply-and-reject method on
 * 32-bit draws (the 64-bit product exact: in one double for bounds below 2^21, in two halves
 * above), so nothing is merely close to uniform. Both holders of a PRG make the same draws and rejections,
 * so they get the same permutation.
 */

import { UsageError } from '../../errors.js';
import type { Prg } from '../../crypto/prg.js';
import { inChunks } from '../../ring/chunks.js';

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

/** A uniformly random permutation of n rows (at most 2^31), staged for application. */
export function drawPermutation(prg: Prg, n: number, buckets = bucketCount(n)): StagedPermutation {
  if (n > 2 ** 31) throw new UsageError(`cannot shuffle ${n} rows (at most 2^31)`);
  if (buckets < 1 || buckets > MAX_BUCKETS || (buckets & (buckets - 1)) !== 0) throw new UsageError(`buckets must be a power of two up to ${MAX_BUCKETS}`);
  const place = new Int32Array(n);
  const local = new Int32Array(n);
  const starts = new Int32Array(buckets + 1);
  if (buckets === 1) {
    for (let i = 0; i < n; i++) place[i] = i;
    starts[1] = n;
  } else {
    const bucketOf = new Uint8Array(prg.words(Math.ceil(n / 8)).buffer, 0, n);
    layOut(bucketOf, buckets - 1, starts, place);
  }
  const draws = new UniformDraws(prg, n);
  for (let b = 0; b < buckets; b++) fisherYates(local, starts[b], starts[b + 1], draws);
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

/**
 * Applies p to each column of `src` (columns of n words stacked one after another) into a new
 * array; `tmp` is scratch of at least n words.
 */
export function permuteStacked(src: BigUint64Array, p: StagedPermutation, tmp: BigUint64Array): BigUint64Array {
  return permuteStackedInto(src, p, tmp, new BigUint64Array(src.length));
}

/**
 * permuteStacked into `out` (src.length words, not overlapping src or tmp): a vector that never
 * leaves the party can come from the scratch pool, sparing a fresh one's page faults and GC.
 */
export function permuteStackedInto(src: BigUint64Array, p: StagedPermutation, tmp: BigUint64Array, out: BigUint64Array): BigUint64Array {
  if (out.length !== src.length) throw new UsageError(`permutation output of ${out.length} words for ${src.length}`);
  for (let o = 0; o < src.length; o += p.n) {
    scatter(src, o, p.place, tmp);
    gatherLocal(tmp, p.local, out, o);
  }
  return out;
}

// Small monomorphic kernels: V8 compiles each whole.

function layOut(bucketOf: Uint8Array, mask: number, starts: Int32Array, place: Int32Array): void {
  const n = place.length;
  const buckets = mask + 1;
  const counts = new Int32Array(buckets);
  for (let i = 0; i < n; i++) counts[bucketOf[i] & mask]++;
  for (let b = 0; b < buckets; b++) starts[b + 1] = starts[b] + counts[b];
  const next = starts.slice(0, buckets);
  for (let i = 0; i < n; i++) place[i] = next[bucketOf[i] & mask]++;
}

// scatter and gatherLocal in pieces (ring/chunks.ts): a process's first shuffle moves whole columns.
function scatter(src: BigUint64Array, offset: number, place: Int32Array, tmp: BigUint64Array): void {
  inChunks(place.length, (from, to) => scatterRange(src, offset, place, tmp, from, to));
}

function scatterRange(src: BigUint64Array, offset: number, place: Int32Array, tmp: BigUint64Array, from: number, to: number): void {
  for (let i = from; i < to; i++) tmp[place[i]] = src[offset + i];
}

function gatherLocal(tmp: BigUint64Array, local: Int32Array, out: BigUint64Array, offset: number): void {
  inChunks(local.length, (from, to) => gatherRange(tmp, local, out, offset, from, to));
}

function gatherRange(tmp: BigUint64Array, local: Int32Array, out: BigUint64Array, offset: number, from: number, to: number): void {
  for (let j = from; j < to; j++) out[offset + j] = tmp[local[j]];
}

/** local[start..end) = a uniformly random permutation of start..end-1. */
function fisherYates(local: Int32Array, start: number, end: number, draws: UniformDraws): void {
  for (let i = start; i < end; i++) local[i] = i;
  // A bucket's bounds are below 2^21 (4,096 rows aimed at): the draws' one-double fast path,
  // inlined here with the pool in locals; it draws and rejects exactly as below() does.
  if (end - start <= SMALL_BOUND) {
    draws.shuffleSmall(local, start, end);
    return;
  }
  for (let i = end - 1; i > start; i--) {
    const j = start + draws.below(i - start + 1);
    const t = local[i];
    local[i] = local[j];
    local[j] = t;
  }
}

/** Bounds below this make draw · bound exact in one double (< 2^53). */
const SMALL_BOUND = 2097152;

/** Exactly uniform integers below a bound (< 2^31) from 32-bit keystream draws (Lemire). */
class UniformDraws {
  private pool: Uint32Array;
  private next = 0;
  /** wideProduct's output: [high, low]. */
  private readonly parts = new Float64Array(2);

  constructor(
    private readonly prg: Prg,
    expected: number,
  ) {
    this.pool = new Uint32Array(prg.words((expected >>> 1) + 16).buffer);
  }

  /**
   * Fisher–Yates over local[start..end) (already filled), for end - start <= SMALL_BOUND: the
   * same draws, rejections and swaps as calling below() for each bound, without a call and an
   * array write per draw (the draw loop was most of a permutation's cost).
   */
  shuffleSmall(local: Int32Array, start: number, end: number): void {
    let pool = this.pool;
    let next = this.next;
    for (let i = end - 1; i > start; i--) {
      const bound = i - start + 1;
      let j: number;
      for (;;) {
        if (next === pool.length) {
          pool = new Uint32Array(this.prg.words(64).buffer);
          next = 0;
        }
        const product = pool[next++] * bound;
        const high = Math.floor(product / 4294967296);
        const low = product - high * 4294967296;
        if (low >= bound || low >= (4294967296 - bound) % bound) {
          j = start + high;
          break;
        }
      }
      const t = local[i];
      local[i] = local[j];
      local[j] = t;
    }
    this.pool = pool;
    this.next = next;
  }

  below(bound: number): number {
    for (;;) {
      if (this.next === this.pool.length) {
        this.pool = new Uint32Array(this.prg.words(64).buffer);
        this.next = 0;
      }
      const high = wideProduct(this.pool[this.next++], bound, this.parts);
      const low = this.parts[1];
      // The rejection threshold 2^32 mod bound is below bound: compute it only when it matters.
      if (low >= bound || low >= (4294967296 - bound) % bound) return high;
    }
  }
}

/**
 * The 64-bit product of a 32-bit draw and a bound below 2^31, exactly, as parts[0] = high 32
 * bits and parts[1] = low 32 bits; returns the high part. One double suffices below 2^21
 * (product < 2^53); above, the draw is split into 16-bit halves whose products are exact.
 */
export function wideProduct(draw: number, bound: number, parts: Float64Array): number {
  if (bound < 2097152) {
    const product = draw * bound;
    const high = Math.floor(product / 4294967296);
    parts[0] = high;
    parts[1] = product - high * 4294967296;
    return high;
  }
  const upper = (draw >>> 16) * bound; // < 2^47
  const upperHigh = Math.floor(upper / 65536);
  const rest = (upper - upperHigh * 65536) * 65536 + (draw & 0xffff) * bound; // < 2^49
  const carry = Math.floor(rest / 4294967296);
  parts[0] = upperHigh + carry;
  parts[1] = rest - carry * 4294967296;
  return parts[0];
}
