/**
 * Bit injection (binary-shared bit -> arithmetic 0/1), 2 rounds and 8 bytes per bit per party.
 *
 * A shared bit is b = c0 ^ c1 ^ c2, party i holding (c_i, c_{i+1}). Party 1 knows
 * d = c1 ^ c2 and parties 0 and 2 both know rho = c0, so b = d ^ rho = rho + d * (1 - 2 rho).
 * rho is a free arithmetic sharing (component 0). For D = d * sigma with sigma = 1 - 2 rho:
 *   party 1 splits d = d1 + d2 with d1 from the PRG it shares with party 0 and sends d2 to
 *   party 2; party 0 computes A0 = d1 * sigma, party 2 computes A2 = d2 * sigma, so D = A0 + A2;
 *   turning that 2-party sum into replicated components costs one message each way:
 *   z1 = r01 (PRG of parties 0,1), z0 = A0 - r01 + r02 (party 0 -> party 2, in round 1),
 *   z2 = A2 - r02 (party 2 -> party 1, round 2), with r02 from the PRG of parties 0 and 2.
 * Components of b: (rho + z0, z1, z2). Party 2 sees d2 and z0, each masked by a stream of
 * parties 0 and 1 it does not know; party 1 sees z2, masked by r02; party 0 receives nothing.
 *
 * Compared with protocols/convert.ts bitInject (party 0 inputs c0^c1, then one multiplication:
 * 16 bytes for party 0, 8 for the others), this sends 24 bytes in all instead of 32, and with
 * the roles rotated over thirds of the batch (roles.ts) every party sends 8 bytes per bit.
 */

import { UsageError } from '../../errors.js';
import type { Session } from '../session.js';
import { AShare, type BitShare } from '../shares.js';
import { combineInto } from './kernels.js';
import { firstRole, secondRole, thirdRole } from './inject-kernels.js';
import { chunkBounds, roleIn } from './roles.js';

/** A linear combination sum_k c_k b_k + constant of injected bits (all of the same length). */
export interface BitCombination {
  readonly terms: readonly (readonly [bit: number, coefficient: bigint])[];
  readonly constant?: bigint;
}

