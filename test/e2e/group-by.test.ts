/**
 * group-by and crosstab end to end on three in-process nodes, against DuckDB's GROUP BY on the
 * same plaintext rows (the oracle): the one-hot path (category keys, a nullable one: nulls form
 * a group; every combination comes out, empty ones with count 0 and null aggregates), the sort
 * path (an integer key of 1,000 declared values; groups in a random order, so compared by key),
 * HAVING, min/max/var/std over the whole table, and a crosstab with suppression and margins.
 * explain() lists what each reveals ('groups' only on the sort path).
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { count, max, mean, min, std, sum, variance } from '../../src/client/aggregates.js';
import type { ResultCell } from '../../src/client/result.js';
import type { Tessera } from '../../src/client/tessera.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { duckdbRows } from '../helpers/duckdb-oracle.js';

let cluster: TestCluster;
let hospital: Tessera;
const to = { to: ['St. Mary Hospital'] };

const ROWS = {
  region: ['N', 'S', 'N', null, 'E', 'N', 'S', 'S', null, 'N', 'E', 'N', 'S', 'N', 'E', 'N', 'S', 'N'],
  sex: ['F', 'M', 'F', 'F', 'M', 'M', 'F', 'F', 'M', 'F', 'F', 'M', 'M', 'F', 'M', 'F', 'F', 'M'],
  grp: ['A', 'A', 'B', 'A', 'C', 'A', 'B', 'A', 'A', 'B', 'C', 'A', 'A', 'B', 'A', 'A', 'B', 'A'],
  age: [34, 51, 67, 29, 18, 17, 80, 45, 45, 90, 3, 60, 33, 71, 22, 40, 38, 55],
  cost: ['12.50', null, '99.99', '0.00', '12.51', null, '250.00', '12.49', '40.00', null, '7.25', '12.50', '3.00', '18.20', null, '44.44', '9.99', '1.00'],
  pid: [7, 912, 7, 33, 500, 912, 7, 1000, 33, 1, 500, 7, 1, 33, 912, 7, 1, 500],
};

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  const schema = {
    version: 1 as const,
    columns: [
      { name: 'region', nullable: true, type: 'category' as const, dictionary: ['N', 'S', 'E', 'W'] },
      { name: 'sex', nullable: false, type: 'category' as const, dictionary: ['F', 'M'] },
      { name: 'grp', nullable: false, type: 'category' as const, dictionary: ['A', 'B', 'C'] },
      { name: 'age', nullable: false, type: 'integer' as const, min: '0', max: '120' },
      { name: 'cost', nullable: true, type: 'decimal' as const, scale: 2, min: '0', max: '1000' },
      { name: 'pid', nullable: false, type: 'integer' as const, min: '1', max: '1000' },
    ],
  };
  await hospital.uploadTable('visits', { columns: ROWS }, { schema });
});

after(async () => {
  await cluster.close();
});

type Row = Record<string, ResultCell>;

/** DuckDB's rows for `sql` over the plaintext table, numbers as numbers. */
async function oracle(sql: string): Promise<Row[]> {
  return duckdbRows([{ name: 'visits', columns: { region: 'VARCHAR', sex: 'VARCHAR', grp: 'VARCHAR', age: 'INTEGER', cost: 'DECIMAL(10, 2)', pid: 'INTEGER' }, rows: ROWS }], sql);
}

const keyOf = (row: Row, keys: readonly string[]): string => JSON.stringify(keys.map((k) => row[k]));

/** Same keys, same values (floats within 1e-9 relative); groups missing from `want` must be empty (count 0, sums 0, the rest null). */
function sameGroups(got: readonly Row[], want: readonly Row[], keys: readonly string[], empty: Row, where: string): void {
  const wanted = new Map(want.map((r) => [keyOf(r, keys), r]));
  const seen = new Set<string>();
  for (const row of got) {
    const k = keyOf(row, keys);
    assert.ok(!seen.has(k), `${where}: group ${k} twice`);
    seen.add(k);
    const expected = wanted.get(k) ?? { ...Object.fromEntries(keys.map((key) => [key, row[key]])), ...empty };
    for (const [name, value] of Object.entries(expected)) {
      const actual = row[name];
      if (typeof value === 'number' && typeof actual === 'number') assert.ok(Math.abs(actual - value) <= 1e-9 * Math.max(1, Math.abs(value)), `${where} ${k}.${name}: ${actual} vs ${value}`);
      else assert.equal(actual, value, `${where} ${k}.${name}`);
    }
  }
  for (const k of wanted.keys()) assert.ok(seen.has(k), `${where}: group ${k} is missing`);
}

