/**
 * filter end to end on three in-process nodes: the data-frame API and SQL WHERE build the same
 * plan, run it, and open the same count/sum/mean as DuckDB computes with the same WHERE on the
 * same plaintext rows (the oracle); the oblivious mode opens the same values; a predicate the
 * column types refuse is refused by the node before any MPC, naming its place.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { count, mean, sum } from '../../src/client/aggregates.js';
import { col, type Condition } from '../../src/client/expr.js';
import type { Tessera } from '../../src/client/tessera.js';
import { QueryError } from '../../src/errors.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let hospital: Tessera;
let analyst: Tessera;
const to = { to: ['St. Mary Hospital'] };

const ROWS = {
  age: [34, 51, 67, 29, 18, 17, 80, 45, 45, 90, 3, 60],
  sex: ['F', 'M', 'F', 'F', 'M', 'F', 'X', 'F', 'M', 'F', 'X', 'M'],
  cost: ['12.50', null, '99.99', '0.00', '12.51', null, '250.00', '12.49', '40.00', null, '7.25', '12.50'],
  day: ['2024-01-31', '2023-06-01', '2024-02-29', '2022-12-31', '2024-01-30', '2024-03-01', '2021-01-01', '2024-01-31', '2020-05-05', '2024-12-31', '2023-01-01', '2024-02-01'],
};

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  analyst = await cluster.connect('Analyst', 1);
  const schema = {
    version: 1 as const,
    columns: [
      { name: 'age', nullable: false, type: 'integer' as const, min: '0', max: '120' },
      { name: 'sex', nullable: false, type: 'category' as const, dictionary: ['F', 'M', 'X'] },
      { name: 'cost', nullable: true, type: 'decimal' as const, scale: 2, min: '0', max: '1000' },
      { name: 'day', nullable: false, type: 'date' as const, min: '2000-01-01', max: '2030-12-31' },
    ],
  };
  await hospital.uploadTable('visits', { columns: ROWS }, { schema });
});

after(async () => {
  await cluster.close();
});

/** DuckDB's answer on the plaintext rows: count(*), sum(age), avg(age), count(cost), sum(cost). */
async function oracle(where: string): Promise<{ n: number; total: number; avg: number | null; known: number; spent: number | null }> {
  const db = await DuckDBInstance.create(':memory:');
  try {
    const c = await db.connect();
    try {
      await c.run('CREATE TABLE visits (age INTEGER, sex VARCHAR, cost DECIMAL(10, 2), day DATE)');
      for (let i = 0; i < ROWS.age.length; i++) {
        await c.run('INSERT INTO visits VALUES ($1, $2, $3::DECIMAL(10, 2), $4::DATE)', [ROWS.age[i], ROWS.sex[i], ROWS.cost[i], ROWS.day[i]]);
      }
      const reader = await c.runAndReadAll(`SELECT count(*), sum(age)::DOUBLE, avg(age)::DOUBLE, count(cost), sum(cost)::DOUBLE FROM visits WHERE ${where}`);
      const [n, total, avg, known, spent] = reader.getRows()[0];
      return { n: Number(n), total: Number(total ?? 0), avg: avg === null ? null : Number(avg), known: Number(known), spent: spent === null ? null : Number(spent) };
    } finally {
      c.closeSync();
    }
  } finally {
    db.closeSync();
  }
}

/** DuckDB's rows for `SELECT age, sex, cost, day FROM visits WHERE ...`, as sorted text lines. */
async function oracleRows(where: string): Promise<string[]> {
  const db = await DuckDBInstance.create(':memory:');
  try {
    const c = await db.connect();
    try {
      await c.run('CREATE TABLE visits (age INTEGER, sex VARCHAR, cost DECIMAL(10, 2), day DATE)');
      for (let i = 0; i < ROWS.age.length; i++) {
        await c.run('INSERT INTO visits VALUES ($1, $2, $3::DECIMAL(10, 2), $4::DATE)', [ROWS.age[i], ROWS.sex[i], ROWS.cost[i], ROWS.day[i]]);
      }
      const reader = await c.runAndReadAll(`SELECT age, sex, cost::DOUBLE, strftime(day, '%Y-%m-%d') FROM visits WHERE ${where}`);
      return reader.getRows().map((r) => JSON.stringify([Number(r[0]), r[1], r[2] === null ? null : Number(r[2]), r[3]])).sort();
    } finally {
      c.closeSync();
    }
  } finally {
    db.closeSync();
  }
}

const WHERES: [string, Condition][] = [
  ["age >= 18 AND sex = 'F'", col('age').ge(18).and(col('sex').eq('F'))],
  ['NOT (cost > 12.50) OR age < 18', col('cost').le(12.5).or(col('age').lt(18))],
  ["cost IS NULL OR day >= DATE '2024-01-31'", col('cost').isNull().or(col('day').ge('2024-01-31'))],
  ["sex IN ('M', 'X') AND cost BETWEEN 12.5 AND 100", col('sex').isin(['M', 'X']).and(col('cost').ge(12.5), col('cost').le(100))],
];

