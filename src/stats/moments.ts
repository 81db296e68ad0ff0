/**
 * A group's count, mean and sample variance from the exact sums the nodes open: n, Σx and Σx²
 * as integers in stored units (value × 10^scale). The variance's numerator n·Σx² − (Σx)² is
 * formed exactly in integers, so the only rounding is the final division: the variance is the
 * float64 nearest to the exact sample variance (within one ulp), however many rows and however
 * large their mean. (Computing it from a rounded mean, as fixed-point MPC frameworks do, loses
 * the digits that cancel: spu#446's variance over a million rows has two significant digits.)
 */

import { UsageError } from '../errors.js';

/** Exact sums over one group, in stored units. */
export interface ExactSums {
  readonly n: bigint | number;
  readonly sum: bigint;
  readonly sumSquares: bigint;
  /** Digits after the point of the stored values (decimals); 0 for integers. */
  readonly scale: number;
}

/** What the tests need of one group. */
export interface Summary {
  readonly n: number;
  readonly mean: number;
  /** Sample variance (n − 1 in the denominator); NaN for fewer than two values. */
  readonly variance: number;
}

export function summarize(s: ExactSums): Summary {
  const n = BigInt(s.n);
  if (n < 0n) throw new UsageError(`a group has a negative count (${n})`);
  if (s.sumSquares < 0n) throw new UsageError('a sum of squares is negative: the opened parts are not sums of squares');
  const unit = 10n ** BigInt(s.scale);
  if (n === 0n) return { n: 0, mean: Number.NaN, variance: Number.NaN };
  const numerator = n * s.sumSquares - s.sum * s.sum;
  if (numerator < 0n) throw new UsageError('the opened sums are inconsistent (n·Σx² < (Σx)²)');
  return {
    n: Number(n),
    mean: ratio(s.sum, n * unit),
    variance: n < 2n ? Number.NaN : ratio(numerator, n * (n - 1n) * unit * unit),
  };
}

/** p / q for integers, correctly rounded to float64 when both are huge (plain Number() of each would round twice). */
export function ratio(p: bigint, q: bigint): number {
  if (q <= 0n) throw new RangeError('ratio needs a positive denominator');
  const negative = p < 0n;
  const a = negative ? -p : p;
  // Scale so the integer quotient carries 64 significant bits, then one rounding to float64.
  const shift = Math.max(0, 64 - (bitLength(a) - bitLength(q)));
  const quotient = (a << BigInt(shift)) / q;
  const value = Number(quotient) / 2 ** shift;
  return negative ? -value : value;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** From values (the plaintext reference in tests, and small public inputs): the same summary, in float64. */
export function summaryOf(values: readonly number[]): Summary {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n < 2 ? Number.NaN : values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { n, mean, variance };
}
