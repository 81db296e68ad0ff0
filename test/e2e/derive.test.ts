/**
 * Derived columns end to end on three in-process nodes, against DuckDB on the same plaintext
 * rows (the oracle): opened as a table, used in a filter, and aggregated, each via the SDK and
 * via SQL (which build the same plan).
 *
 * Where DuckDB's answer differs from ours by definition, the oracle states ours explicitly:
 * - `x / c`: DuckDB divides decimals and integers into a DOUBLE; ours is the nearest decimal of
 *   max(scale, 4) digits with halves toward +∞, i.e. floor(x·10^4/c + 1/2)/10^4. The oracle
 *   computes that (c = 8 makes exact halves appear, where c = 3 never can) and the test also
 *   checks |ours − DuckDB's double| ≤ 10^-4/2.
 * - `cost / qty` (a secret divisor): the same rounding as `x / c`, and NULL where qty = 0, which
 *   is DuckDB's answer with `SET ieee_floating_point_ops = false` (by default DuckDB 1.x gives
 *   ±Infinity or NaN there, which no exact decimal can hold). The oracle runs with that setting.
 * - CAST(decimal AS INTEGER) and CAST(x / c AS DECIMAL(p, s)): DuckDB rounds halves away from
 *   zero, ours toward +∞, so they differ on negative halves (−2.50 → −3 in DuckDB, −2 here). The
 *   oracle writes floor(x + 1/2), and the test checks that DuckDB's cast differs exactly on the
 *   rows holding a negative half (there are some in the data).
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { count, mean, sum } from '../../src/client/aggregates.js';
import { col, ifElse, type Expression } from '../../src/client/expr.js';
import type { Tessera } from '../../src/client/tessera.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let hospital: Tessera;
const to = { to: ['St. Mary Hospital'] };

const ROWS = {
  age: [34, 51, 67, 29, 18, 17, 80, 45, 45, 90, 3, 60],
  sex: ['F', 'M', 'F', 'F', 'M', 'F', 'X', 'F', 'M', 'F', 'X', 'M'],
  cost: ['12.50', null, '99.99', '0.01', '2.50', null, '250.00', '12.49', '40.00', '0.03', '7.25', '12.51'],
  qty: [3, 1, -2, -1, -1, 4, 1, 8, -5, -3, 0, 2],
  day: ['2024-01-31', '2023-06-01', '2024-02-29', '2022-12-31', '2024-01-30', '2024-03-01', '2021-01-01', '2024-01-31', '2020-05-05', '2024-12-01', '2023-01-01', '2024-02-04'],
  paid: ['2024-02-15', '2023-06-01', '2024-04-01', '2023-01-30', '2024-01-30', '2024-03-31', '2021-03-01', '2024-02-01', '2020-05-06', '2025-01-01', '2023-01-10', '2024-03-04'],
};

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  const schema = {
    version: 1 as const,
    columns: [
      { name: 'age', nullable: false, type: 'integer' as const, min: '0', max: '120' },
      { name: 'sex', nullable: false, type: 'category' as const, dictionary: ['F', 'M', 'X'] },
      { name: 'cost', nullable: true, type: 'decimal' as const, scale: 2, min: '0', max: '1000' },
      { name: 'qty', nullable: false, type: 'integer' as const, min: '-10', max: '50' },
      { name: 'day', nullable: false, type: 'date' as const, min: '2020-01-01', max: '2025-12-31' },
      { name: 'paid', nullable: false, type: 'date' as const, min: '2020-01-01', max: '2026-12-31' },
    ],
  };
  await hospital.uploadTable('claims', { columns: ROWS }, { schema });
});

after(async () => {
  await cluster.close();
});

/** The rows in a DuckDB table `claims`, then `fn` on the connection. */
async function withDuckDb<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  const db = await DuckDBInstance.create(':memory:');
  try {
    const c = await db.connect();
    try {
      await c.run('SET ieee_floating_point_ops = false'); // x / 0 is NULL, as ours
      await c.run('CREATE TABLE claims (age INTEGER, sex VARCHAR, cost DECIMAL(10, 2), qty INTEGER, day DATE, paid DATE)');
      for (let i = 0; i < ROWS.age.length; i++) {
        await c.run('INSERT INTO claims VALUES ($1, $2, $3::DECIMAL(10, 2), $4, $5::DATE, $6::DATE)', [ROWS.age[i], ROWS.sex[i], ROWS.cost[i], ROWS.qty[i], ROWS.day[i], ROWS.paid[i]]);
      }
      return await fn(c);
    } finally {
      c.closeSync();
    }
  } finally {
    db.closeSync();
  }
}

