/**
 * sigmoid(x) = 1 / (1 + e^-x) for every x in the ring read as a signed fixed-point number (or,
 * cheaper, for |x| <= a declared bound).
 *
 * Method: a piecewise cubic with pieces (-inf,-8) [-8,-4) [-4,-1) [-1,1) [1,4) [4,8) [8,inf),
 * i.e. boundaries at powers of two, so that the piece of x comes from a few bits of x:
 * - the constant tails, 1 - c and c with c = (1 + sigmoid(8)) / 2, the value closest to all of
 *   sigmoid([8, inf)); minimax cubics on [1, 4] and [4, 8] and an odd minimax cubic on [-1, 1]
 *   (coefficients.ts); the negative pieces mirror the positive ones, sigmoid(-x) = 1 - sigmoid(x);
 * - one binary circuit on the bit planes of x = v + w (addends.ts) gives the six "thermometer"
 *   bits theta_b = [x >= b] for b in {-8, -4, -1, 1, 4, 8}: the sign from the carry into bit 63,
 *   "|x| < 8" from whether bits f+3..63 of x are all equal (equality trees of v against w - 1
 *   and w + 1, which the holders of w compute in the clear: no carry chain over the top bits),
 *   and bits f, f+1, f+2 of x from short carry prefixes; with a declared bound B the circuit
 *   works on L = bits(B 2^f) + 1 bits instead of 64 (x mod 2^L determines x);
 * - with the bits injected as 0/1 (inject.ts), each coefficient K_d = c_d(first piece) +
 *   sum_b theta_b * (c_d(piece above b) - c_d(piece below b)) is a local linear combination, so
 *   sigmoid(x) ~ K_0 + K_1 t + K_2 t^2 + K_3 t^3 (t = x/8) is a sum of products: one reshare,
 *   fused with the single truncation. Outside [-8, 8) every K_d with d > 0 is exactly zero, so
 *   the meaningless (wrapped) powers of a large x are multiplied by zero.
 * The powers t^2 (exact) and t^3 (truncated) are computed in a sub-session while the circuit
 * runs.
 *
 * Cost per element and party (f = 16, measured): circuit input 64 planes (8/3 bytes, roles
 * rotated), 286 AND gates (35.7 bytes), six injections (48 bytes), t^2 (8) and t^3 (16) in
 * parallel, and the final sum of products with truncation (16): 126.4 bytes (105.8 with a
 * declared bound of 2^15); rounds 1 + 10 circuit layers + 2 + 3 = 16.
 *
 * Bit budget (t = x / 8 has f+3 fraction bits; raw |t| <= 2^(f+3) on the pieces): t^2 is kept
 * at q2 = min(2f+6, 58-f, 39) fraction bits (exact for f <= 16), t^3 = t^2 t < 2^61 raw is
 * truncated to q3 = 36 bits; K_0, K_1 t, K_2 t^2, K_3 t^3 all carry S = 59 fraction bits and on
 * every piece sum_d |c'_d| |t|^d <= 3.5 (c'_d the coefficients in t), so the truncated value is
 * below 2^61 < 2^62, the limit of the exact-wrap truncation. Nothing depends on the input's
 * magnitude: every 64-bit input is valid (every input within the bound, if one is declared).
 *
 * Accuracy: |result - sigmoid(x)| <= 2.43e-4 (approximation, 2^-12.0) + 2^-f (the final
 * truncation) + 2^-20 (coefficient rounding and the truncation of t^3), for every input.
 */

import { UsageError } from '../../../errors.js';
import { decrementPlanes, incrementPlanes } from '../../../ring/planes.js';
import type { Session } from '../../session.js';
import { AShare, type BitShare } from '../../shares.js';
import { mul } from '../arith.js';
import { CarryNetwork } from './adder.js';
import { addendPlanes } from './addends.js';
import { BitCircuit, type Wire } from './circuit.js';
import { SIGMOID_CENTRE, SIGMOID_MIDDLE, SIGMOID_OUTER, SIGMOID_TAIL } from './coefficients.js';
import { injectLinear } from '../inject.js';
import { fixedConstant, sumOfProducts } from './ops.js';
import { parallel } from './parallel.js';
import { bitLength, bound, fractionBits, rawBound, type FixedPointOptions } from './params.js';

/** Fraction bits of the common scale of the final sum of products. */
const SUM_SCALE = 59;
/** Fraction bits kept in t^3. */
const CUBE_BITS = 36;
/** Largest and smallest supported fraction bits. */
export const SIGMOID_FRACTION_BITS = { min: 4, max: 30 } as const;

/** The seven pieces, lowest first, as coefficients of x^0..x^3. */
function pieces(): number[][] {
  const mirror = (c: readonly number[]): number[] => c.map((v, d) => (d === 0 ? 1 - v : d % 2 === 1 ? v : -v));
  return [[1 - SIGMOID_TAIL, 0, 0, 0], mirror(SIGMOID_OUTER), mirror(SIGMOID_MIDDLE), [...SIGMOID_CENTRE], [...SIGMOID_MIDDLE], [...SIGMOID_OUTER], [SIGMOID_TAIL, 0, 0, 0]];
}

/** The documented error bound: |result - sigmoid(x)| <= this, for every input. */
export function sigmoidErrorBound(options: FixedPointOptions = {}): number {
  const f = fractionBits('sigmoid', options, SIGMOID_FRACTION_BITS.min, SIGMOID_FRACTION_BITS.max);
  return 2.43e-4 + 2 ** -f + 2 ** -20;
}

export interface SigmoidOptions extends FixedPointOptions {
  /**
   * Optional declared bound on |x| (real). Without it every 64-bit input is valid; with it the
   * circuit works on fewer bits (e.g. 106 instead of 126 bytes for |x| <= 2^15, f = 16).
   */
  readonly bound?: number;
}

