/**
 * Rank statistics on secret tables: the ranks are computed in MPC by the rank operator
 * (ops/rank.ts: a secret sort and scans over runs of ties, average ranks, nothing opened), and
 * only sums of them open; the tests are finished on the recipient's side (rank-tests.ts).
 *
 *   await mannWhitney(t.table('sleep'), { value: 'extra', by: 'group' }, { to })
 *   await kruskalWallis(t.table('plants'), { value: 'weight', by: 'group' }, { to })
 *
 * ONE plan each: an oblivious filter to the rows where the value and the group are non-null
 * (nothing opened), the rank of the value over all those rows with its tie terms, and a
 * group-by of the count, the rank sum and the tie sum per group.
 */

import { UsageError } from '../errors.js';
import { count, sum } from '../client/aggregates.js';
import { and, col } from '../client/expr.js';
import type { LazyFrame, OpenOptions } from '../client/frame.js';
import type { ResultCell } from '../client/result.js';
import { checkColumn, openFrame, provenance, type Provenance } from './frame-groups.js';
import { kruskalWallis as kruskalOf, mannWhitneyU, type KruskalWallisResult, type MannWhitneyResult, type RankGroup } from './rank-tests.js';

/** The columns a ranking adds; a frame must not have columns of these names. */
const RANK = 'rank_value';
const TIES = 'rank_ties';

/**
 * The frame with each column's average rank as rank_c0, rank_c1, … over the rows where every
 * listed column is non-null (listwise complete, R's use = "complete.obs"; the same as pandas'
 * pairwise ranks for two columns or without nulls). Spearman's correlation is Pearson's on these.
 */
export function rankColumns<C extends string>(frame: LazyFrame<C>, columns: readonly C[]): { frame: LazyFrame<string>; columns: readonly string[] } {
  const complete = and(col(columns[0]).isNotNull(), ...columns.slice(1).map((c) => col(c).isNotNull()));
  let ranked: LazyFrame<string> = frame.filter(complete, { mode: 'oblivious' });
  const names = columns.map((_, i) => `rank_c${i}`);
  columns.forEach((c, i) => (ranked = ranked.rank(c, { as: names[i] })));
  return { frame: ranked, columns: names };
}

export interface RankGroupSummary extends RankGroup {
  readonly label: ResultCell;
}

export interface FrameMannWhitneyResult extends MannWhitneyResult, Provenance {
  /** The two groups, first and second in sorted order of their labels (U is the first's). */
  readonly groups: readonly RankGroupSummary[];
  readonly tieSum: number;
}

export interface FrameKruskalWallisResult extends KruskalWallisResult, Provenance {
  readonly groups: readonly RankGroupSummary[];
  readonly tieSum: number;
}

interface RankOptions<C extends string> {
  readonly value: C;
  readonly by: C;
}

export async function mannWhitney<C extends string>(frame: LazyFrame<C>, options: RankOptions<C>, open: OpenOptions): Promise<FrameMannWhitneyResult> {
  const { groups, tieSum, plan, query } = await rankSums(frame, options, open);
  if (groups.length !== 2) {
    throw new UsageError(`a Mann–Whitney test needs exactly two non-empty groups of '${options.by}', it has ${groups.length}${groups.length > 0 ? ` (${groups.map((g) => JSON.stringify(g.label)).join(', ')})` : ''}: filter the frame to two groups, or use kruskalWallis() for more`);
  }
  return { ...mannWhitneyU(groups[0], groups[1], tieSum), groups, tieSum, plan, query };
}

export async function kruskalWallis<C extends string>(frame: LazyFrame<C>, options: RankOptions<C>, open: OpenOptions): Promise<FrameKruskalWallisResult> {
  const { groups, tieSum, plan, query } = await rankSums(frame, options, open);
  return { ...kruskalOf(groups, tieSum), groups, tieSum, plan, query };
}

async function rankSums<C extends string>(frame: LazyFrame<C>, options: RankOptions<C>, open: OpenOptions): Promise<{ groups: RankGroupSummary[]; tieSum: number } & Provenance> {
  const value = checkColumn(options?.value, 'value') as C;
  const by = checkColumn(options.by, 'by') as C;
  if (value === by) throw new UsageError(`a rank test's value and by are both '${value}': group by another column`);
  for (const c of [value, by] as string[]) if (c === RANK || c === TIES) throw new UsageError(`a rank test derives a column '${c}': rename the column first`);
  const kept = frame.filter(and(col(value).isNotNull(), col(by).isNotNull()), { mode: 'oblivious' });
  const ranked = kept.rank(value, { as: RANK, ties: TIES });
  const result = await openFrame(ranked.groupBy(by).agg({ n: count(RANK), r: sum(RANK), t: sum(TIES) }), open);
  const rows = result.table.rows.filter((row) => row[by] !== null);
  const tieSum = rows.reduce((a, row) => a + Number(row.t), 0);
  const groups = rows
    .filter((row) => Number(row.n) > 0)
    .map((row) => ({ label: row[by], n: Number(row.n), rankSum: Number(row.r) }))
    .sort((a, b) => compare(a.label, b.label));
  return { groups, tieSum, ...provenance(result) };
}

function compare(a: ResultCell, b: ResultCell): number {
  if (typeof a === 'number' || typeof a === 'bigint' || typeof a === 'boolean') return Number(a) - Number(b);
  const x = String(a), y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
