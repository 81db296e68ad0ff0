/**
 * Correlation and covariance matrices of numeric columns of a secret table, as pandas'
 * DataFrame.corr() and .cov(): every pair over the rows where both are non-null (pairwise
 * complete), from ONE plan of corr / covar_samp aggregates (plan/functions/pair-moments.ts:
 * the exact sums n, Σx, Σy, Σxy, Σx², Σy² per pair open, the recipient finishes in bigint).
 *
 *   await correlation(t.table('sleep_wide'), ['drug1', 'drug2'], { to })          // Pearson
 *   await correlation(frame, ['a', 'b'], { to, method: 'spearman' })            // on ranks (stats/ranks.ts)
 *   await covariance(frame, ['a', 'b'], { to })
 *
 * The diagonal is the pair of a column with itself: its variance (cov), 1 (corr; NaN for a
 * column with fewer than two values or a constant one, as pandas).
 */

import { UsageError } from '../errors.js';
import { aggregate, type AggregateExpr } from '../client/aggregates.js';
import type { LazyFrame, OpenOptions } from '../client/frame.js';
import { openFrame, provenance, type Provenance } from './frame-groups.js';
import { rankColumns } from './ranks.js';

export interface CorrelationOptions extends OpenOptions {
  /** Pearson on the values (default), or Spearman: Pearson on average ranks (ties share their mean rank). */
  readonly method?: 'pearson' | 'spearman';
}

export interface Matrix extends Provenance {
  readonly columns: readonly string[];
  /** matrix[i][j] for columns[i], columns[j]; NaN where there is none. */
  readonly matrix: readonly (readonly number[])[];
  /** Per pair, the number of rows where both are non-null. */
  readonly counts: readonly (readonly number[])[];
  text(): string;
}

export async function correlation<C extends string>(frame: LazyFrame<C>, columns: readonly C[], options: CorrelationOptions): Promise<Matrix> {
  const method = options?.method ?? 'pearson';
  if (method !== 'pearson' && method !== 'spearman') throw new UsageError(`method is 'pearson' or 'spearman', not ${JSON.stringify(method)}`);
  checkColumns(columns);
  if (method === 'pearson') return pairMatrix(frame, columns, 'corr', options);
  const ranked = rankColumns(frame, columns);
  return pairMatrix(ranked.frame as LazyFrame<string>, ranked.columns, 'corr', options, columns);
}

export async function covariance<C extends string>(frame: LazyFrame<C>, columns: readonly C[], options: OpenOptions): Promise<Matrix> {
  checkColumns(columns);
  return pairMatrix(frame, columns, 'covar_samp', options);
}

function checkColumns(columns: readonly string[]): void {
  if (!Array.isArray(columns) || columns.length === 0) throw new UsageError("a correlation matrix needs the numeric columns: correlation(frame, ['age', 'cost'], { to })");
  columns.forEach((c, i) => {
    if (typeof c !== 'string') throw new UsageError(`${JSON.stringify(c)} is not a column name`);
    if (columns.indexOf(c) !== i) throw new UsageError(`column '${c}' is listed twice`);
  });
}

async function pairMatrix<C extends string>(frame: LazyFrame<C>, columns: readonly C[], fn: 'corr' | 'covar_samp', options: OpenOptions, labels: readonly string[] = columns): Promise<Matrix> {
  // Output names by position (p0_1): any column name fits the 63-character limit this way.
  const aggregates: Record<string, AggregateExpr<C>> = {};
  columns.forEach((x, i) => columns.forEach((y, j) => {
    if (j >= i) aggregates[`p${i}_${j}`] = aggregate(fn, x, { other: y });
  }));
  const { to } = options;
  const result = await openFrame(frame.agg(aggregates), { to });
  const cell = (i: number, j: number) => result.outputs[i <= j ? `p${i}_${j}` : `p${j}_${i}`];
  const matrix = columns.map((_, i) => columns.map((__, j) => Number(cell(i, j).value)));
  const counts = columns.map((_, i) => columns.map((__, j) => cell(i, j).count ?? 0));
  const out = { columns: [...labels], matrix, counts, ...provenance(result) };
  return { ...out, text: () => matrixText(out.columns, matrix) };
}

/** pandas' layout: six decimals, right-aligned, NaN where there is none. */
export function matrixText(columns: readonly string[], matrix: readonly (readonly number[])[]): string {
  const cells = matrix.map((row) => row.map((v) => (Number.isNaN(v) ? 'NaN' : v.toFixed(6))));
  const widths = columns.map((c, j) => Math.max(c.length, ...cells.map((row) => row[j].length)));
  const label = Math.max(...columns.map((c) => c.length));
  const header = ' '.repeat(label) + columns.map((c, j) => '  ' + c.padStart(widths[j])).join('');
  return [header, ...columns.map((c, i) => c.padEnd(label) + cells[i].map((v, j) => '  ' + v.padStart(widths[j])).join(''))].join('\n');
}
