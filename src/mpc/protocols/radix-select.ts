/**
 * Order statistics at public ranks of secret columns by an oblivious bitwise binary search
 * (Aggarwal, Mishra, Pinkas, "Secure computation of the k-th ranked element", EUROCRYPT 2004:
 * the answer is found bit by bit from the top, each bit decided by a count of the candidates
 * below a threshold). Nothing is opened but what the caller opens of the results; no shuffle.
 *
 * Per column (n values in [min, min + 2^w)):
 * 1. v − min is converted to binary once and transposed into w bit planes, plane j packing bit
 *    j of every row (value-planes.ts).
 * 2. For every wanted rank r: a packed secret mask m (the rows whose top bits equal the answer's
 *    top bits found so far; at first every row) and a secret remaining rank k (arithmetic; at
 *    first r). From the top bit j = w − 1 down:
 *      z = m AND NOT plane_j            (the bucket's rows with a 0 at bit j; 1 AND per row)
 *      c = popcount(z)                  (secret: popcount-packed.ts, ~1 AND per row)
 *      p = [k >= c]                     (the answer's bit j: 1 iff fewer than k + 1 rows of the
 *                                        bucket have a 0 here; compare-narrow.ts on ~log2 n bits,
 *                                        all ranks and columns in one batch)
 *      k = k − p·c                      (p injected, inject.ts; one multiplication)
 *      m = z XOR (p AND m)              (= m AND [bit j = p]; 1 AND per row)
 *    At the top bit m is every row, a public mask, so z and the new m are local and one count
 *    serves all ranks of the column. After w levels the answer is min + sum_j p_j 2^j, from the
 *    injected p (no further conversion). Ties need no special care: counts count duplicates.
 * Every level runs all columns and ranks together: one batch per round; the update of k (and
 * the answer) runs in a sub-session beside the next level's m, z and count, which do not need it.
 * Nothing the parties exchange depends on the values: the layers and the words injected are
 * fixed by n and the ranks.
 *
 * What a party sees: only messages of AND gates, bit injections, reshares and comparisons on
 * secret values, each masked by pairwise PRG streams the receiver does not hold; their sizes
 * and number depend only on n, w and the ranks. The transcript is simulatable from those
 * public numbers: nothing about the values is revealed (docs/statistics.md, "Selection").
 *
 * Cost per column, n rows, w bits, R ranks (≤ 8 for describe):
 *   conversion (value-planes.ts, bit-sliced): w − 1 rounds, (2w − 3)/8 bytes per row;
 *   per level below the top and rank: 2 AND gates per row (z, m) plus the popcount's ~1:
 *     ~3/8 byte per row and party; the top level: a popcount only (1/8 byte per row);
 *   rounds per level: 5 to 7 (the comparison) + 1 (m) + 1 (the next level's z) + the popcount
 *     tree's layers (stopped where a layer saves fewer bytes than RADIX_ROUND_BYTES: 14 for 40
 *     counts of 2^20 bits, 7 for 2; popcount-packed.ts treeShape) + 2 (its injection); the
 *     rank's update, 2 (injecting p) + 1 (p·c), runs beside them (fixmath/parallel.ts). At
 *     2^20 rows and w = 18: 459 rounds with the conversion for 5 columns × 8 ranks (700 before
 *     s9-radix), ~340 for a median.
 *   At n = 2^20, w = 18, R = 8: ~(17·8·3 + 1)/8 ≈ 51 bytes per row and party, plus the
 *   conversion's 4.1 and the injected words (55.9 measured; docs/benchmarks.md "s9-radix").
 */

import { Prg } from '../../crypto/prg.js';
import { UsageError } from '../../errors.js';
import { clearTail, wordsFor } from '../../ring/bits.js';
import type { Session } from '../session.js';
import { AShare, BitShare } from '../shares.js';
import { notBits, publicA } from '../sharing.js';
import { mul } from './arith.js';
import { parallel } from './fixmath/parallel.js';
import { ltNarrow, NARROW_MAX_BITS } from './compare-narrow.js';
import { ltSplit, SPLIT_MAX_BITS } from './compare-split.js';
import { injectBits } from './inject.js';
import { popcounts, type PackedBits } from './popcount-packed.js';
import { valuePlanes } from './value-planes.js';
import type { RankedColumn, SelectedOrderStatistics } from './ranked-columns.js';
export type { RankedColumn, SelectedOrderStatistics } from './ranked-columns.js';

