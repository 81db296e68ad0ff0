/**
 * exp(x) for fixed-point x in a declared range [min, max].
 *
 * Method: exp(x) = 2^y with y = x log2(e) (one product with a public constant, truncated to
 * W = f + 2 fraction bits). Shifting by o = f + 2, y' = y + o, the bits of the integer part of
 * y' and its sign come from one circuit on the planes of y' mod 2^(W + bits) (addends.ts,
 * adder.ts): i = floor(y') exactly, so the fraction r = y' - i, a local linear combination of y'
 * and the injected bits, lies in [0, 1). Then 2^r is a minimax polynomial (degree 4 for
 * W <= 19, else 5; coefficients.ts), and 2^i = prod_j (1 + i_j (2^(2^j) - 1)) is a product of
 * linear factors in the injected bits, computed while the polynomial is. The result is
 * 2^r 2^i 2^-o, one product fused with the truncation to f fraction bits.
 * Underflow: when y' < 0 (exp(x) < 2^-(f+2), which rounds to 0), a zero flag z = NOT sign
 * enters the top factor (z + (z AND i_top)(2^(2^top) - 1)), so the result is exactly 0; above
 * that, tiny results truncate to 0 or 1 unit.
 *
 * Bit budget: x C with C = round(log2(e) 2^G) < 2^61 chooses G from the range; P(r) < 2^(W+1)
 * and 2^i <= 2^floor(y'max), so the last product stays below 2^(W+1+floor(y'max)) <= 2^61:
 * floor(max log2(e) + 1 + f + 2) + W + 1 <= 61, i.e. max < 16.6 for f = 16 with W = 18; W is lowered
 * towards f to reach max < 18 (f = 16) at a coarser relative error; wider ranges are refused.
 * The polynomial's sum has 2W + G <= 60 bits with G >= W fraction bits for the coefficients
 * multiplied by r^2 or r^3, hence W <= 20.
 *
 * Cost ([min, max] = [-32, 15.9], f = 16; measured): the product with log2(e) truncated (13.3
 * bytes per element and party), a circuit on 25 planes (about 80 AND gates), 7 injections (56),
 * the polynomial (32) in parallel with the factor tree (40), the final product (16): 168.6
 * bytes, 22 rounds (160.7 bytes measured since the truncation's top-bit messages travel in
 * W-bit words, trunc.ts).
 *
 * Accuracy: |result - exp(x)| <= 2^-(W-2) exp(x) + 2^-f (2^-16 relative for f = 16, at best
 * 2^-18 for f >= 18 since W <= 20): the
 * truncation of y (|dy| < 2^-W, relative ln 2 2^-W), of r^2 and of the polynomial (2^-W each),
 * the polynomial's own error (2^-18.6 for degree 4, 2^-23.7 for degree 5), and the final unit.
 */

import { UsageError } from '../../../errors.js';
import type { Session } from '../../session.js';
import { AShare, scaleA } from '../../shares.js';
import { CarryNetwork } from './adder.js';
import { addendPlanes } from './addends.js';
import { BitCircuit } from './circuit.js';
import { EXP2_DEGREE4, EXP2_DEGREE5 } from './coefficients.js';
import { injectLinear } from '../inject.js';
import { fixedConstant, linearA, mulTruncMany, productTree, sumOfProducts, truncShare } from './ops.js';
import { parallel } from './parallel.js';
import { bitLength, fractionBits, rawBound, type FixedPointOptions } from './params.js';

export interface ExpOptions extends FixedPointOptions {
  /** Smallest x (real). Below -(f+2) ln 2 the result is 0. */
  readonly min: number;
  /** Largest x (real): exp(max) must fit the bit budget (max < 18 for f = 16). */
  readonly max: number;
  /**
   * Most working bits W (default 20): W <= 19 takes the degree-4 polynomial, one truncated
   * product (3 rounds, 16 bytes) fewer than degree 5, at 2^-(W-2) relative (2^-16 at W = 18)
   * instead of 2^-18: for callers whose own bound leaves room (ops/predict-probability.ts).
   */
  readonly workingBits?: number;
}

