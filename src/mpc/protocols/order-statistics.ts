/**
 * Order statistics at public ranks of several secret columns by selection, not sorting
 * (Hamada, Kikuchi, Ikarashi, Chida, Takahashi, ICISC 2012: shuffle, then a comparison
 * algorithm with opened comparisons; here quickselect instead of quicksort).
 *
 * Per column (n values in [min, min + 2^keyBits)):
 * 1. The values and their row positions 0 … n − 1 are shuffled together (shuffle.ts), each
 *    column by its own secret permutation.
 * 2. The key (v − min)·2^⌈log2 n⌉ + position is formed, locally, on the arithmetic shares. No two
 *    keys are equal, and key order is (value, position) order, so the rank-r key holds the rank-r
 *    value of the type-7 order x_0 ≤ … ≤ x_{n−1}.
 * 3. Quickselect (sort.ts quicksortOrder with a focus): every level compares each row of every
 *    segment that still holds a wanted rank with that segment's pivot, all columns and segments
 *    in ONE batch, and opens the bits; segments without a wanted rank are dropped. The pivot is
 *    the element of a sorted sample (up to 63 rows, all pairs compared in one batch) at the
 *    relative position of the segment's middle wanted rank; a segment of at most 128 rows is
 *    ranked whole by its pairs in the sample batch. ~1.7 comparisons per row for a median, ~3.5
 *    for five order statistics (min, the quartiles, max), in O(log n) levels (8 and 10 at 2^18).
 * 4. The wanted ranks' rows are then known positions of the shuffled column: their values are
 *    taken locally (still secret).
 *
 * The keys stay arithmetic: a comparison is the sign of a difference (compare.ts lt, ~32 bytes,
 * or compare-narrow.ts when keys fit 32 bits, ~20 bytes). The sort's binary keys would need an
 * a2b first (~104 bytes per row), more than the ~2–4 comparisons per row a selection makes.
 *
 * What the opened bits reveal: every comparison is between two distinct keys of rows in a
 * uniformly random order, and which rows are compared depends only on earlier opened bits and
 * public sizes and ranks. The transcript is therefore a function of the rank order of the
 * shuffled rows alone, which is a uniformly random permutation whatever the values: it can be
 * simulated from n and the ranks (docs/statistics.md, "Quantiles by selection").
 *
 * Cost: one shuffle per column (3 rounds, ≤ 32 bytes per row: values and positions), and per
 * level one sample batch and one partition batch of comparisons (8 rounds, 7 when narrow, plus
 * an opening round each).
 */

import { UsageError } from '../../errors.js';
import type { Session } from '../session.js';
import { AShare, BShare, addA, concatA, scaleA } from '../shares.js';
import { addConstA, publicA } from '../sharing.js';
import { lt } from './compare.js';
import { ltNarrow, NARROW_MAX_BITS } from './compare-narrow.js';
import { ltSplit, SPLIT_MAX_BITS } from './compare-split.js';
import { shuffle } from './shuffle.js';
import { indexBits, quicksortOrder, type RowComparator } from './sort.js';

export interface RankedColumn {
  readonly values: AShare;
  /** The values lie in [min, min + 2^keyBits). */
  readonly min: bigint;
  readonly keyBits: number;
  /** Ranks in [0, n) whose values are wanted (0 is the smallest). */
  readonly ranks: readonly number[];
}

export interface SelectedOrderStatistics {
  /** Per column, the values at its ranks (in the order the ranks were given). */
  readonly values: AShare[];
  /** Quickselect levels (each one sample batch and one partition batch). */
  readonly levels: number;
}

/**
 * Whether a column of `rows` values with `keyBits` bits of range fits the key: (value, position)
 * below 2^63, where the sign of a difference is exact.
 */
export function packsForSelection(keyBits: number, rows: number): boolean {
  return rows <= 2 ** 32 && keyBits + indexBits(rows) <= 63;
}

/**
 * Less-than of keys below 2^bits given as the words of two arithmetic sharings (quicksortOrder
 * moves share words without looking at them; its BShare is only their container here).
 */
export function keyComparator(s: Session, bits: number): RowComparator {
  return (kx, ky, _ix, _iy, m) => {
    const x = new AShare(kx.a.subarray(0, m), kx.b.subarray(0, m)), y = new AShare(ky.a.subarray(0, m), ky.b.subarray(0, m));
    if (bits + 1 <= NARROW_MAX_BITS) return ltNarrow(s, x, y, Math.max(2, bits + 1));
    return bits + 1 <= SPLIT_MAX_BITS ? ltSplit(s, x, y, bits + 1) : lt(s, x, y);
  };
}

/** `compare` replaces keyComparator (tests wrap it to watch every comparison). */
export async function selectRanks(s: Session, columns: readonly RankedColumn[], compare?: RowComparator): Promise<SelectedOrderStatistics> {
  let bits = 0;
  for (const c of columns) {
    const n = c.values.length;
    if (!packsForSelection(c.keyBits, n)) throw new UsageError(`selectRanks: ${c.keyBits} key bits and ${n} rows do not fit a 63-bit key`);
    for (const r of c.ranks) if (!Number.isInteger(r) || r < 0 || r >= n) throw new UsageError(`selectRanks: rank ${r} is outside [0, ${n})`);
    bits = Math.max(bits, c.keyBits + indexBits(n));
  }
  const offsets: number[] = [];
  let total = 0;
  for (const c of columns) {
    offsets.push(total);
    total += c.values.length;
  }
  // Each column by its own permutation: one permutation for all would let the columns'
  // transcripts reveal how their orders relate.
  const shuffledValues: AShare[] = [];
  const keys: AShare[] = [];
  for (const c of columns) {
    const n = c.values.length;
    const positions = publicA(s.me, BigUint64Array.from({ length: n }, (_, i) => BigInt(i)));
    const [values, shuffledPositions] = n < 2 ? [c.values, positions] : (await shuffle(s, { arith: [c.values, positions], binary: [] })).arith;
    shuffledValues.push(values);
    keys.push(addA(scaleA(addConstA(s.me, values, -c.min), 1n << BigInt(indexBits(n))), shuffledPositions));
  }
  const key = concatA(keys);
  const segments: number[] = [];
  const wanted = new Set<number>();
  columns.forEach((c, j) => {
    if (c.values.length < 2 || c.ranks.length === 0) return;
    segments.push(offsets[j], offsets[j] + c.values.length);
    for (const r of c.ranks) wanted.add(offsets[j] + r);
  });
  let order: Int32Array;
  let levels = 0;
  if (segments.length === 0) {
    order = Int32Array.from({ length: total }, (_, i) => i);
  } else {
    const focus = { segments: Int32Array.from(segments), wanted: Int32Array.from([...wanted].sort((a, b) => a - b)) };
    ({ order, levels } = await quicksortOrder(s, new BShare(key.a, key.b), undefined, compare ?? keyComparator(s, bits), focus));
  }
  const values = columns.map((c, j) => {
    const v = shuffledValues[j];
    const a = new BigUint64Array(c.ranks.length), b = new BigUint64Array(c.ranks.length);
    c.ranks.forEach((r, t) => {
      const row = order[offsets[j] + r] - offsets[j];
      a[t] = v.a[row];
      b[t] = v.b[row];
    });
    return new AShare(a, b);
  });
  return { values, levels };
}
