/**
 * median and quantile end to end on three in-process nodes, against DuckDB's median and
 * quantile_cont on the same plaintext rows (type 7, linear interpolation) and against an exact
 * rational reference (the opened decimal must be exactly (n − 1)·p's interpolation): integer and
 * decimal columns with ties and nulls, p = 0 and 1, after an oblivious filter (rows filtered out
 * never count, the count stays secret), an empty input (null), per group on the one-hot path
 * (an empty group null), and through SQL.
 */

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, test } from 'node:test';
import { count, median, quantile } from '../../src/client/aggregates.js';
import { col } from '../../src/client/expr.js';
import type { Tessera } from '../../src/client/tessera.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { duckdbRows } from '../helpers/duckdb-oracle.js';

let cluster: TestCluster;
let hospital: Tessera;
const to = { to: ['St. Mary Hospital'] };

/** A small deterministic generator: the same rows every run. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
}
const next = lcg(7);
const ROWS_N = 41;
const ROWS = {
  region: Array.from({ length: ROWS_N }, (_, i) => ['N', 'S', 'E'][(i * 7) % 3]),
  age: Array.from({ length: ROWS_N }, () => Math.floor(next() * 30) * 3 - 20),
  cost: Array.from({ length: ROWS_N }, (_, i) => (i % 5 === 3 ? null : (Math.round(next() * 200000) / 100).toFixed(2))),
};

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  const schema = {
    version: 1 as const,
    columns: [
      // W is declared but has no rows: its quantiles are null.
      { name: 'region', nullable: false, type: 'category' as const, dictionary: ['N', 'S', 'E', 'W'] },
      { name: 'age', nullable: false, type: 'integer' as const, min: '-100', max: '200' },
      { name: 'cost', nullable: true, type: 'decimal' as const, scale: 2, min: '0', max: '5000' },
    ],
  };
  await hospital.uploadTable('visits', { columns: ROWS }, { schema });
});

after(async () => {
  await cluster.close();
});

async function oracle(sql: string): Promise<Record<string, number | string | boolean | null>> {
  return (await oracleRows(sql))[0];
}

async function oracleRows(sql: string): Promise<Record<string, number | string | boolean | null>[]> {
  return (await duckdbRows([{ name: 'visits', columns: { region: 'VARCHAR', age: 'INTEGER', cost: 'DECIMAL(10, 2)' }, rows: ROWS }], sql)) as Record<string, number | string | null>[];
}

/** The exact type-7 quantile as decimal text, from the plaintext values in stored units. */
function exactQuantile(stored: readonly bigint[], p: number, scale: number): string | null {
  const xs = [...stored].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (xs.length === 0) return null;
  const A = BigInt(Math.round(p * 1e6));
  const T = BigInt(xs.length - 1) * A;
  const lo = T / 1_000_000n;
  const r = T - lo * 1_000_000n;
  const hi = r > 0n ? lo + 1n : lo;
  const scaled = xs[Number(lo)] * 1_000_000n + r * (xs[Number(hi)] - xs[Number(lo)]);
  const digits = scale + 6;
  const negative = scaled < 0n;
  const text = (negative ? -scaled : scaled).toString().padStart(digits + 1, '0');
  let frac = text.slice(text.length - digits);
  while (frac.length > scale && frac.endsWith('0')) frac = frac.slice(0, -1);
  return (negative ? '-' : '') + text.slice(0, text.length - digits) + (frac.length > 0 ? '.' + frac : '');
}

const ages = (keep: (i: number) => boolean = () => true) => ROWS.age.filter((_, i) => keep(i)).map(BigInt);
const costs = (keep: (i: number) => boolean = () => true) => ROWS.cost.filter((v, i) => v !== null && keep(i)).map((v) => BigInt(Math.round(Number(v) * 100)));

const PS = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.333333, 1];

test('median and quantile over the whole table match DuckDB quantile_cont and the exact rational value', async () => {
  const aggs: Record<string, ReturnType<typeof median>> = { m_age: median('age'), m_cost: median('cost'), n: count() };
  PS.forEach((p, k) => {
    aggs[`a${k}`] = quantile('age', p);
    aggs[`c${k}`] = quantile('cost', p);
  });
  const result = await (await hospital.table('visits').agg(aggs).open(to)).result();
  const select = ['median(age) AS m_age', 'median(cost::DOUBLE) AS m_cost', ...PS.flatMap((p, k) => [`quantile_cont(age, ${p}) AS a${k}`, `quantile_cont(cost::DOUBLE, ${p}) AS c${k}`])];
  const want = await oracle(`SELECT ${select.join(', ')} FROM visits`);
  for (const [name, expected] of Object.entries(want)) {
    const got = result.outputs[name].value as number;
    assert.ok(Math.abs(got - Number(expected)) <= 1e-9 * Math.max(1, Math.abs(Number(expected))), `${name}: ${got} vs DuckDB ${expected}`);
  }
  assert.equal(result.outputs.m_age.exact, exactQuantile(ages(), 0.5, 0));
  assert.equal(result.outputs.m_cost.exact, exactQuantile(costs(), 0.5, 2));
  PS.forEach((p, k) => {
    assert.equal(result.outputs[`a${k}`].exact, exactQuantile(ages(), p, 0), `age at ${p}`);
    assert.equal(result.outputs[`c${k}`].exact, exactQuantile(costs(), p, 2), `cost at ${p}`);
  });
  const explained = await hospital.table('visits').agg({ m: median('age') }).explain(to);
  assert.ok(explained.disclosures.some((d) => /^nothing \(one row\)/.test(d.what)), JSON.stringify(explained.disclosures));
});

