/**
 * Applies a public permutation, given as the order of source rows (out[j] = src[order[j]]), to
 * many share arrays at once, in two cache-friendly passes per array instead of one random read
 * per word (sort.ts: the sorted order applied to every carried column).
 *
 * The output positions are cut into B buckets of consecutive positions (B as for a shuffle,
 * permutation.ts bucketCount). Pass 1 streams the source and writes each word behind its
 * bucket's write head (tmp[place[i]] = src[i]: B sequential streams); pass 2 fills each output
 * bucket from its own slice of tmp (out[j] = tmp[local[j]], local[j] inside j's bucket, a few
 * thousand words that stay in the core's cache). A random read of a column costs a cache miss
 * per word; staged, the misses are paid once, when `place` and `local` are built from the order.
 * Everything here is local and public (the order was opened): no communication.
 */

import { UsageError } from '../../errors.js';
import { bucketCount, type StagedPermutation } from './permutation.js';

/** The staged form of out[j] = src[order[j]] (order a permutation of 0..n-1). */
export function stageOrder(order: Int32Array): StagedPermutation {
  const n = order.length;
  const buckets = bucketCount(n);
  // Positions per bucket: a power of two, so a position's bucket is a shift.
  const shift = Math.max(0, Math.ceil(Math.log2(Math.max(1, n) / buckets)));
  const destination = new Int32Array(n);
  for (let j = 0; j < n; j++) destination[order[j]] = j;
  const heads = new Int32Array((n >> shift) + 2);
  for (let i = 0; i < n; i++) heads[(destination[i] >> shift) + 1]++;
  for (let b = 1; b < heads.length; b++) heads[b] += heads[b - 1];
  const place = new Int32Array(n);
  for (let i = 0; i < n; i++) place[i] = heads[destination[i] >> shift]++;
  const local = new Int32Array(n);
  for (let j = 0; j < n; j++) local[j] = place[order[j]];
  return { n, place, local };
}

/** Each array permuted by p into a new array; `tmp` is scratch of at least p.n words. */
export function applyStaged(arrays: readonly BigUint64Array[], p: StagedPermutation, tmp: BigUint64Array): BigUint64Array[] {
  if (tmp.length < p.n) throw new UsageError(`applyStaged: scratch of ${tmp.length} words for ${p.n} rows`);
  return arrays.map((src) => {
    if (src.length !== p.n) throw new UsageError(`applyStaged: an array of ${src.length} words for a permutation of ${p.n}`);
    const out = new BigUint64Array(p.n);
    scatter(src, p.place, tmp);
    gatherLocal(tmp, p.local, out);
    return out;
  });
}

// Small monomorphic kernels: V8 compiles each whole.

function scatter(src: BigUint64Array, place: Int32Array, tmp: BigUint64Array): void {
  for (let i = 0; i < place.length; i++) tmp[place[i]] = src[i];
}

function gatherLocal(tmp: BigUint64Array, local: Int32Array, out: BigUint64Array): void {
  for (let j = 0; j < local.length; j++) out[j] = tmp[local[j]];
}
