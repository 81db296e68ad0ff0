/**
 * `describe(frame, ['age', 'cost'], { to })`: pandas' describe() for numeric columns of a secret
 * table, from ONE plan of count, mean, std, min, the quartiles and max per column, opened to the
 * recipients. The quartiles are the quantile aggregate's (plan/functions/quantile.ts: exact,
 * linear interpolation as pandas); min and max are then the quantiles at 0 and 1, so that one
 * selection finds all five order statistics of every column (ops/quantile-selection.ts; a column
 * with nulls, or after a filter, is sorted instead). `quartiles: false` leaves the quartiles out,
 * and min and max are the comparison tree's (plan/functions/extreme.ts).
 *
 * count is the number of non-null values, std the sample standard deviation (n − 1), from the
 * exact integer sums n, Σx, Σx² (plan/functions/variance.ts); mean, std, min and max are NaN where
 * pandas prints NaN (no value; std below two values).
 */

import { UsageError } from '../errors.js';
import { aggregate, quantile, type AggregateExpr } from '../client/aggregates.js';
import type { LazyFrame, OpenOptions } from '../client/frame.js';
import { openFrame, provenance, type Provenance } from './frame-groups.js';

export const DESCRIBE_STATISTICS = ['count', 'mean', 'std', 'min', '25%', '50%', '75%', 'max'] as const;
export type DescribeStatistic = (typeof DESCRIBE_STATISTICS)[number];
const QUARTILES: Readonly<Record<string, number>> = { '25%': 0.25, '50%': 0.5, '75%': 0.75 };
/** With the quartiles, min and max are the quantiles at 0 and 1: the same selection finds them (no comparison tree). */
const EXTREMES: Readonly<Record<string, number>> = { min: 0, max: 1 };

export interface DescribeOptions extends OpenOptions {
  /** Whether to compute the quartiles (a secret sort per column); true by default. */
  readonly quartiles?: boolean;
}

export interface Description extends Provenance {
  readonly columns: readonly string[];
  /** The statistics computed, in pandas' order (without the quartiles when they were left out). */
  readonly rows: readonly DescribeStatistic[];
  /** Per column, each statistic (NaN where there is none, and for quartiles left out). */
  readonly statistics: Readonly<Record<string, Readonly<Record<DescribeStatistic, number>>>>;
  /** The table as pandas prints it: one row per statistic, one column per input column. */
  text(): string;
}

export async function describe<C extends string>(frame: LazyFrame<C>, columns: readonly C[], open: DescribeOptions): Promise<Description> {
  if (!Array.isArray(columns) || columns.length === 0) throw new UsageError("describe needs the numeric columns to summarise: describe(frame, ['age', 'cost'], { to })");
  columns.forEach((c, i) => {
    if (columns.indexOf(c) !== i) throw new UsageError(`column '${c}' is listed twice`);
  });
  const rows = DESCRIBE_STATISTICS.filter((s) => open.quartiles !== false || !(s in QUARTILES));
  // Output names by position (c0_mean, c0_q1, ...): any column name fits the 63-character limit this way.
  const output = (i: number, s: DescribeStatistic): string => `c${i}_${s in QUARTILES ? `q${s[0]}` : s}`;
  const aggregates: Record<string, AggregateExpr<C>> = {};
  columns.forEach((c, i) => {
    for (const s of rows) {
      const p = QUARTILES[s] ?? (open.quartiles !== false ? EXTREMES[s] : undefined);
      aggregates[output(i, s)] = p !== undefined ? quantile(c, p) : aggregate(s, c);
    }
  });
  const { quartiles: _, ...recipients } = open;
  const result = await openFrame(frame.agg(aggregates), recipients);
  const statistics: Record<string, Record<DescribeStatistic, number>> = {};
  columns.forEach((c, i) => {
    statistics[c] = Object.fromEntries(DESCRIBE_STATISTICS.map((s) => [s, rows.includes(s) ? Number(result.outputs[output(i, s)].value) : Number.NaN])) as Record<DescribeStatistic, number>;
  });
  return { columns: [...columns], rows, statistics, ...provenance(result), text: () => describeText(columns, statistics, rows) };
}

/** pandas' layout: six decimals, right-aligned columns, NaN for no value. */
export function describeText(columns: readonly string[], statistics: Readonly<Record<string, Readonly<Record<DescribeStatistic, number>>>>, rows: readonly DescribeStatistic[] = DESCRIBE_STATISTICS): string {
  const cell = (v: number): string => (Number.isNaN(v) ? 'NaN' : v.toFixed(6));
  const grid = columns.map((c) => rows.map((s) => cell(statistics[c][s])));
  const widths = columns.map((c, k) => Math.max(c.length, ...grid[k].map((v) => v.length)));
  const label = Math.max(...rows.map((s) => s.length));
  const header = ' '.repeat(label) + columns.map((c, k) => '  ' + c.padStart(widths[k])).join('');
  const lines = rows.map((s, j) => s.padEnd(label) + columns.map((_, k) => '  ' + grid[k][j].padStart(widths[k])).join(''));
  return [header, ...lines].join('\n');
}
