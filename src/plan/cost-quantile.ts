/**
 * Estimated cost of whole-table quantiles by selection (ops/quantile-selection.ts), for columns
 * whose count is public (every row valid, not nullable) and whose key (value − min, row
 * position) fits 63 bits: per column one shuffle of two columns (3 rounds, ≤ 32 bytes per row);
 * then quickselect levels shared by all columns, about log2(n)/2 + 2 of them (counted at 2^18
 * rows: 8 for a median, 10 for five ranks; segments of ≤ 128 rows are finished in one batch),
 * each a sample batch and a partition batch of comparisons (8 rounds and an opening each); ~1.5 + 0.25·r comparisons per row for r wanted ranks of a column (simulated and
 * measured: 1.8 for a median, 3.5 for min, the quartiles and max), ~32 bytes each.
 */

import type { ColumnFacts } from './types.js';
import type { StepCost } from './cost-group-by.js';

function bits(v: bigint): number {
  return v <= 0n ? 0 : v.toString(2).length;
}

function indexBits(n: number): number {
  return n <= 1 ? 1 : Math.ceil(Math.log2(n));
}

export function selectable(column: ColumnFacts, rows: number): boolean {
  return !column.nullable && rows <= 2 ** 32 && bits(column.max - column.min) + indexBits(rows) <= 63;
}

/** `columns`: the column of each selected quantile (two ranks each, at most). */
export function selectionCost(rows: number, columns: readonly string[]): StepCost {
  const ranks = new Map<string, number>();
  for (const c of columns) ranks.set(c, (ranks.get(c) ?? 0) + 2);
  let bytes = 0;
  for (const r of ranks.values()) bytes += 32 * rows + 32 * rows * (1.5 + 0.25 * r);
  const levels = Math.ceil(Math.log2(Math.max(rows, 2)) / 2) + 2;
  return { rounds: 3 * ranks.size + levels * 2 * 9, bytes: Math.round(bytes) };
}