/** Most rows a selection counts: the comparisons of counts with ranks need bitLength(n) + 1 ≤ 48 bits. */
export const MAX_SELECTION_ROWS = 2 ** 46;

/** Whether a column of `rows` values with `keyBits` bits of range can be selected from. */
export function packsForSelection(keyBits: number, rows: number): boolean {
  return Number.isInteger(keyBits) && keyBits >= 0 && keyBits <= 64 && rows <= MAX_SELECTION_ROWS;
}

/**
 * What a round is worth in bytes per party, for the popcount's stopping rule (popcount-packed.ts,
 * layerPays): measured on three node processes at 2^20 rows × 5 columns × 8 ranks, where 128 KB
 * cut 185 rounds for +2 % bytes and ~8 % less CPU per party (docs/benchmarks.md, "s9-radix").
 */
export const RADIX_ROUND_BYTES = 128_000;

/** One wanted rank of one column, and its state in the search. */
interface Search {
  readonly column: number;
  /** Position among all searches: its slot in the rank and answer vectors. */
  readonly slot: number;
  /** The bucket's rows, packed; undefined while it is every row (the top level). */
  mask: PackedBits | undefined;
  /** The bucket's rows with a 0 at the current level's bit (the rows counted). */
  zeros: PackedBits;
}

export async function selectRanks(s: Session, columns: readonly RankedColumn[]): Promise<SelectedOrderStatistics> {
  for (const c of columns) {
    const n = c.values.length;
    if (!packsForSelection(c.keyBits, n)) throw new UsageError(`selectRanks: a column of ${n} rows with ${c.keyBits} bits of range cannot be selected from (ranges of 0 to 64 bits, at most 2^46 rows); declare a narrower range`);
    for (const r of c.ranks) if (!Number.isInteger(r) || r < 0 || r >= n) throw new UsageError(`selectRanks: rank ${r} is outside [0, ${n})`);
  }
  const planes = await valuePlanes(s, columns.map((c) => ({ values: c.values, min: c.min, bits: c.keyBits })));
  const levels = Math.max(0, ...columns.map((c) => c.keyBits));
  const state: Selection = {
    columns,
    planes,
    valid: columns.map((c) => validRows(c.values.length)),
    searches: [],
    active: [],
  };
  columns.forEach((c, column) => c.ranks.forEach(() => state.searches.push({ column, slot: state.searches.length, mask: undefined, zeros: EMPTY })));
  // Remaining ranks and the answers' bits so far (sum p_j 2^j), one slot per search.
  const rank = publicA(s.me, BigUint64Array.from(columns.flatMap((c) => c.ranks.map((r) => BigInt(r)))));
  const answer = AShare.zeros(state.searches.length);
  const compareBits = Math.max(2, ...columns.map((c) => bitLength(c.values.length) + 1));
  if (levels > 0) {
    let count = await countLevel(s, state, levels - 1);
    for (let j = levels - 1; j >= 0; j--) {
      const active = state.active;
      const k = gather(rank, active.map((q) => q.slot));
      // p = [k >= c] = NOT [k − c < 0]; |k − c| ≤ n < 2^(compareBits − 1).
      const p = notBits(s.me, await lessThanZero(s, difference(k, count), compareBits));
      // The rank's update (p injected, times c) does not hold up the masks of the next level:
      // both run side by side, the rounds of the longer (the next count) on the critical path.
      const [taken, next] = await parallel(
        s,
        async (f) => {
          const [bit] = await injectBits(f, [p]);
          return { bit, taken: await mul(f, bit, count) };
        },
        async (f) => (j === 0 ? undefined : await nextLevel(f, state, p, j - 1)),
      );
      active.forEach((q, i) => {
        rank.a[q.slot] -= taken.taken.a[i];
        rank.b[q.slot] -= taken.taken.b[i];
        answer.a[q.slot] += taken.bit.a[i] << BigInt(j);
        answer.b[q.slot] += taken.bit.b[i] << BigInt(j);
      });
      if (next !== undefined) count = next;
    }
  }
  // min + sum p_j 2^j per search, in the order of the columns and their ranks.
  const out: AShare[] = [];
  let at = 0;
  for (const c of columns) {
    const m = c.ranks.length;
    const a = answer.a.slice(at, at + m), b = answer.b.slice(at, at + m);
    const slot = s.me === 0 ? a : s.me === 2 ? b : undefined;
    if (slot) for (let i = 0; i < m; i++) slot[i] += BigInt.asUintN(64, c.min);
    out.push(new AShare(a, b));
    at += m;
  }
  return { values: out, levels };
}

