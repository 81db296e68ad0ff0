/**
 * Normalisation by the position of the most significant bit (Catrina and Saxena, "Secure
 * computation with fixed-point numbers", FC 2010, §3.4): for |x| < 2^l, find p = floor(log2 |x|)
 * and scale x by 2^(l-1-p) into [2^(l-1), 2^l), where Newton/Goldschmidt iterations converge
 * from a fixed initial approximation.
 *
 * One binary circuit on the planes of x mod 2^(l+1) (addends.ts): the sum bits of v + w (a
 * parallel-prefix adder), then, for a signed x, the one's complement magnitude |x| - [x < 0]
 * (XOR with the sign bit: free), a suffix OR y_i = OR(bits i..l-1), the one-hot h_i = y_i ^ y_{i+1}
 * of the leading one, and finally any function g of p as the XOR of the h_i whose g(i) has the
 * bit set (free). Bit 0 is treated as set, so |x| <= 1 gives p = 0 (and the one's complement of
 * -1, which is 0, too).
 *
 * For a negative x the one's complement |x| - 1 may have its leading one a place lower than |x|
 * (when |x| is a power of two); the scaled |x| is then exactly 2^l instead of below it, which the
 * callers' initial approximations cover.
 *
 * Cost: 1 input round (l+1 planes, (l+1)/24 bytes per element and party), then about
 * 2 log2(l) + 2 AND layers; gates: l + the carries (about l log2(l)) + the suffix OR
 * (about l/2 log2(l)); measured for l = 33: 241 gates, 31.5 bytes per element and party
 * including the input, 12 rounds.
 */

import type { Session } from '../../session.js';
import type { AShare, BitShare } from '../../shares.js';
import { CarryNetwork, suffixOr } from './adder.js';
import { addendPlanes } from './addends.js';
import { BitCircuit, type Wire } from './circuit.js';

/** A function of the leading-one position p, wanted as `width` bits. */
export interface PositionFunction {
  readonly width: number;
  readonly value: (p: number) => number;
}

export interface LeadingOne {
  /** The sign bit, for signed inputs. */
  readonly sign?: BitShare;
  /** For each requested function, its bits (least significant first). */
  readonly values: BitShare[][];
}

/** Bits of g(p) for each requested g, where p is the leading-one position of |x| < 2^bits. */
export async function leadingOne(s: Session, x: AShare, bits: number, signed: boolean, functions: readonly PositionFunction[]): Promise<LeadingOne> {
  const width = bits + (signed ? 1 : 0);
  const planes = await addendPlanes(s, x, width);
  const c = new BitCircuit(x.length);
  const net = CarryNetwork.of(
    c,
    planes.v.map((p) => c.input(p)),
    planes.w.map((p) => c.input(p)),
  );
  const sign = signed ? net.sumBit(bits) : c.zero;
  // Magnitude bits 1..bits-1 (bit 0 never matters: it is treated as set).
  const magnitude = Array.from({ length: bits - 1 }, (_, j) => c.xor(net.sumBit(j + 1), sign));
  const above = suffixOr(c, magnitude); // above[j] = some bit in j+1..bits-1 is set
  const oneHot: Wire[] = [];
  for (let i = 0; i < bits; i++) {
    const here = i === 0 ? c.one : above[i - 1];
    const higher = i + 1 < bits ? above[i] : c.zero;
    oneHot.push(c.xor(here, higher));
  }
  const outputs: Wire[] = [];
  for (const g of functions) {
    for (let b = 0; b < g.width; b++) {
      let bit = c.zero;
      for (let i = 0; i < bits; i++) if ((g.value(i) >> b) & 1) bit = c.xor(bit, oneHot[i]);
      outputs.push(bit);
    }
  }
  if (signed) outputs.push(sign);
  const evaluated = await c.evaluate(s, outputs).finally(() => planes.release());
  const values: BitShare[][] = [];
  let o = 0;
  for (const g of functions) {
    values.push(evaluated.slice(o, o + g.width));
    o += g.width;
  }
  return signed ? { sign: evaluated[o], values } : { values };
}
