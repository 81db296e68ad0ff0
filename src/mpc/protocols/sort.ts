/**
 * Stable sort of a table by a signed 64-bit key, carrying payload columns (Hamada et al.,
 * ICISC 2012: shuffle, then sort with opened comparisons).
 *
 * 1. The key, the payload and the original row index are shuffled together (shuffle.ts).
 * 2. The shuffled key is converted to binary (a2b) and its sign bit flipped, so unsigned word
 *    order is signed key order.
 * 3. Quicksort on the shuffled rows, comparing (key, row index): the index makes every
 *    comparison key unique and the sort stable. All partitions of one quicksort level are
 *    compared in one batch, and the comparison bits are opened. Because the rows were
 *    shuffled and the keys are distinct, the opened bits are the order of a uniformly random
 *    permutation: they reveal nothing about the data.
 * 4. The public sorted order is applied locally to the shares.
 *
 * Cost: one shuffle, one a2b, and about 1.02 n log2 n comparisons of (key, index) (~36 bytes
 * each) in O(log n) levels, each a batch for the pivots' samples and a batch for the partition.
 * A key with a known number of bits (`keyBits`) that leaves room for the index is compared
 * packed with it in one word: ~24 bytes per comparison, ~18 when both fit 48 bits, ~16 in 40,
 * ~12 in 32 (compare-words.ts lessThanNarrow).
 */

import { UsageError } from '../../errors.js';
import type { Session } from '../session.js';
import { AShare, BShare, type BitShare } from '../shares.js';
import { publicB, xorPublicB } from '../sharing.js';
import { lessThanKeyIndex, lessThanNarrow, narrowWidth } from './compare-words.js';
import { unpackBits } from '../../ring/bits.js';
import { KERNEL_CHUNK } from '../../ring/chunks.js';
import { a2b } from './convert.js';
import { a2bNarrow, NARROW_A2B_MAX_BITS } from './convert-narrow.js';
import { openBits } from './io.js';
import { shuffle } from './shuffle.js';
import { applyStaged, stageOrder } from './apply-order.js';

export interface SortResult {
  readonly key: AShare;
  readonly payload: AShare[];
  /** Quicksort levels used (each one batch of comparisons). */
  readonly levels: number;
}

export interface SortOptions {
  /**
   * The key is known to lie in [0, 2^keyBits) (a declared range, plan/sort-layout.ts). When the
   * key's bits and the row index's fit one 64-bit word, they are packed into one (key above
   * index) and compared as one word, of 32 bits when they fit 32 (compare-words.ts
   * lessThanNarrow): the range, not 64 bits, decides the comparison's cost.
   */
  readonly keyBits?: number;
}

/** Bits of a row index below n. */
export function indexBits(n: number): number {
  return n <= 1 ? 1 : Math.ceil(Math.log2(n));
}

export async function sortByKey(s: Session, key: AShare, payload: readonly AShare[] = [], options: SortOptions = {}): Promise<SortResult> {
  const n = key.length;
  if (n < 2) return { key, payload: [...payload], levels: 0 };
  if (n > 2 ** 32) throw new UsageError(`sortByKey: at most 2^32 rows (got ${n})`);
  const bits = options.keyBits;
  if (bits !== undefined && (!Number.isInteger(bits) || bits < 0 || bits > 63)) throw new UsageError(`sortByKey: keyBits must be 0 to 63 (got ${bits})`);
  const packedWidth = bits === undefined || bits + indexBits(n) > 64 ? undefined : narrowWidth(bits + indexBits(n));
  // Public row indices as a binary sharing.
  const idx = rowIndices(n);
  const shuffled = await shuffle(s, { arith: [key, ...payload], binary: [publicB(s.me, idx)] });
  const keyArith = shuffled.arith[0];
  let order: { order: Int32Array; levels: number };
  if (packedWidth !== undefined) {
    // key < 2^keyBits is non-negative: (key << indexBits) XOR index is the pair as one word
    // (disjoint bits, so XOR is OR, and shifting and XOR are local on binary shares).
    // A key below 2^bits <= 2^32 is decomposed on packed lanes (convert-narrow.ts: ~half the bytes of a2b).
    const keyBin = bits !== undefined && bits <= NARROW_A2B_MAX_BITS ? await a2bNarrow(s, keyArith, Math.max(1, bits)) : await a2b(s, keyArith);
    const words = packKeyIndex(keyBin, shuffled.binary[0], indexBits(n));
    // The index is inside the word: no separate index to move and compare.
    order = await quicksortOrder(s, words, undefined, (kx, ky, _ix, _iy, m) => lessThanNarrow(s, kx, ky, m, packedWidth));
  } else {
    // Flipping the sign bit makes signed order unsigned order.
    const keyBin = xorPublicB(s.me, await a2b(s, keyArith), 1n << 63n);
    order = await quicksortOrder(s, keyBin, shuffled.binary[0]);
  }
  // The opened order applied to the key and every carried column: staged (apply-order.ts), as a
  // plain gather costs a cache miss per word of every column.
  const staged = stageOrder(order.order);
  const columns = [keyArith, ...shuffled.arith.slice(1)];
  const tmp = s.party.scratch.take(n);
  let moved: BigUint64Array[];
  try {
    moved = applyStaged(columns.flatMap((c) => [c.a, c.b]), staged, tmp);
  } finally {
    s.party.scratch.give(tmp);
  }
  const gathered = columns.map((_, k) => new AShare(moved[2 * k], moved[2 * k + 1]));
  return { key: gathered[0], payload: gathered.slice(1), levels: order.levels };
}

