/**
 * Fixed-point truncation: y = floor(z / 2^m) or floor(z / 2^m) + 1, for any z with
 * |z| < 2^62 (read as signed). The error is at most one unit in the last place and there is no
 * probability of a large error: unlike the probabilistic truncations (SecureML, ABY3 Π_trunc1),
 * the wrap-around of the mask is computed exactly, as in Dalskov, Escudero and Keller,
 * "Secure Evaluation of Quantized Neural Networks" (PETS 2020, the 3-party ring truncation;
 * MP-SPDZ's Replicated::trunc_pr). See also "Truncation Untangled" (PETS 2025).
 *
 * Idea: a = z + 2^62 lies in [0, 2^63). Parties 0 and 2 share a random mask r; party 1 learns
 * c = a + r (mod 2^64), uniformly random to it. Writing low(u) = u mod 2^63 and top(u) = bit 63,
 *   a = low(c) - low(r) + 2^63 * (top(c) XOR top(r)),
 * so a >> m = c' - r' + 2^(63-m) * (top(c) XOR top(r)) up to the carry of the dropped low bits,
 * with c' = low(c) >> m and r' = low(r) >> m. The only product of values held by different
 * parties is top(c)*top(r); it is split with a mask s from the PRG of parties 0 and 1.
 *
 * Messages (all vectors of n words):
 *   round 1: party 0 -> 1: z0 + 2^62 + r;  party 2 -> 1: z2 (unless party 1 already holds it);
 *            party 0 -> 2: -2^(64-m) * s * top(r) + mu
 *   round 2: party 1 -> 2: top(c) - s, and T - sigma with T = c' + 2^(63-m) * top(c)
 *   round 3: party 2 -> 1: (its round-1 value) - 2^(64-m) * (top(c) - s) * top(r) - nu
 * with r, nu from the PRG of parties 0 and 2 and s, sigma, mu from that of parties 0 and 1.
 * Result components: y0 = -r' + 2^(63-m) top(r) + nu - 2^(62-m) (parties 0, 2),
 * y1 = sigma - mu (parties 0, 1), y2 = T - sigma + (round-3 value) (parties 1, 2).
 * Party 0 receives nothing; everything party 1 or 2 receives is masked by a PRG output it
 * does not know. 3 rounds, 16 bytes sent per party per element.
 *
 * Fused with a multiplication (fxmul), the truncation replaces the multiplication's reshare:
 * still 3 rounds and 16 bytes per party in total.
 */

import { UsageError } from '../../errors.js';
import type { Session } from '../session.js';
import { AShare } from '../shares.js';
import { shiftRightBy } from '../../ring/bitops.js';
import { mulLocal } from './arith.js';

const OFFSET = 1n << 62n;
const LOW63 = (1n << 63n) - 1n;

/** low(u) >> m for each element: the top 63-m bits below bit 63. */
function lowShifted(u: BigUint64Array, m: number): BigUint64Array {
  const low = new BigUint64Array(u.length);
  for (let i = 0; i < u.length; i++) low[i] = u[i] & LOW63;
  return shiftRightBy(low, m, low);
}

/**
 * Truncates a 3-out-of-3 additive sharing (this party's value `z`) by `m` bits.
 * `z2AtParty1`: when party 1 already knows party 2's value (the additive sharing is the first
 * components of a replicated sharing, so party 1 holds z2 as `b`), every party passes true and
 * party 1 passes that value in `z2`; party 2 then sends nothing in the first round.
 */
