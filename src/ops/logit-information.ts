/**
 * The information matrix H = Xᵀ diag(w) X of a logistic fit (ops/logit.ts) from the design's
 * pairwise products u_jk = z_j z_k (j ≤ k), formed once before the iterations: every iteration
 * then needs only the d(d + 1)/2 inner products Σ_r u_jk,r w_r (one reshare of one element each)
 * instead of the products x·w of all d n design entries with their truncation (29.3 bytes per
 * row and coefficient and 4 rounds per iteration, the largest cost after the probabilities).
 *
 * Two exact forms, chosen at plan time from public facts (the predictors' declared ranges and the
 * input's row bound):
 *
 * - **Integer products** (when they fit, the common case): predictor j enters as the integer
 *   x_j − c_j (stored units, |x_j − c_j| ≤ 2^k_j, so z_j = (x_j − c_j)/2^k_j), and u_jk is the
 *   exact integer (x_j − c_j)(x_k − c_k), a number with k_j + k_k fraction bits, shifted locally
 *   to the common K = max (k_j + k_k) (the intercept has k = 0). One product per pair (one round,
 *   8 bytes) and nothing else: no truncation. H = Σ u w / 2^K (f fraction bits), one truncation
 *   per entry: within one unit 2^-f of its exact value at the secret w. Needs
 *   Σ |u w| ≤ maxRows 2^(K + f − 2) < 2^62 (w = pq ≤ 1/4, exactly 1/4 at β = 0; a group's e_g w no more): maxRows <
 *   2^(64 − K − f). At predictors declared over 2,000 stored units (k = 11) and f = 24 that is
 *   below 2^18 rows; hundredths in [−10, 10] (k = 10) below 2^20.
 * - **Split products** (otherwise): z_j at fx fraction bits (|z| ≤ 1); u_jk exactly (2 fx fraction
 *   bits, one round, 8 bytes), then split into a part rounded to fx bits (one truncation: 3
 *   rounds, 13.3 bytes each) and the exact rest (|rest| < 2^(fx + 1) units of 2^-2fx), both kept
 *   for every iteration. H = Σ high·w / 2^fx + Σ rest·w / 2^2fx, each sum truncated once (one
 *   unit 2^-f each), so H is within 2 units of its exact value at the secret w. Bits: the raw
 *   sums Σ high·w < n 2^(fx + f − 2) and Σ rest·w < n 2^(fx + 1 + f − 2) lie below 2^62 for
 *   n < 2^23 rows at fx = 16 and f = 24.
 *
 * Column 0 is the intercept 1 (or a single fit's mask v, ops/logit.ts), the others are already
 * multiplied by it, so u_0k is column k itself (v z_k = z_k) and only the (d − 1) d / 2 products
 * of the other columns are computed. A per-group fit passes the unmasked design and masks the
 * weights instead (one weight column per group: `information`). The integer products are kept as
 * mulMany returns them (views of one buffer) and the intercept's pairs are the design's columns
 * themselves: each pair's shift to 2^-K multiplies its sum (one element per iteration), never its
 * n rows. Memory: one vector of n shares per computed pair (two in the split form), 16 bytes per
 * element: 88 MB per node at 100K × 10.
 */

import { innerProducts } from '../mpc/protocols/inner-products.js';
import { mulMany, truncShare } from '../mpc/protocols/fixmath/ops.js';
import { parallel } from '../mpc/protocols/fixmath/parallel.js';
import type { Session } from '../mpc/session.js';
import { AShare, addA, concatA, mulPublicA, scaleA, splitA, subA, transposeA } from '../mpc/shares.js';

/** The pairs (j, k), j ≤ k, in the order of the upper triangle by rows. */
export function upperPairs(d: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let j = 0; j < d; j++) for (let k = j; k < d; k++) pairs.push([j, k]);
  return pairs;
}

/** The design's pairwise products, kept exactly (see the header), every pair of upperPairs(d), (d(d + 1)/2) × n by rows. */
export type DesignProducts =
  | {
      readonly kind: 'integer';
      /** u_jk as x_j − c_j times x_k − c_k (k_j + k_k fraction bits), views of the product buffer or of the design itself. */
      readonly products: readonly AShare[];
      /** 2^(K − k_j − k_k) per pair: applied to each pair's sum (one element), not to its n rows (an n-word copy per pair). */
      readonly scales: BigUint64Array;
      readonly fractionBits: number;
    }
  | { readonly kind: 'split'; readonly high: readonly AShare[]; readonly rest: readonly AShare[]; readonly fx: number };

/** The design as the operator holds it: the fx-bit columns and, for the integer form, the integers x − c and their k. */
export interface DesignColumns {
  /** z_j with fx fraction bits; column 0 the intercept (or validity) 2^fx. */
  readonly scaled: readonly AShare[];
  /** x_j − c_j (times v), column 0 the intercept 1 (or v). */
  readonly integers: readonly AShare[];
  /** k_j of each column (0 for the intercept). */
  readonly shifts: readonly number[];
  readonly fx: number;
}