test('after an oblivious filter rows filtered out never count; an empty input gives null', async () => {
  const kept = hospital.table('visits').filter(col('age').ge(10), { mode: 'oblivious' });
  const result = await (await kept.agg({ m: median('cost'), q: quantile('age', 0.25) }).open(to)).result();
  const keep = (i: number) => ROWS.age[i] >= 10;
  assert.equal(result.outputs.m.exact, exactQuantile(costs(keep), 0.5, 2));
  assert.equal(result.outputs.q.exact, exactQuantile(ages(keep), 0.25, 0));
  const want = await oracle('SELECT median(cost::DOUBLE) AS m, quantile_cont(age, 0.25) AS q FROM visits WHERE age >= 10');
  assert.ok(Math.abs((result.outputs.m.value as number) - Number(want.m)) < 1e-9);
  const none = await (await hospital.table('visits').filter(col('age').gt(190), { mode: 'oblivious' }).agg({ m: median('cost'), q: quantile('age', 0) }).open(to)).result();
  assert.deepEqual(none.table.rows, [{ m: null, q: null }]);
});

test('per group (one-hot): every declared group, the empty one null; after an oblivious filter too; SQL GROUP BY', async () => {
  for (const filtered of [false, true]) {
    const keep = (i: number) => !filtered || ROWS.age[i] >= 10;
    let frame = hospital.table('visits');
    if (filtered) frame = frame.filter(col('age').ge(10), { mode: 'oblivious' });
    const result = await (await frame.groupBy('region').agg({ m: median('cost'), q: quantile('age', 0.9), l: quantile('cost', 0.1) }).open(to)).result();
    assert.deepEqual(result.table.rows.map((r) => r.region), ['N', 'S', 'E', 'W']);
    for (const region of ['N', 'S', 'E', 'W']) {
      const inRegion = (i: number) => keep(i) && ROWS.region[i] === region;
      const row = result.table.rows.findIndex((r) => r.region === region);
      const exact = (name: string) => (result.table.rows[row][name] === null ? null : String(result.table.rows[row][name]));
      const num = (v: string | null) => (v === null ? null : String(Number(v)));
      assert.equal(exact('m'), num(exactQuantile(costs(inRegion), 0.5, 2)), `median of ${region}${filtered ? ', filtered' : ''}`);
      assert.equal(exact('q'), num(exactQuantile(ages(inRegion), 0.9, 0)), `age at 0.9 of ${region}`);
      assert.equal(exact('l'), num(exactQuantile(costs(inRegion), 0.1, 2)), `cost at 0.1 of ${region}`);
    }
  }
  const sql = await hospital.sql('SELECT region, median(cost) AS m FROM visits GROUP BY region');
  const rows = (await (await sql.open(to)).result()).table.rows;
  for (const w of await oracleRows('SELECT region, median(cost::DOUBLE) AS m FROM visits GROUP BY region')) {
    const got = rows.find((r) => r.region === w.region)!;
    assert.ok(Math.abs(Number(got.m) - Number(w.m)) < 1e-9, `${String(w.region)}: ${String(got.m)} vs ${String(w.m)}`);
  }
});

test('SQL median and quantile_cont build the same plan as the SDK; quantile (discrete in DuckDB) and per-group quantiles are refused', async () => {
  const sql = await hospital.sql('SELECT median(age) AS m, quantile_cont(cost, 0.75) AS q FROM visits');
  assert.equal(sql.planHash(to), hospital.table('visits').agg({ m: median('age'), q: quantile('cost', 0.75) }).planHash(to));
  const result = await (await sql.open(to)).result();
  assert.equal(result.outputs.q.exact, exactQuantile(costs(), 0.75, 2));
  await assert.rejects(async () => hospital.sql('SELECT quantile(age, 0.5) FROM visits'), /quantile_cont/);
  await assert.rejects(async () => (await hospital.table('visits').groupBy('age').agg({ m: median('cost') }).open(to)).result(), /median per group needs the one-hot path/);
  await assert.rejects(async () => hospital.table('visits').agg({ q: quantile('age', 0.1234567) }).open(to), /more than 6 digits/);
});

let generated = 0;
test('property: median and quantiles of random integers (ties, nulls, the range\'s ends, one row, all null) are the exact type-7 values', async () => {
  const MIN = -1_000_000n, MAX = 1_000_000n;
  const value = fc.oneof(fc.bigInt({ min: MIN, max: MAX }), fc.constantFrom(MIN, MAX, 0n, -1n, 1n), fc.bigInt({ min: -3n, max: 3n }));
  await fc.assert(
    fc.asyncProperty(fc.array(fc.option(value, { freq: 5 }), { minLength: 1, maxLength: 24 }), fc.integer({ min: 0, max: 1_000_000 }), async (cells, millionths) => {
      const name = `q_random_${generated++}`;
      await hospital.uploadTable(name, { columns: { v: cells.map((c) => (c === null ? null : c.toString())) } }, {
        schema: { version: 1, columns: [{ name: 'v', nullable: true, type: 'integer', min: MIN.toString(), max: MAX.toString() }] },
      });
      const p = millionths / 1e6;
      const result = await (await hospital.table(name).agg({ m: median('v'), q: quantile('v', p) }).open(to)).result();
      const present = cells.filter((c): c is bigint => c !== null);
      assert.equal(result.outputs.m.exact ?? null, exactQuantile(present, 0.5, 0), `median of ${cells.join(',')}`);
      assert.equal(result.outputs.q.exact ?? null, exactQuantile(present, p, 0), `quantile ${p} of ${cells.join(',')}`);
    }),
    { numRuns: 12, seed: 20261205 },
  );
});
