/**
 * The radix selection's first b = min(4, w) bit levels for every rank of a column at once, by a
 * secret histogram of the top b bits (the bucket step of a radix select; the search after it is
 * Aggarwal, Mishra, Pinkas, EUROCRYPT 2004, as radix-select.ts). Nothing is opened.
 *
 * Per column (n rows, bit planes from value-planes.ts, top bits x_{b−1} … x_0 of v − min):
 * 1. The one-hot H_v (v in [0, 2^b)) of the top bits per row, packed. Pairs of bits (x, y): one
 *    AND gives xy, and [00] = 1 ^ x ^ y ^ xy, [01] = y ^ xy, [10] = x ^ xy, [11] = xy; two
 *    one-hots U (u entries) and W (w) combine by the (u − 1)(w − 1) products U_a W_c with the
 *    last row and column derived (each one-hot sums to 1). b = 4: 2 + 9 AND gates per row, 2
 *    rounds. Then AND with the valid rows (public, local).
 * 2. The bucket counts c_v = popcount(H_v) for v < 2^b − 1 (popcount-packed.ts, ~1 AND gate per
 *    row each; the last count is never needed) and their prefix sums P_v = sum_{u<v} c_u (local).
 * 3. For every rank r of the column: g_v = [r >= P_v] for v = 1 … 2^b − 1 (compare-narrow.ts on
 *    r − P_v, all columns and ranks in one batch; r is public, the P_v secret). g is 1 up to the
 *    rank's bucket B_r and 0 after it (P is non-decreasing), so B_r = sum_v g_v and the bucket's
 *    one-hot is e_v = g_v ^ g_{v+1} (g_0 = 1, g_{2^b} = 0).
 * 4. The rank within the bucket, r − P_{B_r} = r − sum_{v≥1} g_v c_{v−1} (g injected, inject.ts,
 *    then one multiplication), and the answer's top bits B_r · 2^(w − b) (the injected g summed).
 * 5. The rank's mask, the rows of its bucket: m_r = XOR_v H_v AND e_v, a binary inner product:
 *    one reshare per row and rank (packed-and.ts selectBatch). It runs beside step 4, and
 *    `then` (the search's next level) starts from it at once.
 *
 * What a party sees: AND gates, popcounts, comparisons, injections and reshares on secret values,
 * each message masked by a pairwise stream the receiver does not hold; their sizes depend only on
 * n, w and the number of ranks. The counts, buckets and ranks stay secret.
 *
 * Cost per column, n rows, R ranks, b = 4 (against 1 + 3·3·R AND gates per row for the
 * search's first four levels, 73 at R = 8):
 *   AND gates per row: 11 (one-hot) + ~15 (the 15 counts' trees) + R (the masks): 34 at R = 8,
 *     ~4.3 bytes per row and party, plus the trees' injected words;
 *   rounds: 2 (one-hot) + the trees' layers (stopped by the caller's round value) + 2 (their
 *     injection) + 5 to 7 (the comparison) + max(3 (the rank's update), 1 + the next level);
 *     ~20 at 2^20 rows (10 tree layers for 75 counts), against ~4 × 20 for four levels of the search.
 * b = 1, 2, 3: 0, 1, 4 AND gates for the one-hot, 2^b − 1 counts.
 */

import { UsageError } from '../../errors.js';
import type { Session } from '../session.js';
import { AShare, type BitShare } from '../shares.js';
import { constantSlot, notBits } from '../sharing.js';
import { mul } from './arith.js';
import { ltNarrow, NARROW_MAX_BITS } from './compare-narrow.js';
import { ltSplit, SPLIT_MAX_BITS } from './compare-split.js';
import { parallel } from './fixmath/parallel.js';
import { injectBits } from './inject.js';
import { andBatch, andPublic, broadcastBit, notWords, publicOnes, selectBatch, xorInPlace, xorWords } from './packed-and.js';
import { popcounts, type PackedBits } from './popcount-packed.js';

/** Most top bits the bucket step takes: 4 costs ~34 AND gates per row for 8 ranks, 5 would cost ~65 for one more level. */
export const BUCKET_BITS = 4;

/** The bit levels the bucket step decides for a column of `keyBits` bits. */
export function bucketBitsOf(keyBits: number): number {
  return Math.min(BUCKET_BITS, keyBits);
}

export interface BucketColumn {
  /** The column's bit planes, plane j holding bit j of v − min of every row (value-planes.ts). */
  readonly planes: readonly BitShare[];
  /** At least 1: a column of 0 bits has nothing to search. */
  readonly keyBits: number;
  readonly rows: number;
  /** All ones over the rows, the tail clear. */
  readonly valid: BigUint64Array;
  readonly ranks: readonly number[];
}

