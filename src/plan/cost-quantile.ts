/**
 * Estimated cost of whole-table quantiles by selection (ops/quantile-selection.ts), for columns
 * whose count is public (every row valid, not nullable) and whose key (value − min, row
 * position) fits 63 bits: per column one shuffle of its keys (3 rounds, 16 bytes per row from
 * party 0); then quickselect levels shared by all columns, about log2(n)/2 + 2 of them (counted
 * at 2^18 rows: 8 for a median, 10 to 15 for five ranks; segments of ≤ 128 rows are finished in
 * one batch), each a sample batch and a partition batch of comparisons (8 rounds and an opening
 * each); ~1.4 + 0.22·r comparisons per row for r wanted ranks of a column (simulated at 2^20
 * rows: 1.8 for a median, 3.6 for min, the quartiles and max), ~26 bytes each per party at 64
 * bits (16 for keys of 33–48 bits, compare-split.ts: an estimate from above); 10 rounds to take
 * the selected values out of their keys.
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
  for (const r of ranks.values()) bytes += 16 * rows + 26 * rows * (1.4 + 0.22 * r);
  const levels = Math.ceil(Math.log2(Math.max(rows, 2)) / 2) + 2;
  return { rounds: 3 * ranks.size + levels * 2 * 9 + 10, bytes: Math.round(bytes) };
}
