/**
 * Order statistics at public ranks of secret columns by an oblivious bitwise binary search
 * (Aggarwal, Mishra, Pinkas, "Secure computation of the k-th ranked element", EUROCRYPT 2004:
 * the answer is found bit by bit from the top, each bit decided by a count of the candidates
 * below a threshold). Nothing is opened but what the caller opens of the results; no shuffle.
 *
 * Per column (n values in [min, min + 2^w)):
 * 1. v − min is converted to binary once and transposed into w bit planes, plane j packing bit
 *    j of every row (value-planes.ts).
 * 2. The top b = min(4, w) bits for every rank of the column at once (radix-buckets.ts, the
 *    bucket step): the one-hot of each row's top bits, the 2^b − 1 bucket counts, each rank's
 *    bucket from its prefix counts, and per rank the bucket's rows as a packed secret mask m
 *    and the rank within it k (arithmetic), nothing opened.
 * 3. For every wanted rank, from the bit j = w − b − 1 below the bucket down:
 *      z = m AND NOT plane_j            (the bucket's rows with a 0 at bit j; 1 AND per row)
 *      c = popcount(z)                  (secret: popcount-packed.ts, ~1 AND per row; its tree's
 *                                        words injected as two addends, inject-sum.ts)
 *      p = [k >= c]                     (the answer's bit j: 1 iff fewer than k + 1 rows of the
 *                                        bucket have a 0 here; count-compare.ts on ~log2 n bits
 *                                        from c's addends and k, all ranks and columns in one
 *                                        batch; c replicated by the same message)
 *      k = k − p·c                      (p injected, inject.ts; one multiplication)
 *      m = z XOR (p AND m)              (= m AND [bit j = p]; 1 AND per row, z XORed into
 *                                        its local share before the reshare)
 *    After the levels the answer is min + bucket·2^(w − b) + sum_j p_j 2^j, from the injected
 *    bits (no further conversion). Ties need no special care: counts count duplicates.
 * Every level runs all columns and ranks together: one batch per round; the update of k (and
 * the answer) runs in a sub-session beside the next level's m, z and count, which do not need
 * it (so does the bucket step's). Nothing the parties exchange depends on the values: the
 * layers and the words injected are fixed by n and the ranks.
 *
 * What a party sees: only messages of AND gates, bit injections, reshares and comparisons on
 * secret values, each masked by pairwise PRG streams the receiver does not hold; their sizes
 * and number depend only on n, w and the ranks. The transcript is simulatable from those
 * public numbers: nothing about the values is revealed (docs/statistics.md, "Selection").
 *
 * Cost per column, n rows, w bits, R ranks (≤ 8 for describe):
 *   conversion (value-planes.ts, bit-sliced): w − 1 rounds, (2w − 3)/8 bytes per row;
 *   the bucket step (radix-buckets.ts): 11 + 15 + R AND gates per row at b = 4 (34 at R = 8,
 *     against 73 for four levels below), ~25 rounds;
 *   per binary level and rank: 2 AND gates per row (z, m) plus the popcount's ~1: ~3/8 byte
 *     per row and party;
 *   rounds per level: 5 to 7 (the comparison, its first round the reshare of c and of k − c's
 *     two addends) + 1 (m) + 1 (the next level's z) + the popcount tree's layers (chained
 *     adders, stopped where a layer saves fewer bytes than RADIX_ROUND_BYTES: 9 for 40 counts of
 *     2^20 bits, 5 for 2; popcount-packed.ts treeShape) + 1 (the injection's split, Q to R);
 *     the rank's update, 2 (injecting p) + 1 (p·c), runs beside them (fixmath/parallel.ts).
 *     At 2^20 rows: 7 + 1 + 1 + 9 + 1 = 19 (20 with the injection's reshare and the
 *     comparison's split as two rounds, before s12-describe: count-compare.ts). Comparisons
 *     past 32 bits (over 2^31 rows) keep the two rounds (compare-split.ts takes replicated c).
 *     At 2^20 rows and w = 18: 307 rounds with the conversion for 5 columns × 8 ranks (321
 *     before s12-describe, 397 before s11-describe, 464 before s10-describe, 700 before
 *     s9-radix).
 *   At n = 2^20, w = 18, R = 8: ~(34 + 14·8·3)/8 ≈ 46 bytes per row and party, plus the
 *   conversion's 4.1 and the injected words (50.2 measured; docs/benchmarks.md "s11-describe").
 */

