/**
 * Less-than on arithmetic shares whose difference is known to be small: |x - y| < 2^(bits - 1)
 * for bits <= 33 (declared ranges tell the plan so, ops/predicate.ts). The sign of x - y is then
 * bit bits-1 of (x - y) mod 2^bits, and reducing shares mod 2^bits is local, so only the carry
 * into that bit is computed, over bits 0..bits-2, by one 32-bit carry tree (two elements per
 * word, carry-tree.ts) instead of the 63-bit one of compare.ts:
 *
 *   1. v + w = x - y (compare.ts splitAddends: 1 round, 8 bytes);
 *   2. g = v AND w on the low 32 bits, two elements per word (1 round, ~4 bytes);
 *   3. the tree over bits 0..bits-2, the bits above set to propagate (p = 1, g = 0) so the
 *      carry passes through them (5 rounds, ~8 bytes);
 *   4. sign = v_{bits-1} XOR w_{bits-1} XOR carry (local).
 *
 * 7 rounds and ~20 bytes per element, against 8 rounds and ~32 bytes for the 64-bit lt.
 */

import { UsageError } from '../../errors.js';
import { gatherBit, halves } from '../../ring/bitops.js';
import type { Session } from '../session.js';
import { AShare, BitShare, BShare } from '../shares.js';
import { andWords } from './binary.js';
import { carryTrees, paddedWords } from './carry-tree.js';
import { splitAddends } from './compare.js';

export const NARROW_MAX_BITS = 33;

/** x < y (x < 0 when y is omitted), exact when |x - y| < 2^(bits - 1), 2 <= bits <= 33. */
export async function ltNarrow(s: Session, x: AShare, y: AShare | undefined, bits: number): Promise<BitShare> {
  if (!Number.isInteger(bits) || bits < 2 || bits > NARROW_MAX_BITS) throw new UsageError(`ltNarrow: bits must be 2 to ${NARROW_MAX_BITS} (got ${bits})`);
  const n = x.length;
  const [v, w] = await splitAddends(s, x, y);
  const W = paddedWords(n, 32);
  const low = (1n << BigInt(bits - 1)) - 1n;
  // p = 1 above the carry group: a public 1 goes into XOR component 0 (party 0's a, party 2's b).
  const highOnes = 0xffffffffn & ~low;
  const pa = packLow(v.a, w.a, low, s.me === 0 ? highOnes : 0n, n, W);
  const pb = packLow(v.b, w.b, low, s.me === 2 ? highOnes : 0n, n, W);
  const [ga, gb] = await andWords(s, packLow(v.a, undefined, low, 0n, n, W), packLow(v.b, undefined, low, 0n, n, W), packLow(w.a, undefined, low, 0n, n, W), packLow(w.b, undefined, low, 0n, n, W));
  const [tree] = await carryTrees(s, [{ g: new BShare(ga, gb), p: new BShare(pa, pb), n, width: 32 }]);
  // The sign bit: bit bits-1 of v XOR w, XOR the carry into it.
  const signA = signBits(v.a, w.a, bits - 1, n), signB = signBits(v.b, w.b, bits - 1, n);
  for (let i = 0; i < tree.g.a.length; i++) {
    tree.g.a[i] ^= signA[i];
    tree.g.b[i] ^= signB[i];
  }
  return tree.g;
}

/**
 * ((v XOR w) AND low) OR constant (v alone when w is undefined), element i < W in the low half of
 * word i and element i >= W in the high half of word i - W (the 32-bit tree's layout). Plain
 * loops over typed arrays: V8 compiles them without boxing the BigInts.
 */
function packLow(v: BigUint64Array, w: BigUint64Array | undefined, low: bigint, constant: bigint, n: number, W: number): BigUint64Array {
  const out = new BigUint64Array(W);
  const lo = Math.min(n, W);
  if (w) {
    for (let i = 0; i < lo; i++) out[i] = ((v[i] ^ w[i]) & low) | constant;
    for (let i = W; i < n; i++) out[i - W] |= (((v[i] ^ w[i]) & low) | constant) << 32n;
  } else {
    for (let i = 0; i < lo; i++) out[i] = (v[i] & low) | constant;
    for (let i = W; i < n; i++) out[i - W] |= ((v[i] & low) | constant) << 32n;
  }
  return out;
}

/** Bit `bit` of v XOR w for every element, packed. */
function signBits(v: BigUint64Array, w: BigUint64Array, bit: number, n: number): BigUint64Array {
  const x = new BigUint64Array(n);
  for (let i = 0; i < n; i++) x[i] = v[i] ^ w[i];
  const out = new BigUint64Array((n + 63) >>> 6);
  gatherBit(halves(x), 0, n, bit, halves(out), 0);
  return out;
}
