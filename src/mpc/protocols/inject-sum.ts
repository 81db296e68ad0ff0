/**
 * Weighted sums of binary-shared bits as SECRET arithmetic shares: for each output o,
 * sum over its words w of 2^shift(w) · popcount(w), replicated over Z_2^64, nothing opened.
 * The last step of the packed popcount (popcount-packed.ts), whose carry-save tree leaves a
 * count as a few bit-sliced words per weight.
 *
 * The bit injection of count-ones.ts (after ABY3, Mohassel and Rindal, CCS 2018, §5.3), summed
 * before the second message: a shared bit is b = c0 ^ c1 ^ c2, party i holding (c_i, c_{i+1});
 * with roles P, Q, R rotated over thirds of the words (roles.ts), Q knows d = c1 ^ c2, P and R
 * both know rho = c0, and b = rho + d (1 − 2 rho). So:
 *
 *   1. Q splits every d = d1 + d2, d1 from the PRG it shares with P, and sends d2 to R
 *      (8 bytes per bit of its third; round 1);
 *   2. P adds sum 2^shift (rho + d1 (1 − 2 rho)) to its addend T, R adds sum 2^shift d2 (1 − 2 rho):
 *      T_0 + T_1 + T_2 = the weighted sum;
 *   3. the 3-out-of-3 addends become replicated shares by a reshare (arith.ts mul's last step):
 *      T_p plus a zero-sharing to the previous party (round 2).
 *
 * Views: R sees d − d1 with d1 from a stream of P and Q (uniform); the reshared addend is masked
 * by the stream of the sender and its next party, which the receiver does not hold (uniform).
 *
 * Cost: 2 rounds; 8/3 bytes per bit and party, plus 8 bytes per output.
 *
 * injectWeightedAddends stops after step 2 with the roles rotated over thirds of the outputs
 * (not of the words), so each output's sum is T_P + T_R, its P's and R's addends: a comparison
 * of the sums takes them as two addends (count-compare.ts), with no reshare in between.
 * 1 round; bytes as above, balanced over the parties when the outputs have alike word counts.
 */

import { UsageError } from '../../errors.js';
import { bitMasks } from '../../ring/planes.js';
import type { Session } from '../session.js';
import { AShare } from '../shares.js';
import { chunkBounds, roleIn } from './roles.js';

/** Binary-shared words (all 64 bits used) and the power of two that weighs each word's bits. */
export interface WeightedWords {
  readonly a: BigUint64Array;
  readonly b: BigUint64Array;
  readonly shifts: Uint8Array;
}

/** Per output, sum 2^shifts[w] · popcount(word w), as arithmetic shares (one element each). 2 rounds. */
export async function injectWeightedSums(s: Session, outputs: readonly WeightedWords[]): Promise<AShare> {
  const sums = await addends(s, outputs, chunkBounds(totalWords(outputs)), 0);
  // Round 2: the addends, re-randomised, to the previous party (a reshare).
  const zero = s.zeroShare(outputs.length);
  for (let k = 0; k < outputs.length; k++) zero[k] += sums[k];
  return new AShare(zero, await s.reshare(zero));
}

/**
 * Round 1 of injectWeightedSums with the roles rotated over thirds of the outputs instead of the
 * words: each output's sum is then T_P + T_R, the addends of its P and R alone (Q's is 0), each
 * known to its party. A comparison of the sums can take those two addends as they are, where the
 * replicated sums would need a second round and a split into two addends again
 * (count-compare.ts). 1 round; the same bytes, spread over the parties by outputs: with few
 * outputs unevenly (2 outputs: two parties send half each, the third nothing), so a caller that
 * injects repeatedly passes a different `rotation` each time (chunk k's P is party
 * (k + rotation) mod 3) and the parties' totals even out.
 */
export async function injectWeightedAddends(s: Session, outputs: readonly WeightedWords[], rotation = 0): Promise<WeightedAddends> {
  const byOutput = chunkBounds(outputs.length);
  const ends = [0];
  for (const o of outputs) ends.push(ends[ends.length - 1] + o.a.length);
  const sums = await addends(s, outputs, byOutput.map((o) => ends[o]) as [number, number, number, number], rotation);
  const roles = new Uint8Array(outputs.length);
  for (let k = 0; k < 3; k++) roles.fill(roleIn(s.me, (k + rotation) % 3), byOutput[k], byOutput[k + 1]);
  return { sums, roles };
}

/** Per output, this party's addend of its sum and its role there (0: P, 1: Q, 2: R). */
export interface WeightedAddends {
  readonly sums: BigUint64Array;
  readonly roles: Uint8Array;
}

function totalWords(outputs: readonly WeightedWords[]): number {
  let total = 0;
  for (const o of outputs) {
    if (o.a.length !== o.b.length || o.shifts.length !== o.a.length) throw new UsageError(`injectWeightedSums: ${o.a.length} and ${o.b.length} words with ${o.shifts.length} weights`);
    total += o.a.length;
  }
  return total;
}

/**
 * Round 1: per output, this party's addend T of the weighted sum (T_0 + T_1 + T_2 = the sum),
 * with the words in `bounds` chunk k processed with party (k + rotation) mod 3 as P.
 */
