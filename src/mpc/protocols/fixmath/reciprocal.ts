/**
 * reciprocal(x) = 1/x and div(x, y) = x * (1/y) for fixed-point x with a declared range.
 *
 * Method (Catrina and Saxena, FC 2010, §3.4 and §4): normalise |x| < 2^l by its leading one
 * (normalize.ts): p = floor(log2 |x|), e = l-1-p; inject the bits of e (and the sign) and build
 * v = 2^e * (1 - 2 sign) as a product of the linear factors 1 + e_j (2^(2^j) - 1) (exact
 * integers, one round per tree level); b = x v / 2^l lies in [1/2, 1] with F fraction bits.
 * Then Goldschmidt's iteration for 1/b from a quadratic minimax start y0 (relative error
 * 1.01e-2, coefficients.ts): d = b y0; repeat m = 2 - d, y = y m, d = d m (the two products
 * in one batch). The relative error squares at every step: 1.0e-4, 1.1e-8. Finally
 * 1/x = y v 2^(f-l), one product fused with the truncation to the output's fraction bits.
 *
 * Bit budget (F = min(23, 61 - l)): |x| v <= 2^l; b^2 <= 2^(2F); the start y0 is one sum
 * c0 2^(2F+12) + c1 2^(F+12) b + c2 2^12 b^2 (each constant below 2^61) whose value
 * y0 2^(2F+12) < 2^(2F+14) <= 2^60 is truncated once;
 * Goldschmidt products < 2^(2F+2); y v < 2^(F+1) 2^(l-1) = 2^(F+l) <= 2^61. Parameters with
 * l > 61 - 14 (so that F would fall under 14 bits) are refused.
 *
 * Cost (max 2^16 with f = 16, so l = 33, unsigned; measured): circuit on 33 planes with 241 AND
 * gates (31.5 bytes), 6 injections (48), the product tree and x v (56), b^2 and the start (21),
 * four Goldschmidt products (64), the final product (16): 236.8 bytes per element and party,
 * 36 rounds (37 and 253.1 bytes signed); the tests pin the round counts. Since the truncation's
 * top-bit messages travel in W-bit words (trunc.ts), measured: 210.9 bytes.
 *
 * Accuracy: |result - 1/x| <= 2^-(F-4) |1/x| + 2^-f (2^-19 relative for F = 23): four
 * truncations to F bits in the iteration (each at most 2^-(F-1) relative on values >= 1/2), the
 * truncation of b, the start's error squared twice (1.1e-8), and the final truncation's unit.
 * div adds |x| 2^-(f+g) from the g extra fraction bits kept in 1/y (reciprocalErrorBound,
 * divErrorBound give the figures for given options).
 */

import { UsageError } from '../../../errors.js';
import type { Session } from '../../session.js';
import type { PartyId } from '../../party.js';
import { AShare, scaleA } from '../../shares.js';
import { mul } from '../arith.js';
import { RECIPROCAL_INITIAL } from './coefficients.js';
import { injectLinear } from '../inject.js';
import { leadingOne } from './normalize.js';
import { fixedConstant, linearA, mulTruncMany, productTree, sumOfProducts, truncShare } from './ops.js';
import { bitLength, bound, fractionBits, rawBound, type FixedPointOptions } from './params.js';

export interface ReciprocalOptions extends FixedPointOptions {
  /** Smallest |x| (real, > 0). */
  readonly min: number;
  /** Largest |x| (real). */
  readonly max: number;
  /** x may be negative (then |x| lies in [min, max]); one more bit and one more injection. */
  readonly signed?: boolean;
  /**
   * Goldschmidt iterations after the quadratic start (default: enough for the working bits, 2 at
   * F = 23). 0 keeps the start, relative error 1.01e-2, 9 rounds and ~40 bytes fewer: for callers
   * that refine what they build from it (spd-solve.ts roughInverseSpd, then Newton–Schulz).
   */
  readonly iterations?: number;
}

export interface DivOptions extends ReciprocalOptions {
  /** Largest |numerator| (real). */
  readonly numeratorMax: number;
}