export async function truncAdditive(s: Session, z: BigUint64Array, m: number, z2AtParty1: boolean, z2?: BigUint64Array): Promise<AShare> {
  if (!Number.isInteger(m) || m < 1 || m > 62) throw new UsageError(`truncation by ${m} bits: use 1 to 62`);
  const n = z.length;
  const M = BigInt(m);
  const up = 1n << (64n - M); // 2^(64-m): times a bit, the correction 2^(64-m)*top(c)*top(r)
  const half = 1n << (63n - M); // 2^(63-m)
  const offsetOut = 1n << (62n - M); // 2^(62-m), removes the offset 2^62 after the shift
  s.round();
  s.round();
  s.round();

  if (s.me === 0) {
    const r = s.prgPrev.words(n); // shared with party 2
    const nu = s.prgPrev.words(n);
    const sMask = s.prgNext.words(n); // shared with party 1
    const sigma = s.prgNext.words(n);
    const mu = s.prgNext.words(n);
    const rShift = lowShifted(r, m);
    const toP1 = new BigUint64Array(n), toP2 = new BigUint64Array(n), y1 = new BigUint64Array(n);
    // Each computed BigInt is used once: V8 compiles reused ones to slow heap arithmetic.
    for (let i = 0; i < n; i++) {
      toP1[i] = z[i] + OFFSET + r[i];
      toP2[i] = mu[i] - up * sMask[i] * (r[i] >> 63n);
      nu[i] = nu[i] + half * (r[i] >> 63n) - rShift[i] - offsetOut; // becomes y0
      y1[i] = sigma[i] - mu[i];
    }
    s.send(1, toP1, true);
    s.send(2, toP2, true);
    return new AShare(nu, y1);
  }

  if (s.me === 1) {
    const sMask = s.prgPrev.words(n); // shared with party 0
    const sigma = s.prgPrev.words(n);
    const mu = s.prgPrev.words(n);
    const fromP0 = await s.recv(0, n);
    if (z2AtParty1 && !z2) throw new UsageError('truncAdditive: party 1 must pass z2');
    const zOf2 = z2AtParty1 ? z2! : await s.recv(2, n);
    const c = new BigUint64Array(n);
    for (let i = 0; i < n; i++) c[i] = fromP0[i] + z[i] + zOf2[i];
    const cShift = lowShifted(c, m);
    const toP2 = new BigUint64Array(2 * n);
    const y1 = new BigUint64Array(n);
    for (let i = 0; i < n; i++) {
      toP2[i] = (c[i] >> 63n) - sMask[i];
      toP2[n + i] = cShift[i] + half * (c[i] >> 63n) - sigma[i]; // T - sigma
      y1[i] = sigma[i] - mu[i];
    }
    s.send(2, toP2);
    const fromP2 = await s.recv(2, n);
    const y2 = new BigUint64Array(n);
    for (let i = 0; i < n; i++) y2[i] = toP2[n + i] + fromP2[i];
    return new AShare(y1, y2);
  }

  // Party 2.
  const r = s.prgNext.words(n); // shared with party 0
  const nu = s.prgNext.words(n);
  const rShift = lowShifted(r, m);
  if (!z2AtParty1) s.send(1, z);
  const fromP0 = await s.recv(0, n);
  const fromP1 = await s.recv(1, 2 * n);
  const toP1 = new BigUint64Array(n), y2 = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    toP1[i] = fromP0[i] - up * fromP1[i] * (r[i] >> 63n) - nu[i];
    y2[i] = fromP1[n + i] + toP1[i];
    nu[i] = nu[i] + half * (r[i] >> 63n) - rShift[i] - offsetOut; // becomes y0
  }
  s.send(1, toP1, true);
  return new AShare(y2, nu);
}

/** Truncates replicated shares by m bits (error at most one unit in the last place). 3 rounds. */
export async function trunc(s: Session, x: AShare, m: number): Promise<AShare> {
  return truncAdditive(s, x.a, m, true, s.me === 1 ? x.b : undefined);
}

/**
 * Fixed-point product: (x * y) >> f, with the truncation fused into the multiplication.
 * Requires |x * y| < 2^62 as integers (e.g. |x|, |y| < 2^(31-f) in real value with f
 * fraction bits... see docs/engine.md for the bit budget). 3 rounds, 16 bytes per party.
 */
export async function fxmul(s: Session, x: AShare, y: AShare, f: number): Promise<AShare> {
  return truncAdditive(s, mulLocal(s, x, y), f, false);
}