/** Per search (the columns' ranks in order): its bucket, the rank in it, and what `then` gave. */
export interface Buckets<T> {
  readonly masks: PackedBits[];
  /** r − (rows in lower buckets). */
  readonly rank: AShare;
  /** The bucket's index times 2^(keyBits − b): the answer's top bits. */
  readonly top: AShare;
  readonly next: T;
}

/**
 * The bucket step for every rank of every column. `roundBytes`: what a round is worth, for the
 * counts' trees (popcount-packed.ts); `compareBits`: bits of the comparisons of counts with
 * ranks (bitLength(n) + 1); `then` runs on the masks beside the ranks' update.
 */
export async function bucketStep<T>(s: Session, columns: readonly BucketColumn[], compareBits: number, roundBytes: number, then: (f: Session, masks: PackedBits[]) => Promise<T>): Promise<Buckets<T>> {
  for (const c of columns) if (c.keyBits < 1 || c.planes.length < c.keyBits) throw new UsageError(`bucketStep: a column needs at least one bit plane (${c.keyBits} bits, ${c.planes.length} planes)`);
  const hot = await oneHots(s, columns);
  // The counts of every bucket but the last, column after column.
  const counted = await popcounts(s, hot.flatMap((h) => h.slice(0, h.length - 1)), roundBytes);
  // r − P_v for every search and v = 1 … 2^b − 1 (P_v = c_0 + … + c_{v−1}).
  const slot = constantSlot(s.me);
  const da: bigint[] = [], db: bigint[] = [], below: number[] = [];
  let at = 0;
  for (const [k, c] of columns.entries()) {
    const buckets = hot[k].length;
    for (const r of c.ranks) {
      let pa = 0n, pb = 0n;
      for (let v = 1; v < buckets; v++) {
        pa += counted.a[at + v - 1];
        pb += counted.b[at + v - 1];
        da.push(BigInt.asUintN(64, (slot === 'a' ? BigInt(r) : 0n) - pa));
        db.push(BigInt.asUintN(64, (slot === 'b' ? BigInt(r) : 0n) - pb));
        below.push(at + v - 1);
      }
    }
    at += buckets - 1;
  }
  // g_v = [r >= P_v] = NOT [r − P_v < 0]; |r − P_v| ≤ n < 2^(compareBits − 1).
  const g = notBits(s.me, await lessThanZero(s, new AShare(BigUint64Array.from(da), BigUint64Array.from(db)), compareBits));
  const [update, next] = await parallel(
    s,
    async (f) => {
      const [bits] = await injectBits(f, [g]);
      const lower = await mul(f, bits, new AShare(BigUint64Array.from(below, (i) => counted.a[i]), BigUint64Array.from(below, (i) => counted.b[i])));
      return { bits, lower };
    },
    async (f) => {
      const masks = await bucketMasks(f, columns, hot, g);
      return { masks, next: await then(f, masks) };
    },
  );
  // Per search: the rank less the rows below its bucket, and the bucket's index in the top bits.
  const searches = columns.reduce((acc, c) => acc + c.ranks.length, 0);
  const rank = new AShare(new BigUint64Array(searches), new BigUint64Array(searches));
  const top = new AShare(new BigUint64Array(searches), new BigUint64Array(searches));
  let q = 0, e = 0;
  for (const [k, c] of columns.entries()) {
    const shift = BigInt(c.keyBits - bucketBitsOf(c.keyBits));
    for (const r of c.ranks) {
      let ra = slot === 'a' ? BigInt(r) : 0n, rb = slot === 'b' ? BigInt(r) : 0n, ta = 0n, tb = 0n;
      for (let v = 1; v < hot[k].length; v++, e++) {
        ra -= update.lower.a[e];
        rb -= update.lower.b[e];
        ta += update.bits.a[e];
        tb += update.bits.b[e];
      }
      rank.a[q] = BigInt.asUintN(64, ra);
      rank.b[q] = BigInt.asUintN(64, rb);
      top.a[q] = BigInt.asUintN(64, ta << shift);
      top.b[q] = BigInt.asUintN(64, tb << shift);
      q++;
    }
  }
  return { masks: next.masks, rank, top, next: next.next };
}

/** Whether d < 0 for differences of `bits` bits (two's complement), in the narrowest comparison that fits. */
export async function lessThanZero(s: Session, d: AShare, bits: number): Promise<BitShare> {
  if (bits <= NARROW_MAX_BITS) return ltNarrow(s, d, undefined, bits);
  if (bits <= SPLIT_MAX_BITS) return ltSplit(s, d, undefined, bits);
  throw new UsageError(`selectRanks: counts of ${bits - 1} bits are too wide to compare`);
}

/**
 * Per column, the one-hot of its top b bits: element v is the rows whose top bits read v (the
 * valid rows only). One AND round for the pairs' products, one for the pairs' combination.
 */