function fill(prg: Session['prgNext'], out: BigUint64Array): BigUint64Array {
  prg.fill(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
  return out;
}

/**
 * Arithmetic 0/1 shares of every bit of every vector, in one batch. 2 rounds.
 *
 * `into`, when given, holds the outputs' components (2 words per bit, laid out as this function
 * chooses): a caller that drops the outputs soon (one-hot.ts, per block) lends memory from the
 * scratch pool. The components are computed in place there, with no copy into the outputs.
 */
export async function injectBits(s: Session, bits: readonly BitShare[], into?: BigUint64Array): Promise<AShare[]> {
  const N = bits.reduce((acc, b) => acc + b.length, 0);
  if (into && into.length < 2 * N) throw new UsageError(`injectBits: the output buffer holds ${into.length} words, the bits need ${2 * N}`);
  const thetaA = into ? into.subarray(0, N) : new BigUint64Array(N), thetaB = into ? into.subarray(N, 2 * N) : new BigUint64Array(N);
  await injectInto(s, bits, thetaA, thetaB);
  let at = 0;
  return bits.map((b) => new AShare(thetaA.subarray(at, at + b.length), thetaB.subarray(at, (at += b.length))));
}

/**
 * Linear combinations of injected bits, computed from the injected components without
 * materialising the 0/1 shares themselves. 2 rounds, 8 bytes per bit and party.
 *
 * `into`, when given, holds the outputs' components (2 * length words per output, in order):
 * a caller that drops the outputs soon (one-hot.ts, per block) lends memory from the scratch pool
 * instead of allocating it fresh, which the garbage collector would then have to free.
 */
export async function injectLinear(s: Session, bits: readonly BitShare[], outputs: readonly BitCombination[], into?: BigUint64Array): Promise<AShare[]> {
  const offsets: number[] = [];
  let N = 0;
  for (const b of bits) {
    offsets.push(N);
    N += b.length;
  }
  const lengths = outputs.map((out) => (out.terms.length > 0 ? bits[out.terms[0][0]].length : 0));
  const needed = 2 * lengths.reduce((x, y) => x + y, 0);
  if (into && into.length < needed) throw new UsageError(`injectLinear: the output buffer holds ${into.length} words, the outputs need ${needed}`);
  // The injected components of every bit: working memory that never leaves the party (ScratchPool).
  const theta = s.party.scratch.take(2 * N);
  try {
    const thetaA = theta.subarray(0, N), thetaB = theta.subarray(N, 2 * N);
    await injectInto(s, bits, thetaA, thetaB);
    let at = 0;
    const take = (n: number): BigUint64Array => (into ? into.subarray(at, (at += n)) : new BigUint64Array(n));
    return outputs.map((out, k) => {
      const n = lengths[k];
      const pick = (theta: BigUint64Array) => out.terms.map(([k, c]) => [theta.subarray(offsets[k], offsets[k] + bits[k].length), c] as const);
      const a = take(n), b = take(n);
      const constant = out.constant ?? 0n;
      combineInto(a, pick(thetaA), s.me === 0 ? constant : 0n);
      combineInto(b, pick(thetaB), s.me === 2 ? constant : 0n);
      return new AShare(a, b);
    });
  } finally {
    s.party.scratch.give(theta);
  }
}

/** The injected components of every bit (concatenated) into thetaA and thetaB (N words each). */
async function injectInto(s: Session, bits: readonly BitShare[], thetaA: BigUint64Array, thetaB: BigUint64Array): Promise<void> {
  const N = thetaA.length;
  const bounds = chunkBounds(N);
  const chunkOf = (role: 0 | 1 | 2): number => [0, 1, 2].find((k) => roleIn(s.me, k) === role)!;
  const kP = chunkOf(0), kQ = chunkOf(1), kR = chunkOf(2);
  const [p0, p1] = [bounds[kP], bounds[kP + 1]], [q0, q1] = [bounds[kQ], bounds[kQ + 1]], [r0, r1] = [bounds[kR], bounds[kR + 1]];
  const lenP = p1 - p0, lenQ = q1 - q0, lenR = r1 - r0;

  // Working memory (see ScratchPool): PRG draws and the messages, which are sent without
  // transfer (the link copies them before send returns), so no fresh vector per message. The
  // element loops run in wasm (inject-kernels.ts), reading the bits from the BitShares' words.
  const scratch = s.party.scratch.take(3 * lenP + 2 * lenQ + lenR);
  try {
    let o = 0;
    const part = (len: number): BigUint64Array => scratch.subarray(o, (o += len));
    const d1P = part(lenP), r02P = part(lenP);
    const d1Q = part(lenQ);
    const r02R = part(lenR);
    const d2 = part(lenQ), z0 = part(lenP);

    // Draw every stream in chunk order, so that both holders of a stream draw the same amounts
    // in the same order whatever the message schedule. r01 goes straight into the components.
    for (let k = 0; k < 3; k++) {
      const role = roleIn(s.me, k);
      if (role === 0) {
        fill(s.prgNext, d1P);
        fill(s.prgNext, thetaB.subarray(p0, p1));
        fill(s.prgPrev, r02P);
      } else if (role === 1) {
        fill(s.prgPrev, d1Q);
        fill(s.prgPrev, thetaA.subarray(q0, q1));
      } else {
        fill(s.prgNext, r02R);
      }
    }

    // Round 1. As Q: d2 = d - d1 (d = c1 ^ c2, Q's two components) to the next party (R).
    // As P: z0 to the previous party (R), and P's component a = z0 + rho (rho = c0, P's a).
    s.round();
    secondRole(d2, d1Q, { bits, start: q0, which: 'both' });
    s.send(s.next, d2);
    firstRole(z0, thetaA.subarray(p0, p1), d1P, thetaB.subarray(p0, p1), r02P, { bits, start: p0, which: 'a' });
    s.send(s.prev, z0);
    const d2R = await s.recv(s.prev, lenR);
    const z0R = await s.recv(s.next, lenR);

    // Round 2. As R: z2 = d2 (1 - 2 rho) - r02 to the previous party (Q), computed in place and
    // sent as a copy; R's component b = z0 + rho (rho = c0, R's b).
    s.round();
    const z2 = thetaA.subarray(r0, r1);
    thirdRole(z2, thetaB.subarray(r0, r1), d2R, z0R, r02R, { bits, start: r0, which: 'b' });
    s.send(s.prev, z2);
    const z2Q = await s.recv(s.next, lenQ);
    thetaB.set(z2Q, q0);
    // Every message is read to the end: its buffer goes back to the link, which receives the
    // next message of the same size into it (a block loop's next injection) instead of a fresh one.
    s.releaseWords(s.prev, d2R);
    s.releaseWords(s.next, z0R);
    s.releaseWords(s.next, z2Q);
  } finally {
    s.party.scratch.give(scratch);
  }
}
