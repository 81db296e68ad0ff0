/**
 * A quantile's fraction p (plan.ts AggregateSpec.p) as millionths: given for quantile, fixed for
 * median (functions/quantile.ts), refused on every other aggregate. p must lie in [0, 1] with at
 * most 6 digits after the point, so the interpolation weight (n − 1)·p − ⌊(n − 1)·p⌋ is an exact
 * multiple of 10^−6 and the result an exact decimal.
 */

import { PlanError } from '../errors.js';
import { FRACTION_DIGITS, FRACTION_UNIT } from './functions/quantile.js';
import type { AggregateSpec } from './plan.js';
import type { AggregateFunction } from './registry.js';

export function checkFraction(fn: AggregateFunction, spec: AggregateSpec, at: string): bigint | undefined {
  if (fn.fraction === undefined) {
    if (spec.p !== undefined) throw new PlanError(`${at}/p`, `${fn.name} takes no p (only quantile does)`);
    return undefined;
  }
  if (fn.fraction !== 'argument') {
    if (spec.p !== undefined) throw new PlanError(`${at}/p`, `${fn.name} is the quantile at 0.5 and takes no p; use quantile with p for another`);
    return fn.fraction;
  }
  if (spec.p === undefined) throw new PlanError(`${at}/p`, `${fn.name} needs p, the fraction in [0, 1]: { fn: '${fn.name}', column, p: 0.25 }`);
  return fractionOf(spec.p, `${at}/p`);
}

/** p in millionths, or a refusal naming `at`. */
export function fractionOf(p: unknown, at: string): bigint {
  if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1) throw new PlanError(at, `p is a number in [0, 1], not ${JSON.stringify(p)}`);
  const millionths = Math.round(p * Number(FRACTION_UNIT));
  // Exactly representable decimals with at most 6 digits round-trip; 0.1234567 does not.
  if (millionths / Number(FRACTION_UNIT) !== p) throw new PlanError(at, `p = ${p} has more than ${FRACTION_DIGITS} digits after the point; round it (e.g. ${(millionths / Number(FRACTION_UNIT)).toString()})`);
  return BigInt(millionths);
}