async function duckRows(c: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await c.runAndReadAll(sql);
  const names = reader.columnNames();
  return reader.getRows().map((r) => Object.fromEntries(r.map((v, i) => [names[i], plain(v)])));
}

/** DuckDB's values as the client decodes ours: numbers, booleans, 'YYYY-MM-DD', null. */
function plain(v: unknown): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return Number.isNaN(Number(String(v))) ? String(v) : Number(String(v));
}

/** Each derived column: its SQL (also DuckDB's), our SDK expression, and DuckDB's SQL for our documented value where it differs. */
const DERIVED: { name: string; sql: string; sdk: Expression; oracle?: string }[] = [
  { name: 'gross', sql: 'cost * qty', sdk: col('cost').mul(col('qty')) },
  { name: 'taxed', sql: 'cost * 1.1', sdk: col('cost').mul(1.1) },
  { name: 'third', sql: 'cost / 3', sdk: col('cost').div(3), oracle: 'floor(cost * 10000 / 3 + 0.5) / 10000' },
  { name: 'per', sql: 'cost / qty', sdk: col('cost').div(col('qty')), oracle: 'floor(cost * 10000 / qty + 0.5) / 10000' },
  { name: 'share', sql: 'CAST(age / (qty - 1) AS DECIMAL(18, 1))', sdk: col('age').div(col('qty').sub(1), { scale: 1 }), oracle: 'floor(age * 10 / (qty - 1) + 0.5) / 10' },
  { name: 'eighth', sql: 'cost * qty / 8', sdk: col('cost').mul(col('qty')).div(8), oracle: 'floor(cost * qty * 10000 / 8 + 0.5) / 10000' },
  { name: 'eighth1', sql: 'CAST(cost * qty / 8 AS DECIMAL(18, 1))', sdk: col('cost').mul(col('qty')).div(8, { scale: 1 }), oracle: 'floor(cost * qty * 10 / 8 + 0.5) / 10' },
  { name: 'whole', sql: 'CAST(cost * qty AS INTEGER)', sdk: col('cost').mul(col('qty')).cast('integer'), oracle: 'floor(cost * qty + 0.5)' },
  { name: 'band', sql: 'CASE WHEN age >= 65 THEN 2 WHEN age >= 18 THEN 1 ELSE 0 END', sdk: ifElse(col('age').ge(65), 2, ifElse(col('age').ge(18), 1, 0)) },
  { name: 'cost0', sql: 'COALESCE(cost, 0)', sdk: col('cost').fillNull(0) },
  { name: 'fx', sql: "sex IN ('F', 'X')", sdk: col('sex').isin(['F', 'X']) },
  { name: 'capped', sql: 'least(cost, 50)', sdk: col('cost').fillNull(50).min(50) },
  { name: 'top', sql: 'greatest(age, qty)', sdk: col('age').fillNull(col('qty')).max(col('qty').fillNull(col('age'))) },
  { name: 'aq', sql: 'abs(qty) - qty', sdk: col('qty').abs().sub(col('qty')) },
  { name: 'y', sql: 'year(day)', sdk: col('day').year() },
  { name: 'm', sql: 'EXTRACT(month FROM day)', sdk: col('day').month() },
  { name: 'dd', sql: 'day(day)', sdk: col('day').day() },
  { name: 'w', sql: 'isodow(day)', sdk: col('day').weekday() },
  { name: 'dow', sql: 'dayofweek(day)', sdk: ifElse(col('day').weekday().eq(7), 0, col('day').weekday()) },
  { name: 'lag', sql: 'paid - day', sdk: col('paid').sub(col('day')) },
  { name: 'due', sql: 'day + 30', sdk: col('day').add(30) },
  { name: 'since', sql: "day - DATE '2024-01-01'", sdk: col('day').sub('2024-01-01') },
];

