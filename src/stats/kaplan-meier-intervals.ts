/**
 * Kaplan–Meier with public `breaks` without a group-by: the counts per interval follow from
 * cumulative sums that the executor computes as inner products (ops/product-sums.ts).
 *
 * With c_k = [time > b_k] (K comparisons per row, one batch) and, per group g, h_g = [by = g] and
 * e_g = h_g·event, ONE aggregate opens N_g = Σ h_g, E_g = Σ e_g, A_gk = Σ h_g·c_k (the group's
 * rows after b_k) and B_gk = Σ e_g·c_k (its events after b_k). The interval (b_{k−1}, b_k] then
 * holds A_{g,k−1} − A_gk rows and B_{g,k−1} − B_gk events (interval 0: N_g − A_g0), which is
 * exactly what the one-hot group-by of (by, interval) would open: the same disclosure (none to
 * the nodes, the counts per interval to the recipients) at a fraction of the cost, since each
 * sum of products is one reshare of 8 bytes whatever the row count and no row pays the
 * (intervals × groups) equalities of the one-hot group-by.
 *
 * Used when the groups are enumerable (a category's levels, a boolean, or no `by`) and the
 * 2·G·(K + 1) sums fit one plan's aggregates; otherwise kaplan-meier.ts groups by (by, interval).
 */

import { count, sum, type AggregateExpr } from '../client/aggregates.js';
import { col, lit, type Expression } from '../client/expr.js';
import type { LazyFrame } from '../client/frame.js';
import type { ResultCell } from '../client/result.js';
import { MAX_AGGREGATES } from '../plan/parse.js';
import type { ColumnTypeJson } from '../table/column-type.js';
import type { TimeCount } from './survival-curve.js';

export interface IntervalSums {
  readonly frame: LazyFrame<string>;
  /** Each group's counts per interval, from the opened sums (read by output name). */
  counts(value: (name: string) => number): Map<ResultCell, TimeCount[]>;
}

/** The plan, or undefined when the groups cannot be listed or the sums would not fit one aggregate. */
export function intervalSums(
  frame: LazyFrame<string>,
  spec: { readonly time: string; readonly event: string; readonly by?: string; readonly breaks: readonly number[] },
  byType: ColumnTypeJson | undefined,
  eventIsBoolean: boolean,
  nullable: readonly string[],
): IntervalSums | undefined {
  // After the complete-case filter a null's stored value is never read, but a nullable operand would
  // keep every derived column nullable and the products unfused: fill with 0/false (free), as OLS does.
  const filled = (name: string, zero: number | boolean): Expression<string> => (nullable.includes(name) ? col(name).fillNull(zero) : col(name)) as Expression<string>;
  const by = spec.by !== undefined ? filled(spec.by, byType?.type === 'boolean' ? false : 0) : undefined;
  const levels: { label: ResultCell; is: Expression<string> | undefined }[] =
    spec.by === undefined ? [{ label: null, is: undefined }]
      : byType?.type === 'category' ? byType.dictionary.map((level) => ({ label: level, is: (nullable.includes(spec.by!) ? col(spec.by!).eq(level).fillNull(false) : col(spec.by!).eq(level)).cast('integer') as Expression<string> }))
        : byType?.type === 'boolean' ? [false, true].map((b) => ({ label: b, is: (b ? by!.cast('integer') : lit(1).sub(by!.cast('integer'))) as Expression<string> }))
          : [];
  if (levels.length === 0) return undefined;
  const k = spec.breaks.length - 1; // the last break is at least the declared maximum: c_K is 0
  if (2 * levels.length * (k + 1) > MAX_AGGREGATES) return undefined;
  const after = (j: number): string => `km_after_${j}`;
  const member = (g: number): string => `km_in_${g}`;
  const memberEvent = (g: number): string => `km_event_in_${g}`;
  const first: Record<string, Expression<string>> = {};
  for (let j = 0; j < k; j++) first[after(j)] = filled(spec.time, 0).gt(spec.breaks[j]).cast('integer') as Expression<string>;
  const eventValue = filled(spec.event, eventIsBoolean ? false : 0).cast('integer') as Expression<string>;
  levels.forEach((level, g) => {
    first[member(g)] = level.is ?? (lit(1) as Expression<string>);
    first[memberEvent(g)] = level.is === undefined ? eventValue : level.is.mul(eventValue);
  });
  const products: Record<string, Expression<string>> = {};
  const aggregates: Record<string, AggregateExpr<string>> = {};
  levels.forEach((_, g) => {
    aggregates[`km_n_${g}`] = levels[g].is === undefined ? count() : sum(member(g));
    aggregates[`km_d_${g}`] = sum(memberEvent(g));
    for (let j = 0; j < k; j++) {
      products[`km_rows_${g}_${j}`] = col(member(g)).mul(col(after(j)));
      products[`km_deaths_${g}_${j}`] = col(memberEvent(g)).mul(col(after(j)));
      aggregates[`km_a_${g}_${j}`] = sum(`km_rows_${g}_${j}`);
      aggregates[`km_b_${g}_${j}`] = sum(`km_deaths_${g}_${j}`);
    }
  });
  const planned = (k > 0 ? frame.withColumns(first).withColumns(products) : frame.withColumns(first)).agg(aggregates);
  return {
    frame: planned,
    counts: (value) => {
      const out = new Map<ResultCell, TimeCount[]>();
      levels.forEach((level, g) => {
        // Rows (events) after each break, from b_0 to b_K (none after b_K); differences are the intervals' counts.
        const rowsAfter = [...Array.from({ length: k }, (_, j) => value(`km_a_${g}_${j}`)), 0];
        const eventsAfter = [...Array.from({ length: k }, (_, j) => value(`km_b_${g}_${j}`)), 0];
        const counts: TimeCount[] = spec.breaks.map((b, j) => ({
          time: b,
          rows: (j === 0 ? value(`km_n_${g}`) : rowsAfter[j - 1]) - rowsAfter[j],
          events: (j === 0 ? value(`km_d_${g}`) : eventsAfter[j - 1]) - eventsAfter[j],
        }));
        out.set(level.label, counts.filter((c) => c.rows > 0));
      });
      return out;
    },
  };
}