async function oneHots(s: Session, columns: readonly BucketColumn[]): Promise<PackedBits[][]> {
  // Each column's top bits in groups of two (a single bit last when b is odd), highest first.
  const groups = columns.map((c) => {
    const b = bucketBitsOf(c.keyBits);
    const out: PackedBits[][] = [];
    for (let j = c.keyBits - 1; j >= c.keyBits - b; j -= 2) out.push(j - 1 >= c.keyBits - b ? [c.planes[j], c.planes[j - 1]] : [c.planes[j]]);
    return out;
  });
  const pairs = groups.flatMap((g) => g.filter((bits) => bits.length === 2));
  const products = await andBatch(s, pairs.map(([x, y]) => ({ x, y })));
  let p = 0;
  const singles = groups.map((g) => g.map((bits) => (bits.length === 2 ? pairOneHot(s, bits[0], bits[1], products[p++]) : [notWords(s.me, bits[0]), copy(bits[0])])));
  // Two groups combine by the products of all but their last entries (b = 3 or 4).
  const combined = singles.filter((g) => g.length === 2);
  const cross = await andBatch(
    s,
    combined.flatMap(([u, w]) => u.slice(0, -1).flatMap((x) => w.slice(0, -1).map((y) => ({ x, y })))),
  );
  let c = 0;
  return singles.map((g, k) => {
    const hot = g.length === 1 ? g[0] : combine(g[0], g[1], cross.slice(c, (c += (g[0].length - 1) * (g[1].length - 1))));
    // The NOTs set the words' tail past the last row: cleared by the valid rows (none when the
    // rows fill their last word, as at 2^20: then no copy).
    return columns[k].rows % 64 === 0 ? hot : hot.map((h) => andPublic(h, columns[k].valid));
  });
}

/** The one-hot of bits (x, y), index 2x + y, from their product xy. */
function pairOneHot(s: Session, x: PackedBits, y: PackedBits, xy: PackedBits): PackedBits[] {
  const onlyX = xorWords(x, xy), onlyY = xorWords(y, xy);
  // [00] = NOT (x OR y) = 1 ^ x ^ y ^ xy.
  const none = notWords(s.me, xorWords(onlyX, y));
  return [none, onlyY, onlyX, copy(xy)];
}

/**
 * The one-hot of (U's index, W's index), index a·|W| + c, from the products U_a W_c of all but
 * the last entries: U_a W_last = U_a ^ XOR_c U_a W_c, U_last W_c = W_c ^ XOR_a U_a W_c.
 */
function combine(u: PackedBits[], w: PackedBits[], products: PackedBits[]): PackedBits[] {
  const U = u.length, W = w.length;
  const out: PackedBits[] = new Array<PackedBits>(U * W);
  for (let a = 0; a < U - 1; a++) {
    const last = copy(u[a]);
    for (let c = 0; c < W - 1; c++) {
      out[a * W + c] = products[a * (W - 1) + c];
      xorInPlace(last, products[a * (W - 1) + c]);
    }
    out[a * W + W - 1] = last;
  }
  for (let c = 0; c < W; c++) {
    const last = copy(c < W - 1 ? w[c] : u[U - 1]);
    if (c < W - 1) for (let a = 0; a < U - 1; a++) xorInPlace(last, products[a * (W - 1) + c]);
    else for (let k = 0; k < W - 1; k++) xorInPlace(last, out[(U - 1) * W + k]);
    out[(U - 1) * W + c] = last;
  }
  return out;
}

/**
 * Each search's bucket mask, XOR_v H_v AND e_v with e_v = g_v ^ g_{v+1} (g_0 = 1, g_{2^b} = 0):
 * one reshare per row and search.
 */
async function bucketMasks(s: Session, columns: readonly BucketColumn[], hot: readonly PackedBits[][], g: BitShare): Promise<PackedBits[]> {
  const [oneA, oneB] = publicOnes(s.me);
  const outputs: { x: PackedBits; pa: bigint; pb: bigint }[][] = [];
  let at = 0;
  for (const [k, c] of columns.entries()) {
    const buckets = hot[k].length;
    for (let r = 0; r < c.ranks.length; r++) {
      // g_v's broadcast components for v = 0 … 2^b (g_v at element at + v − 1 for 1 ≤ v < 2^b).
      const ga = (v: number): bigint => (v === 0 ? oneA : v === buckets ? 0n : broadcastBit(g.a, at + v - 1));
      const gb = (v: number): bigint => (v === 0 ? oneB : v === buckets ? 0n : broadcastBit(g.b, at + v - 1));
      outputs.push(hot[k].map((x, v) => ({ x, pa: ga(v) ^ ga(v + 1), pb: gb(v) ^ gb(v + 1) })));
      at += buckets - 1;
    }
  }
  return selectBatch(s, outputs);
}

function copy(x: PackedBits): PackedBits {
  return { a: x.a.slice(), b: x.b.slice() };
}