/**
 * The sorted order of rows by (key, index), both binary-shared, learnt from opened comparisons.
 * Returns the permutation as row numbers in ascending order.
 *
 * The shares are kept physically in the current partition order (moved at every level), so a
 * segment's rows are contiguous: building the comparison operands and partitioning are
 * sequential passes. Gathering by row number instead costs a cache miss per share word per
 * level (measured: 0.8 s of 4 s per party when sorting 2^18 rows).
 */
/** Less-than of rows' (key, index) operands, m of them (the first m words of each). */
export type RowComparator = (kx: BShare, ky: BShare, ix: BShare, iy: BShare, m: number) => Promise<BitShare>;

/**
 * [d < 0] for the first m differences d = row − other row of arithmetic keys (the selection's
 * keys, order-statistics.ts): the quicksort forms each difference in one pass over the share
 * arrays, instead of copying both operands for a RowComparator (which then subtracts them).
 */
export type SignComparator = (d: AShare, m: number) => Promise<BitShare>;

/** Arithmetic keys compared through their differences (see SignComparator). */
export interface BySign {
  readonly sign: SignComparator;
}

/**
 * Restricts the quicksort to selection (order-statistics.ts): the rows start in `segments`
 * (start, end pairs of positions: each sorted on its own), and only segments that contain a
 * `wanted` position are partitioned further, with the sampled pivot nearest the middle wanted
 * rank. The order is then final at the wanted positions only (and at every pivot's).
 */
export interface SortFocus {
  readonly segments: Int32Array;
  /** Positions whose row is wanted, ascending. */
  readonly wanted: Int32Array;
}

export async function quicksortOrder(s: Session, key: BShare, index: BShare | undefined, compare?: RowComparator | BySign, focus?: SortFocus): Promise<{ order: Int32Array; levels: number }> {
  if (index === undefined && compare === undefined) throw new UsageError('quicksortOrder: without a row index the comparator must make the keys distinct itself (pass compare)');
  if (index !== undefined && compare !== undefined && typeof compare !== 'function') throw new UsageError('quicksortOrder: keys compared by their differences carry no separate index');
  const lessThan: RowComparator | BySign = compare ?? ((kx, ky, ix, iy, m) => lessThanKeyIndex(s, kx, ky, ix, iy, m));
  // The share arrays live only inside the sort and never reach a link: one block of pooled
  // memory (mpc/scratch.ts) instead of 8 (16 with an index; 6 with differences: two operand
  // arrays, not four) fresh arrays of n words, whose first touch and collection cost more than
  // the passes over them.
  const block = s.party.scratch.take((index ? 16 : typeof lessThan === 'function' ? 8 : 6) * key.length);
  try {
    return await sortInBlock(s, block, key, index, lessThan, focus);
  } finally {
    s.party.scratch.give(block);
  }
}