/** Sigmoid of fixed-point values with f fraction bits (any 64-bit input unless a bound is declared). */
export async function sigmoid(s: Session, x: AShare, options: SigmoidOptions = {}): Promise<AShare> {
  const f = fractionBits('sigmoid', options, SIGMOID_FRACTION_BITS.min, SIGMOID_FRACTION_BITS.max);
  // x in [-2^(L-1), 2^(L-1)) as raw integers: x mod 2^L determines it.
  const L = options.bound === undefined ? 64 : Math.min(64, Math.max(f + 5, bitLength(rawBound(bound('sigmoid', 'bound', options.bound, 0, 2 ** 62), f)) + 1));
  const tBits = f + 3; // t = x / 8 has f + 3 fraction bits, with the same raw value as x
  const q2 = Math.min(2 * tBits, 58 - f, 39);
  const q3 = Math.min(q2 + tBits, CUBE_BITS);

  // K_d at scale 2^(S - scale of t^d), so that every term has S fraction bits; as linear
  // combinations of the thermometer bits they come straight out of the injection.
  const termScales = [SUM_SCALE, SUM_SCALE - tBits, SUM_SCALE - q2, SUM_SCALE - q3];
  const coefficients = pieces().map((c) => c.map((v, d) => fixedConstant(v * 8 ** d, termScales[d])));
  const combinations = [0, 1, 2, 3].map((d) => ({
    terms: [0, 1, 2, 3, 4, 5].map((b) => [b, coefficients[b + 1][d] - coefficients[b][d]] as const),
    constant: coefficients[0][d],
  }));

  const [K, [t2, t3]] = await parallel(
    s,
    async (sub) => injectLinear(sub, await thermometer(sub, x, f, L), combinations),
    async (sub) => {
      const square = 2 * tBits > q2 ? await sumOfProducts(sub, [[x, x]], 2 * tBits - q2) : await mul(sub, x, x);
      const product = q2 + tBits;
      const cube = product > q3 ? await sumOfProducts(sub, [[square, x]], product - q3) : await mul(sub, square, x);
      return [square, cube] as const;
    },
  );

  return sumOfProducts(
    s,
    [
      [K[1], x],
      [K[2], t2],
      [K[3], t3],
    ],
    SUM_SCALE - f,
    K[0],
  );
}

/**
 * Shared bits [x >= b] for b = -8, -4, -1, 1, 4, 8 (real values, f fraction bits), exact for
 * every x in [-2^(L-1), 2^(L-1)) as raw integers (L = 64: every 64-bit x read as signed).
 * One input round plus the circuit's AND layers.
 */
export async function thermometer(s: Session, x: AShare, f: number, L = 64): Promise<BitShare[]> {
  const T = f + 3; // |x| < 8 iff bits T..L-1 of x (mod 2^L) are all equal
  if (L < T + 2 || L > 64) throw new UsageError(`thermometer: width ${L} outside [${T + 2}, 64]`);
  const top = L - T;
  // v_top + w_top = 0 iff v_top = -w_top, i.e. iff v_top XOR NOT(-w_top) = v_top XOR (w_top - 1)
  // is all ones; and v_top + w_top = -2 iff v_top XOR NOT(-w_top - 2) = v_top XOR (w_top + 1) is.
  // The holders of w compute w_top - 1 and w_top + 1 (mod 2^(L-T)) in the clear.
  const derive = {
    values: 2,
    bits: top,
    fn: (w: readonly BigUint64Array[]) => {
      const wTop = w.slice(T, L);
      return [decrementPlanes(wTop), incrementPlanes(wTop)];
    },
  };
  const planes = await addendPlanes(s, x, L, derive);
  const c = new BitCircuit(x.length);
  const v = planes.v.map((p) => c.input(p));
  const w = planes.w.map((p) => c.input(p));
  const [wMinus1, wPlus1] = planes.derived.map((list) => list.map((p) => c.input(p)));
  const net = CarryNetwork.of(c, v, w);

  const carryT = net.carry(T);
  const upper = net.group(T, L - 1);
  const pSign = net.bitPropagate(L - 1);
  const sign = c.xor(pSign, c.xor(upper.G, c.and(upper.P, carryT)));
  // x_top = v_top + w_top + carry_T lies in {0, -1} (|x| < 8) iff v_top + w_top is -1 (all
  // bits propagate), or 0 without a carry, or -2 with one.
  const allPropagate = c.and(upper.P, pSign);
  const allOnes = (other: readonly Wire[]): Wire => c.andAll(other.map((t, j) => c.xor(v[T + j], t)));
  const small = c.xor(allPropagate, c.mux(carryT, allOnes(wPlus1), allOnes(wMinus1)));

  const notSign = c.not(sign);
  const high = c.and(c.not(small), notSign); // x >= 8
  const low = c.xor(c.not(small), high); // x < -8
  const b0 = net.sumBit(f), b1 = net.sumBit(f + 1), b2 = net.sumBit(f + 2);
  // Within |x| < 8 (two's complement on T+1 bits): x >= 1 iff positive with a bit in f..f+2;
  // x >= -1 iff positive or bits f..f+2 all set; x >= 4 / x >= -4 likewise with bit f+2.
  const inner = [c.or(notSign, b2), c.or(notSign, c.andAll([b0, b1, b2])), c.and(notSign, c.orAll([b0, b1, b2])), c.and(notSign, b2)];
  const outputs = [c.not(low), ...inner.map((bit) => c.xor(c.and(small, bit), high)), high];
  try {
    return await c.evaluate(s, outputs);
  } finally {
    planes.release();
  }
}
