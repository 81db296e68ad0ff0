/**
 * `histogram(frame, 'age', { edges: [0, 18, 65, 120] }, { to })`: counts per bin with public
 * edges, as numpy's histogram: bins [e0, e1), [e1, e2), …, [e_{K−1}, e_K] (the last one closed),
 * plus the values below e0 and above e_K (numpy drops them; here they are counted apart). Nulls
 * are not counted.
 *
 * ONE plan: a derived bin index, Σ_k [x ≥ e_k] + [x > e_K] (K + 1 comparisons per row in one
 * batch, docs/plan.md value expressions), then a group-by of it (one-hot over its K + 2 levels
 * when that is at most 256: nothing revealed, every bin listed, empty ones as 0). With
 * `suppressBelow`, bins counting fewer rows are dropped inside MPC by a filter on the counts
 * (the nodes learn how many bins remain, as the plan's explain says) and come out as null. With
 * `privacy` (noisy counts), bins are suppressed on their noisy counts instead (privacy's
 * `suppress_below`, inside MPC: the nodes learn nothing, the recipient which bins were suppressed).
 */

import { UsageError } from '../errors.js';
import { count } from '../client/aggregates.js';
import { col, lit, type Expression } from '../client/expr.js';
import type { LazyFrame, OpenOptions } from '../client/frame.js';
import { checkColumn, openFrame, provenance, type Provenance } from './frame-groups.js';

/** The derived bin index's name; a frame must not have a column of this name. */
export const BIN_COLUMN = 'histogram_bin';

export interface HistogramOptions {
  /** Public bin edges, strictly increasing, at least two (K + 1 edges make K bins); numbers or decimal text. */
  readonly edges: readonly (number | string)[];
  /** Bins (and the below/above counts) counting fewer rows open as null. */
  readonly suppressBelow?: number;
}

export interface Histogram extends Provenance {
  readonly column: string;
  readonly edges: readonly (number | string)[];
  /** Per bin, the count of non-null values in it; null where suppressed. */
  readonly counts: readonly (number | null)[];
  /** Values below the first edge, and above the last. */
  readonly below: number | null;
  readonly above: number | null;
  text(): string;
}

export async function histogram<C extends string>(frame: LazyFrame<C>, column: C, options: HistogramOptions, open: OpenOptions): Promise<Histogram> {
  const name = checkColumn(column, 'column') as C;
  if ((name as string) === BIN_COLUMN) throw new UsageError(`a histogram derives a column '${BIN_COLUMN}': rename the column first`);
  const edges = checkEdges(options?.edges);
  const k = options.suppressBelow;
  if (k !== undefined && (!Number.isInteger(k) || k < 1)) throw new UsageError(`suppressBelow is a whole number of rows (at least 1), not ${JSON.stringify(k)}`);
  const x = col(name);
  // Bin index: 0 below e0, b in 1..K for [e_{b−1}, e_b) (the last closed), K + 1 above e_K.
  let index: Expression<C> = lit(0) as Expression<C>;
  edges.forEach((e, i) => {
    const inside = i < edges.length - 1 ? x.ge(e) : x.gt(e);
    index = index.add(inside.cast('integer'));
  });
  let counts = frame.withColumns({ [BIN_COLUMN]: index } as Record<string, Expression<C>>).groupBy(BIN_COLUMN as C).agg({ count: count() });
  // With noise, bins are suppressed on their noisy counts inside MPC (privacy's suppress_below): a filter above the noisy group-by could not be.
  const noisy = open.privacy !== undefined && k !== undefined;
  if (k !== undefined && !noisy) counts = counts.filter(col('count').ge(k));
  const result = await openFrame(counts, noisy ? { ...open, privacy: { ...open.privacy!, suppress_below: k } } : open);
  const byIndex = new Map<number, number>();
  for (const row of result.table.rows) if (row[BIN_COLUMN] !== null) byIndex.set(Number(row[BIN_COLUMN]), Number(row.count));
  // Without suppression every level opens (one-hot); a missing one was suppressed.
  const at = (b: number): number | null => byIndex.get(b) ?? null;
  const bins = edges.slice(1).map((_, i) => at(i + 1));
  const out = { column: name, edges, counts: bins, below: at(0), above: at(edges.length), ...provenance(result) };
  return { ...out, text: () => histogramText(out) };
}

function checkEdges(edges: unknown): readonly (number | string)[] {
  if (!Array.isArray(edges) || edges.length < 2) throw new UsageError('a histogram needs at least two edges: { edges: [0, 18, 65, 120] }');
  const values = edges.map((e) => {
    const v = typeof e === 'number' ? e : typeof e === 'string' && /^-?\d+(\.\d+)?$/.test(e) ? Number(e) : Number.NaN;
    if (!Number.isFinite(v)) throw new UsageError(`edge ${JSON.stringify(e)} is not a number (write numbers, or decimals as text: '12.50')`);
    return v;
  });
  values.forEach((v, i) => {
    if (i > 0 && !(v > values[i - 1])) throw new UsageError(`edges must increase strictly: ${String(edges[i - 1])} then ${String(edges[i])}`);
  });
  return edges as (number | string)[];
}

function histogramText(h: Omit<Histogram, 'text'>): string {
  const cell = (v: number | null): string => (v === null ? 'suppressed' : String(v));
  const labels = h.counts.map((_, i) => `[${String(h.edges[i])}, ${String(h.edges[i + 1])}${i === h.counts.length - 1 ? ']' : ')'}`);
  const rows: [string, string][] = [[`< ${String(h.edges[0])}`, cell(h.below)], ...labels.map((l, i): [string, string] => [l, cell(h.counts[i])]), [`> ${String(h.edges[h.edges.length - 1])}`, cell(h.above)]];
  const width = Math.max(h.column.length, ...rows.map((r) => r[0].length));
  return [`${h.column.padEnd(width)}  count`, ...rows.map(([l, v]) => `${l.padEnd(width)}  ${v.padStart(5)}`)].join('\n');
}
