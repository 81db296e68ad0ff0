/**
 * The order-statistics ops of `npm run bench -- --suite stats` (bench/stats-suite.ts): each a
 * case of the relational suite's form (bench/relational/case.ts: generated tables uploaded
 * through the SDK, a plan run on three node processes over TLS, its opened result checked
 * against DuckDB on the same rows).
 *
 *   median    the exact median of a 1M-row decimal column (issue 10 target 12 s): one secret
 *             sort of the column, one comparison vector, two selections (ops/quantiles.ts)
 *   describe  pandas' describe() of 5 columns (issue 10 target 3 s): count, mean, std, min, the
 *             three quartiles and max per column: the sums and extremes, and one sort per column
 */

import { openFor, scanOf } from '../../src/plan/build.js';
import type { AggregateSpec } from '../../src/plan/plan.js';
import { duckNumber, type BenchTable, type RelationalCase } from '../relational/case.js';

const COLUMNS = ['v0', 'v1', 'v2', 'v3', 'v4'];

/** Five numeric columns: a wide decimal, a small integer with many ties, a nullable decimal, a wide integer, a signed decimal. */
function measures(rows: number): BenchTable {
  return {
    name: 'measures',
    rows,
    schema: {
      version: 1,
      columns: [
        { name: 'v0', nullable: false, type: 'decimal', scale: 2, min: '0', max: '100000' },
        { name: 'v1', nullable: false, type: 'integer', min: '0', max: '99' },
        { name: 'v2', nullable: true, type: 'decimal', scale: 1, min: '-1000', max: '1000' },
        { name: 'v3', nullable: false, type: 'integer', min: '0', max: '1000000' },
        { name: 'v4', nullable: false, type: 'decimal', scale: 3, min: '-50', max: '50' },
      ],
    },
    duckdb: ['DECIMAL(12,2)', 'INTEGER', 'DECIMAL(8,1)', 'BIGINT', 'DECIMAL(8,3)'],
    row: (i) => [
      ((i * 7_919_993) % 10_000_000 / 100).toFixed(2),
      String((i * 31) % 100),
      i % 13 === 5 ? '' : ((((i * 104_729) % 20_001) - 10_000) / 10).toFixed(1),
      String((i * 2_654_435_761) % 1_000_000_007 % 1_000_001),
      ((((i * 48_271) % 100_001) - 50_000) / 1000).toFixed(3),
    ],
  };
}

/** Relative agreement to 1e-9 (DuckDB computes in double), or what differs. */
function agree(result: { table: { rows: readonly Record<string, unknown>[] } }, duckdb: readonly (readonly unknown[])[], names: readonly string[]): string | undefined {
  const row = result.table.rows[0];
  for (let k = 0; k < names.length; k++) {
    const got = Number(row[names[k]]);
    const want = duckNumber(duckdb[0][k]);
    if (!(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)))) return `${names[k]}: opened ${got}, DuckDB ${want}`;
  }
  return undefined;
}

export const medianCase: RelationalCase = {
  op: 'median',
  description: 'exact median of a decimal column (secret sort, oblivious selection)',
  target: 12,
  why: 'CPU: the secret sort (~21 comparisons of (key, row index) per row) dominates; three parties share two cores',
  tables: (rows) => [measures(rows)],
  plan: (recipient) => openFor({ op: 'aggregate', input: scanOf('measures', ['v0']), aggregates: [{ name: 'm', fn: 'median', column: 'v0' }] }, [recipient]),
  sql: 'SELECT median(v0::DOUBLE) FROM measures',
  verify: (result, duckdb) => agree(result, duckdb, ['m']),
};

const STATISTICS: readonly { readonly fn: string; readonly p?: number; readonly sql: (c: string) => string }[] = [
  { fn: 'count', sql: (c) => `count(${c})` },
  { fn: 'mean', sql: (c) => `avg(${c}::DOUBLE)` },
  { fn: 'std', sql: (c) => `stddev_samp(${c}::DOUBLE)` },
  { fn: 'min', sql: (c) => `min(${c})::DOUBLE` },
  { fn: 'quantile', p: 0.25, sql: (c) => `quantile_cont(${c}::DOUBLE, 0.25)` },
  { fn: 'quantile', p: 0.5, sql: (c) => `quantile_cont(${c}::DOUBLE, 0.5)` },
  { fn: 'quantile', p: 0.75, sql: (c) => `quantile_cont(${c}::DOUBLE, 0.75)` },
  { fn: 'max', sql: (c) => `max(${c})::DOUBLE` },
];
const describeSpecs: AggregateSpec[] = COLUMNS.flatMap((c) => STATISTICS.map((s, k) => ({ name: `${c}_${k}`, fn: s.fn, column: c, ...(s.p !== undefined ? { p: s.p } : {}) })));

export const describeCase: RelationalCase = {
  op: 'describe',
  description: "pandas' describe() of 5 columns: count, mean, std, min, quartiles, max (one plan)",
  target: 3,
  why: 'the quartiles need one secret sort per column (~21 comparisons per row each); without them (describe(..., { quartiles: false })) only sums and tournaments',
  tables: (rows) => [measures(rows)],
  plan: (recipient) => openFor({ op: 'aggregate', input: scanOf('measures', COLUMNS), aggregates: describeSpecs }, [recipient]),
  sql: `SELECT ${COLUMNS.flatMap((c) => STATISTICS.map((s) => s.sql(c))).join(', ')} FROM measures`,
  verify: (result, duckdb) => agree(result, duckdb, describeSpecs.map((s) => s.name)),
};

export const ORDER_CASES: readonly RelationalCase[] = [medianCase, describeCase];