async function sortInBlock(s: Session, block: BigUint64Array, key: BShare, index: BShare | undefined, compare: RowComparator | BySign, focus: SortFocus | undefined): Promise<{ order: Int32Array; levels: number }> {
  const n = key.length;
  const part = (k: number): BigUint64Array => block.subarray(k * n, (k + 1) * n);
  const rows0 = new Int32Array(n);
  for (let i = 0; i < n; i++) rows0[i] = i;
  // Current order of the share arrays (key a/b, index a/b) and of the row numbers, double
  // buffered: fresh arrays every level would cost page faults and collections. Without an
  // index (packed into the key word) the key's arrays stand in for it and are moved once.
  const k0 = part(0), k1 = part(1);
  k0.set(key.a);
  k1.set(key.b);
  const nk0 = part(2), nk1 = part(3);
  let cur: Tables, next: Tables;
  if (index) {
    const i0 = part(4), i1 = part(5);
    i0.set(index.a);
    i1.set(index.b);
    cur = { k0, k1, i0, i1, rows: rows0 };
    next = { k0: nk0, k1: nk1, i0: part(6), i1: part(7), rows: rows0.slice() };
  } else {
    cur = { k0, k1, i0: k0, i1: k1, rows: rows0 };
    next = { k0: nk0, k1: nk1, i0: nk0, i1: nk1, rows: rows0.slice() };
  }
  // The next buffer starts as a copy: settled rows are written to both, so every row must be there.
  next.k0.set(k0);
  next.k1.set(k1);
  if (index) {
    next.i0.set(cur.i0);
    next.i1.set(cur.i1);
  }
  // Comparison operands and the destinations of a level, reused by every level.
  const o = index ? 8 : 4;
  const bySign = typeof compare === 'function' ? undefined : compare.sign;
  // By differences: kx holds row − pivot, ky is not used (the block has no room for it).
  const kx0 = part(o), kx1 = part(o + 1), ky0 = bySign ? kx0 : part(o + 2), ky1 = bySign ? kx1 : part(o + 3);
  const ix0 = index ? part(12) : kx0, ix1 = index ? part(13) : kx1;
  const iy0 = index ? part(14) : ky0, iy1 = index ? part(15) : ky1;
  // Less-than of sampled pairs (left[k], right[k]) of the current order, m of them.
  const comparePairs = (cur: Tables, left: Int32Array, right: Int32Array, m: number): Promise<BitShare> => {
    if (bySign) return bySign(new AShare(pairDifferences(cur.k0, left, right, m), pairDifferences(cur.k1, left, right, m)), m);
    const pick = (v: BigUint64Array, at: Int32Array): BigUint64Array => {
      const out = new BigUint64Array(m);
      for (let k = 0; k < m; k++) out[k] = v[at[k]];
      return out;
    };
    const lessThan = compare as RowComparator;
    const kx = new BShare(pick(cur.k0, left), pick(cur.k1, left)), ky = new BShare(pick(cur.k0, right), pick(cur.k1, right));
    return lessThan(kx, ky, index ? new BShare(pick(cur.i0, left), pick(cur.i1, left)) : kx, index ? new BShare(pick(cur.i0, right), pick(cur.i1, right)) : ky, m);
  };
  const dest = new Int32Array(n);
  let segments: Int32Array = focus ? focus.segments.slice() : Int32Array.of(0, n);
  const keep = focus ? (start: number, end: number): boolean => wantedIn(focus.wanted, start, end) >= 0 : (): boolean => true;
  const pivotRank = focus ? (start: number, end: number, k: number): number => samplePosition(focus.wanted, start, end, k) : (_start: number, _end: number, k: number): number => (k - 1) >> 1;
  let levels = 0;
  while (segments.length > 0) {
    levels++;
    // Selection: short segments are ranked whole by their pairs (finished), in the sample batch.
    segments = await samplePivots(s, [cur, next], segments, comparePairs, index !== undefined, pivotRank, focus ? FINISH_AT : 0, focus ? selectionSampleSize : pivotSampleSize);
    if (segments.length === 0) break;
    // Each row is compared with its segment's pivot: the first row (random: rows are shuffled).
    const head = (v: BigUint64Array, m: number): BigUint64Array => v.subarray(0, m);
    let lt: BitShare, m: number;
    if (bySign) {
      m = pivotDifferences(segments, cur.k0, kx0);
      pivotDifferences(segments, cur.k1, kx1);
      lt = await bySign(new AShare(head(kx0, m), head(kx1, m)), m);
    } else {
      m = operands(segments, cur.k0, kx0, ky0);
      operands(segments, cur.k1, kx1, ky1);
      if (index) {
        operands(segments, cur.i0, ix0, iy0);
        operands(segments, cur.i1, ix1, iy1);
      }
      lt = await (compare as RowComparator)(new BShare(head(kx0, m), head(kx1, m)), new BShare(head(ky0, m), head(ky1, m)), new BShare(head(ix0, m), head(ix1, m)), new BShare(head(iy0, m), head(iy1, m)), m);
    }
    const bits = unpackBits({ words: await openBits(s, lt), length: m });
    const { nextSegments, settled } = destinations(segments, bits, dest, keep);
    const moved: (readonly [BigUint64Array, BigUint64Array])[] = [
      [cur.k0, next.k0],
      [cur.k1, next.k1],
    ];
    if (index) moved.push([cur.i0, next.i0], [cur.i1, next.i1]);
    for (const [from, to] of moved) {
      move(segments, dest, from, to);
      // Rows that are now final go into both buffers, so a level only touches active segments.
      copyAt(settled, to, from);
    }
    moveRows(segments, dest, cur.rows, next.rows);
    copyRowsAt(settled, next.rows, cur.rows);
    [cur, next] = [next, cur];
    segments = nextSegments;
  }
  return { order: cur.rows, levels };
}