test('frame filters and SQL WHERE agree with each other and with DuckDB on the plaintext', async () => {
  for (const [where, condition] of WHERES) {
    const want = await oracle(where);
    const frame = hospital.table('visits').filter(condition).agg({ n: count(), total: sum('age'), avg: mean('age'), known: count('cost'), spent: sum('cost') });
    const viaSql = await hospital.sql(`SELECT count(*) AS n, sum(age) AS total, avg(age) AS avg, count(cost) AS known, sum(cost) AS spent FROM visits WHERE ${where}`);
    assert.equal(viaSql.planHash(to), frame.planHash(to), where);
    const got = (await (await frame.open(to)).result()).outputs;
    assert.equal(got.n.value, want.n, where);
    assert.equal(got.total.value, want.total, where);
    if (want.avg === null) assert.ok(Number.isNaN(got.avg.value), where);
    else assert.ok(Math.abs(Number(got.avg.value) - want.avg) < 1e-9, where);
    assert.equal(got.known.value, want.known, where);
    assert.equal(Number(got.spent.value), want.spent ?? 0, where);
  }
});

test('an oblivious filter opens the same values and declares that it reveals nothing', async () => {
  const [where, condition] = WHERES[0];
  const want = await oracle(where);
  const frame = analyst.table('visits').filter(condition, { mode: 'oblivious' }).agg({ n: count(), total: sum('age') });
  const explained = await frame.explain(to);
  assert.ok(explained.disclosures.some((d) => d.path === '/root/input/input' && /^nothing \(oblivious filter/.test(d.what)), JSON.stringify(explained.disclosures));
  const revealing = await analyst.table('visits').filter(condition).agg({ n: count(), total: sum('age') }).explain(to);
  assert.ok(revealing.disclosures.some((d) => d.path === '/root/input/input' && /how many rows remain/.test(d.what)));
  const got = (await (await hospital.table('visits').filter(condition, { mode: 'oblivious' }).agg({ n: count(), total: sum('age') }).open(to)).result()).outputs;
  assert.deepEqual([got.n.value, got.total.value], [want.n, want.total]);
});

test('a predicate the column types refuse is refused by the node before any MPC, naming its place', async () => {
  await assert.rejects(
    analyst.table('visits').filter(col('sex').eq(1)).agg({ n: count() }).explain(to),
    (e: unknown) => e instanceof QueryError && /plan \/root\/input\/input\/predicate\/args\/1: .*category compares with one of its words/.test(e.message),
  );
  await assert.rejects(
    (await analyst.sql('SELECT count(*) FROM visits WHERE age > 121')).explain(to),
    (e: unknown) => e instanceof QueryError && /outside the column's declared range \[0, 120\]/.test(e.message),
  );
  await assert.rejects(analyst.sql('SELECT count(*) FROM visits WHERE age % 2 = 0'), (e: unknown) => e instanceof Error && /the remainder \(%\) is not supported/.test(e.message));
  // Division by a column is an expression like any other now (exact, null where the divisor is 0).
  assert.ok((await (await analyst.sql('SELECT count(*) FROM visits WHERE age > cost / age')).explain(to)).cost.rounds > 100);
});

test('the rows a filter keeps open as a table to the recipient only: the same rows as DuckDB, in either mode', async () => {
  for (const [where, condition] of WHERES) {
    const want = await oracleRows(where);
    for (const mode of ['reveal-count', 'oblivious'] as const) {
      const handle = await hospital.table('visits').filter(condition, { mode }).open(to);
      // The filter's row count is opened (and reported) in reveal-count mode only.
      assert.deepEqual((await handle.wait()).revealed, mode === 'reveal-count' ? [{ path: '/root/input', fact: 'rows', value: want.length }] : [], `${where} (${mode})`);
      const result = await handle.result();
      assert.deepEqual(result.table.columns, ['age', 'sex', 'cost', 'day']);
      const got = result.table.rows.map((r) => JSON.stringify([r.age, r.sex, r.cost, r.day])).sort();
      assert.deepEqual(got, want, `${where} (${mode})`);
      assert.deepEqual(result.outputs, {}, 'a table has no scalar outputs');
      assert.equal(result.value, undefined);
    }
    const viaSql = await (await (await hospital.sql(`SELECT age, sex, cost, day FROM visits WHERE ${where}`)).open(to)).result();
    assert.deepEqual(viaSql.table.rows.map((r) => JSON.stringify([r.age, r.sex, r.cost, r.day])).sort(), want, where);
  }
  // Only the named recipient opens it.
  await assert.rejects(async () => (await analyst.table('visits').open(to)).result(), (e: unknown) => e instanceof Error && /recipient/i.test(e.message));
});

test('an aggregate is a one-row table: a filter over it (HAVING) opens it or nothing', async () => {
  const n = (condition: Condition<'n'>) => hospital.table('visits').agg({ n: count(), avg: mean('age') }).filter(condition);
  const kept = await (await n(col('n').ge(12)).open(to)).result();
  assert.deepEqual(kept.table.rows.map((r) => r.n), [12]);
  assert.equal(kept.table.rows[0].avg, ROWS.age.reduce((a, b) => a + b, 0) / 12);
  const dropped = await (await n(col('n').le(11)).open(to)).result();
  assert.deepEqual(dropped.table.rows, []);
});
