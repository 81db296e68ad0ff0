/**
 * Order statistics at public ranks of several secret columns by selection, not sorting
 * (Hamada, Kikuchi, Ikarashi, Chida, Takahashi, ICISC 2012: shuffle, then a comparison
 * algorithm with opened comparisons; here quickselect instead of quicksort).
 *
 * Per column (n values in [min, min + 2^keyBits)):
 * 1. The key (v − min)·2^⌈log2 n⌉ + position is formed locally on the arithmetic shares (the
 *    positions 0 … n − 1 are public here). No two keys are equal, and key order is
 *    (value, position) order, so the rank-r key holds the rank-r value of the type-7 order.
 * 2. The keys are shuffled (shuffle.ts), each column by its own secret permutation: one word per
 *    row (the value comes back out of the key at the end).
 * 3. Quickselect (sort.ts quicksortOrder with a focus): every level compares each row of every
 *    segment that still holds a wanted rank with that segment's pivot, all columns and segments
 *    in ONE batch, and opens the bits; segments without a wanted rank are dropped. The pivot is
 *    the element of a sorted sample (up to 63 rows, all pairs compared in one batch) at the
 *    relative position of the segment's middle wanted rank; a segment of at most 128 rows is
 *    ranked whole by its pairs in the sample batch. ~1.7 comparisons per row for a median, ~3.5
 *    to 4.3 for five order statistics (min, the quartiles, max), in O(log n) levels (8 and 10 to 17 at 2^18).
 * 4. The wanted ranks' rows are then known positions of the shuffled keys: their keys are taken
 *    locally, converted to binary (a2b, 8 rounds) and their value bits injected and summed
 *    (inject.ts, 2 rounds): min + (key >> ⌈log2 n⌉), still secret.
 *
 * The keys stay arithmetic: a comparison is the sign of a difference (formed by the quicksort in
 * one pass over the share arrays: sort.ts SignComparator), of 64 bits (compare.ts ltz, ~26 bytes
 * per party), at most 48 (compare-split.ts ltSplit, ~16) or at most 32 bits
 * (compare-narrow.ts, ~12). The sort's binary keys would need an a2b first (~104 bytes per row),
 * more than the ~2–4 comparisons per row a selection makes.
 *
 * What the opened bits reveal: every comparison is between two distinct keys of rows in a
 * uniformly random order, and which rows are compared depends only on earlier opened bits and
 * public sizes and ranks. The transcript is therefore a function of the rank order of the
 * shuffled rows alone, which is a uniformly random permutation whatever the values: it can be
 * simulated from n and the ranks (docs/statistics.md, "Selection when n is public").
 *
 * Cost: one shuffle of one word per row and column (3 rounds, 16 bytes per row from party 0, 8
 * from the others), per level one sample batch and one partition batch of comparisons (8 rounds
 * each, 7 when narrow, plus an opening round each), and 10 rounds to take the selected values
 * out of their keys.
 */

import { UsageError } from '../../errors.js';
import type { Session } from '../session.js';
import { halves } from '../../ring/bitops.js';
import { inChunks } from '../../ring/chunks.js';
import { wordsFor } from '../../ring/bits.js';
import { AShare, BShare, BitShare } from '../shares.js';
import { addPublicA } from '../sharing.js';
import { a2b } from './convert.js';
import { injectLinear } from './inject.js';
import { ltz } from './compare.js';
import { ltNarrow, NARROW_MAX_BITS } from './compare-narrow.js';
import { ltSplit, SPLIT_MAX_BITS } from './compare-split.js';
import { shuffle } from './shuffle.js';
import { indexBits, quicksortOrder, type SignComparator } from './sort.js';
import type { RankedColumn, SelectedOrderStatistics } from './ranked-columns.js';
export type { RankedColumn, SelectedOrderStatistics } from './ranked-columns.js';

/**
 * Whether a column of `rows` values with `keyBits` bits of range fits the key: (value, position)
 * below 2^63, where the sign of a difference is exact.
 */
export function packsForSelection(keyBits: number, rows: number): boolean {
  return rows <= 2 ** 32 && keyBits + indexBits(rows) <= 63;
}

/**
 * [d < 0] for differences d = x − y of keys below 2^bits (so |d| < 2^bits), formed by the
 * quicksort from the arithmetic shares' words (quicksortOrder moves share words without looking
 * at them; its BShare is only their container here).
 */
export function keySign(s: Session, bits: number): SignComparator {
  return (d, m) => {
    const x = m === d.length ? d : new AShare(d.a.subarray(0, m), d.b.subarray(0, m));
    if (bits + 1 <= NARROW_MAX_BITS) return ltNarrow(s, x, undefined, Math.max(2, bits + 1));
    return bits + 1 <= SPLIT_MAX_BITS ? ltSplit(s, x, undefined, bits + 1) : ltz(s, x);
  };
}

