/**
 * `describe(frame, ['age', 'cost'], { to })`: pandas' describe() for numeric columns of a secret
 * table, from ONE plan of count, mean, std, min and max per column, opened to the recipients.
 * The quartiles pandas also prints (25%, 50%, 75%) are not here: an exact quantile needs a
 * secret sort, which the statistics layer does not do yet (issue 10, item 1).
 *
 * count is the number of non-null values, std the sample standard deviation (n − 1), from the
 * exact integer sums n, Σx, Σx² (plan/functions/variance.ts); mean, std, min and max are NaN where
 * pandas prints NaN (no value; std below two values).
 */

import { UsageError } from '../errors.js';
import { aggregate, type AggregateExpr } from '../client/aggregates.js';
import type { LazyFrame, OpenOptions } from '../client/frame.js';
import { openFrame, type Provenance } from './frame-groups.js';

export const DESCRIBE_STATISTICS = ['count', 'mean', 'std', 'min', 'max'] as const;
export type DescribeStatistic = (typeof DESCRIBE_STATISTICS)[number];

export interface Description extends Provenance {
  readonly columns: readonly string[];
  /** Per column, each statistic (NaN where there is none). */
  readonly statistics: Readonly<Record<string, Readonly<Record<DescribeStatistic, number>>>>;
  /** The table as pandas prints it: one row per statistic, one column per input column. */
  text(): string;
}

export async function describe<C extends string>(frame: LazyFrame<C>, columns: readonly C[], open: OpenOptions): Promise<Description> {
  if (!Array.isArray(columns) || columns.length === 0) throw new UsageError("describe needs the numeric columns to summarise: describe(frame, ['age', 'cost'], { to })");
  columns.forEach((c, i) => {
    if (columns.indexOf(c) !== i) throw new UsageError(`column '${c}' is listed twice`);
  });
  // Output names by position (c0_mean, ...): any column name fits the 63-character limit this way.
  const aggregates: Record<string, AggregateExpr<C>> = {};
  columns.forEach((c, i) => {
    for (const s of DESCRIBE_STATISTICS) aggregates[`c${i}_${s}`] = aggregate(s, c);
  });
  const result = await openFrame(frame.agg(aggregates), open);
  const statistics: Record<string, Record<DescribeStatistic, number>> = {};
  columns.forEach((c, i) => {
    const of = (s: DescribeStatistic): number => Number(result.outputs[`c${i}_${s}`].value);
    statistics[c] = { count: of('count'), mean: of('mean'), std: of('std'), min: of('min'), max: of('max') };
  });
  return { columns: [...columns], statistics, plan: result.plan, query: result.query, text: () => describeText(columns, statistics) };
}

/** pandas' layout: six decimals, right-aligned columns, NaN for no value. */
export function describeText(columns: readonly string[], statistics: Readonly<Record<string, Readonly<Record<DescribeStatistic, number>>>>): string {
  const cell = (v: number): string => (Number.isNaN(v) ? 'NaN' : v.toFixed(6));
  const grid = columns.map((c) => DESCRIBE_STATISTICS.map((s) => cell(statistics[c][s])));
  const widths = columns.map((c, k) => Math.max(c.length, ...grid[k].map((v) => v.length)));
  const label = Math.max(...DESCRIBE_STATISTICS.map((s) => s.length));
  const header = ' '.repeat(label) + columns.map((c, k) => '  ' + c.padStart(widths[k])).join('');
  const lines = DESCRIBE_STATISTICS.map((s, j) => s.padEnd(label) + columns.map((_, k) => '  ' + grid[k][j].padStart(widths[k])).join(''));
  return [header, ...lines].join('\n');
}