import { UsageError } from '../../errors.js';
import { clearTail, wordsFor } from '../../ring/bits.js';
import type { Session } from '../session.js';
import { AShare, BitShare } from '../shares.js';
import { notBits, publicA } from '../sharing.js';
import { mul } from './arith.js';
import { parallel } from './fixmath/parallel.js';
import { injectBits } from './inject.js';
import { andBatch, andScalarBatch, broadcastBit } from './packed-and.js';
import { popcountWords, type PackedBits } from './popcount-packed.js';
import { NARROW_MAX_BITS } from './compare-narrow.js';
import { countsAgainstRanks } from './count-compare.js';
import { injectWeightedAddends, injectWeightedSums, type WeightedAddends } from './inject-sum.js';
import { bucketBitsOf, bucketStep, lessThanZero } from './radix-buckets.js';
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
  /** The bucket's rows, packed (set by the bucket step). */
  mask: PackedBits;
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
  const compareBits = Math.max(2, ...columns.map((c) => bitLength(c.values.length) + 1));
  const state: Selection = {
    columns,
    planes,
    compareBits,
    searches: [],
    active: [],
  };
  columns.forEach((c, column) => c.ranks.forEach(() => state.searches.push({ column, slot: state.searches.length, mask: EMPTY, zeros: EMPTY })));
  // Remaining ranks and the answers' bits so far (sum p_j 2^j), one slot per search.
  const rank = publicA(s.me, BigUint64Array.from(columns.flatMap((c) => c.ranks.map((r) => BigInt(r)))));
  const answer = AShare.zeros(state.searches.length);
  // The search's binary levels below each column's bucket step.
  const levels = Math.max(0, ...columns.map((c) => searchLevels(c.keyBits)));
  // The top bits of every rank at once (radix-buckets.ts); beside the ranks' update there, the
  // masks give the first binary level's zeros and counts.
  const bucketed = columns.flatMap((c, column) => (c.keyBits > 0 && c.ranks.length > 0 ? [column] : []));
  let count: LevelCounts | undefined;
  if (bucketed.length > 0) {
    const inBuckets = state.searches.filter((q) => bucketed.includes(q.column));
    const step = await bucketStep(
      s,
      bucketed.map((k) => ({ planes: planes[k], keyBits: columns[k].keyBits, rows: columns[k].values.length, valid: validRows(columns[k].values.length), ranks: columns[k].ranks })),
      compareBits,
      RADIX_ROUND_BYTES,
      async (f, masks) => {
        inBuckets.forEach((q, i) => (q.mask = masks[i]));
        return levels > 0 ? countLevel(f, state, levels - 1) : undefined;
      },
    );
    inBuckets.forEach((q, i) => {
      rank.a[q.slot] = step.rank.a[i];
      rank.b[q.slot] = step.rank.b[i];
      answer.a[q.slot] = step.top.a[i];
      answer.b[q.slot] = step.top.b[i];
    });
    count = step.next;
  }
  for (let j = levels - 1; j >= 0 && count !== undefined; j--) {
    const active = state.active;
    const k = gather(rank, active.map((q) => q.slot));
    const { count: c, atLeast: p } = await compareCounts(s, count, k, compareBits);
    // The rank's update (p injected, times c) does not hold up the masks of the next level:
    // both run side by side, the rounds of the longer (the next count) on the critical path.
    const [taken, next] = await parallel(
      s,
      async (f) => {
        const [bit] = await injectBits(f, [p]);
        return { bit, taken: await mul(f, bit, c) };
      },
      async (f) => (j === 0 ? undefined : await nextLevel(f, state, p, j - 1)),
    );
    active.forEach((q, i) => {
      rank.a[q.slot] -= taken.taken.a[i];
      rank.b[q.slot] -= taken.taken.b[i];
      answer.a[q.slot] += taken.bit.a[i] << BigInt(j);
      answer.b[q.slot] += taken.bit.b[i] << BigInt(j);
    });
    count = next;
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
  return { values: out, levels: Math.max(0, ...columns.map((c) => c.keyBits)) };
}

/** The binary levels a column's search runs after its bucket step (its bits below the top b). */
export function searchLevels(keyBits: number): number {
  return keyBits - bucketBitsOf(keyBits);
}

