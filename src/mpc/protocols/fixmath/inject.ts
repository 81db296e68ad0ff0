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

import { bitMasks } from '../../../ring/planes.js';
import type { Session } from '../../session.js';
import { AShare, type BitShare } from '../../shares.js';
import { chunkBounds, roleIn } from './roles.js';

/** Masks (all ones / zero) of component `which` of the concatenated bits [start, end). */
function masksOf(bits: readonly BitShare[], which: 'a' | 'b', start: number, end: number, out: BigUint64Array): void {
  let offset = 0;
  for (const b of bits) {
    const lo = Math.max(start, offset), hi = Math.min(end, offset + b.length);
    if (lo < hi) bitMasks(b[which], lo - offset, hi - offset, out, lo - start);
    offset += b.length;
  }
}

function fill(prg: Session['prgNext'], out: BigUint64Array): BigUint64Array {
  prg.fill(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
  return out;
}

/** Arithmetic 0/1 shares of every bit of every vector, in one batch. 2 rounds. */
export async function injectBits(s: Session, bits: readonly BitShare[]): Promise<AShare[]> {
  const N = bits.reduce((t, b) => t + b.length, 0);
  const bounds = chunkBounds(N);
  const chunkOf = (role: 0 | 1 | 2): number => [0, 1, 2].find((k) => roleIn(s.me, k) === role)!;
  const kP = chunkOf(0), kQ = chunkOf(1), kR = chunkOf(2);
  const [p0, p1] = [bounds[kP], bounds[kP + 1]], [q0, q1] = [bounds[kQ], bounds[kQ + 1]], [r0, r1] = [bounds[kR], bounds[kR + 1]];
  const lenP = p1 - p0, lenQ = q1 - q0, lenR = r1 - r0;
  const outA = new BigUint64Array(N), outB = new BigUint64Array(N);

  // Working memory that never leaves the party (see ScratchPool).
  const scratch = s.party.scratch.take(3 * lenP + 3 * lenQ + 2 * lenR);
  try {
    let o = 0;
    const part = (len: number): BigUint64Array => scratch.subarray(o, (o += len));
    const rhoP = part(lenP), d1P = part(lenP), r02P = part(lenP);
    const aQ = part(lenQ), bQ = part(lenQ), d1Q = part(lenQ);
    const rhoR = part(lenR), r02R = part(lenR);

    // Draw every stream in chunk order, so that both holders of a stream draw the same amounts
    // in the same order whatever the message schedule. r01 goes straight into the outputs.
    for (let k = 0; k < 3; k++) {
      const role = roleIn(s.me, k);
      if (role === 0) {
        fill(s.prgNext, d1P);
        fill(s.prgNext, outB.subarray(p0, p1));
        fill(s.prgPrev, r02P);
      } else if (role === 1) {
        fill(s.prgPrev, d1Q);
        fill(s.prgPrev, outA.subarray(q0, q1));
      } else {
        fill(s.prgNext, r02R);
      }
    }
    masksOf(bits, 'a', p0, p1, rhoP); // rho = c0 is party P's a component
    masksOf(bits, 'a', q0, q1, aQ);
    masksOf(bits, 'b', q0, q1, bQ);
    masksOf(bits, 'b', r0, r1, rhoR); // and party R's b component

    // Round 1. As Q: d2 = d - d1 to the next party (R). As P: z0 to the previous party (R).
    s.round();
    const d2 = new BigUint64Array(lenQ);
    for (let i = 0; i < lenQ; i++) d2[i] = ((aQ[i] ^ bQ[i]) & 1n) - d1Q[i];
    s.send(s.next, d2);
    const z0 = new BigUint64Array(lenP);
    const r01P = outB.subarray(p0, p1);
    for (let i = 0; i < lenP; i++) z0[i] = ((d1P[i] ^ rhoP[i]) - rhoP[i]) - r01P[i] + r02P[i]; // d1 (1 - 2 rho) - r01 + r02
    for (let i = 0; i < lenP; i++) outA[p0 + i] = z0[i] + (rhoP[i] & 1n);
    s.send(s.prev, z0);
    const d2R = await s.recv(s.prev, lenR);
    const z0R = await s.recv(s.next, lenR);

    // Round 2. As R: z2 = d2 (1 - 2 rho) - r02 to the previous party (Q).
    s.round();
    const z2 = new BigUint64Array(lenR);
    for (let i = 0; i < lenR; i++) z2[i] = ((d2R[i] ^ rhoR[i]) - rhoR[i]) - r02R[i];
    outA.set(z2, r0);
    for (let i = 0; i < lenR; i++) outB[r0 + i] = z0R[i] + (rhoR[i] & 1n);
    s.send(s.prev, z2);
    outB.set(await s.recv(s.next, lenQ), q0);
  } finally {
    s.party.scratch.give(scratch);
  }

  const out: AShare[] = [];
  let offset = 0;
  for (const b of bits) {
    out.push(new AShare(outA.subarray(offset, offset + b.length), outB.subarray(offset, offset + b.length)));
    offset += b.length;
  }
  return out;
}
