/**
 * All inner products between two lists of equal-length vectors: out[i * right.length + j] =
 * <left[i], right[j]> (ABY3 §5.2: the local 3-term products are summed before the reshare).
 * One round and 8 bytes per output, whatever the vectors' length; no operand is copied or
 * repeated, which matters when one side is, say, a hundred one-hot columns of a million rows.
 */

import { UsageError } from '../../errors.js';
import type { Session } from '../session.js';
import { AShare } from '../shares.js';

export async function innerProducts(s: Session, left: readonly AShare[], right: readonly AShare[]): Promise<AShare> {
  const n = left.length > 0 ? left[0].length : right.length > 0 ? right[0].length : 0;
  for (const v of [...left, ...right]) if (v.length !== n) throw new UsageError(`innerProducts: vectors differ in length (${v.length} vs ${n})`);
  const z = s.zeroShare(left.length * right.length);
  const sums = right.map((y) => {
    const t = new BigUint64Array(n);
    for (let i = 0; i < n; i++) t[i] = y.a[i] + y.b[i];
    return t;
  });
  const acc = new BigUint64Array(1);
  left.forEach((x, i) => {
    right.forEach((y, j) => {
      acc[0] = z[i * right.length + j];
      localTerms(acc, x.a, x.b, sums[j], y.a);
      z[i * right.length + j] = acc[0];
    });
  });
  return new AShare(z, await s.reshare(z));
}

/** acc[0] += sum_i xa[i] * (ya[i] + yb[i]) + xb[i] * ya[i]. */
function localTerms(acc: BigUint64Array, xa: BigUint64Array, xb: BigUint64Array, ySum: BigUint64Array, ya: BigUint64Array): void {
  // The accumulator stays in a typed array: a BigInt carried across iterations is not lowered.
  for (let i = 0; i < xa.length; i++) acc[0] += xa[i] * ySum[i] + xb[i] * ya[i];
}