const EMPTY: PackedBits = { a: new BigUint64Array(0), b: new BigUint64Array(0) };

/** The search's columns and their bit planes, and which searches level j runs. */
interface Selection {
  readonly columns: readonly RankedColumn[];
  readonly planes: readonly BitShare[][];
  /** Bits of the comparisons of counts with ranks: bitLength(rows) + 1. */
  readonly compareBits: number;
  readonly searches: Search[];
  active: Search[];
  /** The pooled words of the current zeros and masks (countLevel's andBatch), given back once dead. */
  zerosMemory?: LevelMemory;
  masksMemory?: LevelMemory;
}

/** An andBatch's first components (pooled) and second (the message received, whole). */
interface LevelMemory {
  readonly local: BigUint64Array;
  readonly received: BigUint64Array | undefined;
}

function giveBack(s: Session, memory: LevelMemory): void {
  s.party.scratch.give(memory.local);
  if (memory.received) s.releaseWords(s.next, memory.received);
}

/**
 * A level's counts, injected: up to 32 bits of comparison, the two addends of each
 * (count-compare.ts takes them as they are); wider, replicated shares.
 */
type LevelCounts = { readonly addends: WeightedAddends } | { readonly shares: AShare };

/** Each count c and p = [k >= c]; |k − c| ≤ n < 2^(bits − 1). */
async function compareCounts(s: Session, counts: LevelCounts, k: AShare, bits: number): Promise<{ count: AShare; atLeast: BitShare }> {
  if ('addends' in counts) return countsAgainstRanks(s, counts.addends, k, bits);
  // p = NOT [k − c < 0].
  return { count: counts.shares, atLeast: notBits(s.me, await lessThanZero(s, difference(k, counts.shares), bits)) };
}

/** Level j's zeros of every search active there (its column has a binary level j), and their counts. */
async function countLevel(s: Session, state: Selection, j: number): Promise<LevelCounts> {
  const active = state.searches.filter((q) => searchLevels(state.columns[q.column].keyBits) > j);
  const notPlane = new Map<number, BitShare>();
  for (const q of active) if (!notPlane.has(q.column)) notPlane.set(q.column, notBits(s.me, state.planes[q.column][j]));
  const words = active.reduce((acc, q) => acc + q.mask.a.length, 0);
  const local = s.party.scratch.take(words);
  const zeros = await andBatch(s, active.map((q) => ({ x: q.mask, y: notPlane.get(q.column)! })), local);
  // Pooled (s11-gc): these words become the next level's masks (nextLevel), given back after it.
  state.zerosMemory = { local, received: zeros.length > 0 ? new BigUint64Array(zeros[0].b.buffer, zeros[0].b.byteOffset, words) : undefined };
  active.forEach((q, i) => (q.zeros = zeros[i]));
  state.active = active;
  const left = await popcountWords(s, zeros, RADIX_ROUND_BYTES);
  // The roles rotate with the level (j): with few counts (a median's 2) one level's injection
  // leaves a party without a share of the sending; over the levels they even out.
  return state.compareBits <= NARROW_MAX_BITS ? { addends: await injectWeightedAddends(s, left, j % 3) } : { shares: await injectWeightedSums(s, left) };
}

/**
 * The masks after level j + 1's bits p (one per active search), m = z XOR (p AND m), then level
 * j's zeros and counts (countLevel).
 */
async function nextLevel(s: Session, state: Selection, p: BitShare, j: number): Promise<LevelCounts> {
  const active = state.active;
  // p broadcast over the mask's words (XOR sharing is linear); z XORed into the AND's local
  // share before its reshare (no pass of its own over the masks).
  const masks = await andScalarBatch(s, active.map((q, i) => ({ x: q.mask, pa: broadcastBit(p.a, i), pb: broadcastBit(p.b, i), plus: q.zeros })));
  active.forEach((q, i) => (q.mask = masks.parts[i]));
  // The last masks and the zeros are read: their memory goes back to the pool and the link (s11-gc).
  if (state.masksMemory) giveBack(s, state.masksMemory);
  if (state.zerosMemory) giveBack(s, state.zerosMemory);
  state.masksMemory = { local: masks.a, received: masks.b };
  state.zerosMemory = undefined;
  return countLevel(s, state, j);
}

function bitLength(n: number): number {
  return n <= 0 ? 0 : Math.floor(Math.log2(n)) + 1;
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
