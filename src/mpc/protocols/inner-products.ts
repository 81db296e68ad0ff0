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
  const R = right.length;
  // y_a + y_b of every right vector: working memory that stays in this party (mpc/scratch.ts).
  const scratch = s.party.scratch.take(R * n);
  try {
    const sums = right.map((y, j) => {
      const t = scratch.subarray(j * n, (j + 1) * n);
      sumKernel(t, y.a, y.b);
      return t;
    });
    const acc = new BigUint64Array(4);
    left.forEach((x, i) => {
      // Four right vectors per pass over x: x's components are loaded once for four products.
      for (let j = 0; j < R; j += 4) {
        const at = i * R + j;
        if (j + 4 <= R) {
          acc.set(z.subarray(at, at + 4));
          localTerms4(acc, x.a, x.b, sums[j], right[j].a, sums[j + 1], right[j + 1].a, sums[j + 2], right[j + 2].a, sums[j + 3], right[j + 3].a);
          z.set(acc, at);
        } else if (R - j === 3) {
          acc.set(z.subarray(at, at + 3));
          localTerms3(acc, x.a, x.b, sums[j], right[j].a, sums[j + 1], right[j + 1].a, sums[j + 2], right[j + 2].a);
          z.set(acc.subarray(0, 3), at);
        } else if (R - j === 2) {
          acc.set(z.subarray(at, at + 2));
          localTerms2(acc, x.a, x.b, sums[j], right[j].a, sums[j + 1], right[j + 1].a);
          z.set(acc.subarray(0, 2), at);
        } else {
          acc[0] = z[at];
          localTerms(acc, x.a, x.b, sums[j], right[j].a);
          z[at] = acc[0];
        }
      }
    });
  } finally {
    s.party.scratch.give(scratch);
  }
  return new AShare(z, await s.reshare(z));
}

function sumKernel(out: BigUint64Array, a: BigUint64Array, b: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
}

/** acc[0] += sum_i xa[i] * (ya[i] + yb[i]) + xb[i] * ya[i]. */
function localTerms(acc: BigUint64Array, xa: BigUint64Array, xb: BigUint64Array, ySum: BigUint64Array, ya: BigUint64Array): void {
  // The accumulator stays in a typed array: a BigInt carried across iterations is not lowered.
  for (let i = 0; i < xa.length; i++) acc[0] += xa[i] * ySum[i] + xb[i] * ya[i];
}

/** localTerms for two right vectors at once (acc[0..1]): the remainder of four. */
function localTerms2(acc: BigUint64Array, xa: BigUint64Array, xb: BigUint64Array, s0: BigUint64Array, y0: BigUint64Array, s1: BigUint64Array, y1: BigUint64Array): void {
  for (let i = 0; i < xa.length; i++) {
    const p = xa[i], q = xb[i];
    acc[0] += p * s0[i] + q * y0[i];
    acc[1] += p * s1[i] + q * y1[i];
  }
}

/** localTerms for three right vectors at once (acc[0..2]): the remainder of four (packed sums often leave one). */
function localTerms3(acc: BigUint64Array, xa: BigUint64Array, xb: BigUint64Array, s0: BigUint64Array, y0: BigUint64Array, s1: BigUint64Array, y1: BigUint64Array, s2: BigUint64Array, y2: BigUint64Array): void {
  for (let i = 0; i < xa.length; i++) {
    const p = xa[i], q = xb[i];
    acc[0] += p * s0[i] + q * y0[i];
    acc[1] += p * s1[i] + q * y1[i];
    acc[2] += p * s2[i] + q * y2[i];
  }
}

/** localTerms for four right vectors at once (acc[0..3]). */
function localTerms4(acc: BigUint64Array, xa: BigUint64Array, xb: BigUint64Array, s0: BigUint64Array, y0: BigUint64Array, s1: BigUint64Array, y1: BigUint64Array, s2: BigUint64Array, y2: BigUint64Array, s3: BigUint64Array, y3: BigUint64Array): void {
  for (let i = 0; i < xa.length; i++) {
    const p = xa[i], q = xb[i];
    acc[0] += p * s0[i] + q * y0[i];
    acc[1] += p * s1[i] + q * y1[i];
    acc[2] += p * s2[i] + q * y2[i];
    acc[3] += p * s3[i] + q * y3[i];
  }
}
