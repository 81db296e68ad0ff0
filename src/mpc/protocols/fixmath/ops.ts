/**
 * Arithmetic building blocks of the fixed-point functions: public constants, local linear
 * combinations, batched products, sums of products with one (fused) truncation, product trees.
 *
 * Costs per element and party: a product is 8 bytes and 1 round (arith.ts mul); a sum of any
 * number of products is also 8 bytes and 1 round (only the sum is reshared, ABY3 §5.2); fused
 * with a truncation it is 16 bytes and 3 rounds (trunc.ts truncAdditive, exact-wrap, error at
 * most one unit in the last place, no failure probability for |value| < 2^62).
 */

import { UsageError } from '../../../errors.js';
import type { PartyId } from '../../party.js';
import type { Session } from '../../session.js';
import { AShare, concatA, splitA } from '../../shares.js';
import { mul } from '../arith.js';
import { truncAdditive } from '../trunc.js';

/** round(c * 2^bits) as a ring element; refuses values a double cannot place exactly enough. */
export function fixedConstant(c: number, bits: number): bigint {
  const scaled = c * 2 ** bits;
  if (!Number.isFinite(scaled) || Math.abs(scaled) >= 2 ** 62) throw new UsageError(`constant ${c} with ${bits} fraction bits does not fit 62 bits`);
  return BigInt(Math.round(scaled));
}

/**
 * sum_k coefficient_k * x_k + constant, locally (public integer coefficients). Inputs are taken
 * two at a time, so the output array is read and written once per pair (the loops are bound by
 * memory traffic, not by the multiplications).
 */
export function linearA(me: PartyId, n: number, terms: readonly (readonly [AShare, bigint])[], constant = 0n): AShare {
  const a = new BigUint64Array(n), b = new BigUint64Array(n);
  for (const [out, side] of [[a, 'a'], [b, 'b']] as const) {
    let k = 0;
    for (; k + 1 < terms.length; k += 2) {
      const x = terms[k][0][side], y = terms[k + 1][0][side];
      const cx = BigInt.asUintN(64, terms[k][1]), cy = BigInt.asUintN(64, terms[k + 1][1]);
      if (k === 0) for (let i = 0; i < n; i++) out[i] = x[i] * cx + y[i] * cy;
      else for (let i = 0; i < n; i++) out[i] += x[i] * cx + y[i] * cy;
    }
    if (k < terms.length) {
      const x = terms[k][0][side], cx = BigInt.asUintN(64, terms[k][1]);
      if (k === 0) for (let i = 0; i < n; i++) out[i] = x[i] * cx;
      else for (let i = 0; i < n; i++) out[i] += x[i] * cx;
    }
  }
  const c = BigInt.asUintN(64, constant);
  if (c !== 0n) {
    const target = me === 0 ? a : me === 2 ? b : undefined;
    if (target) for (let i = 0; i < n; i++) target[i] += c;
  }
  return new AShare(a, b);
}

/** Exact element-wise products of several pairs in one round (8 bytes per product). */
export async function mulMany(s: Session, pairs: readonly (readonly [AShare, AShare])[]): Promise<AShare[]> {
  if (pairs.length === 1) return [await mul(s, pairs[0][0], pairs[0][1])];
  const lengths = pairs.map((p) => p[0].length);
  const z = await mul(s, concatA(pairs.map((p) => p[0])), concatA(pairs.map((p) => p[1])));
  return splitA(z, lengths);
}

/**
 * sum_k x_k * y_k + linear, element-wise, then truncated by m bits (m = 0: no truncation).
 * m > 0: 3 rounds, 16 bytes per element (every party); m = 0: 1 round, 8 bytes. The sum must
 * lie in (-2^62, 2^62) for the truncation to be exact within one unit.
 */
export async function sumOfProducts(s: Session, pairs: readonly (readonly [AShare, AShare])[], m: number, linear?: AShare): Promise<AShare> {
  const n = pairs.length > 0 ? pairs[0][0].length : linear!.length;
  const z = s.zeroShare(n);
  for (const [x, y] of pairs) {
    if (x.length !== n || y.length !== n) throw new UsageError(`sumOfProducts: operands of ${x.length} and ${y.length} elements, expected ${n}`);
    const xa = x.a, xb = x.b, ya = y.a, yb = y.b;
    for (let i = 0; i < n; i++) z[i] += xa[i] * (ya[i] + yb[i]) + xb[i] * ya[i];
  }
  if (linear) for (let i = 0; i < n; i++) z[i] += linear.a[i];
  if (m === 0) return new AShare(z, await s.reshare(z));
  return truncAdditive(s, z, m, false);
}

/** Products x_k * y_k truncated by m bits, all pairs in one batch (3 rounds, 16 bytes each). */
export async function mulTruncMany(s: Session, pairs: readonly (readonly [AShare, AShare])[], m: number): Promise<AShare[]> {
  const lengths = pairs.map((p) => p[0].length);
  const x = concatA(pairs.map((p) => p[0])), y = concatA(pairs.map((p) => p[1]));
  return splitA(await sumOfProducts(s, [[x, y]], m), lengths);
}

/**
 * Exact products of several lists of leaves (integers: the caller guarantees every product fits
 * the ring), the trees advancing level by level together: one round per level of the deepest
 * tree, 8 bytes per multiplication.
 */
export async function productTrees(s: Session, trees: readonly (readonly AShare[])[]): Promise<AShare[]> {
  if (trees.some((t) => t.length === 0)) throw new UsageError('productTrees: empty tree');
  let levels = trees.map((t) => [...t]);
  while (levels.some((t) => t.length > 1)) {
    const pairs: [AShare, AShare][] = [];
    for (const t of levels) for (let i = 0; i + 1 < t.length; i += 2) pairs.push([t[i], t[i + 1]]);
    const products = await mulMany(s, pairs);
    let o = 0;
    levels = levels.map((t) => {
      const next = products.slice(o, o + (t.length >>> 1));
      o += t.length >>> 1;
      return t.length % 2 === 1 ? [...next, t[t.length - 1]] : next;
    });
  }
  return levels.map((t) => t[0]);
}

/** Exact product of all leaves (see productTrees). */
export async function productTree(s: Session, leaves: readonly AShare[]): Promise<AShare> {
  return (await productTrees(s, [leaves]))[0];
}
