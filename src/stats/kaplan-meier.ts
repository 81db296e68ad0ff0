/**
 * `kaplanMeier(frame, { time, event, by?, breaks? })`: Kaplan–Meier curves per group and the
 * log-rank test on a secret table.
 *
 *   const km = await kaplanMeier(t.table('trial'), { time: 'weeks', event: 'relapsed', by: 'arm' }).open({ to: ['St. Mary Hospital'] });
 *   console.log(km.text());   // R's summary(survfit(...)), its medians, and survdiff
 *
 * Everything the curves and the test need is a function of two counts per (group, distinct
 * time): the rows whose time it is and how many of them had the event. At-risk counts are their
 * reverse cumulative sums. ONE plan computes the counts inside MPC, a group-by of (by, time) with
 * count() and sum(event), and opens them; the recipient forms the at-risk counts, the curves,
 * Greenwood's errors, the intervals, the medians and the test (survival-curve.ts, log-rank.ts).
 *
 * What opens is what R's survfit object holds (n.risk, n.event, n.censor at every time, censoring
 * times included). `breaks` coarsens time into public intervals inside MPC first (a time in
 * (b_{k−1}, b_k] counts at b_k), so only the intervals' counts open, from sums of products
 * (kaplan-meier-intervals.ts) or, when those do not fit, a group-by of (by, interval). The nodes
 * learn nothing from the sums, nor from a group-by of at most 256 combinations of (group, time or
 * interval) (one-hot: every combination opens, empty ones as 0); beyond that the group-by sorts
 * and the nodes learn how many pairs have rows, as the plan's explain() says.
 */

import { UsageError } from '../errors.js';
import { count, sum } from '../client/aggregates.js';
import { col, type Expression } from '../client/expr.js';
import type { LazyFrame, OpenOptions } from '../client/frame.js';
import type { Explanation } from '../client/explain.js';
import type { QueryResult } from '../client/result.js';
import type { ColumnTypeJson } from '../table/column-type.js';
import type { QueryOutputInfo } from '../wire/api.js';
import { checkColumn, openFrame } from './frame-groups.js';
import { intervalSums } from './kaplan-meier-intervals.js';
import { estimateFromCounts, estimateFromGroups, openedCount, type KaplanMeierOptions, type KaplanMeierResult } from './kaplan-meier-result.js';
import { columnTypes } from './ols-design.js';

export type { KaplanMeierGroup, KaplanMeierOptions, KaplanMeierResult } from './kaplan-meier-result.js';

export interface KaplanMeierSpec<C extends string> {
  /** Follow-up time: an integer column declared ≥ 0 (days, weeks), or a decimal one with `breaks`. */
  readonly time: C;
  /** 1 (or true) for the event, 0 (false) for censored: a boolean, or an integer column declared in [0, 1]. */
  readonly event: C;
  /** One curve per group of this column, and the log-rank test between them. */
  readonly by?: C;
  /** Public interval ends b_0 < b_1 < … (b_0 ≥ 0, the last ≥ time's declared maximum): a time in (b_{k−1}, b_k] counts at b_k (at most b_0: at b_0). */
  readonly breaks?: readonly number[];
}

export interface KaplanMeierExplanation extends Explanation {
  readonly reveals: string;
}

/** The plan, and how to read its opened result. */
export interface KaplanMeierDesign {
  readonly frame: LazyFrame<string>;
  estimate(result: QueryResult, options?: KaplanMeierOptions): KaplanMeierResult;
}

export interface KaplanMeierModel {
  /** The node's check of the plan (what it opens, its cost, what the nodes learn), plus what the recipients learn. */
  explain(open: OpenOptions): Promise<KaplanMeierExplanation>;
  /** Runs the plan, opens the counts to `to` (the caller must be one of them), and estimates. */
  open(open: OpenOptions & KaplanMeierOptions): Promise<KaplanMeierResult>;
  /** The plan alone (to record it as a script step, run it, and estimate from the result). */
  design(open: OpenOptions): Promise<KaplanMeierDesign>;
}

export const KAPLAN_MEIER_REVEALS =
  'the recipients learn, per group and distinct time with rows (per interval with breaks), how many rows end there and how many had the event: ' +
  "what R's survfit object holds (at-risk, event and censoring counts at every time, censoring times included), so each group's size and event count";

const BIN = 'km_interval';
const ROWS = 'km_rows';
const EVENTS = 'km_events';

export function kaplanMeier<C extends string>(frame: LazyFrame<C>, spec: KaplanMeierSpec<C>): KaplanMeierModel {
  const columns = checkSpec(spec);
  const design = async (open: OpenOptions): Promise<KaplanMeierDesign> => buildDesign(frame, spec, await columnTypes(frame, columns, open));
  return {
    design,
    async explain(open) {
      const checked = await (await design(open)).frame.explain(open);
      return { ...checked, reveals: KAPLAN_MEIER_REVEALS, text: () => `${checked.text()}\nthe survival curves: ${KAPLAN_MEIER_REVEALS}` };
    },
    async open(open) {
      const d = await design(open);
      return d.estimate(await openFrame(d.frame, open), open);
    },
  };
}

function checkSpec<C extends string>(spec: KaplanMeierSpec<C>): C[] {
  const time = checkColumn(spec?.time, 'time') as C;
  const event = checkColumn(spec.event, 'event') as C;
  const by = spec.by === undefined ? undefined : (checkColumn(spec.by, 'by') as C);
  const all = [time, event, ...(by !== undefined ? [by] : [])];
  all.forEach((c, i) => {
    if (all.indexOf(c) !== i) throw new UsageError(`column '${c}' is given twice among time, event and by: each is a different column`);
    if (c.startsWith('km_')) throw new UsageError(`the survival plan derives columns named km_…: rename the column '${c}' first`);
  });
  if (spec.breaks !== undefined) checkBreaks(spec.breaks);
  return all;
}

