/**
 * Conversions between arithmetic and binary sharing (ABY3 §5.3).
 *
 * a2b: x = v + w with v = x0 + x1 input by party 0 in binary and w = x2 free (as in the
 *   comparisons); then a full 64-bit adder: G = v & w, P = v ^ w, then a Kogge-Stone prefix
 *   G_i ^= P_i & G_{i-s}, P_i &= P_{i-s} for s = 1, 2, ..., 32, both ANDs of a level in one
 *   round. Sum = v ^ w ^ (G << 1). 8 rounds, 8 + 8 + 5*16 + 8 = 104 bytes per element (party 0:
 *   112).
 * b2a: components y1 (parties 0,1) and y2 (parties 1,2) are drawn from the pairwise PRGs;
 *   party 1 inputs t = -(y1 + y2) in binary, the adder computes y0 = x + t in binary, and y0 is
 *   opened to its two holders, parties 0 and 2. 9 rounds.
 * bitInject: see inject.ts (2 rounds, 8 bytes per bit per party, roles rotated).
 */

import { POW2 } from '../../ring/bitops.js';
import type { Session } from '../session.js';
import { AShare, BShare, BitShare } from '../shares.js';
import { andShiftedLevel, andWords } from './binary.js';
import { splitAddends } from './compare.js';
import { inputBinary } from './io.js';
import { injectBits } from './inject.js';
import { xor2 } from './kernels.js';

/** Binary sharing of v + w (64-bit words) by a Kogge-Stone adder. 7 rounds. */
export async function addBinary(s: Session, v: BShare, w: BShare): Promise<BShare> {
  const n = v.length;
  const [ga, gb] = await andWords(s, v.a, v.b, w.a, w.b);
  // The initial propagate words are also the half-sum v ^ w; later levels replace pa/pb.
  const sumA = xor2(v.a, w.a), sumB = xor2(v.b, w.b);
  let pa: BigUint64Array = sumA, pb: BigUint64Array = sumB;
  for (let shift = 1; shift < 64; shift <<= 1) {
    const both = shift !== 32; // the last level needs no new P
    const [za, zb] = await andShiftedLevel(s, pa, pb, ga, gb, POW2[shift], both);
    xorInto(ga, za, n);
    xorInto(gb, zb, n);
    if (both) {
      pa = za.subarray(n);
      pb = zb.subarray(n);
    }
  }
  addCarries(sumA, ga);
  addCarries(sumB, gb);
  return new BShare(sumA, sumB);
}


function xorInto(target: BigUint64Array, src: BigUint64Array, n: number): void {
  for (let i = 0; i < n; i++) target[i] ^= src[i];
}

/** sum ^= carries << 1: G_i is the carry out of bit i, i.e. into bit i+1. */
function addCarries(sum: BigUint64Array, g: BigUint64Array): void {
  for (let i = 0; i < sum.length; i++) sum[i] ^= g[i] << 1n;
}

/** Arithmetic to binary sharing of each 64-bit element. 8 rounds. */
export async function a2b(s: Session, x: AShare): Promise<BShare> {
  const [v, w] = await splitAddends(s, x);
  return addBinary(s, v, w);
}

/** Binary to arithmetic sharing of each 64-bit element. 9 rounds. */
export async function b2a(s: Session, x: BShare): Promise<AShare> {
  const n = x.length;
  // y1 is component 1 (held by parties 0 and 1), y2 component 2 (parties 1 and 2).
  let y1: BigUint64Array | undefined, y2: BigUint64Array | undefined;
  if (s.me === 0) y1 = s.prgNext.words(n);
  if (s.me === 1) {
    y1 = s.prgPrev.words(n);
    y2 = s.prgNext.words(n);
  }
  if (s.me === 2) y2 = s.prgPrev.words(n);
  let t: BShare;
  if (s.me === 1) {
    const neg = new BigUint64Array(n);
    for (let i = 0; i < n; i++) neg[i] = -(y1![i] + y2![i]);
    t = await inputBinary(s, 1, neg);
  } else {
    t = await inputBinary(s, 1, n);
  }
  const y0 = await addBinary(s, x, t);
  // Open y0 to parties 0 and 2. Party 0 holds binary components (0, 1) and lacks 2, which
  // party 2 holds as `a`; party 2 holds (2, 0) and lacks 1, which party 0 holds as `b`.
  s.round();
  if (s.me === 0) {
    s.send(2, y0.b);
    const c2 = await s.recv(2, n);
    const v = new BigUint64Array(n);
    for (let i = 0; i < n; i++) v[i] = y0.a[i] ^ y0.b[i] ^ c2[i];
    s.releaseWords(2, c2); // read for the last time: its memory back to the link
    return new AShare(v, y1!);
  }
  if (s.me === 2) {
    s.send(0, y0.a);
    const c1 = await s.recv(0, n);
    const v = new BigUint64Array(n);
    for (let i = 0; i < n; i++) v[i] = y0.a[i] ^ y0.b[i] ^ c1[i];
    s.releaseWords(0, c1); // read for the last time: its memory back to the link
    return new AShare(y2!, v);
  }
  return new AShare(y1!, y2!);
}

/** Shared bits (packed) to arithmetic shares of 0/1 (inject.ts). 2 rounds, 8 bytes per bit per party. */
export async function bitInject(s: Session, b: BitShare): Promise<AShare> {
  return (await injectBits(s, [b]))[0];
}
