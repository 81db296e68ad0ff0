/** Shared helpers for the oblivious kernels' tests: shared bits and multiset comparison. */
import fc from 'fast-check';
import { packBits } from '../../../src/ring/bits.js';
import { inputBinary } from '../../../src/mpc/protocols/io.js';
import type { Session } from '../../../src/mpc/session.js';
import { BitShare } from '../../../src/mpc/shares.js';

/** Packed shared bits from party `owner`. */
export async function secretBits(s: Session, bits: readonly number[], owner: 0 | 1 | 2 = 0): Promise<BitShare> {
  const words = packBits(bits).words;
  const b = await inputBinary(s, owner, s.me === owner ? words : words.length);
  return new BitShare(b.a, b.b, bits.length);
}

/** Predicate bits: often all 0 or all 1, otherwise random. */
export function predicateBits(n: number): fc.Arbitrary<number[]> {
  return fc.oneof(
    fc.constant(new Array<number>(n).fill(0)),
    fc.constant(new Array<number>(n).fill(1)),
    fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
  );
}

/** Rows as sorted strings, for comparing outputs whose row order is random. */
export function rowSet(columns: readonly (readonly bigint[] | BigUint64Array)[]): string[] {
  const n = columns.length === 0 ? 0 : columns[0].length;
  return Array.from({ length: n }, (_, i) => columns.map((c) => String(c[i])).join(':')).sort();
}

/** Keys with many duplicates and a skewed distribution (one very frequent key). */
export function skewedKeys(maxLength: number, pool: readonly bigint[]): fc.Arbitrary<bigint[]> {
  return fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(pool[0]) }, { weight: 4, arbitrary: fc.constantFrom(...pool) }), { maxLength });
}