/** Extra fraction bits of the coefficients of the quadratic start. */
const START_BITS = 12;
/** Working precision cap: 2F + START_BITS + 3 <= 61. */
const MAX_WORKING_BITS = 23;
const MIN_WORKING_BITS = 14;

interface Plan {
  readonly f: number;
  /** |x| < 2^l as raw integers. */
  readonly l: number;
  /** Working fraction bits of b and of the iterations. */
  readonly F: number;
  readonly iterations: number;
  readonly signed: boolean;
}

function plan(what: string, options: ReciprocalOptions): Plan {
  const f = fractionBits(what, options, 1, 30);
  const max = bound(what, 'max', options.max, 0, 2 ** 40);
  const min = bound(what, 'min', options.min, 0, max);
  if (min < 2 ** -f) throw new UsageError(`${what}: min ${min} is below the resolution 2^-${f} of the input`);
  if (2 ** f / min >= 2 ** (62 - f)) throw new UsageError(`${what}: 1/min does not fit ${f} fraction bits in 62 bits`);
  const l = Math.max(1, bitLength(rawBound(max, f)));
  const F = Math.min(MAX_WORKING_BITS, 61 - l);
  if (F < MIN_WORKING_BITS) throw new UsageError(`${what}: max ${max} needs ${l} integer bits with ${f} fraction bits; at most ${61 - MIN_WORKING_BITS} are supported`);
  // The start has relative error 1.01e-2 (2^-6.6); each iteration doubles the correct bits.
  let iterations = 1;
  while (6.6 * 2 ** iterations < F) iterations++;
  if (options.iterations !== undefined) {
    if (!Number.isInteger(options.iterations) || options.iterations < 0 || options.iterations > iterations) throw new UsageError(`${what}: ${options.iterations} iterations; 0 to ${iterations} are supported`);
    iterations = options.iterations;
  }
  return { f, l, F, iterations, signed: options.signed ?? false };
}

/**
 * Fixed-point reciprocal, output with `outBits` fraction bits: the normalisation, the
 * iterations and the denormalisation.
 */
async function reciprocalWith(s: Session, x: AShare, p: Plan, outBits: number): Promise<AShare> {
  const { l, F } = p;
  const n = x.length;
  const eBits = bitLength(BigInt(l - 1));
  const lead = await leadingOne(s, x, l, p.signed, [{ width: eBits, value: (i) => l - 1 - i }]);
  // v = 2^e (1 - 2 sign): factors 1 + e_j (2^(2^j) - 1), and 1 - 2 sign, straight from the injection.
  const combinations = lead.values[0].map((_, j) => ({ terms: [[j, (1n << (1n << BigInt(j))) - 1n] as const], constant: 1n }));
  if (p.signed) combinations.push({ terms: [[eBits, -2n] as const], constant: 1n });
  const factors = await injectLinear(s, p.signed ? [...lead.values[0], lead.sign!] : lead.values[0], combinations);
  const v = factors.length > 0 ? await productTree(s, factors) : linearA(s.me, n, [], 1n);

  // b = |x| v / 2^l with F fraction bits, in [1/2, 1].
  const b = F >= l ? scaleA(await mul(s, x, v), 1n << BigInt(F - l)) : await sumOfProducts(s, [[x, v]], l - F);

  const y = await reciprocalOfHalfToOne(s, b, F, p.iterations);

  // 1/x = y v 2^(f - l): output raw = y_raw v 2^(f + outBits - l - F).
  const shift = F + l - p.f - outBits;
  if (shift >= 1) return sumOfProducts(s, [[y, v]], shift);
  return scaleA(await mul(s, y, v), 1n << BigInt(-shift));
}

/** The documented error bound of reciprocal: |result - 1/x| <= relative |1/x| + absolute. */
export function reciprocalErrorBound(options: ReciprocalOptions): { relative: number; absolute: number } {
  const p = plan('reciprocal', options);
  return { relative: Math.max(2 ** -(p.F - 4), 1.02e-2 ** (2 ** p.iterations)), absolute: 2 ** -p.f };
}

/** The documented error bound of div: |result - x/y| <= relative |x/y| + numerator |x| + absolute. */
export function divErrorBound(options: DivOptions): { relative: number; numerator: number; absolute: number } {
  const p = plan('div', options);
  return { relative: 2 ** -(p.F - 4), numerator: 2 ** -(p.f + divGuardBits(p, options)), absolute: 2 ** -p.f };
}

