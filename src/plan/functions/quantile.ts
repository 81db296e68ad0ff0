/**
 * median(column) and quantile(column, p): exact quantiles of the non-null values over valid rows,
 * by linear interpolation between order statistics: Hyndman and Fan's type 7, the default of R's
 * quantile(), numpy/pandas' quantile and DuckDB's quantile_cont and median. For the n values
 * sorted x_0 ≤ … ≤ x_{n−1}:
 *
 *   h = (n − 1)·p,   q = x_⌊h⌋ + (h − ⌊h⌋)·(x_⌈h⌉ − x_⌊h⌋),   null when n = 0.
 *
 * p is a decimal in [0, 1] with at most 6 digits after the point (FRACTION_UNIT), so h − ⌊h⌋ is
 * a multiple of 10^−6 and q is exact as a decimal of the column's scale plus 6 digits.
 *
 * The nodes sort the column (ops/quantiles.ts) and select the two order statistics obliviously;
 * three parts open: `lower` (x_⌊h⌋, with its present bit, 0 when n = 0), `upper` (x_⌈h⌉) and
 * `fraction` ((h − ⌊h⌋)·10^6, an integer in [0, 10^6)). The count n itself does not open.
 */

import { formatScaled } from '../../table/text-grammar.js';
import type { ColumnFacts } from '../types.js';
import type { AggregateFunction, DecodedValue } from './aggregate-function.js';
import { part } from './aggregate-function.js';
import { EXTREME_LIMIT } from './extreme.js';

/** p is given in millionths: h − ⌊h⌋ is then an exact multiple of 10^−6. */
export const FRACTION_UNIT = 1_000_000n;
export const FRACTION_DIGITS = 6;

function quantileRule(fn: string): (c: ColumnFacts) => string | undefined {
  return (c) => {
    if (c.kind !== 'integer' && c.kind !== 'decimal' && c.kind !== 'boolean') return `cannot take the ${fn} of column '${c.name}': it is a ${c.kind} column (${fn} works on integer, decimal and boolean columns)`;
    // The sort packs the value into [0, hi − lo]; the same bound as min and max keeps every difference exact.
    if (c.min < -EXTREME_LIMIT || c.max >= EXTREME_LIMIT) return `cannot take the ${fn} of column '${c.name}': its declared range [${c.min}, ${c.max}] (stored units) exceeds [-2^62, 2^62 - 1], where comparisons are exact; declare a narrower range`;
    return undefined;
  };
}

/** The interpolated value, exactly, from the opened parts. */
export function decodeQuantile(parts: ReadonlyMap<string, bigint>, scale: number): DecodedValue {
  if (parts.get('present') === 0n) return { value: Number.NaN };
  const lower = part(parts, 'lower');
  const upper = part(parts, 'upper');
  // The exact fraction is in [0, 10^6); a noisy one (differential privacy) is clamped there, so q stays between the two order statistics.
  const opened = part(parts, 'fraction');
  const fraction = opened < 0n ? 0n : opened >= FRACTION_UNIT ? FRACTION_UNIT - 1n : opened;
  // lower·10^6 + fraction·(upper − lower), at the column's scale plus 6 digits, then trailing zeros dropped.
  const exact = trimZeros(formatScaled(lower * FRACTION_UNIT + fraction * (upper - lower), scale + FRACTION_DIGITS), scale);
  return { value: Number(exact), exact };
}

/** Drops trailing zeros after the point, keeping at least `keep` digits (the column's scale). */
function trimZeros(text: string, keep: number): string {
  const point = text.indexOf('.');
  if (point < 0) return text;
  let end = text.length;
  while (end > point + 1 + keep && text[end - 1] === '0') end--;
  return text.slice(0, end === point + 1 ? point : end);
}

function quantileFunction(name: 'median' | 'quantile', fraction: bigint | 'argument', description: string): AggregateFunction {
  return {
    name,
    description,
    column: 'required',
    fraction,
    typeRule: quantileRule(name),
    terms: () => [
      { part: 'lower', of: 'quantile-lower' },
      { part: 'upper', of: 'quantile-upper' },
      { part: 'fraction', of: 'quantile-fraction' },
    ],
    decode: decodeQuantile,
  };
}

export const median = quantileFunction('median', FRACTION_UNIT / 2n, 'exact median of an integer, decimal or boolean column over its non-null values (a secret sort; the two middle order statistics and their interpolation weight open, as DuckDB median)');
export const quantile = quantileFunction('quantile', 'argument', 'exact quantile at p (in [0, 1], up to 6 decimals) of an integer, decimal or boolean column over its non-null values: linear interpolation, Hyndman–Fan type 7, as DuckDB quantile_cont and pandas (a secret sort; two order statistics and their weight open)');