/** The four share arrays and the row numbers, in one buffer's order. */
interface Tables {
  readonly k0: BigUint64Array;
  readonly k1: BigUint64Array;
  readonly i0: BigUint64Array;
  readonly i1: BigUint64Array;
  readonly rows: Int32Array;
}

// The per-level loops are small monomorphic functions (typed arrays as parameters): V8 compiles
// them whole, moving 64-bit words without boxing them as BigInts.

/** x gets every segment's rows after the first, y the segment's first row (its pivot) as often. */
function operands(segments: Int32Array, src: BigUint64Array, x: BigUint64Array, y: BigUint64Array): number {
  let o = 0;
  for (let j = 0; j < segments.length; j += 2) {
    const start = segments[j], end = segments[j + 1];
    const pivot = src[start];
    for (let t = start + 1; t < end; t++, o++) {
      x[o] = src[t];
      y[o] = pivot;
    }
  }
  return o;
}

/** x gets every segment's rows after the first minus the segment's first row (its pivot), component-wise. */
function pivotDifferences(segments: Int32Array, src: BigUint64Array, x: BigUint64Array): number {
  let o = 0;
  for (let j = 0; j < segments.length; j += 2) {
    const start = segments[j], end = segments[j + 1];
    const pivot = src[start];
    // In pieces (ring/chunks.ts): the first level's segments are whole columns.
    for (let t = start + 1; t < end; t += KERNEL_CHUNK) {
      const to = Math.min(end, t + KERNEL_CHUNK);
      differenceRange(src, pivot, t, to, x, o);
      o += to - t;
    }
  }
  return o;
}

function differenceRange(src: BigUint64Array, pivot: bigint, from: number, to: number, x: BigUint64Array, at: number): void {
  for (let t = from; t < to; t++) x[at + t - from] = src[t] - pivot;
}

/** src[left[k]] − src[right[k]] for k < m, into a new array. */
function pairDifferences(src: BigUint64Array, left: Int32Array, right: Int32Array, m: number): BigUint64Array {
  const out = new BigUint64Array(m);
  for (let k = 0; k < m; k++) out[k] = src[left[k]] - src[right[k]];
  return out;
}

/**
 * Where every row of an active segment goes: rows smaller than the pivot first (in order), then
 * the pivot, then the others (stable). Returns the segments still to sort and the positions
 * that became final (pivots and single-row sides).
 */
function destinations(segments: Int32Array, bits: Uint8Array, dest: Int32Array, keep: (start: number, end: number) => boolean): { nextSegments: Int32Array; settled: Int32Array } {
  // Typed outputs of their largest size (a segment yields at most two segments and settles at
  // most three rows): deep levels have ~n/2 segments of two or three rows, where growing plain
  // arrays and copying them out cost more than the rest of the pass (measured 4x at 2^19 rows).
  const nextSegments = new Int32Array(2 * segments.length);
  const settled = new Int32Array((3 * segments.length) >> 1);
  let ns = 0, nt = 0, o = 0;
  for (let j = 0; j < segments.length; j += 2) {
    const start = segments[j], end = segments[j + 1];
    const size = end - start - 1;
    const below = ones(bits, o, size);
    const pivotAt = start + below;
    dest[start] = pivotAt;
    spread(bits, o, size, dest, start + 1, start, pivotAt + 1);
    o += size;
    settled[nt++] = pivotAt;
    if (below > 1) {
      if (keep(start, pivotAt)) {
        nextSegments[ns++] = start;
        nextSegments[ns++] = pivotAt;
      }
    } else if (below === 1) settled[nt++] = start;
    const above = end - pivotAt - 1;
    if (above > 1) {
      if (keep(pivotAt + 1, end)) {
        nextSegments[ns++] = pivotAt + 1;
        nextSegments[ns++] = end;
      }
    } else if (above === 1) settled[nt++] = end - 1;
  }
  return { nextSegments: nextSegments.subarray(0, ns), settled: settled.subarray(0, nt) };
}

