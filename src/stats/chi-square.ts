/**
 * Pearson's chi-square tests from counts: independence of a contingency table (a crosstab's
 * cells) and goodness of fit against expected proportions. Expected counts below 5 make the
 * chi-square approximation poor: the result says how many cells have them (`smallExpected`),
 * and `minExpected`, so a caller can refuse or flag it (Cochran's rule).
 */

import { UsageError } from '../errors.js';
import { chiSquareUpper } from './distributions.js';

export interface ChiSquareResult {
  readonly statistic: number;
  readonly df: number;
  readonly p: number;
  readonly minExpected: number;
  /** Cells whose expected count is below 5. */
  readonly smallExpected: number;
}

export function chiSquareIndependence(counts: readonly (readonly number[])[]): ChiSquareResult {
  const rows = counts.length, columns = counts[0]?.length ?? 0;
  if (rows < 2 || columns < 2) throw new UsageError(`a test of independence needs at least a 2 × 2 table, this one is ${rows} × ${columns}`);
  if (counts.some((r) => r.length !== columns)) throw new UsageError('every row of the table needs the same number of cells');
  if (counts.some((r) => r.some((c) => !(Number.isFinite(c) && c >= 0)))) throw new UsageError('cell counts are non-negative numbers');
  const rowTotals = counts.map((r) => r.reduce((a, b) => a + b, 0));
  const columnTotals = counts[0].map((_, j) => counts.reduce((a, r) => a + r[j], 0));
  const total = rowTotals.reduce((a, b) => a + b, 0);
  if (rowTotals.some((t) => t === 0) || columnTotals.some((t) => t === 0)) throw new UsageError('a row or column of the table is empty: drop it before testing');
  const expected = counts.map((_, i) => counts[0].map((__, j) => (rowTotals[i] * columnTotals[j]) / total));
  const observed = counts.flat(), flat = expected.flat();
  return finish(observed, flat, (rows - 1) * (columns - 1));
}

/** Observed counts against expected proportions (normalised to sum to 1). */
export function chiSquareGoodnessOfFit(observed: readonly number[], proportions: readonly number[]): ChiSquareResult {
  if (observed.length < 2 || observed.length !== proportions.length) throw new UsageError('give at least two categories, with one proportion per observed count');
  const sumP = proportions.reduce((a, b) => a + b, 0);
  if (proportions.some((p) => !(p > 0)) || !(sumP > 0)) throw new UsageError('expected proportions are positive');
  const total = observed.reduce((a, b) => a + b, 0);
  return finish(observed, proportions.map((p) => (p / sumP) * total), observed.length - 1);
}

function finish(observed: readonly number[], expected: readonly number[], df: number): ChiSquareResult {
  const statistic = observed.reduce((a, o, k) => a + (o - expected[k]) ** 2 / expected[k], 0);
  return { statistic, df, p: chiSquareUpper(statistic, df), minExpected: Math.min(...expected), smallExpected: expected.filter((e) => e < 5).length };
}
