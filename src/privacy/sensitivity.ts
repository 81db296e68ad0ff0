/**
 * The sensitivity of each opened aggregate column (docs/statistics.md, "Sensitivity"): how far
 * the column's cells can move together, in stored units (L1; the L2 of the same change is at most
 * as large), when one individual's rows, at most c of them, are added to or removed from the
 * aggregated input. Every aggregate opens as linear terms (plan/aggregate-columns.ts); each term
 * gets its own noise, and the statistic is decoded from the noisy terms (post-processing).
 *
 * Unbounded terms (sums over rows): a row adds its own term, so c rows move the column, over all
 * its cells together, by at most c times the largest term one row can contribute.
 *
 *   rows, present, distinct, pair-count   c                     (a row counts once; one row adds
 *                                                                at most one distinct value)
 *   values, pair-x, pair-y                c · max(|lo|, |hi|)
 *   squares, pair-xx, pair-yy             c · max(lo², hi²)
 *   pair-xy                               c · max |x·y| over the ranges' corners
 *
 * Bounded terms (one value per cell, inside a public interval of width W): a cell moves by at
 * most W however many of the c rows fall in it, and the c rows reach at most min(c, cells) cells.
 * An empty group's value (SQL's null) is replaced inside MPC by the interval's lower end before
 * the noise (ops/noise.ts), so "no value" is a point of the interval and opening it says nothing.
 *
 *   min, max, quantile-lower, -upper      min(c, cells) · (hi − lo)        (the declared range)
 *   quantile-fraction                     min(c, cells) · (10^6 − 1)      (its range [0, 10^6))
 *
 * The bounded rule is honest but coarse: min, max and quantiles get noise on the scale of the
 * whole declared range divided by ε, so they are useful only for narrow ranges or large ε.
 */

import { FRACTION_UNIT } from '../plan/functions/quantile.js';
import type { LinearTerm, TermKind } from '../plan/registry.js';
import type { ColumnFacts } from '../plan/types.js';

/** What a term's sensitivity is computed from: its kind and the aggregated column(s). */
export interface TermSource {
  readonly of: TermKind;
  readonly column?: ColumnFacts;
  /** A pair aggregate's second column. */
  readonly other?: ColumnFacts;
}

/** Terms with one value per cell inside a public interval (an empty cell takes the interval's lower end). */
export const BOUNDED_TERMS: readonly TermKind[] = ['min', 'max', 'quantile-lower', 'quantile-upper', 'quantile-fraction'];

export function isBoundedTerm(t: LinearTerm | TermSource): boolean {
  return BOUNDED_TERMS.includes(t.of);
}

/** The public interval [lo, hi] a bounded term's value lies in (stored units). */
export function boundedInterval(t: TermSource): { readonly lo: bigint; readonly hi: bigint } {
  if (t.of === 'quantile-fraction') return { lo: 0n, hi: FRACTION_UNIT - 1n };
  const c = required(t.column, t.of);
  return { lo: c.min, hi: c.max };
}

/** The term's sensitivity in stored units (at least 1: a zero-width range still gets noise for one unit). */
export function termSensitivity(t: TermSource, contributions: bigint, cells: number): bigint {
  const c = contributions;
  const abs = (v: bigint): bigint => (v < 0n ? -v : v);
  const largest = (values: readonly bigint[]): bigint => values.reduce((m, v) => (abs(v) > m ? abs(v) : m), 0n);
  const atLeastOne = (v: bigint): bigint => (v === 0n ? 1n : v);
  switch (t.of) {
    case 'rows':
    case 'present':
    case 'distinct':
    case 'pair-count':
      return c;
    case 'values':
    case 'pair-x':
      return c * atLeastOne(largest(corners(required(t.column, t.of))));
    case 'pair-y':
      return c * atLeastOne(largest(corners(required(t.other, t.of))));
    case 'squares':
    case 'pair-xx': {
      const x = required(t.column, t.of);
      return c * atLeastOne(largest([x.min * x.min, x.max * x.max]));
    }
    case 'pair-yy': {
      const y = required(t.other, t.of);
      return c * atLeastOne(largest([y.min * y.min, y.max * y.max]));
    }
    case 'pair-xy': {
      const x = required(t.column, t.of), y = required(t.other, t.of);
      return c * atLeastOne(largest([x.min * y.min, x.min * y.max, x.max * y.min, x.max * y.max]));
    }
    case 'min':
    case 'max':
    case 'quantile-lower':
    case 'quantile-upper':
    case 'quantile-fraction': {
      const { lo, hi } = boundedInterval(t);
      const reach = c < BigInt(cells) ? c : BigInt(Math.max(1, cells));
      return reach * atLeastOne(hi - lo);
    }
  }
}

function corners(c: ColumnFacts): bigint[] {
  return [c.min, c.max];
}

function required(c: ColumnFacts | undefined, of: TermKind): ColumnFacts {
  if (!c) throw new RangeError(`a '${of}' term needs its aggregated column's facts`);
  return c;
}