/**
 * dest[at + t] for the segment's rows: the next position below the pivot where bit t is 1, else
 * the next above it. Branch-free: the opened bits are random, so a branch would be mispredicted
 * half of the time.
 */
function spread(bits: Uint8Array, o: number, size: number, dest: Int32Array, at: number, left: number, right: number): void {
  // In pieces (ring/chunks.ts): the first level's segments are whole columns.
  for (let t = 0; t < size; t += KERNEL_CHUNK) {
    const m = Math.min(KERNEL_CHUNK, size - t);
    const below = spreadRange(bits, o + t, m, dest, at + t, left, right);
    left += below;
    right += m - below;
  }
}

/** spread for m rows; returns how many of them go below the pivot. */
function spreadRange(bits: Uint8Array, o: number, m: number, dest: Int32Array, at: number, left: number, right: number): number {
  const first = left;
  for (let t = 0; t < m; t++) {
    const b = bits[o + t];
    dest[at + t] = right + (left - right) * b;
    left += b;
    right += 1 - b;
  }
  return left - first;
}

/** The number of ones among bits[o … o + size). */
function ones(bits: Uint8Array, o: number, size: number): number {
  let count = 0;
  for (let t = 0; t < size; t += KERNEL_CHUNK) count += onesRange(bits, o + t, Math.min(KERNEL_CHUNK, size - t));
  return count;
}

function onesRange(bits: Uint8Array, o: number, m: number): number {
  let count = 0;
  for (let t = 0; t < m; t++) count += bits[o + t];
  return count;
}

function move(segments: Int32Array, dest: Int32Array, src: BigUint64Array, dst: BigUint64Array): void {
  for (let j = 0; j < segments.length; j += 2) {
    for (let p = segments[j], end = segments[j + 1]; p < end; p += KERNEL_CHUNK) moveRange(dest, src, dst, p, Math.min(end, p + KERNEL_CHUNK));
  }
}

function moveRange(dest: Int32Array, src: BigUint64Array, dst: BigUint64Array, from: number, to: number): void {
  for (let p = from; p < to; p++) dst[dest[p]] = src[p];
}

function moveRows(segments: Int32Array, dest: Int32Array, src: Int32Array, dst: Int32Array): void {
  for (let j = 0; j < segments.length; j += 2) {
    for (let p = segments[j], end = segments[j + 1]; p < end; p += KERNEL_CHUNK) moveRowsRange(dest, src, dst, p, Math.min(end, p + KERNEL_CHUNK));
  }
}

function moveRowsRange(dest: Int32Array, src: Int32Array, dst: Int32Array, from: number, to: number): void {
  for (let p = from; p < to; p++) dst[dest[p]] = src[p];
}

function copyAt(positions: Int32Array, src: BigUint64Array, dst: BigUint64Array): void {
  for (let k = 0; k < positions.length; k++) dst[positions[k]] = src[positions[k]];
}

function copyRowsAt(positions: Int32Array, src: Int32Array, dst: Int32Array): void {
  for (let k = 0; k < positions.length; k++) dst[positions[k]] = src[positions[k]];
}

/** Segments at least this long get a sampled pivot; shorter ones take their first row. */
const SAMPLE_FROM = 32;
/** The largest sample (its all-pairs comparisons: 1,953). */
const MAX_SAMPLE = 63;

/**
 * How many rows of a segment of `length` rows to sample for its pivot: odd, at least 3, and so
 * that the sample's all-pairs comparisons, k (k - 1) / 2, stay below 1/64 of the segment's own
 * partition comparisons. Simulated for 2^20 rows: 1.02 n log2 n comparisons in all, against
 * 1.10 with median-of-three everywhere, and 35 levels instead of 40.
 */
