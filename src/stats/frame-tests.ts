/**
 * The tests of t-test.ts, anova.ts and chi-square.ts on secret tables: each function builds ONE
 * plan on a frame, opens it to the named recipients, and computes the test on the recipient's
 * side from what opened (docs/statistics.md, "From frames"):
 *
 *   tTest(t.table('sleep'), { value: 'extra', by: 'group' }, { to: ['St. Mary Hospital'] })
 *
 * t-tests and ANOVA open, per group, the count, the mean (its sum) and the sample variance, which
 * the var aggregate decodes from the exact integer sums n, Σx, Σx² (plan/functions/variance.ts):
 * no cancellation, whatever the mean. The chi-square test opens a crosstab's counts. Each result
 * carries the plan's hash and the query's id, so a reader can check what was run.
 */

import { UsageError } from '../errors.js';
import { count, mean, variance } from '../client/aggregates.js';
import { col } from '../client/expr.js';
import type { LazyFrame, OpenOptions } from '../client/frame.js';
import type { ResultCell } from '../client/result.js';
import { oneWayAnova, type AnovaResult } from './anova.js';
import { chiSquareIndependence, type ChiSquareResult } from './chi-square.js';
import { checkColumn, groupSummaries, type GroupSummary, openFrame, provenance, type Provenance } from './frame-groups.js';
import { oneSampleT, pairedT, twoSampleT, type TTestResult } from './t-test.js';

export interface FrameTTestOptions<C extends string> {
  /** The numeric column tested. */
  readonly value: C;
  /** A column with exactly two non-empty groups (two-sample test); absent for a one-sample test. */
  readonly by?: C;
  /** The mean (one-sample) or difference of means (two-sample) under the null hypothesis; 0 by default. */
  readonly mu?: number;
  /** Pooled variance instead of Welch's test (two-sample only). */
  readonly equalVariance?: boolean;
  /** Confidence level of the interval; 0.95 by default. */
  readonly level?: number;
}

/** The test, plus which groups it compared (first − second, in sorted order of their labels) and what ran. */
export interface FrameTTestResult extends TTestResult, Provenance {
  readonly groups: readonly GroupSummary[];
}

export async function tTest<C extends string>(frame: LazyFrame<C>, options: FrameTTestOptions<C>, open: OpenOptions): Promise<FrameTTestResult> {
  const value = checkColumn(options?.value, 'value') as C;
  const aggregates = { n: count(value), m: mean(value), v: variance(value) };
  const level = options.level !== undefined ? { level: options.level } : {};
  const mu = options.mu !== undefined ? { mu: options.mu } : {};
  if (options.by === undefined) {
    if (options.equalVariance !== undefined) throw new UsageError('equalVariance applies to a two-sample test: give `by` too, or leave it out');
    const result = await openFrame(frame.agg(aggregates), open);
    const group = oneGroup(result.table.rows[0]);
    return { ...oneSampleT(group, { ...mu, ...level }), groups: [group], ...provenance(result) };
  }
  const by = checkColumn(options.by, 'by') as C;
  if (by === value) throw new UsageError(`the t-test's value and by are both '${value}': group by another column`);
  const result = await openFrame(frame.groupBy(by).agg(aggregates), open);
  const groups = groupSummaries(result, by);
  if (groups.length !== 2) {
    throw new UsageError(`a two-sample t-test needs exactly two non-empty groups of '${by}', it has ${groups.length}${describeLabels(groups)}: filter the frame to two groups, or use anova() for more`);
  }
  const [first, second] = groups;
  return { ...twoSampleT(first, second, { ...mu, ...level, equalVariance: options.equalVariance === true }), groups, ...provenance(result) };
}

export interface FramePairedOptions<C extends string> {
  /** Two numeric columns of the same rows (before and after, drug A and drug B); the test is of first − second. */
  readonly first: C;
  readonly second: C;
  readonly mu?: number;
  readonly level?: number;
}

/**
 * The paired t-test: a one-sample test of first − second, a derived column computed exactly
 * inside MPC (docs/plan.md, derived columns), so only its count, sum and sum of squares open.
 * Rows where either is null add nothing (the difference is null), as R's complete cases.
 */
export async function pairedTTest<C extends string>(frame: LazyFrame<C>, options: FramePairedOptions<C>, open: OpenOptions): Promise<FrameTTestResult> {
  const first = checkColumn(options?.first, 'first') as C;
  const second = checkColumn(options.second, 'second') as C;
  if (first === second) throw new UsageError(`a paired t-test compares two columns, not '${first}' with itself`);
  const d = 'paired_difference';
  const differences = frame.withColumns({ [d]: col(first).sub(col(second)) });
  const result = await openFrame(differences.agg({ n: count(d), m: mean(d), v: variance(d) }), open);
  const group = oneGroup(result.table.rows[0]);
  const settings = { ...(options.mu !== undefined ? { mu: options.mu } : {}), ...(options.level !== undefined ? { level: options.level } : {}) };
  return { ...pairedT(group, settings), groups: [group], ...provenance(result) };
}

