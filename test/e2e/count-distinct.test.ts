/**
 * count_distinct and valueCounts end to end on three in-process nodes, against DuckDB's
 * count(DISTINCT ...) and GROUP BY on the same plaintext rows (the oracle): over the whole table
 * (nulls never count), per group on the one-hot path (empty groups count 0) and the sort path,
 * after an oblivious filter (a secret validity: rows filtered out never count), through SQL
 * (same plan as the SDK), and value counts in descending order of count.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { count, countDistinct } from '../../src/client/aggregates.js';
import { col } from '../../src/client/expr.js';
import type { ResultCell } from '../../src/client/result.js';
import type { Tessera } from '../../src/client/tessera.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { duckdbRows } from '../helpers/duckdb-oracle.js';

let cluster: TestCluster;
let hospital: Tessera;
const to = { to: ['St. Mary Hospital'] };

const ROWS = {
  region: ['N', 'S', 'N', null, 'E', 'N', 'S', 'S', null, 'N', 'E', 'N', 'S', 'N', 'E', 'N'],
  age: [34, 51, 67, 29, 18, 17, 80, 45, 45, 90, 3, 60, 33, 71, 22, 40],
  pid: [7, 912, 7, 33, 500, 912, 7, 1000, 33, 1, 500, 7, 1, 33, 912, 7],
  code: [3, null, 3, 0, 0, null, 50, 3, 0, 12, null, 12, 3, 0, 50, 49],
};

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  const schema = {
    version: 1 as const,
    columns: [
      { name: 'region', nullable: true, type: 'category' as const, dictionary: ['N', 'S', 'E', 'W'] },
      { name: 'age', nullable: false, type: 'integer' as const, min: '0', max: '120' },
      { name: 'pid', nullable: false, type: 'integer' as const, min: '1', max: '1000' },
      { name: 'code', nullable: true, type: 'integer' as const, min: '0', max: '50' },
    ],
  };
  await hospital.uploadTable('visits', { columns: ROWS }, { schema });
});

after(async () => {
  await cluster.close();
});

type Row = Record<string, ResultCell>;

async function oracle(sql: string): Promise<Row[]> {
  return duckdbRows([{ name: 'visits', columns: { region: 'VARCHAR', age: 'INTEGER', pid: 'INTEGER', code: 'INTEGER' }, rows: ROWS }], sql);
}

/** Same rows by key; a group DuckDB does not list (no rows) must come out as `empty`. */
function sameByKey(got: readonly Row[], want: readonly Row[], key: string, empty: Row, where: string): void {
  const wanted = new Map(want.map((r) => [JSON.stringify(r[key]), r]));
  for (const row of got) {
    const expected = wanted.get(JSON.stringify(row[key])) ?? { [key]: row[key], ...empty };
    assert.deepEqual(row, expected, `${where}: group ${JSON.stringify(row[key])}`);
  }
  for (const k of wanted.keys()) assert.ok(got.some((r) => JSON.stringify(r[key]) === k), `${where}: group ${k} is missing`);
}

test('count_distinct over the whole table matches DuckDB count(DISTINCT ...) (nulls never count); SQL builds the same plan', async () => {
  const frame = hospital.table('visits').agg({ p: countDistinct('pid'), c: countDistinct('code'), r: countDistinct('region'), n: count() });
  const sql = await hospital.sql('SELECT count(DISTINCT pid) AS p, count(DISTINCT code) AS c, count(DISTINCT region) AS r, count(*) AS n FROM visits');
  assert.equal(sql.planHash(to), frame.planHash(to));
  const result = await (await frame.open(to)).result();
  const want = await oracle('SELECT count(DISTINCT pid) AS p, count(DISTINCT code) AS c, count(DISTINCT region) AS r, count(*) AS n FROM visits');
  assert.deepEqual(result.table.rows, want);
  assert.deepEqual([want[0].p, want[0].c, want[0].r], [6, 5, 3], 'the oracle sees duplicates and nulls');
  assert.equal(result.outputs.p.exact, '6');
  const explained = await frame.explain(to);
  assert.ok(explained.disclosures.some((d) => /^nothing \(one row\)/.test(d.what)), JSON.stringify(explained.disclosures));
});

test('count_distinct per group on the one-hot path (every region, W with 0) and on the sort path matches DuckDB', async () => {
  const oneHot = await (await hospital.sql('SELECT region, count(DISTINCT pid) AS p, count(DISTINCT code) AS c FROM visits GROUP BY region')).open(to);
  const got = (await oneHot.result()).table.rows;
  assert.equal(got.length, 5, 'N, S, E, W and null');
  sameByKey(got, await oracle('SELECT region, count(DISTINCT pid) AS p, count(DISTINCT code) AS c FROM visits GROUP BY region'), 'region', { p: 0, c: 0 }, 'one-hot');
  const sorted = await (await hospital.table('visits').groupBy('pid').agg({ c: countDistinct('code'), r: countDistinct('region'), n: count() }).open(to)).result();
  const want = await oracle('SELECT pid, count(DISTINCT code) AS c, count(DISTINCT region) AS r, count(*) AS n FROM visits GROUP BY pid');
  assert.equal(sorted.table.rows.length, want.length);
  sameByKey(sorted.table.rows, want, 'pid', {}, 'sort');
});

test('after an oblivious filter (secret validity) rows filtered out never count, whole and per group', async () => {
  const kept = hospital.table('visits').filter(col('age').ge(30), { mode: 'oblivious' });
  const whole = await (await kept.agg({ p: countDistinct('pid'), c: countDistinct('code') }).open(to)).result();
  assert.deepEqual(whole.table.rows, await oracle('SELECT count(DISTINCT pid) AS p, count(DISTINCT code) AS c FROM visits WHERE age >= 30'));
  const grouped = await (await kept.groupBy('region').agg({ p: countDistinct('pid') }).open(to)).result();
  sameByKey(grouped.table.rows, await oracle('SELECT region, count(DISTINCT pid) AS p FROM visits WHERE age >= 30 GROUP BY region'), 'region', { p: 0 }, 'oblivious');
});

test('valueCounts is the group-by count sorted by count descending, as DuckDB counts', async () => {
  for (const [key, empty] of [['region', true], ['pid', false]] as const) {
    const result = await (await hospital.table('visits').valueCounts(key).open(to)).result();
    assert.deepEqual(result.table.columns, [key, 'count']);
    const counts = result.table.rows.map((r) => Number(r.count));
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a), `${key}: most frequent first`);
    sameByKey(result.table.rows, await oracle(`SELECT ${key}, count(*) AS count FROM visits GROUP BY ${key}`), key, { count: 0 }, key);
    assert.equal(result.table.rows.some((r) => r.count === 0), empty, `${key}: one-hot lists values with no rows`);
  }
  assert.throws(() => hospital.table('visits').rename({ age: 'count' }).valueCounts('count'), /rename the key column 'count'/);
});