interface ExpPlan {
  readonly f: number;
  /** Fraction bits of y. */
  readonly W: number;
  /** Offset added to y so that the integer part is >= 0 where the result is not 0. */
  readonly o: number;
  /** Bits of the integer part of y'. */
  readonly intBits: number;
  /** y' can be negative (exp can underflow to 0). */
  readonly underflow: boolean;
  /** Width of the circuit's ring (fraction, integer part and sign bits). */
  readonly width: number;
  /** Fraction bits of the constant log2(e). */
  readonly G: number;
}

function planExp(options: ExpOptions): ExpPlan {
  const f = fractionBits('exp', options, 1, 24);
  const { min, max } = options;
  if (!Number.isFinite(min) || !Number.isFinite(max) || !(min <= max)) throw new UsageError(`exp: need finite min <= max, got [${String(min)}, ${String(max)}]`);
  const o = f + 2;
  // y = x log2(e) is computed with at most one unit of error: widen by 1 for the bounds.
  const yMax = max * Math.LOG2E + 1;
  const yMin = min * Math.LOG2E - 1;
  const top = Math.max(0, Math.floor(yMax + o));
  // The polynomial's sum needs 2W + G <= 60 with G >= W coefficient bits: W <= 20.
  const most = options.workingBits ?? 20;
  if (!Number.isInteger(most) || most < 8 || most > 20) throw new UsageError(`exp: ${String(options.workingBits)} working bits; 8 to 20 are supported`);
  let W = Math.min(f + 2, most);
  while (W > Math.min(f, 20) && W + 1 + top > 61) W--;
  if (W + 1 + top > 61) throw new UsageError(`exp: max ${max} is too large for ${f} fraction bits (exp(max) 2^${f} with ${W} working bits exceeds 2^61); use a smaller max or fewer fraction bits`);
  const intBits = Math.max(1, bitLength(BigInt(top)));
  const underflow = yMin + o < 0;
  const negativeBits = underflow ? bitLength(BigInt(Math.ceil(-(yMin + o)))) : 0;
  const width = W + Math.max(intBits, negativeBits) + (underflow ? 1 : 0);
  if (width > 64) throw new UsageError(`exp: the range [${min}, ${max}] needs ${width} bits`);
  const xBits = bitLength(rawBound(Math.max(Math.abs(min), Math.abs(max)), f));
  const G = 61 - xBits - 1;
  if (f + G - W < 1) throw new UsageError(`exp: the range [${min}, ${max}] is too wide for ${f} fraction bits`);
  return { f, W, o, intBits, underflow, width, G };
}

/** The documented error bound: |result - exp(x)| <= relative exp(x) + absolute. */
export function expErrorBound(options: ExpOptions): { relative: number; absolute: number } {
  const p = planExp(options);
  return { relative: 2 ** -(p.W - 2), absolute: 2 ** -p.f };
}

/** exp(x) for min <= x <= max (real values with f fraction bits). */
export async function exp(s: Session, x: AShare, options: ExpOptions): Promise<AShare> {
  const p = planExp(options);
  // y = x log2(e) with W fraction bits.
  return powerOfTwo(s, await truncShare(s, scaleA(x, fixedConstant(Math.LOG2E, p.G)), p.f + p.G - p.W), p);
}

/**
 * exp(sign x) for a shared sign of 1 or -1 (an injected bit's 1 - 2b) and min <= sign x <= max:
 * the product is fused with the truncation of y = sign x log2(e) (one sum of products, 3 rounds
 * and 12–16 bytes), where exp(x) after a separate product costs 4 rounds and 17–21 bytes.
 */
export async function expOfSigned(s: Session, sign: AShare, x: AShare, options: ExpOptions): Promise<AShare> {
  const p = planExp(options);
  return powerOfTwo(s, await sumOfProducts(s, [[sign, scaleA(x, fixedConstant(Math.LOG2E, p.G))]], p.f + p.G - p.W), p);
}

