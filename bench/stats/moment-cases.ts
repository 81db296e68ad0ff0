/**
 * ttest (Welch, two groups) and describe (5 columns) at 1M rows (issue 10: describe ≤ 3 s). Both
 * open exact integer sums per column or group (count, Σx, Σx²; describe also its five order
 * statistics per column) and are checked against float64 two-pass statistics of the same
 * generated rows (1e-9 relative; min, max exact; the quartiles to 1e-12, type 7).
 */

import { describe } from '../../src/stats/describe.js';
import { tTest } from '../../src/stats/frame-tests.js';
import { twoSampleT } from '../../src/stats/t-test.js';
import { summaryOf } from '../../src/stats/moments.js';
import { relativeDifference, uniform, type BenchTable, type StatsCase } from './case.js';

const ROWS = 1 << 20;
const COLUMNS = ['a', 'b', 'c', 'd', 'e'];

/** Stored units (hundredths) of row i's five values in [−1000, 1000], and its group (0 or 1). */
function row(i: number): { values: number[]; group: number } {
  const group = uniform(i, 9) < 0.5 ? 0 : 1;
  const values = COLUMNS.map((_, j) => Math.round((uniform(i, j) * 1800 - 900 + (j === 0 ? group * 3 : 0)) * 100));
  return { values, group };
}

const measurements: BenchTable = {
  name: 'measurements',
  rows: ROWS,
  schema: {
    version: 1,
    columns: [
      ...COLUMNS.map((name) => ({ name, nullable: false, type: 'decimal' as const, scale: 2, min: '-1000.00', max: '1000.00' })),
      { name: 'arm', nullable: false, type: 'category' as const, dictionary: ['control', 'treated'] },
    ],
  },
  duckdb: [...COLUMNS.map(() => 'DECIMAL(6,2)'), 'VARCHAR'],
  row: (i) => {
    const r = row(i);
    return [...r.values.map((v) => (v / 100).toFixed(2)), r.group === 0 ? 'control' : 'treated'];
  },
};

function columnValues(j: number, group?: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ROWS; i++) {
    const r = row(i);
    if (group === undefined || r.group === group) out.push(r.values[j] / 100);
  }
  return out;
}

const ttestCase: StatsCase = {
  op: 'ttest',
  rows: ROWS,
  description: "Welch's two-sample t-test of one column by a two-level category",
  target: 3,
  why: 'CPU: the squares (one multiplication per row) and the two-level group-by (one inner-product round: the arm is its own indicator), job and share-loading overhead; three parties share two cores',
  tables: () => [measurements],
  rounds: async (client, recipient) =>
    (await client.table('measurements').groupBy('arm').agg({ n: { fn: 'count', column: 'a' }, m: { fn: 'mean', column: 'a' }, v: { fn: 'var', column: 'a' } }).explain({ to: [recipient] })).cost.rounds,
  run: async (client, recipient) => {
    const result = await tTest(client.table('measurements'), { value: 'a', by: 'arm' }, { to: [recipient] });
    return {
      verify: () => {
        const reference = twoSampleT(summaryOf(columnValues(0, 0)), summaryOf(columnValues(0, 1)), { equalVariance: false });
        return relativeDifference('t', result.t, reference.t, 1e-9) ?? relativeDifference('p', result.p, reference.p, 1e-6);
      },
    };
  },
};

const describeCase: StatsCase = {
  op: 'describe',
  rows: ROWS,
  description: 'describe() of 5 decimal columns: count, mean, std, min, quartiles, max',
  target: 3,
  why: 'CPU: the eight ranks of each column (min, the quartiles\' pairs, max) are one oblivious radix search (the top 4 bits for all eight at once, then 14 bit levels of ~3 packed AND gates per row, rank and level: ~50 bytes per row and column, ~310 rounds, all columns in the same batches, the sums beside them); three parties share two cores',
  tables: () => [measurements],
  rounds: async (client, recipient) => {
    const quantiles: Record<string, number> = { min: 0, q2: 0.25, q5: 0.5, q7: 0.75, max: 1 };
    const aggregates = Object.fromEntries(
      COLUMNS.flatMap((c, i) => [
        ...['count', 'mean', 'std'].map((s) => [`c${i}_${s}`, { fn: s, column: c }]),
        ...Object.entries(quantiles).map(([s, p]) => [`c${i}_${s}`, { fn: 'quantile', column: c, p }]),
      ]),
    );
    return (await client.table('measurements').agg(aggregates).explain({ to: [recipient] })).cost.rounds;
  },
  run: async (client, recipient) => {
    const result = await describe(client.table('measurements'), COLUMNS, { to: [recipient] });
    return {
      verify: () => {
        for (const [j, c] of COLUMNS.entries()) {
          const values = columnValues(j);
          const s = summaryOf(values);
          const got = result.statistics[c];
          const difference =
            (got.count === s.n ? undefined : `${c} count: ${got.count}, the reference ${s.n}`) ??
            relativeDifference(`${c} mean`, got.mean, s.mean, 1e-9) ??
            relativeDifference(`${c} std`, got.std, Math.sqrt(s.variance), 1e-9) ??
            extremes(c, got, values) ??
            quartiles(c, got, values);
          if (difference !== undefined) return difference;
        }
        return undefined;
      },
    };
  },
};

/** Type-7 quartiles (pandas' describe) of the same values, to 1e-12 relative (the opened ones are exact decimals). */
function quartiles(column: string, got: Readonly<Record<'25%' | '50%' | '75%', number>>, values: readonly number[]): string | undefined {
  const sorted = Float64Array.from(values).sort();
  for (const [label, p] of [['25%', 0.25], ['50%', 0.5], ['75%', 0.75]] as const) {
    const h = (sorted.length - 1) * p, lo = Math.floor(h);
    const want = sorted[lo] + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]);
    const difference = relativeDifference(`${column} ${label}`, got[label], want, 1e-12);
    if (difference !== undefined) return difference;
  }
  return undefined;
}

function extremes(column: string, got: { min: number; max: number }, values: readonly number[]): string | undefined {
  let min = Infinity, max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return got.min === min && got.max === max ? undefined : `${column} min/max: ${got.min}/${got.max}, the reference ${min}/${max}`;
}

export const cases: readonly StatsCase[] = [ttestCase, describeCase];
