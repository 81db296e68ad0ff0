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
 *   round 1: party 0 -> 1: z0 + 2^62 + r - rho;  party 2 -> 1: z2 + rho (unless party 1 already
 *            holds z2; then no rho and party 0 sends z0 + 2^62 + r);
 *            party 0 -> 2: -2^(64-m) * s * top(r) + mu
 *   round 2: party 1 -> 2: top(c) - s, and T - sigma with T = c' + 2^(63-m) * top(c)
 *   round 3: party 2 -> 1: (its round-1 value) - 2^(64-m) * (top(c) - s) * top(r) - nu
 * with r, nu, rho from the PRG of parties 0 and 2 and s, sigma, mu from that of parties 0 and 1.
 * rho hides z2 from party 1, so the input shares need no re-randomisation: an additive sharing
 * whose parts are plain local products (no zero-sharing) is fine, which is what fxmul passes.
 * Result components: y0 = -r' + 2^(63-m) top(r) + nu - 2^(62-m) (parties 0, 2),
 * y1 = sigma - mu (parties 0, 1), y2 = T - sigma + (round-3 value) (parties 1, 2).
 * Party 0 receives nothing; everything party 1 or 2 receives is masked by a PRG output it
 * does not know. 3 rounds, 16 bytes sent per party per element.
 *
 * Fused with a multiplication (fxmul), the truncation replaces the multiplication's reshare:
 * still 3 rounds and 16 bytes per party in total, and the products skip the multiplication's
 * zero-sharing (rho masks the one product share that is sent in the clear otherwise): 2/3 of a
 * PRG word per element and party instead of 2.
 *
 * Why not a one-round probabilistic truncation (ABY3 §5.1.1, SecureML): with a uniform mask it
 * errs by ~2^(64-m) with probability ~|z|/2^64 per element, i.e. up to 1/4 for the |z| < 2^62
 * that fxmul promises (fixmath's bit budgets use that whole range); it is safe only with a gap of
 * ~40 bits (|z| < 2^24), which no caller's budget allows.
 *
 * Implementation: the roles above rotate over thirds of the vector (roles.ts): in chunk k,
 * party k plays "party 0" (6 PRG words per element), k+1 "party 1" (3) and k+2 "party 2" (3), so
 * every party draws 4 words per element (10/3 for a replicated input) and sends the same bytes (16 per element for an
 * additive input, 13.3 for a replicated one). Working arrays come from the scratch pool, and
 * low(u) >> m is computed on 32-bit halves with integer shifts. Every loop is a small function
 * of its own (V8 compiles a long async function loop by loop and keeps falling back): about
 * 2.5 times less CPU than a straightforward version.
 */

import { UsageError } from '../../errors.js';
import type { Prg } from '../../crypto/prg.js';
import type { Session } from '../session.js';
import { AShare } from '../shares.js';
import { chunkBounds, roleIn } from './roles.js';

const OFFSET = 1n << 62n;

function fill(prg: Prg, out: BigUint64Array): BigUint64Array {
  prg.fill(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
  return out;
}

/** out = (u mod 2^63) >> m on 32-bit halves (1 <= m <= 62). */
function lowShifted(u: BigUint64Array, m: number, out: BigUint64Array): void {
  const s32 = new Uint32Array(u.buffer, u.byteOffset, 2 * u.length);
  const o32 = new Uint32Array(out.buffer, out.byteOffset, 2 * out.length);
  const n = u.length;
  if (m >= 32) {
    const k = m - 32;
    for (let i = 0; i < n; i++) {
      o32[2 * i] = (s32[2 * i + 1] & 0x7fffffff) >>> k;
      o32[2 * i + 1] = 0;
    }
  } else {
    const back = 32 - m;
    for (let i = 0; i < n; i++) {
      const hi = s32[2 * i + 1] & 0x7fffffff;
      o32[2 * i] = (s32[2 * i] >>> m) | (hi << back);
      o32[2 * i + 1] = hi >>> m;
    }
  }
}

// Element loops as small functions (see kernels.ts).

function maskKernel(toQ: BigUint64Array, z: BigUint64Array, r: BigUint64Array): void {
  for (let i = 0; i < toQ.length; i++) toQ[i] = z[i] + OFFSET + r[i];
}

/** toQ = z + 2^62 + r - rho, in place on rho (as P, when R sends z_R + rho). */
function maskKernelRho(rho: BigUint64Array, z: BigUint64Array, r: BigUint64Array): void {
  for (let i = 0; i < rho.length; i++) rho[i] = z[i] + OFFSET + r[i] - rho[i];
}

/** out = z + rho (as R). */
function hideKernel(out: BigUint64Array, z: BigUint64Array, rho: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = z[i] + rho[i];
}

/** out = xa (ya + yb) + xb ya: this party's share of x y, not re-randomised. */
function productKernel(out: BigUint64Array, xa: BigUint64Array, xb: BigUint64Array, ya: BigUint64Array, yb: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = xa[i] * (ya[i] + yb[i]) + xb[i] * ya[i];
}

function correctionKernel(toR: BigUint64Array, mu: BigUint64Array, sMask: BigUint64Array, r: BigUint64Array, up: bigint): void {
  for (let i = 0; i < toR.length; i++) toR[i] = mu[i] - up * sMask[i] * (r[i] >> 63n);
}

/** y0 = nu + 2^(63-m) top(r) - low(r) >> m - 2^(62-m), in place on nu. */
function y0Kernel(nu: BigUint64Array, r: BigUint64Array, shifted: BigUint64Array, half: bigint, offsetOut: bigint): void {
  for (let i = 0; i < nu.length; i++) nu[i] = nu[i] + half * (r[i] >> 63n) - shifted[i] - offsetOut;
}

function differenceKernel(out: BigUint64Array, a: BigUint64Array, b: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] - b[i];
}

function sum3Kernel(out: BigUint64Array, a: BigUint64Array, b: BigUint64Array, c: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i] + c[i];
}