/** Extra fraction bits g of 1/y inside div: as many as F allows and x (1/y) fits 61 bits. */
function divGuardBits(p: Plan, options: DivOptions): number {
  const numeratorMax = bound('div', 'numeratorMax', options.numeratorMax, 0, 2 ** 45);
  const xBits = bitLength(rawBound(numeratorMax, p.f));
  const reciprocalBits = (g: number): number => bitLength(BigInt(Math.ceil(2 ** (p.f + g) / options.min)));
  let g = p.F - p.f;
  while (g > 0 && xBits + reciprocalBits(g) > 61) g--;
  if (g < 0 || xBits + reciprocalBits(g) > 61) throw new UsageError(`div: numeratorMax ${numeratorMax} times 1/min ${1 / options.min} does not fit 61 bits with ${p.f} fraction bits`);
  return g;
}

/** 1/x for |x| in [min, max] (x > 0 unless `signed`). */
export async function reciprocal(s: Session, x: AShare, options: ReciprocalOptions): Promise<AShare> {
  const p = plan('reciprocal', options);
  return reciprocalWith(s, x, p, p.f);
}

/**
 * x / y for |x| <= numeratorMax and |y| in [min, max] (y > 0 unless `signed`): x times 1/y,
 * where 1/y is kept with as many extra fraction bits as the product's bit budget allows, so
 * the error does not grow with |x| beyond |x| 2^-(f+g).
 */
export async function div(s: Session, x: AShare, y: AShare, options: DivOptions): Promise<AShare> {
  const p = plan('div', options);
  const g = divGuardBits(p, options);
  const r = await reciprocalWith(s, y, p, p.f + g);
  return sumOfProducts(s, [[x, r]], p.f + g);
}

/**
 * y ≈ 1/b for b in [1/2, 1] with F fraction bits: the quadratic minimax start y0 = c0 + c1 b + c2 b^2
 * (one truncation), then `iterations` Goldschmidt steps m = 2 - d, y = y m, d = d m (d = b y -> 1;
 * the last step skips d). Shared by reciprocal() after its normalisation and by inputs that need
 * none (reciprocal-unit.ts, the Cox model's normalised risk-set sums). The start's value is below
 * 2^(2F + startBits + 2): callers with F = 24 pass fewer start bits (10) to stay under 2^61.
 * `lastExtraShift` truncates the last step's product by that many more bits (a result with
 * F − lastExtraShift fraction bits at no extra cost; iterations ≥ 1).
 */
/**
 * The initial quadratic c0 + c1 b + c2 b² of 1/b (RECIPROCAL_INITIAL), before its truncation by
 * F + startBits: b and b² carry F and 2F fraction bits, the sum 2F + startBits.
 */
export function reciprocalStartTerms(me: PartyId, n: number, b: AShare, b2: AShare, F: number, startBits: number): AShare {
  const [c0, c1, c2] = RECIPROCAL_INITIAL;
  return linearA(
    me,
    n,
    [
      [b, fixedConstant(c1, F + startBits)],
      [b2, fixedConstant(c2, startBits)],
    ],
    fixedConstant(c0, 2 * F + startBits),
  );
}

export async function reciprocalOfHalfToOne(s: Session, b: AShare, F: number, iterations: number, startBits = START_BITS, lastExtraShift = 0): Promise<AShare> {
  const n = b.length;
  const b2 = await mul(s, b, b);
  let y = await truncShare(s, reciprocalStartTerms(s.me, n, b, b2, F, startBits), F + startBits);
  if (iterations === 0) return y;
  let [d] = await mulTruncMany(s, [[b, y]], F);
  const two = 2n << BigInt(F);
  for (let k = 0; k < iterations; k++) {
    const m = linearA(s.me, n, [[d, -1n]], two);
    if (k + 1 < iterations) [y, d] = await mulTruncMany(s, [[y, m], [d, m]], F);
    else [y] = await mulTruncMany(s, [[y, m]], F + lastExtraShift);
  }
  return y;
}