/** The summary of a one-row { n, m, v } result (the whole frame). */
function oneGroup(row: Readonly<Record<string, ResultCell>>): GroupSummary {
  return { label: null, n: Number(row.n), mean: Number(row.m), variance: row.v === null ? Number.NaN : Number(row.v) };
}

export interface FrameAnovaResult extends AnovaResult, Provenance {
  readonly groupSummaries: readonly GroupSummary[];
}

/** One-way ANOVA of `value` across the non-empty groups of `by` (one plan: a group-by with count, mean and var). */
export async function anova<C extends string>(frame: LazyFrame<C>, options: { readonly value: C; readonly by: C }, open: OpenOptions): Promise<FrameAnovaResult> {
  const value = checkColumn(options?.value, 'value') as C;
  const by = checkColumn(options.by, 'by') as C;
  if (by === value) throw new UsageError(`the analysis of variance's value and by are both '${value}': group by another column`);
  const result = await openFrame(frame.groupBy(by).agg({ n: count(value), m: mean(value), v: variance(value) }), open);
  const groups = groupSummaries(result, by);
  return { ...oneWayAnova(groups), groupSummaries: groups, ...provenance(result) };
}

export interface FrameChiSquareOptions<C extends string> {
  readonly rows: C;
  readonly columns: C;
  /** Cells counting fewer rows open as null (crosstab's suppression); the test then refuses, naming the cell. */
  readonly suppressBelow?: number;
}

/** The test plus the table it ran on: the labels of the non-empty rows and columns, and the counts. */
export interface FrameChiSquareResult extends ChiSquareResult, Provenance {
  readonly rowLabels: readonly ResultCell[];
  readonly columnLabels: readonly ResultCell[];
  readonly counts: readonly (readonly number[])[];
}

/**
 * Pearson's test of independence of two category or boolean columns on their crosstab. Levels
 * no row has are left out (as pandas' crosstab does), and so are rows where either key is null
 * (as R's table does). Expected counts stay the recipient's: `smallExpected` says how many fall
 * below 5 (Cochran's rule).
 */
export async function chiSquare<C extends string>(frame: LazyFrame<C>, options: FrameChiSquareOptions<C>, open: OpenOptions): Promise<FrameChiSquareResult> {
  const rows = checkColumn(options?.rows, 'rows') as C;
  const columns = checkColumn(options.columns, 'columns') as C;
  if (rows === columns) throw new UsageError(`the chi-square test's rows and columns are both '${rows}': cross two different columns`);
  const crosstabOptions = options.suppressBelow !== undefined ? { suppressBelow: options.suppressBelow } : {};
  const result = await openFrame(frame.crosstab([rows, columns], crosstabOptions), open);
  const cells = result.table.rows.filter((r) => r[rows] !== null && r[columns] !== null);
  const suppressed = cells.filter((r) => r.count === null);
  if (suppressed.length > 0) {
    const named = suppressed.map((r) => `${rows} = ${JSON.stringify(r[rows])}, ${columns} = ${JSON.stringify(r[columns])}`).join('; ');
    throw new UsageError(
      `${suppressed.length === 1 ? 'a crosstab cell was' : `${suppressed.length} crosstab cells were`} suppressed (fewer than ${options.suppressBelow} rows): ${named}. ` +
        'The chi-square statistic needs every count: merge small categories, or test without suppressBelow if the recipient may see every count',
    );
  }
  const rowLabels = distinct(cells.filter((r) => Number(r.count) > 0).map((r) => r[rows]));
  const columnLabels = distinct(cells.filter((r) => Number(r.count) > 0).map((r) => r[columns]));
  const counts = rowLabels.map((a) => columnLabels.map((b) => Number(cells.find((r) => r[rows] === a && r[columns] === b)?.count ?? 0)));
  return { ...chiSquareIndependence(counts), rowLabels, columnLabels, counts, ...provenance(result) };
}

function distinct(labels: readonly ResultCell[]): ResultCell[] {
  return [...new Set(labels)];
}

function describeLabels(groups: readonly GroupSummary[]): string {
  return groups.length === 0 ? '' : ` (${groups.map((g) => JSON.stringify(g.label)).join(', ')})`;
}