test('one-hot group-by on two category keys (one nullable) matches DuckDB, every combination included; SQL builds the same plan', async () => {
  const frame = hospital.table('visits').groupBy('region', 'sex').agg({ n: count(), total: sum('age'), avg_cost: mean('cost'), lo: min('cost'), hi: max('age'), v: variance('age'), sd: std('cost') });
  const sql = await hospital.sql('SELECT region, sex, count(*) AS n, sum(age) AS total, avg(cost) AS avg_cost, min(cost) AS lo, max(age) AS hi, var_samp(age) AS v, stddev_samp(cost) AS sd FROM visits GROUP BY region, sex');
  assert.equal(sql.planHash(to), frame.planHash(to));
  const result = await (await frame.open(to)).result();
  assert.deepEqual(result.table.columns, ['region', 'sex', 'n', 'total', 'avg_cost', 'lo', 'hi', 'v', 'sd']);
  assert.equal(result.table.rows.length, 10, 'one row per combination of (N, S, E, W, null) × (F, M)');
  const want = await oracle('SELECT region, sex, count(*) AS n, sum(age)::DOUBLE AS total, avg(cost)::DOUBLE AS avg_cost, min(cost)::DOUBLE AS lo, max(age) AS hi, var_samp(age) AS v, stddev_samp(cost) AS sd FROM visits GROUP BY region, sex');
  sameGroups(result.table.rows, want, ['region', 'sex'], { n: 0, total: 0, avg_cost: null, lo: null, hi: null, v: null, sd: null }, 'one-hot');
  assert.ok(result.table.rows.some((r) => r.region === 'W' && r.n === 0 && r.lo === null), 'the empty group W opens with count 0 and null min');
  const explained = await frame.explain(to);
  assert.ok(explained.disclosures.some((d) => d.path === '/root/input' && /^nothing \(one-hot over the 10 combinations/.test(d.what)), JSON.stringify(explained.disclosures));
});

test('sort group-by on an integer key of 1,000 declared values matches DuckDB by key and reveals the number of groups', async () => {
  const frame = hospital.table('visits').groupBy('pid').agg({ n: count(), total: sum('age'), lo: min('age'), hi: max('cost') });
  const result = await (await frame.open(to)).result();
  const want = await oracle('SELECT pid, count(*) AS n, sum(age)::DOUBLE AS total, min(age) AS lo, max(cost)::DOUBLE AS hi FROM visits GROUP BY pid');
  assert.equal(result.table.rows.length, want.length);
  sameGroups(result.table.rows, want, ['pid'], {}, 'sort');
  const explained = await frame.explain(to);
  assert.ok(explained.disclosures.some((d) => d.path === '/root/input' && /^the number of groups/.test(d.what)), JSON.stringify(explained.disclosures));
});

test('HAVING filters the groups as DuckDB does (over count and sum outputs)', async () => {
  const q = 'SELECT region, count(*) AS n, sum(age) AS total FROM visits GROUP BY region HAVING count(*) >= 3 AND total < 400';
  const result = await (await (await hospital.sql(q)).open(to)).result();
  const want = await oracle(q.replace('sum(age) AS total', 'sum(age)::DOUBLE AS total').replace('total < 400', 'sum(age) < 400'));
  assert.ok(want.length > 0 && want.length < 4, 'the oracle keeps some groups and drops others');
  assert.equal(result.table.rows.length, want.length);
  sameGroups(result.table.rows, want, ['region'], {}, 'having');
});

test('min, max, var and std over the whole table match DuckDB (one row, the scalar outputs too)', async () => {
  const result = await (await hospital.table('visits').agg({ lo: min('age'), hi: max('cost'), v: variance('age'), sd: std('cost') }).open(to)).result();
  const [want] = await oracle('SELECT min(age) AS lo, max(cost)::DOUBLE AS hi, var_samp(age) AS v, stddev_samp(cost) AS sd FROM visits');
  sameGroups(result.table.rows, [want], [], {}, 'whole');
  assert.equal(result.outputs.lo.value, want.lo);
  assert.ok(Math.abs(Number(result.outputs.v.value) - Number(want.v)) < 1e-9 * Number(want.v));
});

test('crosstab with suppression and margins: published cells are DuckDB\'s counts at or above k, margins sum the published cells', async () => {
  const k = 3;
  const frame = hospital.table('visits').crosstab(['grp', 'sex'], { suppressBelow: k, margins: true });
  const result = await (await frame.open(to)).result();
  assert.deepEqual(result.table.columns, ['grp', 'sex', 'count']);
  assert.equal(result.table.rows.length, 4 * 3, '(A, B, C, all) × (F, M, all)');
  const cells = await oracle('SELECT grp, sex, count(*) AS count FROM visits GROUP BY grp, sex');
  const published = new Map<string, number | null>();
  for (const g of ['A', 'B', 'C']) {
    for (const s of ['F', 'M']) {
      const n = Number(cells.find((r) => r.grp === g && r.sex === s)?.count ?? 0);
      published.set(JSON.stringify([g, s]), n >= k ? n : null);
    }
  }
  const marginOf = (g: string | null, s: string | null): number => {
    let total = 0;
    for (const [key, n] of published) {
      const [kg, ks] = JSON.parse(key) as [string, string];
      if ((g === null || g === kg) && (s === null || s === ks)) total += n ?? 0;
    }
    return total;
  };
  assert.ok([...published.values()].some((n) => n === null) && [...published.values()].some((n) => n !== null), 'some cells are suppressed, others not');
  for (const row of result.table.rows) {
    const g = row.grp as string | null, s = row.sex as string | null;
    const want = g !== null && s !== null ? published.get(JSON.stringify([g, s])) : marginOf(g, s);
    assert.equal(row.count, want, JSON.stringify(row));
  }
  const explained = await frame.explain(to);
  assert.ok(explained.disclosures.some((d) => /^nothing to the nodes \(one-hot over 6 cells\); the recipient sees which cells count fewer than 3 rows/.test(d.what)), JSON.stringify(explained.disclosures));
});
