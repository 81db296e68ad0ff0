/**
 * The SQL side of quantiles (plan/functions/quantile.ts): quantile_cont(x, p) is the registry's
 * quantile (linear interpolation, as DuckDB's), median(x) its median. DuckDB's quantile(x, p) and
 * quantile_disc(x, p) are the discrete quantile (an order statistic without interpolation),
 * which this release does not have: they are refused rather than answered with another quantile.
 */

import { SqlError } from '../../errors.js';
import { sqlConstant, type KnownFields } from './expression-to-frame.js';

export const DISCRETE_QUANTILES = new Set(['quantile', 'quantile_disc']);

/** A discrete quantile's refusal, before the registry is asked (its `quantile` is the continuous one). */
export function refuseDiscreteQuantile(written: string): void {
  if (DISCRETE_QUANTILES.has(written)) {
    throw new SqlError(`${written}() is DuckDB's discrete quantile (an order statistic, no interpolation), which is not supported: quantile_cont(column, p) interpolates linearly, as pandas; median(column) is quantile_cont at 0.5`, `${written}()`);
  }
}

/** quantile_cont's second argument: a number written out, in [0, 1]. */
export function quantileFraction(value: unknown, known: KnownFields): number {
  const v = sqlConstant(value, 'quantile_cont', known);
  const p = typeof v === 'number' ? v : typeof v === 'string' && /^[0-9.]+$/.test(v) ? Number(v) : Number.NaN;
  if (!(p >= 0 && p <= 1)) throw new SqlError(`quantile_cont takes a number in [0, 1] as its second argument: quantile_cont(cost, 0.25)`, 'quantile_cont()');
  return p;
}
