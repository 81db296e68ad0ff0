/**
 * The information matrix H = Xᵀ diag(w) X of a logistic fit (ops/logit.ts) from the design's
 * pairwise products u_jk = z_j z_k (j ≤ k), formed once before the iterations: every iteration
 * then needs only the d(d + 1)/2 inner products Σ_r u_jk,r w_r (one reshare of one element each)
 * instead of the products x·w of all d n design entries with their truncation (29.3 bytes per
 * row and coefficient and 4 rounds per iteration, the largest cost after the probabilities).
 *
 * The columns hold z with `fx` fraction bits (|z| ≤ 1); column 0 is the intercept 2^fx, or the
 * validity v times 2^fx, and the others are already multiplied by v, so u_0k is column k itself
 * (v z_k = z_k) and only the (d − 1) d / 2 products of the other columns are computed: exactly
 * (2 fx fraction bits, one round, 8 bytes each), then split into a part rounded to fx bits
 * (one truncation: 3 rounds, 13.3 bytes each) and the exact rest (|rest| < 2^(fx + 1) units of
 * 2^-2fx), both kept for every iteration. Nothing is lost: H = Σ high·w / 2^fx + Σ rest·w / 2^2fx,
 * each sum truncated once (one unit 2^-f each), so H is within 2 units of its exact value at
 * the secret w (the x·w it replaces rounded every x_j w to 2^-f first: n |z| 2^-f).
 *
 * Bits: w = pq ≤ 1/4 at f bits; the raw sums Σ high·w < n 2^(fx + f − 2) and Σ rest·w <
 * n 2^(fx + 1 + f − 2) lie below 2^62 for n < 2^23 rows at fx = 16 and f = 24.
 * Memory: 2 (d − 1) d / 2 + d vectors of n shares, 16 bytes per element: 211 MB per node at
 * 100K × 10, in place of the d n products x·w built and dropped at every iteration.
 */

import { matmul } from '../mpc/protocols/arith.js';
import { mulMany, truncShare } from '../mpc/protocols/fixmath/ops.js';
import { parallel } from '../mpc/protocols/fixmath/parallel.js';
import type { Session } from '../mpc/session.js';
import { AShare, addA, concatA, scaleA, splitA, subA } from '../mpc/shares.js';

/** The pairs (j, k), j ≤ k, in the order of the upper triangle by rows. */
export function upperPairs(d: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let j = 0; j < d; j++) for (let k = j; k < d; k++) pairs.push([j, k]);
  return pairs;
}

/** The design's pairwise products, split so that no precision is lost (see the header). */
export interface DesignProducts {
  /** u_jk rounded to fx fraction bits, every pair of upperPairs(d): (d(d + 1)/2) × n by rows. */
  readonly high: AShare;
  /** The rest u_jk 2^(2 fx) − high 2^fx (|rest| < 2^(fx + 1)), for the pairs with j > 0: ((d − 1)d/2) × n. */
  readonly rest: AShare;
}

/** u_jk for every pair of upperPairs(d): exact products (1 round), then one truncation (3 rounds). */
export async function designProducts(s: Session, columns: readonly AShare[], fx: number): Promise<DesignProducts> {
  const pairs = upperPairs(columns.length);
  const computed = pairs.filter(([j]) => j > 0);
  const exact = concatA(await mulMany(s, computed.map(([j, k]) => [columns[j], columns[k]] as const)));
  const rounded = await truncShare(s, exact, fx);
  const rest = subA(exact, scaleA(rounded, 1n << BigInt(fx)));
  const n = columns[0].length;
  let next = 0;
  const high = concatA(pairs.map(([j, k]) => (j === 0 ? columns[k] : rounded.slice(n * next, n * ++next))));
  return { high, rest };
}

/**
 * H = Σ_r u_r w_r with f fraction bits (the upper triangle): Σ high·w (fx + f bits) truncated
 * by fx, plus Σ rest·w (2 fx + f bits) truncated by 2 fx, the two truncations side by side
 * (3 rounds), the inner products one round before. Also truncates `alongside` (fx + f bits,
 * here g, its inner products started alongside these) by fx in the same batch.
 */
export async function information(s: Session, products: DesignProducts, w: AShare, alongside: Promise<AShare>, d: number, fx: number): Promise<{ alongside: AShare; upper: AShare }> {
  const m = (d * (d + 1)) / 2;
  const n = w.length;
  const high = matmul(s, products.high, w, m, n, 1);
  const rest = matmul(s, products.rest, w, m - d, n, 1);
  const [alongsideRaw, highRaw, restRaw] = [await alongside, await high, await rest];
  const [first, second] = await parallel(
    s,
    (t) => truncShare(t, concatA([alongsideRaw, highRaw]), fx),
    (t) => truncShare(t, restRaw, 2 * fx),
  );
  const [out, highPart] = splitA(first, [alongsideRaw.length, m]);
  // The rest belongs to the pairs with j > 0: the last m − d entries of the upper triangle.
  return { alongside: out, upper: addA(highPart, concatA([AShare.zeros(d), second])) };
}

/** The full d × d matrix by rows from its upper triangle (a local rearrangement). */
export function symmetricFromUpper(upper: AShare, d: number): AShare {
  const index = new Map(upperPairs(d).map(([j, k], t) => [`${j},${k}`, t]));
  const at = (i: number, j: number): number => index.get(i <= j ? `${i},${j}` : `${j},${i}`)!;
  const order = Array.from({ length: d * d }, (_, t) => at(Math.floor(t / d), t % d));
  return new AShare(
    BigUint64Array.from(order, (t) => upper.a[t]),
    BigUint64Array.from(order, (t) => upper.b[t]),
  );
}