const DECIMALS = new Set(['gross', 'taxed', 'third', 'per', 'share', 'eighth', 'eighth1', 'cost0', 'capped']);

function sameValue(name: string, got: unknown, want: unknown, where: string): void {
  if (DECIMALS.has(name) && typeof got === 'number' && typeof want === 'number') assert.ok(Math.abs(got - want) < 1e-9, `${where}: ${name} ${got} vs ${want}`);
  else assert.deepEqual(got, want, `${where}: ${name}`);
}

test('derived columns open as a table with the values DuckDB computes (our rounding stated where it differs), via the SDK and SQL', async () => {
  const sql = `SELECT age, ${DERIVED.map((d) => `${d.sql} AS ${d.name}`).join(', ')} FROM claims`;
  const frame = hospital.table('claims').withColumns(Object.fromEntries(DERIVED.map((d) => [d.name, d.sdk]))).select('age', ...DERIVED.map((d) => d.name));
  const viaSql = await hospital.sql(sql);
  assert.equal(viaSql.planHash(to), frame.planHash(to));
  const oracleSql = `SELECT age, ${DERIVED.map((d) => `${d.oracle ?? d.sql} AS ${d.name}`).join(', ')}, strftime(day + 30, '%Y-%m-%d') AS due_text FROM claims`;
  const { want, duck } = await withDuckDb(async (c) => ({
    want: await duckRows(c, oracleSql),
    duck: await duckRows(c, `SELECT cost * qty / 8 AS eighth, cost / 3 AS third, cost / qty AS per, CAST(cost * qty AS INTEGER) AS whole, cost * qty AS gross FROM claims`),
  }));
  const result = await (await frame.open(to)).result();
  assert.deepEqual(result.table.columns, ['age', ...DERIVED.map((d) => d.name)]);
  assert.equal(result.table.rows.length, ROWS.age.length);
  // Rows keep their order (no filter): compare row by row.
  result.table.rows.forEach((row, i) => {
    for (const d of DERIVED) sameValue(d.name, row[d.name], d.name === 'due' ? want[i].due_text : want[i][d.name], `row ${i}`);
  });
  // Against DuckDB's own semantics: divisions within half a unit of the 4th digit of DuckDB's double,
  // and the integer cast differing exactly where the product is a negative half.
  let negativeHalves = 0;
  result.table.rows.forEach((row, i) => {
    if (duck[i].eighth === null) return;
    assert.ok(Math.abs(Number(row.eighth) - Number(duck[i].eighth)) <= 0.5e-4 + 1e-12, `row ${i}: eighth ${String(row.eighth)} vs DuckDB ${String(duck[i].eighth)}`);
    assert.ok(Math.abs(Number(row.third) - Number(duck[i].third)) <= 0.5e-4 + 1e-12, `row ${i}: third`);
    assert.equal(row.per === null, duck[i].per === null, `row ${i}: per is null exactly where DuckDB's is (qty = 0)`);
    if (duck[i].per !== null) assert.ok(Math.abs(Number(row.per) - Number(duck[i].per)) <= 0.5e-4 + 1e-12, `row ${i}: per ${String(row.per)} vs DuckDB ${String(duck[i].per)}`);
    const gross = Number(duck[i].gross);
    const negativeHalf = gross < 0 && Math.abs(gross - Math.trunc(gross)) === 0.5;
    if (negativeHalf) negativeHalves++;
    assert.equal(row.whole !== duck[i].whole, negativeHalf, `row ${i}: CAST(${gross} AS INTEGER) is ${String(row.whole)} here, ${String(duck[i].whole)} in DuckDB`);
  });
  assert.ok(negativeHalves > 0, 'the data holds a negative half, where the two roundings differ');
  const sqlRows = (await (await viaSql.open(to)).result()).table.rows;
  assert.deepEqual(sqlRows, result.table.rows);
});

