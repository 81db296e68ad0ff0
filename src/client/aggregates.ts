/**
 * Aggregate builders for the data-frame API (client/frame.ts), read from the registry
 * (plan/registry.ts): `count()`, `count('age')`, `sum('visits')`, `mean('age')`, and
 * `aggregate('median', 'age')` for any entry. A new registry entry works through `aggregate` at
 * once; a named builder is one line below (a test checks that every entry has one).
 *
 *   t.table('visits').agg({ n: count(), avg_age: mean('age'), total: sum('visits') })
 */

import { UsageError } from '../errors.js';
import { aggregateNames, findAggregate } from '../plan/registry.js';
import { COLUMN_NAME_PATTERN } from '../table/schema.js';

/** One aggregate, not yet named: its registry entry and the column it reads (if any). */
export interface AggregateExpr<C extends string = string> {
  readonly fn: string;
  readonly column?: C;
  /** quantile's fraction in [0, 1] (at most 6 decimals). */
  readonly p?: number;
  /** The second column of corr and covar_samp. */
  readonly other?: C;
}

/** What some aggregates take beside the column: quantile's p, a pair's second column. */
export interface AggregateArguments<C extends string = string> {
  readonly p?: number;
  readonly other?: C;
}

/** Any registry aggregate: checked against the entry's column rule here, before any plan is built. */
export function aggregate<C extends string>(fn: string, column?: C, args: AggregateArguments<C> = {}): AggregateExpr<C> {
  const { p, other } = args;
  const entry = findAggregate(fn);
  if (!entry) throw new UsageError(`unknown aggregate '${fn}' (known: ${aggregateNames().join(', ')})`);
  if (entry.column === 'required' && column === undefined) throw new UsageError(`${fn} needs a column: ${fn}('column')`);
  if (entry.column === 'none' && column !== undefined) throw new UsageError(`${fn} takes no column: ${fn}()`);
  if (column !== undefined && (typeof column !== 'string' || !COLUMN_NAME_PATTERN.test(column))) {
    throw new UsageError(`${JSON.stringify(column)} is not a column name: use letters, digits and _ (not starting with a digit)`);
  }
  if (entry.fraction === 'argument') {
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1) throw new UsageError(`${fn} needs p, a number in [0, 1]: ${fn}('column', 0.25)`);
  } else if (p !== undefined) throw new UsageError(`${fn} takes no p (only quantile does)`);
  if (entry.pair === true) {
    if (typeof other !== 'string' || !COLUMN_NAME_PATTERN.test(other)) throw new UsageError(`${fn} needs a second column: ${fn}('x', 'y')`);
  } else if (other !== undefined) throw new UsageError(`${fn} takes one column (only corr and covar_samp take two)`);
  const base = column === undefined ? { fn: entry.name } : { fn: entry.name, column };
  return { ...base, ...(p !== undefined ? { p } : {}), ...(other !== undefined ? { other } : {}) };
}

/** Builders of aggregates that take an optional column, a required one, or none. */
const optionalColumn = (fn: string) => <C extends string = never>(column?: C): AggregateExpr<C> => aggregate(fn, column);
const requiredColumn = (fn: string) => <C extends string>(column: C): AggregateExpr<C> => aggregate(fn, column);

/** Rows; with a column, rows where it is not null. */
export const count = optionalColumn('count');
/** Sum of an integer, decimal or boolean column (nulls add nothing). */
export const sum = requiredColumn('sum');
/** Mean over the non-null values of an integer, decimal or boolean column. */
export const mean = requiredColumn('mean');

/** Least non-null value of an integer, decimal or boolean column (null in `result.table`, NaN as a scalar, when there is none). */
export const min = requiredColumn('min');
/** Greatest non-null value of an integer, decimal or boolean column. */
export const max = requiredColumn('max');
/** Sample variance over the non-null values (NaN below two values); also exported as `var` (the registry's name). */
export const variance = requiredColumn('var');
export { variance as var };
/** Sample standard deviation over the non-null values (NaN below two values). */
export const std = requiredColumn('std');
/** Number of distinct non-null values of a column (SQL count(DISTINCT column)); also exported as `count_distinct` (the registry's name). */
export const countDistinct = requiredColumn('count_distinct');
export { countDistinct as count_distinct };
/** Exact median of the non-null values (a secret sort; linear interpolation between the middle two, as DuckDB median). */
export const median = requiredColumn('median');
/** Exact quantile at p in [0, 1] (up to 6 decimals): linear interpolation, Hyndman–Fan type 7, as DuckDB quantile_cont and pandas. */
export const quantile = <C extends string>(column: C, p: number): AggregateExpr<C> => aggregate('quantile', column, { p });
/** Pearson's correlation of two numeric columns over the rows where both are non-null (exact sums; SQL corr). */
export const corr = <C extends string>(x: C, y: C): AggregateExpr<C> => aggregate('corr', x, { other: y });
/** Sample covariance of two numeric columns over the rows where both are non-null (exact sums; SQL covar_samp); also exported as `covar_samp`. */
export const covarSamp = <C extends string>(x: C, y: C): AggregateExpr<C> => aggregate('covar_samp', x, { other: y });
export { covarSamp as covar_samp };