/** As Q: [top(c) - s, T - sigma] with T = low(c) >> m + 2^(63-m) top(c). */
function revealKernel(toR2: BigUint64Array, c: BigUint64Array, shifted: BigUint64Array, sMask: BigUint64Array, sigma: BigUint64Array, half: bigint): void {
  const n = c.length;
  for (let i = 0; i < n; i++) {
    toR2[i] = (c[i] >> 63n) - sMask[i];
    toR2[n + i] = shifted[i] + half * (c[i] >> 63n) - sigma[i];
  }
}

/** As R: v = (mu - up s top(r)) - up (top(c) - s) top(r) - nu. */
function settleKernel(v: BigUint64Array, fromP: BigUint64Array, fromQ: BigUint64Array, r: BigUint64Array, nu: BigUint64Array, up: bigint): void {
  for (let i = 0; i < v.length; i++) v[i] = fromP[i] - up * fromQ[i] * (r[i] >> 63n) - nu[i];
}

function addTwoKernel(out: BigUint64Array, a: BigUint64Array, b: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
}

/**
 * Truncates by m bits the value whose additive share this party holds in `mine` (3-out-of-3).
 * When the input is a replicated share x, pass mine = x.a and nextValue = x.b (the next
 * party's value): then nobody sends it. 3 rounds.
 */
