/**
 * What var and std share (functions/var.ts, functions/std.ts): the sample variance from three
 * exact sums over the non-null values, the count n, the sum S and the sum of squares Q (one
 * batched multiplication squares the values first):
 *
 *   var = (n·Q − S²) / (n·(n − 1)),   NaN (SQL's null) when n < 2, as SQL's var_samp.
 *
 * n·Q − S² is computed exactly (bigint) at the client and only the final quotient is rounded to
 * float64, so there is no cancellation error. The plan check refuses a column whose sum of
 * squares could exceed the ring (rows × max(lo², hi²) > 2^63 − 1), naming the bound.
 */

import type { AggregateFunction, DecodedValue } from './aggregate-function.js';
import { numericRule, part } from './aggregate-function.js';

export function sampleVariance(parts: ReadonlyMap<string, bigint>, scale: number): { value: number | null; n: number } {
  const n = part(parts, 'count');
  if (n < 2n) return { value: null, n: Number(n) };
  const s = part(parts, 'sum');
  const q = part(parts, 'squares');
  // Exact sums give n·Q − S² ≥ 0 (Cauchy–Schwarz); noisy ones (differential privacy) may not: 0 is the nearest variance.
  const numerator = n * q - s * s < 0n ? 0n : n * q - s * s;
  const denominator = n * (n - 1n) * 10n ** BigInt(2 * scale);
  return { value: quotient(numerator, denominator), n: Number(n) };
}

/**
 * numerator / denominator as a float64: correctly rounded when both are exact doubles (below
 * 2^53), else the exact integer part plus the remainder's quotient (within an ulp or two).
 */
function quotient(numerator: bigint, denominator: bigint): number {
  const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
  if (numerator <= SAFE && denominator <= SAFE) return Number(numerator) / Number(denominator);
  const whole = numerator / denominator;
  return Number(whole) + Number(numerator - whole * denominator) / Number(denominator);
}

export function variance(fn: 'var' | 'std'): AggregateFunction {
  return {
    name: fn,
    description: fn === 'var'
      ? 'sample variance of an integer, decimal or boolean column over its non-null values (its count, sum and sum of squares open; null below 2 values)'
      : 'sample standard deviation of an integer, decimal or boolean column over its non-null values (its count, sum and sum of squares open; null below 2 values)',
    column: 'required',
    typeRule: numericRule(fn),
    terms: (c) => [
      { part: 'count', of: c?.nullable ? 'present' : 'rows' },
      { part: 'sum', of: 'values' },
      { part: 'squares', of: 'squares' },
    ],
    decode: (parts, scale): DecodedValue => {
      const { value, n } = sampleVariance(parts, scale);
      return { value: value === null ? Number.NaN : fn === 'var' ? value : Math.sqrt(value), count: n };
    },
  };
}
