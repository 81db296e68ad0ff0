/**
 * corr(x, y) and covar_samp(x, y): Pearson's correlation and the sample covariance of two
 * numeric columns over the valid rows where both are non-null (SQL's and pandas' pairwise
 * complete observations), from six exact integer sums in stored units: the count n and Σx, Σy,
 * Σxy, Σx², Σy² over those rows (ops/pair-sums.ts forms the products, one or two batched
 * multiplications; the group kernels sum them, per group too). The recipient then forms
 *
 *   Sxy = n·Σxy − Σx·Σy,   Sxx = n·Σx² − (Σx)²,   Syy = n·Σy² − (Σy)²
 *
 * exactly in bigint, so nothing cancels: cov = Sxy / (n(n − 1)) (one rounding), corr =
 * sign(Sxy)·√(Sxy² / (Sxx·Syy)) (the quotient rounded once, then one square root: within 2 ulps).
 * NaN (SQL's null) below two pairs, and for corr where a column is constant (pandas' NaN).
 *
 * The plan check refuses a pair whose sums could leave the ring: rows × max|x·y| (and × x², × y²)
 * must stay below 2^63 (plan/aggregate-columns.ts).
 */

import { ratio } from '../../stats/moments.js';
import type { AggregateFunction, DecodedValue, LinearTerm } from './aggregate-function.js';
import { numericRule, part } from './aggregate-function.js';

const PAIR_TERMS: readonly LinearTerm[] = [
  { part: 'count', of: 'pair-count' },
  { part: 'sum_x', of: 'pair-x' },
  { part: 'sum_y', of: 'pair-y' },
  { part: 'sum_xy', of: 'pair-xy' },
  { part: 'sum_xx', of: 'pair-xx' },
  { part: 'sum_yy', of: 'pair-yy' },
];

/** The exact co-moment sums of one pair, as bigints. */
export function pairSums(parts: ReadonlyMap<string, bigint>): { n: bigint; sxy: bigint; sxx: bigint; syy: bigint } {
  const n = part(parts, 'count');
  const x = part(parts, 'sum_x'), y = part(parts, 'sum_y');
  return { n, sxy: n * part(parts, 'sum_xy') - x * y, sxx: n * part(parts, 'sum_xx') - x * x, syy: n * part(parts, 'sum_yy') - y * y };
}

function decodeCorr(parts: ReadonlyMap<string, bigint>): DecodedValue {
  const { n, sxy, sxx, syy } = pairSums(parts);
  // Exact sums give Sxx, Syy ≥ 0; noisy ones (differential privacy) may not, and then there is no correlation to report.
  if (n < 2n || sxx <= 0n || syy <= 0n) return { value: Number.NaN, count: Number(n) };
  const magnitude = Math.min(1, Math.sqrt(ratio(sxy * sxy, sxx * syy)));
  return { value: sxy < 0n ? -magnitude : magnitude, count: Number(n) };
}

/** `scale` is the sum of the two columns' scales: the products' (plan/aggregate-columns.ts sourceScale). */
function decodeCovariance(parts: ReadonlyMap<string, bigint>, scale: number): DecodedValue {
  const { n, sxy } = pairSums(parts);
  if (n < 2n) return { value: Number.NaN, count: Number(n) };
  return { value: ratio(sxy, n * (n - 1n) * 10n ** BigInt(scale)), count: Number(n) };
}

function pairFunction(name: 'corr' | 'covar_samp', description: string, decode: AggregateFunction['decode']): AggregateFunction {
  return { name, description, column: 'required', pair: true, typeRule: numericRule(name), terms: () => PAIR_TERMS, decode };
}

export const corr = pairFunction('corr', "Pearson's correlation of two integer, decimal or boolean columns over the rows where both are non-null (the exact sums n, Σx, Σy, Σxy, Σx², Σy² open)", decodeCorr);
export const covarSamp = pairFunction('covar_samp', 'sample covariance of two integer, decimal or boolean columns over the rows where both are non-null (the exact sums n, Σx, Σy, Σxy, Σx², Σy² open)', decodeCovariance);
