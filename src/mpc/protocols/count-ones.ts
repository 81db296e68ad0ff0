/**
 * The number of 1s among n binary-shared bits, opened to all three parties, and nothing else
 * about the bits. Compaction with no column to carry (mpc/oblivious/compact.ts: `SELECT count(*)
 * … WHERE`) needs only this count, which is what the shuffle-and-open would reveal anyway.
 *
 * The bit injection of protocols/inject.ts (after ABY3, Mohassel and Rindal, CCS 2018, §5.3),
 * summed before its second message: a shared bit is b = c0 ^ c1 ^ c2, party i holding
 * (c_i, c_{i+1}). Party 1 knows d = c1 ^ c2, parties 0 and 2 both know rho = c0, and
 * b = rho + d (1 - 2 rho). So, mod 2^32 (n < 2^32, so the count is exact):
 *
 *   1. party 1 splits every d = d1 + d2, d1 from the PRG it shares with party 0, and sends d2 to
 *      party 2 (4 bytes per bit, round 1);
 *   2. party 0 sums A0 = sum rho + sum d1 (1 - 2 rho), party 2 sums A2 = sum d2 (1 - 2 rho):
 *      A0 + A2 is the count;
 *   3. with the roles rotated over thirds of the bits (roles.ts), each party ends with one
 *      addend T_p of the count; it adds a zero-sharing (PRG with the next party minus PRG with
 *      the previous one) and sends T_p' to both others (round 2): T_0' + T_1' + T_2' = count.
 *
 * Views: the receiver of d2 sees d - d1 with d1 from a stream it does not know (uniform); the
 * T_p' are uniform subject to adding up to the count. Nothing but the count is learnt.
 *
 * Cost: 2 rounds; 4/3 bytes per bit and party (plus 8 bytes), against the shuffle and packed
 * opening of compact.ts: 4 rounds, 8 bytes per row (party 0: 16) and the permutations' work.
 */

import { ProtocolError, UsageError } from '../../errors.js';
import type { Session } from '../session.js';
import type { BitShare } from '../shares.js';
import { halves } from '../../ring/bitops.js';
import { chunkBounds, roleIn } from './roles.js';

/** The count of 1 bits of `bits` (public to all three parties). 2 rounds. */
export async function countOnes(s: Session, bits: BitShare): Promise<number> {
  const n = bits.length;
  if (n >= 2 ** 32) throw new UsageError(`countOnes: ${n} bits; at most 2^32 - 1 can be counted`);
  // Chunk boundaries at multiples of 32, so each chunk starts at a 32-bit word of the packed bits.
  const bounds = chunkBounds(n, 32);
  const range = (role: 0 | 1 | 2): [number, number] => {
    const k = [0, 1, 2].find((c) => roleIn(s.me, c) === role)!;
    return [bounds[k], bounds[k + 1]];
  };
  const [p0, p1] = range(0), [q0, q1] = range(1), [r0, r1] = range(2);
  const a = halves(bits.a), b = halves(bits.b);

  // Streams drawn in a fixed order: as P, d1 from the next party's stream; as Q, from the
  // previous one's (the same draws); then one word of each for the zero-sharing.
  const d1P = draw32(s.prgNext, p1 - p0), d1Q = draw32(s.prgPrev, q1 - q0);
  const zero = (draw32(s.prgNext, 1)[0] - draw32(s.prgPrev, 1)[0]) >>> 0;

  // Round 1. As Q: d2 = d - d1 to the next party (R).
  s.round();
  splitKernel(d1Q, a, b, q0);
  s.sendBytes(s.next, new Uint8Array(d1Q.buffer), true);
  // As P: A0 = sum rho + sum d1 (1 - 2 rho), rho = c0 = P's a component.
  let t = signedSum(a, p0, d1P) + ones(a, p0, p1);
  // As R: A2 = sum d2 (1 - 2 rho), rho = R's b component.
  const d2 = await s.recvBytes(s.prev);
  if (d2.byteLength !== 4 * (r1 - r0)) throw new ProtocolError(`countOnes: party ${s.prev} sent ${d2.byteLength} bytes where ${4 * (r1 - r0)} were expected: the parties are running different computations`);
  t += signedSum(b, r0, words32(d2));
  s.release(s.prev, d2); // read for the last time: its memory back to the link

  // Round 2: the addends, re-randomised, to both others.
  s.round();
  const mine = new Uint32Array([(t + zero) >>> 0]);
  s.sendBytes(s.next, new Uint8Array(mine.buffer));
  s.sendBytes(s.prev, new Uint8Array(mine.buffer));
  const fromPrev = words32(await s.recvBytes(s.prev)), fromNext = words32(await s.recvBytes(s.next));
  if (fromPrev.length !== 1 || fromNext.length !== 1) throw new ProtocolError('countOnes: a party sent an addend of the wrong size: the parties are running different computations');
  return (mine[0] + fromPrev[0] + fromNext[0]) >>> 0;
}

function draw32(prg: Session['prgNext'], n: number): Uint32Array {
  const out = new Uint32Array(n);
  prg.fill(new Uint8Array(out.buffer));
  return out;
}

/** Received bytes as 32-bit words (copied when not 4-aligned). */
function words32(bytes: Uint8Array): Uint32Array {
  if (bytes.byteLength % 4 !== 0) throw new ProtocolError(`countOnes: ${bytes.byteLength} bytes is not a whole number of 32-bit words`);
  if (bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return new Uint32Array(bytes.slice().buffer);
}

// The loops live in small functions of their own (V8 optimises each as a whole).

/** d1[i] becomes d - d1[i] mod 2^32, d = bit (from + i) of a ^ b. */
function splitKernel(d1: Uint32Array, a: Uint32Array, b: Uint32Array, from: number): void {
  for (let i = 0; i < d1.length; i++) {
    const e = from + i;
    d1[i] = ((((a[e >>> 5] ^ b[e >>> 5]) >>> (e & 31)) & 1) - d1[i]) >>> 0;
  }
}

/** sum over i of v[i] (1 - 2 rho), rho = bit (from + i) of `rho`, mod 2^32. */
function signedSum(rho: Uint32Array, from: number, v: Uint32Array): number {
  let acc = 0;
  for (let i = 0; i < v.length; i++) {
    const e = from + i;
    const r = (rho[e >>> 5] >>> (e & 31)) & 1;
    // v or -v without a branch on the share: (v ^ -1) + 1 = -v in two's complement.
    acc = (acc + ((v[i] ^ -r) + r)) | 0;
  }
  return acc;
}

/** The number of 1 bits of `bits` in [from, to). */
function ones(bits: Uint32Array, from: number, to: number): number {
  let count = 0;
  for (let e = from; e < to; e++) count += (bits[e >>> 5] >>> (e & 31)) & 1;
  return count;
}