function checkBreaks(breaks: unknown): readonly number[] {
  if (!Array.isArray(breaks) || breaks.length === 0) throw new UsageError('breaks are public interval ends, at least one number: { breaks: [30, 60, 90, 180, 365] }');
  breaks.forEach((b: unknown, i) => {
    if (typeof b !== 'number' || !Number.isFinite(b) || b < 0) throw new UsageError(`break ${JSON.stringify(b)} is not a non-negative number`);
    if (i > 0 && !(b > (breaks[i - 1] as number))) throw new UsageError(`breaks must increase strictly: ${String(breaks[i - 1])} then ${b}`);
  });
  return breaks as number[];
}

function buildDesign<C extends string>(frame: LazyFrame<C>, spec: KaplanMeierSpec<C>, types: ReadonlyMap<string, QueryOutputInfo>): KaplanMeierDesign {
  const typeOf = (c: string): QueryOutputInfo => {
    const t = types.get(c);
    if (!t?.type) throw new UsageError(`column '${c}' is not in the frame`);
    return t;
  };
  const { event } = checkTypes(spec, typeOf);

  let f: LazyFrame<string> = frame;
  const used = [spec.time, spec.event, ...(spec.by !== undefined ? [spec.by] : [])];
  const nullable = used.filter((c) => typeOf(c).parts.some((p) => p.part === 'present'));
  if (nullable.length > 0) {
    // Complete cases, as R's Surv drops NA rows: oblivious, nothing opens.
    const [first, ...rest] = nullable.map((c) => col(c).isNotNull());
    f = f.filter(rest.length > 0 ? first.and(...rest) : first, { mode: 'oblivious' });
  }
  if (spec.breaks !== undefined) {
    const sums = intervalSums(f, { time: spec.time, event: spec.event, breaks: spec.breaks, ...(spec.by !== undefined ? { by: spec.by } : {}) }, spec.by !== undefined ? typeOf(spec.by).type : undefined, event.type === 'boolean', nullable);
    if (sums !== undefined) {
      return {
        frame: sums.frame,
        estimate: (result, options = {}) => estimateFromCounts(sums.counts((name) => openedCount(result, name)), spec.by, result, options),
      };
    }
  }
  let timeKey: string = spec.time;
  if (spec.breaks !== undefined) {
    // Interval index: the number of breaks strictly below the time (K comparisons per row, one batch),
    // added as a balanced tree so the expression nests log2(K) deep, within the plan's 32 levels.
    const below = spec.breaks.map((b) => col(spec.time).gt(b).cast('integer') as Expression<string>);
    f = f.withColumns({ [BIN]: balancedSum(below) });
    timeKey = BIN;
  }
  const keys = spec.by !== undefined ? [spec.by, timeKey] : [timeKey];
  const counts = f.groupBy(...keys).agg({ [ROWS]: count(), [EVENTS]: sum(spec.event) });
  const breaks = spec.breaks;
  return {
    frame: counts,
    estimate: (result, options = {}) => estimateFromGroups(result, { by: spec.by, timeKey, breaks, rows: ROWS, events: EVENTS }, options),
  };
}

/** The time and event columns' declared types, or a refusal that says what to declare or derive. */
function checkTypes<C extends string>(spec: KaplanMeierSpec<C>, typeOf: (c: string) => QueryOutputInfo): { readonly event: ColumnTypeJson } {
  const time = typeOf(spec.time).type!, event = typeOf(spec.event).type!;
  if (time.type !== 'integer' && time.type !== 'decimal') {
    throw new UsageError(`the time column '${spec.time}' is a ${time.type} column: follow-up time is an integer column (days, weeks, months) or, with breaks, a decimal one`);
  }
  if (Number(time.min) < 0) throw new UsageError(`the time column '${spec.time}' declares values from ${time.min}: survival times are non-negative; declare a minimum of 0 or more`);
  if (time.type === 'decimal' && spec.breaks === undefined) {
    throw new UsageError(`the time column '${spec.time}' is a decimal: give public breaks to count it per interval ({ breaks: [...] }), or store time as an integer count of its unit`);
  }
  if (spec.breaks !== undefined && spec.breaks[spec.breaks.length - 1] < Number(time.max)) {
    throw new UsageError(`the last break (${spec.breaks[spec.breaks.length - 1]}) lies below the time column's declared maximum (${time.max}): add a break at ${time.max} or above, so every time has its interval`);
  }
  const eventIsBinary = event.type === 'boolean' || (event.type === 'integer' && Number(event.min) >= 0 && Number(event.max) <= 1);
  if (!eventIsBinary) {
    const declared = event.type === 'integer' || event.type === 'decimal' ? ` declared in [${event.min}, ${event.max}]` : '';
    throw new UsageError(
      `the event column '${spec.event}' is a ${event.type} column${declared}: the event is 1 (or true) for an event and 0 (false) for censored, a boolean or an integer column declared in [0, 1]; ` +
        "derive one if it is coded otherwise, e.g. withColumns({ died: col('status').eq(2) })",
    );
  }
  return { event };
}

function balancedSum(terms: readonly Expression<string>[]): Expression<string> {
  if (terms.length === 1) return terms[0];
  const half = Math.ceil(terms.length / 2);
  return balancedSum(terms.slice(0, half)).add(balancedSum(terms.slice(half)));
}
