/**
 * `frame.groupBy('region', 'sex')`: the keys of a group-by, waiting for its aggregates. `agg`
 * makes the plan's aggregate node with `by` (plan/check-group-by.ts chooses one-hot or sort) and
 * returns a frame of one row per group: the key columns, then the outputs.
 *
 *   t.table('visits').groupBy('region').agg({ n: count(), cost: mean('amount'), lo: min('age') })
 */

import { UsageError } from '../errors.js';
import { COLUMN_NAME_PATTERN } from '../table/schema.js';
import type { AggregateExpr } from './aggregates.js';
import type { LazyFrame } from './frame.js';

/** The largest number of keys a group-by takes (plan/parse.ts MAX_GROUP_KEYS). */
const MAX_KEYS = 8;

export class GroupedFrame<C extends string, K extends C> {
  constructor(
    readonly keys: readonly K[],
    private readonly aggregate: <A extends Record<string, AggregateExpr<C>>>(aggregates: A) => LazyFrame<K | (keyof A & string)>,
  ) {}

  /** One row per group: the keys, then each named aggregate (`{ n: count(), avg_age: mean('age') }`). */
  agg<A extends Record<string, AggregateExpr<C>>>(aggregates: A): LazyFrame<K | (keyof A & string)> {
    return this.aggregate(aggregates);
  }
}

/** Keys as given to groupBy: 1-8 distinct column names. */
export function checkGroupKeys(keys: readonly unknown[]): void {
  if (keys.length === 0) throw new UsageError("groupBy needs at least one key column: groupBy('region')");
  if (keys.length > MAX_KEYS) throw new UsageError(`groupBy takes at most ${MAX_KEYS} key columns, not ${keys.length}`);
  keys.forEach((k, i) => {
    if (typeof k !== 'string' || !COLUMN_NAME_PATTERN.test(k)) throw new UsageError(`${JSON.stringify(k)} is not a column name: use letters, digits and _ (not starting with a digit)`);
    if (keys.indexOf(k) !== i) throw new UsageError(`key column '${k}' is listed twice`);
  });
}

export interface CrosstabOptions {
  /** Cells counting fewer rows open as null (suppressed inside MPC; the recipient cannot tell their counts). */
  readonly suppressBelow?: number;
  /** Adds rows where a key is null, meaning "all" (sums of the published cells, as GROUP BY CUBE). */
  readonly margins?: boolean;
}

export function checkCrosstabOptions(keys: readonly unknown[], options: CrosstabOptions): void {
  if (!Array.isArray(keys) || keys.length < 2) throw new UsageError("crosstab crosses two or more category or boolean columns: crosstab(['region', 'sex'])");
  checkGroupKeys(keys);
  const k = options?.suppressBelow;
  if (k !== undefined && (typeof k !== 'number' || !Number.isSafeInteger(k) || k < 1)) throw new UsageError(`suppressBelow is a whole number of rows of at least 1, not ${JSON.stringify(k)}`);
  if (options?.margins !== undefined && typeof options.margins !== 'boolean') throw new UsageError('margins is true or false');
}