const EMPTY: PackedBits = { a: new BigUint64Array(0), b: new BigUint64Array(0) };

/** The search's columns and their bit planes, and which searches level j runs (keyBits > j). */
interface Selection {
  readonly columns: readonly RankedColumn[];
  readonly planes: readonly BitShare[][];
  readonly valid: readonly BigUint64Array[];
  readonly searches: Search[];
  active: Search[];
}

/**
 * Level j's zeros of every search active there, and their counts (element i: active search i).
 * A search at its column's top level (mask: every row) takes NOT plane AND the valid rows, a
 * public mask, so local, once per column; one count serves every rank of that column.
 */
async function countLevel(s: Session, state: Selection, j: number): Promise<AShare> {
  const active = state.searches.filter((q) => state.columns[q.column].keyBits > j);
  const notPlane = new Map<number, BitShare>();
  for (const q of active) if (!notPlane.has(q.column)) notPlane.set(q.column, notBits(s.me, state.planes[q.column][j]));
  const topOf = new Map<number, PackedBits>();
  for (const q of active) if (q.mask === undefined && !topOf.has(q.column)) topOf.set(q.column, andPublic(notPlane.get(q.column)!, state.valid[q.column]));
  const below = active.filter((q) => q.mask !== undefined);
  const zBelow = await andBatch(s, below.map((q) => ({ x: q.mask!, y: notPlane.get(q.column)! })));
  below.forEach((q, i) => (q.zeros = zBelow[i]));
  for (const q of active) if (q.mask === undefined) q.zeros = topOf.get(q.column)!;
  state.active = active;
  // The counts: each top column's once, each other search's own.
  const tops = [...topOf.keys()];
  const counted = await popcounts(s, [...tops.map((c) => topOf.get(c)!), ...zBelow], RADIX_ROUND_BYTES);
  return gather(counted, active.map((q) => (q.mask === undefined ? tops.indexOf(q.column) : tops.length + below.indexOf(q))));
}

/**
 * The masks after level j + 1's bits p (one per active search), m = z XOR (p AND m), then level
 * j's zeros and counts (countLevel).
 */
async function nextLevel(s: Session, state: Selection, p: BitShare, j: number): Promise<AShare> {
  const active = state.active;
  // p broadcast over the mask's words (XOR sharing is linear).
  const pa = active.map((_, i) => broadcastBit(p.a, i)), pb = active.map((_, i) => broadcastBit(p.b, i));
  const below = active.filter((q) => q.mask !== undefined);
  const kept = await andScalarBatch(s, below.map((q) => ({ x: q.mask!, pa: pa[active.indexOf(q)], pb: pb[active.indexOf(q)] })));
  active.forEach((q, i) => {
    // At the top level z serves every rank of the column: each gets a mask of its own. Below,
    // z is this search's alone and becomes its mask in place.
    if (q.mask === undefined) q.mask = xorWords(q.zeros, andPublic({ a: broadcast(pa[i], q.zeros.a.length), b: broadcast(pb[i], q.zeros.a.length) }, state.valid[q.column]));
    else q.mask = xorInPlace(q.zeros, kept.parts[below.indexOf(q)]);
  });
  // p AND m is read: its memory goes back to the pool and the link.
  s.party.scratch.give(kept.a);
  s.releaseWords(s.next, kept.b);
  return countLevel(s, state, j);
}

function bitLength(n: number): number {
  return n <= 0 ? 0 : Math.floor(Math.log2(n)) + 1;
}

async function lessThanZero(s: Session, d: AShare, bits: number): Promise<BitShare> {
  if (bits <= NARROW_MAX_BITS) return ltNarrow(s, d, undefined, bits);
  if (bits <= SPLIT_MAX_BITS) return ltSplit(s, d, undefined, bits);
  throw new UsageError(`selectRanks: counts of ${bits - 1} bits are too wide to compare`);
}

/** All ones over the first n bits (the rows), the tail clear. */
function validRows(n: number): BigUint64Array {
  const words = new BigUint64Array(wordsFor(n)).fill(0xffffffffffffffffn);
  clearTail(words, n);
  return words;
}

function gather(x: AShare, at: readonly number[]): AShare {
  return new AShare(BigUint64Array.from(at, (i) => x.a[i]), BigUint64Array.from(at, (i) => x.b[i]));
}