/** The common fraction bits of the integer products, or undefined when their sums could leave 2^62 (then the split form). */
export function integerProductBits(shifts: readonly number[], maxRows: number, f: number): number | undefined {
  const K = 2 * Math.max(...shifts);
  return Math.log2(Math.max(1, maxRows)) + K + f - 2 < 62 ? K : undefined;
}

/** u_jk for every pair of upperPairs(d), in the integer form when `integerBits` is given, else split. */
export async function designProducts(s: Session, design: DesignColumns, integerBits: number | undefined): Promise<DesignProducts> {
  const pairs = upperPairs(design.scaled.length);
  const computed = pairs.filter(([j]) => j > 0);
  const n = design.scaled[0].length;
  if (integerBits !== undefined) {
    const { integers, shifts } = design;
    const exact = await mulMany(s, computed.map(([j, k]) => [integers[j], integers[k]] as const));
    let next = 0;
    const products = pairs.map(([j, k]) => (j === 0 ? integers[k] : exact[next++]));
    const scales = BigUint64Array.from(pairs, ([j, k]) => 1n << BigInt(integerBits - shifts[j] - shifts[k]));
    return { kind: 'integer', products, scales, fractionBits: integerBits };
  }
  const { scaled: columns, fx } = design;
  const exact = concatA(await mulMany(s, computed.map(([j, k]) => [columns[j], columns[k]] as const)));
  const rounded = await truncShare(s, exact, fx);
  const rest = subA(exact, scaleA(rounded, 1n << BigInt(fx)));
  let next = 0;
  const high = pairs.map(([j, k]) => (j === 0 ? columns[k] : rounded.slice(n * next, n * ++next)));
  return { kind: 'split', high, rest: rowsOf(rest, computed.length, n), fx };
}

/**
 * H_g = Σ_r u_r w_g,r with f fraction bits (the upper triangles, G × m by group) for the G weight
 * columns w_g (one for a single fit; a per-group fit's e_g·w, ops/logit.ts), each sum truncated
 * once (3 rounds), the inner products (one n × G matrix product) one round before. Also
 * truncates `alongside` (fx + f bits, here the gradients, their inner products started alongside
 * these) by fx, side by side.
 */
export async function information(s: Session, products: DesignProducts, weights: readonly AShare[], alongside: Promise<AShare>, d: number, fx: number): Promise<{ alongside: AShare; upper: AShare }> {
  const m = (d * (d + 1)) / 2;
  const G = weights.length;
  // Every sum below is pair-major (pair t, group g at t·G + g); the result goes group-major.
  if (products.kind === 'integer') {
    const sums = innerProducts(s, products.products, weights);
    const [alongsideRaw, sumsRaw] = [await alongside, mulPublicA(await sums, pairMajorScales(products.scales, G))];
    const [out, upper] = await parallel(
      s,
      (t) => truncShare(t, alongsideRaw, fx),
      (t) => truncShare(t, sumsRaw, products.fractionBits),
    );
    return { alongside: out, upper: transposeA(upper, m, G) };
  }
  const high = innerProducts(s, products.high, weights);
  const rest = innerProducts(s, products.rest, weights);
  const [alongsideRaw, highRaw, restRaw] = [await alongside, await high, await rest];
  const [first, second] = await parallel(
    s,
    (t) => truncShare(t, concatA([alongsideRaw, highRaw]), fx),
    (t) => truncShare(t, restRaw, 2 * fx),
  );
  const [out, highPart] = splitA(first, [alongsideRaw.length, m * G]);
  // The rest belongs to the pairs with j > 0: the last m − d entries of the upper triangle.
  return { alongside: out, upper: transposeA(addA(highPart, concatA([AShare.zeros(d * G), second])), m, G) };
}

/** Each pair's scale repeated for its G sums (pair-major, as the inner products come out). */
function pairMajorScales(scales: BigUint64Array, G: number): BigUint64Array {
  return BigUint64Array.from({ length: scales.length * G }, (_, t) => scales[Math.floor(t / G)]);
}

/** The `count` vectors of n elements side by side in `x` (views, no copies). */
function rowsOf(x: AShare, count: number, n: number): AShare[] {
  return Array.from({ length: count }, (_, t) => x.slice(t * n, (t + 1) * n));
}

/** The full d × d matrices by rows (G × d × d) from their upper triangles (G × m): a local rearrangement. */
export function symmetricFromUpper(upper: AShare, d: number, groups = 1): AShare {
  const m = (d * (d + 1)) / 2;
  const index = new Map(upperPairs(d).map(([j, k], t) => [`${j},${k}`, t]));
  const at = (i: number, j: number): number => index.get(i <= j ? `${i},${j}` : `${j},${i}`)!;
  const order = Array.from({ length: groups * d * d }, (_, t) => Math.floor(t / (d * d)) * m + at(Math.floor((t % (d * d)) / d), t % d));
  return new AShare(
    BigUint64Array.from(order, (t) => upper.a[t]),
    BigUint64Array.from(order, (t) => upper.b[t]),
  );
}
