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
 * Messages (vectors of n elements; e, d and w in W-bit words, see below):
 *   round 1: party 0 -> 1: z0 + 2^62 + r - rho;  party 2 -> 1: z2 + rho (unless party 1 already
 *            holds z2; then no rho and party 0 sends z0 + 2^62 + r);
 *            party 0 -> 2: e = mu - s * top(r)  (mod 2^m)
 *   round 2: party 1 -> 2: d = top(c) - s  (mod 2^m), and T - sigma with T = c' + 2^(63-m) * top(c)
 *   round 3: party 2 -> 1: w = e - d * top(r) - nu  (mod 2^m)
 * with r, nu, rho from the PRG of parties 0 and 2 and s, sigma, mu from that of parties 0 and 1.
 * rho hides z2 from party 1, so the input shares need no re-randomisation: an additive sharing
 * whose parts are plain local products (no zero-sharing) is fine, which is what fxmul passes.
 * Result components: y0 = 2^(64-m) nu - r' + 2^(63-m) top(r) - 2^(62-m) (parties 0, 2),
 * y1 = sigma - 2^(64-m) mu (parties 0, 1), y2 = T - sigma + 2^(64-m) w (parties 1, 2); they sum
 * to c' - r' + 2^(63-m) (top(c) XOR top(r)) - 2^(62-m) = a >> m (+1 from the dropped low bits).
 *
 * Short messages: e, d and w enter the result only multiplied by 2^(64-m), so only their
 * residues mod 2^m matter. They travel as W-bit words, W = 16 for m <= 16, 32 for m <= 32, 64
 * above, computed mod 2^W with W-bit masks (trunc-narrow.ts): e is uniform to party 2 by mu, d
 * by s (independently), w to party 1 by nu, in every bit. The result is the same value mod 2^64
 * as with 64-bit messages and masks (the exactness above is unchanged). y0 stays uniform: 2^(63-m) top(r) - r' runs over 2^(64-m) consecutive values and
 * 2^(64-m) nu covers the rest. Party 0 receives nothing; everything party 1 or 2 receives is
 * masked by a PRG output it does not know. 3 rounds; per party and element, 8 + W bytes for an
 * additive input and 16/3 + W for a replicated one, W = 2, 4 or 8 bytes as above (10 and 7.3
 * for fxmul's m = 16, against 16 and 13.3 when these three messages were 64-bit words).
 *
 * Fused with a multiplication (fxmul), the truncation replaces the multiplication's reshare:
 * still 3 rounds, and the products skip the multiplication's zero-sharing (rho masks the one
 * product share that is sent in the clear otherwise): 2/3 of a PRG word per element and party
 * instead of 2.
 *
 * Why not a one-round probabilistic truncation (ABY3 §5.1.1, SecureML): with a uniform mask it
 * errs by ~2^(64-m) with probability ~|z|/2^64 per element, i.e. up to 1/4 for the |z| < 2^62
 * that fxmul promises (fixmath's bit budgets use that whole range); it is safe only with a gap of
 * ~40 bits (|z| < 2^24), which no caller's budget allows.
 *
 * Implementation: the roles above rotate over thirds of the vector (roles.ts): in chunk k,
 * party k plays "party 0", k+1 "party 1" and k+2 "party 2", so every party sends the same bytes
 * and draws the same keystream: r, nu, rho and sigma are PRG words, s and mu W-bit words (for
 * m <= 16: 4.5 words per element as "party 0", 1.5 as "party 1", 3 as "party 2", 3 on average,
 * 7/3 for a replicated input; 4 and 10/3 with 64-bit s and mu).
 * Working arrays and the messages come from the scratch pool (sent without transfer: the link
 * copies them before send returns), and low(u) >> m is computed on 32-bit halves with integer
 * shifts. Every loop is a small function of its own (V8 compiles a long async function loop by
 * loop and keeps falling back): about 2.5 times less CPU than a straightforward version.
 */

import { UsageError } from '../../errors.js';
import type { Prg } from '../../crypto/prg.js';
import type { Session } from '../session.js';
import { AShare } from '../shares.js';
import { uninitializedWords } from '../../ring/z64.js';
import { chunkBounds, roleIn } from './roles.js';
import { layout, parts, topBitMessages, wordsFor, type Narrow } from './trunc-narrow.js';

const OFFSET = 1n << 62n;

function fill(prg: Prg, out: BigUint64Array | Narrow): void {
  prg.fill(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
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

// The same three with the input z = xa (ya + yb) + xb ya, this party's plain share of x y
// (fxmul), evaluated where it is read instead of into a vector of its own first.

function maskProductRho(rho: BigUint64Array, xa: BigUint64Array, xb: BigUint64Array, ya: BigUint64Array, yb: BigUint64Array, r: BigUint64Array): void {
  for (let i = 0; i < rho.length; i++) rho[i] = xa[i] * (ya[i] + yb[i]) + xb[i] * ya[i] + OFFSET + r[i] - rho[i];
}

function hideProduct(out: BigUint64Array, xa: BigUint64Array, xb: BigUint64Array, ya: BigUint64Array, yb: BigUint64Array, rho: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = xa[i] * (ya[i] + yb[i]) + xb[i] * ya[i] + rho[i];
}

function sum3Product(out: BigUint64Array, a: BigUint64Array, xa: BigUint64Array, xb: BigUint64Array, ya: BigUint64Array, yb: BigUint64Array, c: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] + xa[i] * (ya[i] + yb[i]) + xb[i] * ya[i] + c[i];
}

/** This party's additive share of the value to truncate: a vector, or the plain local product of two replicated shares. */
type Additive = BigUint64Array | { readonly x: AShare; readonly y: AShare };

/** The four operand slices of a product input over [a, b). */
function operands(z: { readonly x: AShare; readonly y: AShare }, a: number, b: number): [BigUint64Array, BigUint64Array, BigUint64Array, BigUint64Array] {
  return [z.x.a.subarray(a, b), z.x.b.subarray(a, b), z.y.a.subarray(a, b), z.y.b.subarray(a, b)];
}

/** y0 = 2^(64-m) nu + 2^(63-m) top(r) - low(r) >> m - 2^(62-m), in place on nu. */
function y0Kernel(nu: BigUint64Array, r: BigUint64Array, shifted: BigUint64Array, up: bigint, half: bigint, offsetOut: bigint): void {
  for (let i = 0; i < nu.length; i++) nu[i] = up * nu[i] + half * (r[i] >> 63n) - shifted[i] - offsetOut;
}

function sum3Kernel(out: BigUint64Array, a: BigUint64Array, b: BigUint64Array, c: BigUint64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i] + c[i];
}

/** As Q: T - sigma with T = low(c) >> m + 2^(63-m) top(c). */
function tKernel(out: BigUint64Array, c: BigUint64Array, shifted: BigUint64Array, sigma: BigUint64Array, half: bigint): void {
  for (let i = 0; i < out.length; i++) out[i] = shifted[i] + half * (c[i] >> 63n) - sigma[i];
}

/**
 * Truncates by m bits the value whose additive share this party holds in `mine` (3-out-of-3).
 * When the input is a replicated share x, pass mine = x.a and nextValue = x.b (the next
 * party's value): then nobody sends it. 3 rounds.
 */
export function truncate(s: Session, mine: BigUint64Array, m: number, nextValue?: BigUint64Array): Promise<AShare> {
  return truncateShare(s, mine, m, nextValue);
}

async function truncateShare(s: Session, mine: Additive, m: number, nextValue?: BigUint64Array): Promise<AShare> {
  if (!Number.isInteger(m) || m < 1 || m > 62) throw new UsageError(`truncation by ${m} bits: use 1 to 62`);
  const n = mine instanceof BigUint64Array ? mine.length : mine.x.length;
  if (nextValue && (nextValue.length !== n || !(mine instanceof BigUint64Array))) throw new UsageError('truncate: the components differ in length');
  const M = BigInt(m);
  const up = 1n << (64n - M); // 2^(64-m)
  const half = 1n << (63n - M); // 2^(63-m)
  const offsetOut = 1n << (62n - M); // removes the offset 2^62 after the shift
  const k = topBitMessages(m);
  const bounds = chunkBounds(n);
  const range = (c: number): [number, number] => [bounds[c], bounds[c + 1]];
  const chunkAs = (role: 0 | 1 | 2): number => [0, 1, 2].find((c) => roleIn(s.me, c) === role)!;
  const [p0, p1] = range(chunkAs(0)), [q0, q1] = range(chunkAs(1)), [r0, r1] = range(chunkAs(2));
  const lenP = p1 - p0, lenQ = q1 - q0, lenR = r1 - r0;
  // Every word of both outputs is written below: no zero-fill.
  const outA = uninitializedWords(n), outB = uninitializedWords(n);
  // What this party sends to its previous party in round 1 (as R: z_R + rho, unless that party
  // holds z_R; as P: e) and to its next party in round 2 (as Q: T - sigma, d).
  const hidden = nextValue ? 0 : lenR;
  const toPrevWords = wordsFor(k, hidden, lenP), toNextWords = wordsFor(k, lenQ, lenQ), vWords = wordsFor(k, 0, lenR);

  const maskWordsP = wordsFor(k, 0, lenP), maskWordsQ = wordsFor(k, 0, lenQ);
  const scratch = s.party.scratch.take(3 * lenP + 2 * maskWordsP + 3 * lenQ + 2 * maskWordsQ + 3 * lenR + toPrevWords + toNextWords + vWords);
  try {
    let o = 0;
    const part = (len: number): BigUint64Array => scratch.subarray(o, (o += len));
    // s and mu matter mod 2^m only: drawn as W-bit words (trunc-narrow.ts).
    const narrow = (words: number, len: number): Narrow => layout(k, part(words), 0, len).narrow;
    const rP = part(lenP), shiftP = part(lenP), toQ = part(lenP);
    const sP = narrow(maskWordsP, lenP), muP = narrow(maskWordsP, lenP);
    const sQ = narrow(maskWordsQ, lenQ), muQ = narrow(maskWordsQ, lenQ);
    const sigmaQ = part(lenQ), cQ = part(lenQ), shiftQ = part(lenQ);
    const rR = part(lenR), shiftR = part(lenR), rhoR = part(nextValue ? 0 : lenR);
    // Messages live in pool memory too: sent without transfer, the link copies them at once.
    const toPrev = layout(k, part(toPrevWords), hidden, lenP);
    const toNext = layout(k, part(toNextWords), lenQ, lenQ);
    const toQfromR = layout(k, part(vWords), 0, lenR);
    // As "party 0" the outputs are (y0, y1) = (2^(64-m) nu + ..., sigma - 2^(64-m) mu); as
    // "party 2" (y2, y0). nu and sigma are drawn into them and finished in place.
    const y0P = outA.subarray(p0, p1), y1P = outB.subarray(p0, p1);
    const y0R = outB.subarray(r0, r1);

    // Every stream is drawn in chunk order (see injectBits).
    for (let c = 0; c < 3; c++) {
      const role = roleIn(s.me, c);
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

    // Round 1. As P: z + 2^62 + r (- rho) to Q (next) and e = mu - s top(r) to R (prev).
    // As R: its value + rho to Q (prev), unless Q holds it.
    if (!(mine instanceof BigUint64Array)) maskProductRho(toQ, ...operands(mine, p0, p1), rP);
    else if (nextValue) maskKernel(toQ, mine.subarray(p0, p1), rP);
    else maskKernelRho(toQ, mine.subarray(p0, p1), rP);
    s.send(s.next, toQ);
    if (!(mine instanceof BigUint64Array)) hideProduct(toPrev.wide, ...operands(mine, r0, r1), rhoR);
    else if (!nextValue) hideKernel(toPrev.wide, mine.subarray(r0, r1), rhoR);
    k.correction(toPrev.narrow, muP, sP, rP);
    s.sendBytes(s.prev, toPrev.bytes);
    lowShifted(rP, m, shiftP);
    y0Kernel(y0P, rP, shiftP, up, half, offsetOut);
    k.subScaled(y1P, y1P, muP);
    lowShifted(rR, m, shiftR);

    // Round 2. As Q: c = (z_P + 2^62 + r) + z_Q + z_R; T - sigma and d = top(c) - s to R (next).
    // Every message received is read to the end here and handed back to its link (release).
    const fromPBytes = await s.recvBytes(s.prev), fromNextBytes = await s.recvBytes(s.next);
    const fromP = parts(k, fromPBytes, lenQ, 0, s.prev);
    const fromNext = parts(k, fromNextBytes, nextValue ? 0 : lenQ, lenR, s.next);
    const zR = nextValue ? nextValue.subarray(q0, q1) : fromNext.wide;
    if (mine instanceof BigUint64Array) sum3Kernel(cQ, fromP.wide, mine.subarray(q0, q1), zR);
    else sum3Product(cQ, fromP.wide, ...operands(mine, q0, q1), zR);
    s.release(s.prev, fromPBytes);
    lowShifted(cQ, m, shiftQ);
    const tMinusSigma = toNext.wide; // kept for y2: the link copied the message
    tKernel(tMinusSigma, cQ, shiftQ, sigmaQ, half);
    k.reveal(toNext.narrow, cQ, sQ);
    s.sendBytes(s.next, toNext.bytes);
    k.subScaled(outA.subarray(q0, q1), sigmaQ, muQ);

    // Round 3. As R: w = e - d top(r) - nu to Q (prev); y2 = (T - sigma) + 2^(64-m) w.
    const fromQBytes = await s.recvBytes(s.prev);
    const fromQ = parts(k, fromQBytes, lenR, lenR, s.prev);
    k.settle(toQfromR.narrow, fromNext.narrow, fromQ.narrow, rR, y0R); // y0R holds nu
    s.release(s.next, fromNextBytes);
    s.sendBytes(s.prev, toQfromR.bytes);
    k.addScaled(outA.subarray(r0, r1), fromQ.wide, toQfromR.narrow);
    s.release(s.prev, fromQBytes);
    y0Kernel(y0R, rR, shiftR, up, half, offsetOut);

    // As Q: y2 = (T - sigma) + 2^(64-m) w.
    const fromRBytes = await s.recvBytes(s.next);
    k.addScaled(outB.subarray(q0, q1), tMinusSigma, parts(k, fromRBytes, 0, lenQ, s.next).narrow);
    s.release(s.next, fromRBytes);
  } finally {
    s.party.scratch.give(scratch);
  }
  return new AShare(outA, outB);
}

/**
 * Truncates by m bits a 3-out-of-3 additive sharing (this party's value `z`; it need not be
 * re-randomised). 3 rounds, 10 bytes per party per element for m <= 16 (12 up to 32, 16 above).
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
 * 3 rounds, 10 bytes per party and element for f <= 16 (12 up to 32, 16 above).
 */
export async function fxmul(s: Session, x: AShare, y: AShare, f: number): Promise<AShare> {
  if (x.length !== y.length) throw new UsageError(`fxmul: operands differ in length (${x.length} vs ${y.length})`);
  // The plain local products (no zero-sharing: truncate masks the one share it sends in the
  // clear), computed by the truncation's first kernels as they read them.
  return truncateShare(s, { x, y }, f);
}