export async function truncate(s: Session, mine: BigUint64Array, m: number, nextValue?: BigUint64Array): Promise<AShare> {
  if (!Number.isInteger(m) || m < 1 || m > 62) throw new UsageError(`truncation by ${m} bits: use 1 to 62`);
  if (nextValue && nextValue.length !== mine.length) throw new UsageError('truncate: the components differ in length');
  const n = mine.length;
  const M = BigInt(m);
  const up = 1n << (64n - M); // 2^(64-m), times top(c) top(r)
  const half = 1n << (63n - M); // 2^(63-m)
  const offsetOut = 1n << (62n - M); // removes the offset 2^62 after the shift
  const bounds = chunkBounds(n);
  const range = (k: number): [number, number] => [bounds[k], bounds[k + 1]];
  const chunkAs = (role: 0 | 1 | 2): number => [0, 1, 2].find((k) => roleIn(s.me, k) === role)!;
  const [p0, p1] = range(chunkAs(0)), [q0, q1] = range(chunkAs(1)), [r0, r1] = range(chunkAs(2));
  const lenP = p1 - p0, lenQ = q1 - q0, lenR = r1 - r0;
  const outA = new BigUint64Array(n), outB = new BigUint64Array(n);

  const scratch = s.party.scratch.take(4 * lenP + 5 * lenQ + 3 * lenR);
  try {
    let o = 0;
    const part = (len: number): BigUint64Array => scratch.subarray(o, (o += len));
    const rP = part(lenP), sP = part(lenP), muP = part(lenP), shiftP = part(lenP);
    const sQ = part(lenQ), sigmaQ = part(lenQ), muQ = part(lenQ), cQ = part(lenQ), shiftQ = part(lenQ);
    const rR = part(lenR), shiftR = part(lenR), rhoR = part(nextValue ? 0 : lenR);
    // As P, rho is drawn straight into the message it ends up in.
    const toQ = new BigUint64Array(lenP);
    // As "party 0" the outputs are (y0, y1) = (nu + ..., sigma - mu); as "party 2" (y2, y0).
    const y0P = outA.subarray(p0, p1), y1P = outB.subarray(p0, p1);
    const y0R = outB.subarray(r0, r1);

    // Every stream is drawn in chunk order (see injectBits).
    for (let k = 0; k < 3; k++) {
      const role = roleIn(s.me, k);
      if (role === 0) {
        fill(s.prgPrev, rP);
        fill(s.prgPrev, y0P); // nu
        if (!nextValue) fill(s.prgPrev, toQ); // rho
        fill(s.prgNext, sP);
        fill(s.prgNext, y1P); // sigma
        fill(s.prgNext, muP);
      } else if (role === 1) {
        fill(s.prgPrev, sQ);
        fill(s.prgPrev, sigmaQ);
        fill(s.prgPrev, muQ);
      } else {
        fill(s.prgNext, rR);
        fill(s.prgNext, y0R); // nu
        fill(s.prgNext, rhoR);
      }
    }
    s.round();
    s.round();
    s.round();

    // Round 1. As P: z + 2^62 + r (- rho) to Q (next) and mu - 2^(64-m) s top(r) to R (prev).
    // As R: its value + rho to Q (prev), unless Q holds it.
    if (nextValue) maskKernel(toQ, mine.subarray(p0, p1), rP);
    else maskKernelRho(toQ, mine.subarray(p0, p1), rP);
    s.send(s.next, toQ, true); // fresh and never read again: move it
    const toR = new BigUint64Array(lenP + (nextValue ? 0 : lenR));
    correctionKernel(toR.subarray(0, lenP), muP, sP, rP, up);
    if (!nextValue) hideKernel(toR.subarray(lenP), mine.subarray(r0, r1), rhoR);
    s.send(s.prev, toR, true);
    lowShifted(rP, m, shiftP);
    y0Kernel(y0P, rP, shiftP, half, offsetOut);
    differenceKernel(y1P, y1P, muP);
    lowShifted(rR, m, shiftR);

    // Round 2. As Q: c = (z_P + 2^62 + r) + z_Q + z_R; top(c) - s and T - sigma to R (next).
    const fromP = await s.recv(s.prev, lenQ);
    const fromNext = await s.recv(s.next, lenR + (nextValue ? 0 : lenQ));
    const zR = nextValue ? nextValue.subarray(q0, q1) : fromNext.subarray(lenR);
    sum3Kernel(cQ, fromP, mine.subarray(q0, q1), zR);
    lowShifted(cQ, m, shiftQ);
    const toR2 = new BigUint64Array(2 * lenQ);
    revealKernel(toR2, cQ, shiftQ, sQ, sigmaQ, half);
    differenceKernel(outA.subarray(q0, q1), sigmaQ, muQ);
    const tMinusSigma = cQ; // c is no longer needed: keep T - sigma for y2, then move toR2
    tMinusSigma.set(toR2.subarray(lenQ));
    s.send(s.next, toR2, true);

    // Round 3. As R: v to Q (prev); y2 = (T - sigma) + v.
    const fromQ = await s.recv(s.prev, 2 * lenR);
    const v = new BigUint64Array(lenR);
    settleKernel(v, fromNext.subarray(0, lenR), fromQ.subarray(0, lenR), rR, y0R, up); // y0R holds nu
    addTwoKernel(outA.subarray(r0, r1), fromQ.subarray(lenR), v);
    s.send(s.prev, v, true);
    y0Kernel(y0R, rR, shiftR, half, offsetOut);

    // As Q: y2 = (T - sigma) + v.
    const fromR = await s.recv(s.next, lenQ);
    addTwoKernel(outB.subarray(q0, q1), tMinusSigma, fromR);
  } finally {
    s.party.scratch.give(scratch);
  }
  return new AShare(outA, outB);
}

/**
 * Truncates by m bits a 3-out-of-3 additive sharing (this party's value `z`; it need not be
 * re-randomised). 3 rounds, 16 bytes per party per element.
 */
export function truncAdditive(s: Session, z: BigUint64Array, m: number): Promise<AShare> {
  return truncate(s, z, m);
}

/** Truncates replicated shares by m bits (error at most one unit in the last place). 3 rounds. */
export function trunc(s: Session, x: AShare, m: number): Promise<AShare> {
  return truncate(s, x.a, m, x.b);
}

/**
 * Fixed-point product: (x * y) >> f, with the truncation fused into the multiplication.
 * Requires |x * y| < 2^62 as integers (with f fraction bits: |x_real * y_real| < 2^(62-2f)).
 * 3 rounds, 16 bytes per party.
 */
export async function fxmul(s: Session, x: AShare, y: AShare, f: number): Promise<AShare> {
  if (x.length !== y.length) throw new UsageError(`fxmul: operands differ in length (${x.length} vs ${y.length})`);
  // The plain local products (no zero-sharing: truncate masks the one share it sends in the
  // clear), in pool memory: they never leave the party.
  const z = s.party.scratch.take(x.length);
  try {
    productKernel(z, x.a, x.b, y.a, y.b);
    return await truncate(s, z, f);
  } finally {
    s.party.scratch.give(z);
  }
}