export function pivotSampleSize(length: number): number {
  if (length < SAMPLE_FROM) return 1;
  let k = 3;
  while (k + 2 <= MAX_SAMPLE && ((k + 2) * (k + 1)) / 2 <= length / 64) k += 2;
  return k;
}

/**
 * For every long segment, compares its first k rows pairwise (one batch for all segments) and
 * moves their median to the segment's first position, where the partition step takes its
 * pivot. A better pivot splits closer to the middle: fewer comparisons and fewer levels (see
 * pivotSampleSize). The rows compared are random (shuffled rows, stable partitions), so the
 * opened bits again reveal only a random order.
 */
async function samplePivots(s: Session, buffers: readonly [Tables, Tables], segments: Int32Array, comparePairs: (cur: Tables, left: Int32Array, right: Int32Array, m: number) => Promise<BitShare>, separateIndex: boolean, pivotRank: (start: number, end: number, k: number) => number, finishAt: number, sampleSize: (length: number) => number): Promise<Int32Array> {
  const cur = buffers[0];
  const starts: number[] = [];
  const ends: number[] = [];
  const sizes: number[] = [];
  const remaining: number[] = [];
  let m = 0;
  // Without finishing (a full sort), every segment remains: deep levels have ~n/2 of them.
  const keepAll = finishAt === 0;
  for (let j = 0; j < segments.length; j += 2) {
    const length = segments[j + 1] - segments[j];
    const whole = length <= finishAt;
    if (!whole && !keepAll) remaining.push(segments[j], segments[j + 1]);
    const k = whole ? length : sampleSize(length);
    if (k === 1) continue;
    starts.push(segments[j]);
    ends.push(segments[j + 1]);
    sizes.push(k);
    m += (k * (k - 1)) / 2;
  }
  const unchanged = keepAll ? segments : undefined;
  if (m === 0) return unchanged ?? Int32Array.from(remaining);
  // Every pair (p < q) of each sample: the left and right operands' row positions.
  const left = new Int32Array(m), right = new Int32Array(m);
  let o = 0;
  starts.forEach((st, t) => {
    for (let p = 0; p < sizes[t]; p++) {
      for (let q = p + 1; q < sizes[t]; q++, o++) {
        left[o] = st + p;
        right[o] = st + q;
      }
    }
  });
  const lt = await comparePairs(cur, left, right, m);
  const bits = unpackBits({ words: await openBits(s, lt), length: m });
  // Rank of each sampled row = how many rows of its sample are smaller; the median has rank (k - 1) / 2.
  o = 0;
  starts.forEach((st, t) => {
    const k = sizes[t];
    const end = ends[t];
    const rank = new Int32Array(k);
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++, o++) {
        if (bits[o] === 1) rank[q]++;
        else rank[p]++;
      }
    }
    if (k === end - st && k <= finishAt) placeByRank(buffers, st, rank, separateIndex);
    else {
      const chosen = rank.indexOf(pivotRank(st, end, k));
      if (chosen > 0) swapRows(cur, st, st + chosen, separateIndex);
    }
  });
  return unchanged ?? Int32Array.from(remaining);
}

/**
 * Selection only: the sample of a segment of `length` rows, larger than the sort's (up to 127
 * rows, all pairs at most 1/16 of the segment's partition): a selection keeps only the side
 * with the wanted rank, so a pivot close to it saves more than the sample costs. Simulated at
 * 2^20 rows with samplePosition's offset (6 runs each): 3.58 comparisons per row for min, the
 * quartiles and max (at most 3.71) instead of 3.95 (at most 4.57) with the sort's samples and no
 * offset; 1.82 for a median (at most 2.08) instead of 2.25 (at most 3.23).
 */
export function selectionSampleSize(length: number): number {
  if (length < SAMPLE_FROM) return 1;
  let k = 3;
  while (k + 2 <= 127 && ((k + 2) * (k + 1)) / 2 <= length / 16) k += 2;
  return k;
}

/**
 * Selection only: segments of at most this many rows are finished in one batch, every pair
 * compared (at most 8,128 comparisons each), instead of ~6 more levels of shrinking partitions
 * (simulated at 2^20 rows: 10–12 levels instead of 14–19, as many comparisons). The pairs of
 * shuffled rows again reveal only their random order.
 */