test('filters on derived values keep the rows DuckDB keeps, and aggregates of derived columns match DuckDB', async () => {
  const where = "cost * qty > 20 OR (year(day) = 2024 AND paid - day <= 31) OR sex IN ('X')";
  const condition = col('cost').mul(col('qty')).gt(20).or(col('day').year().eq(2024).and(col('paid').sub(col('day')).le(31)), col('sex').isin(['X']));
  const aggregates = `count(*) AS n, sum(cost * qty) AS gross, avg(paid - day) AS lag, sum(CASE WHEN age >= 65 THEN 1 ELSE 0 END) AS seniors, count(COALESCE(cost, 0)) AS rows_, avg(cost * 1.1) AS taxed`;
  const sql = `SELECT ${aggregates} FROM claims WHERE ${where}`;
  const frame = hospital
    .table('claims')
    .filter(condition)
    .withColumns({ gross: col('cost').mul(col('qty')), lag: col('paid').sub(col('day')), seniors: ifElse(col('age').ge(65), 1, 0), rows_: col('cost').fillNull(0), taxed: col('cost').mul(1.1) })
    .agg({ n: count(), gross: sum('gross'), lag: mean('lag'), seniors: sum('seniors'), rows_: count('rows_'), taxed: mean('taxed') });
  const viaSql = await hospital.sql(sql);
  assert.equal(viaSql.planHash(to), frame.planHash(to));
  const [want] = await withDuckDb((c) => duckRows(c, `SELECT count(*) AS n, sum(cost * qty)::DOUBLE AS gross, avg(paid - day)::DOUBLE AS lag, sum(CASE WHEN age >= 65 THEN 1 ELSE 0 END) AS seniors, count(COALESCE(cost, 0)) AS rows_, avg(cost * 1.1)::DOUBLE AS taxed FROM claims WHERE ${where}`));
  assert.ok(Number(want.n) > 0 && Number(want.n) < ROWS.age.length, 'the filter keeps some rows, not all');
  for (const q of [frame, viaSql]) {
    const got = (await (await q.open(to)).result()).outputs;
    assert.equal(got.n.value, want.n);
    assert.ok(Math.abs(Number(got.gross.value) - Number(want.gross)) < 1e-9, `gross ${String(got.gross.value)} vs ${String(want.gross)}`);
    assert.ok(Math.abs(Number(got.lag.value) - Number(want.lag)) < 1e-9);
    assert.equal(got.seniors.value, want.seniors);
    assert.equal(got.rows_.value, want.rows_);
    assert.ok(Math.abs(Number(got.taxed.value) - Number(want.taxed)) < 1e-9);
  }

  // A derived column used in a later filter (SDK), opened as rows: the rows DuckDB keeps.
  const kept = await (await hospital.table('claims').withColumns({ gross: col('cost').mul(col('qty')), w: col('day').weekday() }).filter(col('gross').lt(0).or(col('w').ge(6))).select('age', 'gross', 'w').open(to)).result();
  const wantRows = await withDuckDb((c) => duckRows(c, 'SELECT age, cost * qty AS gross, isodow(day) AS w FROM claims WHERE cost * qty < 0 OR isodow(day) >= 6'));
  const key = (r: Record<string, unknown>) => JSON.stringify([r.age, r.gross === null ? null : Number(r.gross), r.w]);
  assert.deepEqual(kept.table.rows.map(key).sort(), wantRows.map(key).sort());
  assert.ok(wantRows.length > 0);
});
