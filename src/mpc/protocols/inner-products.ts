/**
 * All inner products between two lists of equal-length vectors: out[i * right.length + j] =
 * <left[i], right[j]> (ABY3 §5.2: the local 3-term products are summed before the reshare).
 * One round and 8 bytes per output, whatever the vectors' length; no operand is copied or
 * repeated, which matters when one side is, say, a hundred one-hot columns of a million rows.
 * The local terms are summed by a WebAssembly kernel (inner-terms.ts).
 */

import { UsageError } from '../../errors.js';
import type { Session } from '../session.js';
import { AShare } from '../shares.js';
import { addCombinedInnerTerms, type RightCombination } from './inner-terms.js';

export async function innerProducts(s: Session, left: readonly AShare[], right: readonly AShare[]): Promise<AShare> {
  return (await innerProductsAndTotals(s, left, right)).products;
}

/**
 * innerProducts, and each right vector's sum over the rows (local, read in the same pass):
 * rightTotals[j] = Σ_k right[j][k], which one-hot.ts needs for its derived last indicator.
 */
export async function innerProductsAndTotals(s: Session, left: readonly AShare[], right: readonly AShare[]): Promise<{ products: AShare; rightTotals: AShare[] }> {
  return innerProductsOfCombinations(s, left, right, right.map((_, j) => ({ terms: [[j, 1n]] })));
}

/**
 * innerProductsAndTotals with right[j] = rights[j], a public linear combination of the `base`
 * vectors (inner-terms.ts RightCombination), formed in the kernel's memory chunk by chunk and
 * never stored: packed bins and derived indicators cost no pass over JavaScript memory.
 */
export async function innerProductsOfCombinations(s: Session, left: readonly AShare[], base: readonly AShare[], rights: readonly RightCombination[]): Promise<{ products: AShare; rightTotals: AShare[] }> {
  const n = left.length > 0 ? left[0].length : base.length > 0 ? base[0].length : 0;
  for (const v of [...left, ...base]) if (v.length !== n) throw new UsageError(`innerProducts: vectors differ in length (${v.length} vs ${n})`);
  const z = s.zeroShare(left.length * rights.length);
  const totals = new BigUint64Array(2 * rights.length);
  addCombinedInnerTerms(z, left, base, rights, n, totals);
  const rightTotals = rights.map((_, j) => new AShare(totals.subarray(2 * j, 2 * j + 1), totals.subarray(2 * j + 1, 2 * j + 2)));
  return { products: new AShare(z, await s.reshare(z)), rightTotals };
}