const FINISH_AT = 128;

/** Moves a segment's rows (in the first buffer) to start + rank in both buffers: its order is final. */
function placeByRank(buffers: readonly [Tables, Tables], start: number, rank: Int32Array, separateIndex: boolean): void {
  const [cur] = buffers;
  const k = rank.length;
  // Without a separate index, i0/i1 are the key's arrays: moving them twice would undo it.
  const words: ('k0' | 'k1' | 'i0' | 'i1')[] = separateIndex ? ['k0', 'k1', 'i0', 'i1'] : ['k0', 'k1'];
  for (const c of words) {
    const from = cur[c].slice(start, start + k);
    for (const buffer of buffers) scatterWords(from, buffer[c], start, rank);
  }
  const rows = cur.rows.slice(start, start + k);
  for (const buffer of buffers) for (let p = 0; p < k; p++) buffer.rows[start + rank[p]] = rows[p];
}

function scatterWords(from: BigUint64Array, to: BigUint64Array, start: number, rank: Int32Array): void {
  for (let p = 0; p < rank.length; p++) to[start + rank[p]] = from[p];
}

/** The index of the first wanted position in [start, end), or -1 (binary search). */
function wantedIn(wanted: Int32Array, start: number, end: number): number {
  let lo = 0, hi = wanted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (wanted[mid] < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < wanted.length && wanted[lo] < end ? lo : -1;
}

/**
 * The sample rank (0 … k − 1) of the pivot for selection: the segment's middle wanted position,
 * scaled to the sample, moved by one standard deviation of that estimate (√(f(1 − f)k) sample
 * ranks) towards the segment's nearer end (Floyd and Rivest's offset): the wanted rank then lies
 * on the pivot's larger side with high probability and near that side's end, where the next
 * level's pivot (offset the other way) cuts it out in a short segment. Without the offset the
 * rank falls on either side at random, and half the time the next level must partition a large
 * side again. A wanted rank at an end of the segment (min, max) takes the sample's extreme.
 */
function samplePosition(wanted: Int32Array, start: number, end: number, k: number): number {
  const first = wantedIn(wanted, start, end);
  let last = first;
  while (last + 1 < wanted.length && wanted[last + 1] < end) last++;
  const middle = wanted[(first + last) >> 1];
  const f = (middle - start + 0.5) / (end - start);
  const spread = Math.sqrt(f * (1 - f) * k);
  const at = f < 0.5 ? Math.round(f * k + spread) : Math.round(f * k - 1 - spread);
  return Math.min(k - 1, Math.max(0, at));
}

function swapRows(cur: Tables, i: number, j: number, separateIndex: boolean): void {
  // Without a separate index, i0/i1 are the key's arrays: swapping them twice would undo it.
  for (const v of separateIndex ? [cur.k0, cur.k1, cur.i0, cur.i1] : [cur.k0, cur.k1]) {
    const t = v[i];
    v[i] = v[j];
    v[j] = t;
  }
  const r = cur.rows[i];
  cur.rows[i] = cur.rows[j];
  cur.rows[j] = r;
}



/** 0, 1, …, n − 1 as words, written as 32-bit halves (n ≤ 2^32): no BigInt made per row. */
function rowIndices(n: number): BigUint64Array {
  const idx = new BigUint64Array(n);
  const halves = new Uint32Array(idx.buffer);
  // The low half of word i is 32-bit element 2i on a little-endian machine, 2i + 1 on a big-endian one.
  const low = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1 ? 0 : 1;
  for (let i = 0; i < n; i++) halves[2 * i + low] = i;
  return idx;
}

/**
 * (key << k) XOR index on every word of binary sharings (local: XOR sharing is bitwise). The
 * shift is a multiplication by 2^k, which V8 compiles to a native 64-bit multiply on typed
 * arrays; a shift by a BigInt amount it does not lower (ring/bitops.ts).
 */
function packKeyIndex(key: BShare, index: BShare, k: number): BShare {
  const factor = 1n << BigInt(k);
  return new BShare(packWords(key.a, index.a, factor), packWords(key.b, index.b, factor));
}

function packWords(key: BigUint64Array, index: BigUint64Array, factor: bigint): BigUint64Array {
  const out = new BigUint64Array(key.length);
  for (let i = 0; i < key.length; i++) out[i] = (key[i] * factor) ^ index[i];
  return out;
}