function difference(x: AShare, y: AShare): AShare {
  return new AShare(BigUint64Array.from(x.a, (v, i) => v - y.a[i]), BigUint64Array.from(x.b, (v, i) => v - y.b[i]));
}

/** All ones if bit i of the packed component is set, else zero. */
function broadcastBit(words: BigUint64Array, i: number): bigint {
  return BigInt.asUintN(64, -((words[i >>> 6] >> BigInt(i & 63)) & 1n));
}

function broadcast(word: bigint, n: number): BigUint64Array {
  return new BigUint64Array(n).fill(word);
}

/** x AND a public mask: each component alone (AND with a constant is linear over XOR). */
function andPublic(x: PackedBits, mask: BigUint64Array): PackedBits {
  const a = new BigUint64Array(mask.length), b = new BigUint64Array(mask.length);
  andPublicKernel(x.a, mask, a);
  andPublicKernel(x.b, mask, b);
  return { a, b };
}

function andPublicKernel(x: BigUint64Array, mask: BigUint64Array, out: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = x[i] & mask[i];
}

function xorWords(x: PackedBits, y: PackedBits): PackedBits {
  const a = new BigUint64Array(x.a.length), b = new BigUint64Array(x.a.length);
  xorKernel(x.a, y.a, a);
  xorKernel(x.b, y.b, b);
  return { a, b };
}

function xorInPlace(x: PackedBits, y: PackedBits): PackedBits {
  xorKernel(x.a, y.a, x.a);
  xorKernel(x.b, y.b, x.b);
  return x;
}

function xorKernel(x: BigUint64Array, y: BigUint64Array, out: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = x[i] ^ y[i];
}

/** x AND y for every pair, all in one AND round (the pairs' words one after the other). */
async function andBatch(s: Session, pairs: readonly { x: PackedBits; y: PackedBits }[]): Promise<PackedBits[]> {
  const total = pairs.reduce((acc, q) => acc + q.x.a.length, 0);
  const z = s.zeroShareXor(total);
  let at = 0;
  for (const { x, y } of pairs) {
    andKernel(z, at, x.a, x.b, y.a, y.b);
    at += x.a.length;
  }
  return split(z, await s.reshare(z), pairs.map((q) => q.x.a.length));
}

/**
 * x AND (a bit broadcast to every word: components pa, pb), all in one AND round: the products
 * (parts) over two whole arrays, a from the scratch pool, b received (the caller gives both back).
 */
async function andScalarBatch(s: Session, pairs: readonly { x: PackedBits; pa: bigint; pb: bigint }[]): Promise<{ parts: PackedBits[]; a: BigUint64Array; b: BigUint64Array }> {
  const total = pairs.reduce((acc, q) => acc + q.x.a.length, 0);
  const z = Prg.xor(s.prgNext, s.prgPrev, s.party.scratch.take(total));
  let at = 0;
  const p = new BigUint64Array(2);
  for (const { x, pa, pb } of pairs) {
    p[0] = pa;
    p[1] = pb;
    andScalarKernel(z, at, x.a, x.b, p);
    at += x.a.length;
  }
  const received = await s.reshare(z);
  return { parts: split(z, received, pairs.map((q) => q.x.a.length)), a: z, b: received };
}

function split(a: BigUint64Array, b: BigUint64Array, lengths: readonly number[]): PackedBits[] {
  let at = 0;
  return lengths.map((n) => ({ a: a.subarray(at, (at += n)), b: b.subarray(at - n, at) }));
}

// The kernels: the local share of an AND, z_i ^= x_i y_i ^ x_i y_{i+1} ^ x_{i+1} y_i (binary.ts).

function andKernel(z: BigUint64Array, at: number, xa: BigUint64Array, xb: BigUint64Array, ya: BigUint64Array, yb: BigUint64Array): void {
  for (let i = 0; i < xa.length; i++) z[at + i] ^= (xa[i] & (ya[i] ^ yb[i])) ^ (xb[i] & ya[i]);
}

/** p = [pa, pb]: the broadcast bit's components (read from the array: BigInt locals stay boxed). */
function andScalarKernel(z: BigUint64Array, at: number, xa: BigUint64Array, xb: BigUint64Array, p: BigUint64Array): void {
  for (let i = 0; i < xa.length; i++) z[at + i] ^= (xa[i] & (p[0] ^ p[1])) ^ (xb[i] & p[0]);
}
