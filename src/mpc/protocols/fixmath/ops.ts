/**
 * Arithmetic building blocks of the fixed-point functions: public constants, local linear
 * combinations, batched products, sums of products with one (fused) truncation, product trees.
 *
 * Costs per element and party: a product is 8 bytes and 1 round (arith.ts mul); a sum of any
 * number of products is also 8 bytes and 1 round (only the sum is reshared, ABY3 §5.2); fused
 * with a truncation by m bits it is 8 + W bytes and 3 rounds, W = 2, 4 or 8 for m <= 16, <= 32
 * or above (trunc.ts: the exact-wrap truncation of
 * trunc.ts with rotating roles; error at most one unit in the last place, no failure
 * probability for |value| < 2^62).
 */

import { UsageError } from '../../../errors.js';
import type { PartyId } from '../../party.js';
import type { Session } from '../../session.js';
import { AShare } from '../../shares.js';
import { addKernel, addProductKernel, combineInto } from '../kernels.js';
import { truncate } from '../trunc.js';

/** round(c * 2^bits) as a ring element; refuses values a double cannot place exactly enough. */
export function fixedConstant(c: number, bits: number): bigint {
  const scaled = c * 2 ** bits;
  if (!Number.isFinite(scaled) || Math.abs(scaled) >= 2 ** 62) throw new UsageError(`constant ${c} with ${bits} fraction bits does not fit 62 bits`);
  return BigInt(Math.round(scaled));
}

/** sum_k coefficient_k * x_k + constant, locally (public integer coefficients). */
export function linearA(me: PartyId, n: number, terms: readonly (readonly [AShare, bigint])[], constant = 0n): AShare {
  const a = new BigUint64Array(n), b = new BigUint64Array(n);
  combineInto(
    a,
    terms.map(([x, c]) => [x.a, c] as const),
    me === 0 ? constant : 0n,
  );
  combineInto(
    b,
    terms.map(([x, c]) => [x.b, c] as const),
    me === 2 ? constant : 0n,
  );
  return new AShare(a, b);
}

/**
 * This party's terms of x_k * y_k for every pair, side by side in one vector: masked by the
 * zero-sharing when they are reshared, plain when they go to truncate (which masks them).
 */
function localProducts(s: Session, pairs: readonly (readonly [AShare, AShare])[], masked: boolean): BigUint64Array {
  const total = pairs.reduce((t, p) => t + p[0].length, 0);
  const z = masked ? s.zeroShare(total) : new BigUint64Array(total);
  let o = 0;
  for (const [x, y] of pairs) {
    if (x.length !== y.length) throw new UsageError(`product of ${x.length} and ${y.length} elements`);
    addProductKernel(z.subarray(o, o + x.length), x.a, x.b, y.a, y.b);
    o += x.length;
  }
  return z;
}

function splitShares(a: BigUint64Array, b: BigUint64Array, pairs: readonly (readonly [AShare, AShare])[]): AShare[] {
  let o = 0;
  return pairs.map(([x]) => {
    const share = new AShare(a.subarray(o, o + x.length), b.subarray(o, o + x.length));
    o += x.length;
    return share;
  });
}

/** Exact element-wise products of several pairs in one round (8 bytes per product). */
export async function mulMany(s: Session, pairs: readonly (readonly [AShare, AShare])[]): Promise<AShare[]> {
  const z = localProducts(s, pairs, true);
  return splitShares(z, await s.reshare(z), pairs);
}

/**
 * sum_k x_k * y_k + linear, element-wise, then truncated by m bits (m = 0: no truncation).
 * m > 0: 3 rounds, 8 + W bytes per element (every party; W as above); m = 0: 1 round, 8 bytes. The sum must
 * lie in (-2^62, 2^62) for the truncation to be exact within one unit.
 */
export async function sumOfProducts(s: Session, pairs: readonly (readonly [AShare, AShare])[], m: number, linear?: AShare): Promise<AShare> {
  const n = pairs.length > 0 ? pairs[0][0].length : linear!.length;
  // Reshared (m = 0): masked by the zero-sharing; truncated: truncate masks what it sends.
  const z = m === 0 ? s.zeroShare(n) : new BigUint64Array(n);
  for (const [x, y] of pairs) {
    if (x.length !== n || y.length !== n) throw new UsageError(`sumOfProducts: operands of ${x.length} and ${y.length} elements, expected ${n}`);
    addProductKernel(z, x.a, x.b, y.a, y.b);
  }
  if (linear) addKernel(z, linear.a);
  if (m === 0) return new AShare(z, await s.reshare(z));
  return truncate(s, z, m);
}

/** Products x_k * y_k truncated by m bits, all pairs in one batch (3 rounds, 8 + W bytes each). */
export async function mulTruncMany(s: Session, pairs: readonly (readonly [AShare, AShare])[], m: number): Promise<AShare[]> {
  const y = await truncate(s, localProducts(s, pairs, false), m);
  return splitShares(y.a, y.b, pairs);
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

/** Truncation of a replicated share by m bits (3 rounds, 16/3 + W bytes per element and party). */
export function truncShare(s: Session, x: AShare, m: number): Promise<AShare> {
  return truncate(s, x.a, m, x.b);
}