async function addends(s: Session, outputs: readonly WeightedWords[], bounds: readonly [number, number, number, number], rotation: number): Promise<BigUint64Array> {
  if (!Number.isInteger(rotation) || rotation < 0) throw new UsageError(`injectWeightedAddends: rotation ${rotation}`);
  const total = totalWords(outputs);
  const chunk = (role: 0 | 1 | 2): [number, number] => {
    const k = [0, 1, 2].find((c) => roleIn(s.me, (c + rotation) % 3) === role)!;
    return [bounds[k], bounds[k + 1]];
  };
  const [p0, p1] = chunk(0), [q0, q1] = chunk(1), [r0, r1] = chunk(2);
  const p = p1 - p0, q = q1 - q0, r = r1 - r0;
  // Every array below lives only inside this call (d1Q is sent without `transfer`: the link
  // copies it before send returns), so all of them are parts of one pooled lease (mpc/scratch.ts):
  // fresh ones here were ~200 bytes per selected word and half of describe's external memory
  // churn, which V8 pays for with full collections (docs/benchmarks.md, "s11-gc").
  const ownerWords = Math.ceil(total / 2);
  const lease = s.party.scratch.take(ownerWords + 3 * total + 64 * p + 64 * q + q + 64 * q + 64 * p + 64 * r);
  try {
    let at = 0;
    const part = (words: number): BigUint64Array => lease.subarray(at, (at += words));
    const ownerPart = part(ownerWords);
    // Every word's output and weight, over the concatenation of all outputs' words.
    const owner = new Int32Array(ownerPart.buffer, ownerPart.byteOffset, total), weight = part(total), wa = part(total), wb = part(total);
    let w0 = 0;
    outputs.forEach((o, k) => {
      for (let w = 0; w < o.a.length; w++, w0++) {
        owner[w0] = k;
        weight[w0] = 1n << BigInt(o.shifts[w]);
      }
      wa.set(o.a, w0 - o.a.length);
      wb.set(o.b, w0 - o.b.length);
    });
    // Streams drawn in a fixed order: as P, d1 from the stream shared with the next party (Q); as
    // Q, the same draws from the stream shared with the previous one.
    const d1P = draw(s.prgNext, part(64 * p)), d1Q = draw(s.prgPrev, part(64 * q));
    const sums = new BigUint64Array(outputs.length);

    // Round 1. As Q: d2 = d − d1 to the next party (R).
    s.round();
    const dQ = part(q);
    for (let w = q0; w < q1; w++) dQ[w - q0] = wa[w] ^ wb[w];
    const dMasks = part(64 * q);
    bitMasks(dQ, 0, 64 * q, dMasks);
    splitKernel(d1Q, dMasks);
    s.send(s.next, d1Q);
    // As P: sum 2^shift (rho + d1 (1 − 2 rho)), rho = c0 = P's a component.
    const rhoP = part(64 * p);
    bitMasks(wa.subarray(p0, p1), 0, 64 * p, rhoP);
    addendWithRhoKernel(sums, d1P, rhoP, owner, weight, p0);
    // As R: sum 2^shift d2 (1 − 2 rho), rho = R's b component.
    const d2 = await s.recv(s.prev, 64 * r);
    const rhoR = part(64 * r);
    bitMasks(wb.subarray(r0, r1), 0, 64 * r, rhoR);
    addendKernel(sums, d2, rhoR, owner, weight, r0);
    s.releaseWords(s.prev, d2);
    return sums;
  } finally {
    s.party.scratch.give(lease);
  }
}

/** `out` filled from the stream (every word overwritten). */
function draw(prg: Session['prgNext'], out: BigUint64Array): BigUint64Array {
  prg.fill(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
  return out;
}

// The loops live in small functions of their own (V8 optimises each as a whole).

/** d1[i] becomes d − d1[i] (d given as an all-ones / zero mask). */
function splitKernel(d1: BigUint64Array, d: BigUint64Array): void {
  for (let i = 0; i < d1.length; i++) d1[i] = (d[i] & 1n) - d1[i];
}

/**
 * sums[owner] += 2^shift · v (1 − 2 rho) over the bits of words from, from + 1, …;
 * v (1 − 2 rho) is v or −v without a branch on the share: (v ^ mask) − mask.
 * Two kernels, not one with a flag: each party runs both roles, and a BigInt expression with a
 * BigInt chosen by a flag stays on V8's slow path (measured: 60–100 against 2–6 ns per bit).
 */
function addendKernel(sums: BigUint64Array, v: BigUint64Array, rho: BigUint64Array, owner: Int32Array, weight: BigUint64Array, from: number): void {
  const acc = new BigUint64Array(1);
  const words = v.length >>> 6;
  for (let w = 0; w < words; w++) {
    acc[0] = 0n;
    for (let i = 64 * w; i < 64 * w + 64; i++) acc[0] += (v[i] ^ rho[i]) - rho[i];
    sums[owner[from + w]] += acc[0] * weight[from + w];
  }
}

/** As addendKernel, plus rho itself: sums[owner] += 2^shift · (rho + v (1 − 2 rho)). */
function addendWithRhoKernel(sums: BigUint64Array, v: BigUint64Array, rho: BigUint64Array, owner: Int32Array, weight: BigUint64Array, from: number): void {
  const acc = new BigUint64Array(1);
  const words = v.length >>> 6;
  for (let w = 0; w < words; w++) {
    acc[0] = 0n;
    for (let i = 64 * w; i < 64 * w + 64; i++) acc[0] += (v[i] ^ rho[i]) - rho[i] + (rho[i] & 1n);
    sums[owner[from + w]] += acc[0] * weight[from + w];
  }
}
