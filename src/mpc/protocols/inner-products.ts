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
import { addInnerTerms } from './inner-terms.js';

export async function innerProducts(s: Session, left: readonly AShare[], right: readonly AShare[]): Promise<AShare> {
  const n = left.length > 0 ? left[0].length : right.length > 0 ? right[0].length : 0;
  for (const v of [...left, ...right]) if (v.length !== n) throw new UsageError(`innerProducts: vectors differ in length (${v.length} vs ${n})`);
  const z = s.zeroShare(left.length * right.length);
  addInnerTerms(z, left, right, n);
  return new AShare(z, await s.reshare(z));
}