/** 2^y for y = x log2(e) with W fraction bits (x within the plan's range). */
async function powerOfTwo(s: Session, y: AShare, p: ExpPlan): Promise<AShare> {
  const n = y.length;
  const { W, o, intBits } = p;
  // y' = y + o.
  const shifted = linearA(s.me, n, [[y, 1n]], BigInt(o) << BigInt(W));

  // Integer part bits i_0.. and, if y' can be negative, the zero flag z = NOT sign.
  const planes = await addendPlanes(s, shifted, p.width);
  const c = new BitCircuit(n);
  const net = CarryNetwork.of(
    c,
    planes.v.map((q) => c.input(q)),
    planes.w.map((q) => c.input(q)),
  );
  const intWires = Array.from({ length: intBits }, (_, j) => net.sumBit(W + j));
  if (p.underflow) {
    const z = c.not(net.sumBit(p.width - 1));
    intWires[intBits - 1] = c.and(z, intWires[intBits - 1]);
    intWires.push(z);
  }
  const intBitShares = await c.evaluate(s, intWires).finally(() => planes.release());
  // From the injection: r = y' - i in [0, 1) (when z = 1, W fraction bits) and the factors
  // 1 + i_j (2^(2^j) - 1) of 2^i; the top factor carries the zero flag, z + (z AND i_top) (...).
  const rTerms = Array.from({ length: intBits }, (_, j) => [j, -(1n << BigInt(W + j))] as const);
  const factorCombinations = Array.from({ length: intBits }, (_, j) => {
    const weight = (1n << (1n << BigInt(j))) - 1n;
    if (p.underflow && j === intBits - 1) return { terms: [[intBits, 1n], [j, weight]] as const };
    return { terms: [[j, weight]] as const, constant: 1n };
  });
  const [rBits, ...factors] = await injectLinear(s, intBitShares, [{ terms: rTerms }, ...factorCombinations]);
  const r = linearA(s.me, n, [
    [shifted, 1n],
    [rBits, 1n],
  ]);

  const [power, twoToI] = await parallel(
    s,
    (sub) => exp2Fraction(sub, r, W),
    (sub) => productTree(sub, factors),
  );
  return sumOfProducts(s, [[power, twoToI]], W + o - p.f);
}

/** 2^r for r in [0, 1) with W fraction bits, as W fraction bits. */
async function exp2Fraction(s: Session, r: AShare, W: number): Promise<AShare> {
  const n = r.length;
  const coefficients = W <= 19 ? EXP2_DEGREE4 : EXP2_DEGREE5;
  const G = 60 - 2 * W; // the sum below has 2W + G fraction bits; G >= W for W <= 20
  const [r2] = await mulTruncMany(s, [[r, r]], W);
  const C = (d: number, bits: number): bigint => fixedConstant(coefficients[d], bits);
  // c0 + c1 r + c2 r^2 at 2W + G bits.
  const low = linearA(
    s.me,
    n,
    [
      [r, C(1, W + G)],
      [r2, C(2, W + G)],
    ],
    C(0, 2 * W + G),
  );
  if (coefficients.length === 5) {
    // + r^2 (c3 r + c4 r^2): one product.
    const high = linearA(s.me, n, [
      [r, C(3, G)],
      [r2, C(4, G)],
    ]);
    return sumOfProducts(s, [[r2, high]], W + G, low);
  }
  // Degree 5: + r^3 (c3 + c4 r + c5 r^2), with r^3 first.
  const [r3] = await mulTruncMany(s, [[r2, r]], W);
  const high = linearA(
    s.me,
    n,
    [
      [r, C(4, G)],
      [r2, C(5, G)],
    ],
    C(3, W + G),
  );
  // r^3 (W bits) times high (W + G bits) has 2W + G bits.
  return sumOfProducts(s, [[r3, high]], W + G, low);
}
