/**
 * Order statistics at public ranks of several secret columns by selection, not sorting
 * (Hamada, Kikuchi, Ikarashi, Chida, Takahashi, ICISC 2012: shuffle, then a comparison
 * algorithm with opened comparisons; here quickselect instead of quicksort).
 *
 * Per column (n values in [min, min + 2^keyBits)):
 * 1. The values and their row positions 0 … n − 1 are shuffled together (shuffle.ts), each
 *    column by its own secret permutation.
 * 2. The key (v − min) is converted to binary and packed above the shuffled row position:
 *    (v − min)·2^⌈log2 n⌉ + position. No two keys are equal, and key order is (value, position)
 *    order, so the rank-r key holds the rank-r value of the type-7 order x_0 ≤ … ≤ x_{n−1}.
 * 3. Quickselect (sort.ts quicksortOrder with a focus): every level compares each row of every
 *    segment that still holds a wanted rank with that segment's pivot, all columns and segments
 *    in ONE batch, and opens the bits; segments without a wanted rank are dropped. The pivot is
 *    the element of a sorted sample (up to 63 rows, all pairs compared in one batch) at the
 *    relative position of the segment's middle wanted rank, so one rank costs about n
 *    comparisons and k ranks about n·(1 + log2 k), in O(log n) levels.
 * 4. The wanted ranks' rows are then known positions of the shuffled column: their values are
 *    taken locally (still secret).
 *
 * What the opened bits reveal: every comparison is between two distinct keys of rows in a
 * uniformly random order, and which rows are compared depends only on earlier opened bits and
 * public sizes and ranks. The transcript is therefore a function of the rank order of the
 * shuffled rows alone, which is a uniformly random permutation whatever the values: it can be
 * simulated from n and the ranks (docs/statistics.md, "Quantiles by selection").
 *
 * Cost: one shuffle per column (3 rounds, ≤ 16 bytes per value and column), one a2b of all
 * columns together, and per level one sample batch and one partition batch of packed-word
 * comparisons (6 or 7 rounds, ~12 bytes at 32 bits, ~24 at 64, plus an opening round each).
 */

import { UsageError } from '../../errors.js';
import type { Session } from '../session.js';
import { AShare, BShare, concatA } from '../shares.js';
import { addConstA, publicB } from '../sharing.js';
import { lessThanNarrow } from './compare-words.js';
import { a2b } from './convert.js';
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

/** Whether a column of `rows` values with `keyBits` bits of range fits the packed word. */
export function packsForSelection(keyBits: number, rows: number): boolean {
  return rows <= 2 ** 32 && keyBits + indexBits(rows) <= 64;
}

/**
 * `compare` replaces the packed-word comparator (tests use it to watch every comparison); it is
 * called with words below 2^64.
 */
export async function selectRanks(s: Session, columns: readonly RankedColumn[], compare?: RowComparator): Promise<SelectedOrderStatistics> {
  let width: 32 | 64 = 32;
  for (const c of columns) {
    const n = c.values.length;
    if (!packsForSelection(c.keyBits, n)) throw new UsageError(`selectRanks: ${c.keyBits} key bits and ${n} rows do not fit one 64-bit word`);
    for (const r of c.ranks) if (!Number.isInteger(r) || r < 0 || r >= n) throw new UsageError(`selectRanks: rank ${r} is outside [0, ${n})`);
    if (c.keyBits + indexBits(n) > 32) width = 64;
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
  const shuffledPositions: BShare[] = [];
  for (const c of columns) {
    const n = c.values.length;
    const positions = new BigUint64Array(n);
    for (let i = 0; i < n; i++) positions[i] = BigInt(i);
    const out = n < 2 ? { arith: [c.values], binary: [publicB(s.me, positions)] } : await shuffle(s, { arith: [c.values], binary: [publicB(s.me, positions)] });
    shuffledValues.push(out.arith[0]);
    shuffledPositions.push(out.binary[0]);
  }
  const offsetKeys = concatA(columns.map((c, j) => addConstA(s.me, shuffledValues[j], -c.min)));
  const keys = total > 0 ? await a2b(s, offsetKeys) : new BShare(new BigUint64Array(0), new BigUint64Array(0));
  // (v − min) << ⌈log2 n⌉ XOR position: disjoint bits, and shifting and XOR are local on binary shares.
  columns.forEach((c, j) => {
    const shift = BigInt(indexBits(c.values.length));
    const p = shuffledPositions[j];
    for (let i = 0, o = offsets[j]; i < c.values.length; i++, o++) {
      keys.a[o] = (keys.a[o] << shift) ^ p.a[i];
      keys.b[o] = (keys.b[o] << shift) ^ p.b[i];
    }
  });
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
    const lessThan: RowComparator = compare ?? ((kx, ky, _ix, _iy, m) => lessThanNarrow(s, kx, ky, m, width));
    const focus = { segments: Int32Array.from(segments), wanted: Int32Array.from([...wanted].sort((a, b) => a - b)) };
    ({ order, levels } = await quicksortOrder(s, keys, undefined, lessThan, focus));
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
