/**
 * median at 1M rows (issue 10: ≤ 12 s): the exact median of a decimal column without nulls, so
 * its count is public and the two middle order statistics are selected (at 1M rows the oblivious
 * radix search; small tables the shuffle and quickselect: ops/quantile-selection.ts), not sorted. Checked against the
 * type-7 median (DuckDB's `median`, pandas') of the same generated rows, computed here.
 */

import { median } from '../../src/client/aggregates.js';
import { relativeDifference, uniform, type BenchTable, type StatsCase } from './case.js';

const ROWS = 1 << 20;

/** Stored units (hundredths) of row i's value in [0, 100000.00]. */
function value(i: number): number {
  return Math.floor(uniform(i, 3) * 10_000_001);
}

const readings: BenchTable = {
  name: 'readings',
  rows: ROWS,
  schema: { version: 1, columns: [{ name: 'v', nullable: false, type: 'decimal', scale: 2, min: '0', max: '100000' }] },
  duckdb: ['DECIMAL(12,2)'],
  row: (i) => [(value(i) / 100).toFixed(2)],
};

function medianReference(): number {
  const values = new Float64Array(ROWS);
  for (let i = 0; i < ROWS; i++) values[i] = value(i);
  values.sort();
  const h = (ROWS - 1) / 2, lo = Math.floor(h);
  return (values[lo] + (h - lo) * (values[Math.min(lo + 1, ROWS - 1)] - values[lo])) / 100;
}

const medianCase: StatsCase = {
  op: 'median',
  rows: ROWS,
  description: 'exact median of a decimal column (selection: the radix search at 1M rows, nothing opened)',
  target: 12,
  why: 'CPU: ~1.8 comparisons of (value, row position) per row in ~20 levels, and the shuffle; three parties share two cores',
  tables: () => [readings],
  rounds: async (client, recipient) => (await client.table('readings').agg({ m: median('v') }).explain({ to: [recipient] })).cost.rounds,
  run: async (client, recipient) => {
    const result = await (await client.table('readings').agg({ m: median('v') }).open({ to: [recipient] })).result();
    const got = result.outputs.m.value as number;
    return { verify: () => relativeDifference('median', got, medianReference(), 1e-12) };
  },
};

export const cases: readonly StatsCase[] = [medianCase];
