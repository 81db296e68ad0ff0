/**
 * The columns an aggregate makes, with their facts (kind, scale, declared range), and the check
 * that each fits the 64-bit ring. An output with one term is one column named like the output;
 * one with several (mean, var) is one column per term, "<output>.<part>", which later operators
 * cannot reference (a '.' is not in column names), only open.
 *
 *   rows, present          integer [0, rows]
 *   distinct               integer [0, rows] (count_distinct)
 *   values                 the column's kind (boolean counts as integer), [rows·min(lo, 0), rows·max(hi, 0)]
 *   squares                integer, or decimal of twice the scale, [0, rows·max(lo², hi²)]
 *   min, max               the column's kind and range, nullable (no non-null value in the group)
 *   quantile-lower, -upper the column's kind and range; lower nullable (no non-null value)
 *   quantile-fraction      integer [0, 10^6)
 *   pair-count             integer [0, rows]
 *   pair-x, -y, -xy, -xx, -yy   Σ of x, y, x·y, x², y²: rows × the extremes of the product (and 0),
 *                          at the sum of the factors' scales
 *
 * `rows` is the bound on the rows that can fall in one group (the input's maxRows).
 */

import { PlanError } from '../errors.js';
import type { AggregateFunction, LinearTerm } from './registry.js';
import { FRACTION_UNIT } from './functions/quantile.js';
import { RING_LIMIT, type ColumnFacts } from './types.js';

export function aggregateColumnName(output: string, terms: readonly LinearTerm[], term: LinearTerm): string {
  return terms.length === 1 ? output : `${output}.${term.part}`;
}

/**
 * The decimal scale of the column an aggregate column was made from (what the registry's decode
 * takes): its own, except a sum of squares, which has twice the column's.
 */
export function sourceScale(c: ColumnFacts): number {
  const part = c.aggregate?.part;
  // A pair's squares do not set it: its products' scale, the sum of both columns', does (functions/pair-moments.ts).
  if (part === 'sum_xx' || part === 'sum_yy') return 0;
  return part === 'squares' ? c.scale / 2 : c.scale;
}

/** The facts of the column one term makes; refuses a term whose values could leave the ring. */
export function termColumn(output: string, fn: AggregateFunction, terms: readonly LinearTerm[], term: LinearTerm, column: ColumnFacts | undefined, rows: number, at: string, other?: ColumnFacts): ColumnFacts {
  const name = aggregateColumnName(output, terms, term);
  const aggregate = { output, fn: fn.name, part: term.part, ...(column ? { column: column.name } : {}) };
  const r = BigInt(rows);
  const base = { name, nullable: false, aggregate };
  const fits = (lo: bigint, hi: bigint, what: string): void => {
    if (lo < -RING_LIMIT || hi > RING_LIMIT) {
      throw new PlanError(`${at}/column`, `the ${what} of '${column?.name ?? '*'}' could exceed the 64-bit range: up to ${rows} rows in [${column?.min ?? 0n}, ${column?.max ?? 1n}] stored units give values in [${lo}, ${hi}], beyond ±(2^63 - 1); declare narrower ranges or query fewer rows at a time`);
    }
  };
  switch (term.of) {
    case 'pair-x':
    case 'pair-y':
    case 'pair-xy':
    case 'pair-xx':
    case 'pair-yy': {
      // Σ of a product over rows: rows × the product's extremes (0 included: the sum may be over no row).
      const [a, b] = term.of === 'pair-x' ? [column!, undefined] : term.of === 'pair-y' ? [other!, undefined] : term.of === 'pair-xy' ? [column!, other!] : term.of === 'pair-xx' ? [column!, column!] : [other!, other!];
      // A square's cross terms lo·hi cannot occur: x² lies in [0, max(lo², hi²)].
      const products = b === undefined ? [a.min, a.max] : a === b ? [a.min * a.min, a.max * a.max] : [a.min * b.min, a.min * b.max, a.max * b.min, a.max * b.max];
      const lo = r * products.reduce((m, v) => (v < m ? v : m), 0n), hi = r * products.reduce((m, v) => (v > m ? v : m), 0n);
      if (lo < -RING_LIMIT || hi > RING_LIMIT) {
        const what = { 'pair-x': 'x', 'pair-y': 'y', 'pair-xy': 'x·y', 'pair-xx': 'x²', 'pair-yy': 'y²' }[term.of];
        throw new PlanError(`${at}/column`, `the ${fn.name} of '${column!.name}' and '${other!.name}' could exceed the 64-bit range: its sum of ${what} over up to ${rows} rows of the declared ranges lies in [${lo}, ${hi}] stored units, beyond ±(2^63 - 1); declare narrower ranges or query fewer rows at a time`);
      }
      const scale = b === undefined ? a.scale : a.scale + b.scale;
      return { ...base, kind: scale > 0 ? 'decimal' : 'integer', scale, min: lo, max: hi };
    }
    case 'pair-count':
    case 'rows':
    case 'present':
    case 'distinct':
      fits(0n, r, fn.name);
      return { ...base, kind: 'integer', scale: 0, min: 0n, max: r };
    case 'values': {
      const c = column!;
      const lo = r * (c.min < 0n ? c.min : 0n), hi = r * (c.max > 0n ? c.max : 0n);
      fits(lo, hi, fn.name);
      return { ...base, kind: c.kind === 'decimal' ? 'decimal' : 'integer', scale: c.scale, min: lo, max: hi };
    }
    case 'squares': {
      const c = column!;
      const square = c.min * c.min > c.max * c.max ? c.min * c.min : c.max * c.max;
      fits(0n, r * square, `${fn.name} (its sum of squares)`);
      return { ...base, kind: c.kind === 'decimal' ? 'decimal' : 'integer', scale: 2 * c.scale, min: 0n, max: r * square };
    }
    case 'quantile-fraction':
      return { ...base, kind: 'integer', scale: 0, min: 0n, max: FRACTION_UNIT - 1n };
    case 'quantile-upper':
    case 'min':
    case 'max':
    case 'quantile-lower': {
      const c = column!;
      // The lower order statistic carries the quantile's present bit (no value: null); the upper opens without one.
      return { ...base, kind: c.kind, scale: c.scale, min: c.min, max: c.max, nullable: term.of !== 'quantile-upper' };
    }
  }
}