/** `sign` replaces keySign (tests wrap it to watch every comparison). */
export async function selectRanks(s: Session, columns: readonly RankedColumn[], sign?: SignComparator): Promise<SelectedOrderStatistics> {
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
  // The keys are formed before the shuffle (the positions are public there), so only the keys
  // travel through it: one word per row instead of the value and its position. Each column by
  // its own permutation: one permutation for all would let the columns' transcripts reveal how
  // their orders relate.
  const keys = new AShare(new BigUint64Array(total), new BigUint64Array(total));
  for (const [j, c] of columns.entries()) {
    const key = positionKeys(s, c.values, c.min, indexBits(c.values.length));
    const shuffled = c.values.length < 2 ? key : (await shuffle(s, { arith: [key], binary: [] })).arith[0];
    keys.a.set(shuffled.a, offsets[j]);
    keys.b.set(shuffled.b, offsets[j]);
  }
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
    ({ order, levels } = await quicksortOrder(s, new BShare(keys.a, keys.b), undefined, { sign: sign ?? keySign(s, bits) }, focus));
  }
  // The selected rows' keys, all columns together; their values come out of the keys' high bits.
  const picked: number[] = [];
  columns.forEach((c, j) => c.ranks.forEach((r) => picked.push(order[offsets[j] + r])));
  const a = new BigUint64Array(picked.length), b = new BigUint64Array(picked.length);
  picked.forEach((row, t) => {
    a[t] = keys.a[row];
    b[t] = keys.b[row];
  });
  const shifts = columns.flatMap((c) => c.ranks.map(() => ({ shift: indexBits(c.values.length), bits: c.keyBits, min: c.min })));
  const values = await valuesOfKeys(s, new AShare(a, b), shifts);
  const out: AShare[] = [];
  let o = 0;
  for (const c of columns) {
    out.push(values.slice(o, o + c.ranks.length));
    o += c.ranks.length;
  }
  return { values: out, levels };
}

/**
 * (v − min)·2^shift + position of every row, locally: the constant and the public positions go
 * into component 0 (party 0's a, party 2's b). Every component's low `shift` bits are zero
 * after the scaling (shift ≤ 32), so the position is written into them, no addition needed.
 */
function positionKeys(s: Session, values: AShare, min: bigint, shift: number): AShare {
  const n = values.length;
  const up = 1n << BigInt(shift), offset = BigInt.asUintN(64, -min * up);
  const a = new BigUint64Array(n), b = new BigUint64Array(n);
  scaleKernel(values.a, a, up, s.me === 0 ? offset : 0n);
  scaleKernel(values.b, b, up, s.me === 2 ? offset : 0n);
  if (s.me === 0) writePositions(a);
  if (s.me === 2) writePositions(b);
  return new AShare(a, b);
}

function scaleKernel(x: BigUint64Array, out: BigUint64Array, up: bigint, offset: bigint): void {
  // In pieces (ring/chunks.ts): the first column's call would otherwise run unoptimized.
  inChunks(x.length, (from, to) => scaleRange(x, out, up, offset, from, to));
}

function scaleRange(x: BigUint64Array, out: BigUint64Array, up: bigint, offset: bigint, from: number, to: number): void {
  for (let i = from; i < to; i++) out[i] = x[i] * up + offset;
}

/** Low 32 bits of word i |= i (little-endian halves). */
function writePositions(words: BigUint64Array): void {
  const h = halves(words);
  for (let i = 0; i < words.length; i++) h[2 * i] |= i;
}

/**
 * min + (key >> shift) of a few selected keys, exactly: a2b (8 rounds), then the value's bits
 * injected and summed with their weights (inject.ts, 2 rounds). Nothing is opened.
 */
async function valuesOfKeys(s: Session, keys: AShare, layout: readonly { shift: number; bits: number; min: bigint }[]): Promise<AShare> {
  const m = keys.length;
  const width = Math.max(0, ...layout.map((l) => l.bits));
  let values: AShare;
  if (m === 0 || width === 0) values = AShare.zeros(m);
  else {
    const binary = await a2b(s, keys);
    // Plane j: bit shift + j of every key (0 where j is past its column's bits).
    const planes = Array.from({ length: width }, (_, j) => {
      const pa = new BigUint64Array(wordsFor(m)), pb = new BigUint64Array(wordsFor(m));
      layout.forEach((l, e) => {
        if (j >= l.bits) return;
        const at = BigInt(l.shift + j);
        pa[e >> 6] |= ((binary.a[e] >> at) & 1n) << BigInt(e & 63);
        pb[e >> 6] |= ((binary.b[e] >> at) & 1n) << BigInt(e & 63);
      });
      return new BitShare(pa, pb, m);
    });
    [values] = await injectLinear(s, planes, [{ terms: planes.map((_, j) => [j, 1n << BigInt(j)] as const) }]);
  }
  const mins = BigUint64Array.from(layout.map((l) => BigInt.asUintN(64, l.min)));
  return addPublicA(s.me, values, mins);
}
