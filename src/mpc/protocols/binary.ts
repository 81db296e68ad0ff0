/**
 * AND on binary (XOR) replicated shares: the boolean analogue of `mul`. Party i computes
 * z_i = x_i&y_i ^ x_i&y_{i+1} ^ x_{i+1}&y_i ^ alpha_i (alpha a binary zero-sharing) and sends it
 * to party i-1. One round; one bit sent per AND gate, 64 gates per word.
 */

import { UsageError } from '../../errors.js';
import type { Session } from '../session.js';
import { BShare, BitShare } from '../shares.js';
import { inChunks } from '../../ring/chunks.js';

/**
 * Local share of (xa,xb) AND (ya,yb), word-wise, masked by a fresh zero-sharing; written into
 * `into` (xa.length words, e.g. scratch memory the caller gives back) when given.
 */
export function andLocal(s: Session, xa: BigUint64Array, xb: BigUint64Array, ya: BigUint64Array, yb: BigUint64Array, into?: BigUint64Array): BigUint64Array {
  const n = xa.length;
  if (into && into.length !== n) throw new UsageError(`andLocal: the output holds ${into.length} words, the operands ${n}`);
  const z = into ? s.zeroShareXorInto(into) : s.zeroShareXor(n);
  // In pieces (ring/chunks.ts): the first AND of a process is often its largest.
  inChunks(n, (from, to) => andRange(z, xa, xb, ya, yb, from, to));
  return z;
}

function andRange(z: BigUint64Array, xa: BigUint64Array, xb: BigUint64Array, ya: BigUint64Array, yb: BigUint64Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const p = xa[i];
    z[i] ^= (p & (ya[i] ^ yb[i])) ^ (xb[i] & ya[i]);
  }
}

/**
 * One Kogge-Stone level in one round: [P & (G << s), P & (P << s)] (the second half only when
 * `both`), with the shifted operands computed on the fly (`up` = 2^s: a left shift by a variable
 * amount is a multiplication on V8's fast path).
 */
export async function andShiftedLevel(s: Session, pa: BigUint64Array, pb: BigUint64Array, ga: BigUint64Array, gb: BigUint64Array, up: bigint, both: boolean): Promise<[BigUint64Array, BigUint64Array]> {
  const n = pa.length;
  const z = s.zeroShareXor(both ? 2 * n : n);
  shiftedProducts(z, 0, pa, pb, ga, gb, up);
  if (both) shiftedProducts(z, n, pa, pb, pa, pb, up);
  return [z, await s.reshare(z)];
}

/** z[o+i] ^= local share of x & (y << s), for x = (xa, xb), y = (ya, yb). */
function shiftedProducts(z: BigUint64Array, o: number, xa: BigUint64Array, xb: BigUint64Array, ya: BigUint64Array, yb: BigUint64Array, up: bigint): void {
  for (let i = 0; i < xa.length; i++) z[o + i] ^= (xa[i] & ((ya[i] * up) ^ (yb[i] * up))) ^ (xb[i] & (ya[i] * up));
}

/**
 * AND of operand words given as components; one round. Returns the two components: the first
 * is `into` when given (it is sent without `transfer`, so the caller may reuse it once done),
 * the second the message received from the next party (Session.releaseWords hands it back).
 */
export async function andWords(s: Session, xa: BigUint64Array, xb: BigUint64Array, ya: BigUint64Array, yb: BigUint64Array, into?: BigUint64Array): Promise<[BigUint64Array, BigUint64Array]> {
  const z = andLocal(s, xa, xb, ya, yb, into);
  return [z, await s.reshare(z)];
}

export async function and(s: Session, x: BShare, y: BShare): Promise<BShare> {
  if (x.length !== y.length) throw new UsageError(`and: operands differ in length (${x.length} vs ${y.length})`);
  const [a, b] = await andWords(s, x.a, x.b, y.a, y.b);
  return new BShare(a, b);
}

export async function andBits(s: Session, x: BitShare, y: BitShare): Promise<BitShare> {
  if (x.length !== y.length) throw new UsageError(`andBits: operands differ in length (${x.length} vs ${y.length})`);
  const [a, b] = await andWords(s, x.a, x.b, y.a, y.b);
  return new BitShare(a, b, x.length);
}

/** x OR y = x ^ y ^ (x AND y). One round. */
export async function orBits(s: Session, x: BitShare, y: BitShare): Promise<BitShare> {
  const xy = await andBits(s, x, y);
  const n = x.a.length, a = new BigUint64Array(n), b = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = x.a[i] ^ y.a[i] ^ xy.a[i];
    b[i] = x.b[i] ^ y.b[i] ^ xy.b[i];
  }
  return new BitShare(a, b, x.length);
}
