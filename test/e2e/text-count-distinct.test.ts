/**
 * count_distinct of text columns end to end on three in-process nodes, against DuckDB's
 * count(DISTINCT ...) on the same plaintext (the oracle), for random rows (fast-check): empty
 * texts, texts of exactly the bound, multi-byte UTF-8 across word boundaries, nulls, duplicates.
 * A one-word text (text(4)) is counted by its word, a two-word one (text(9)) by its dense rank
 * (ops/distinct-marks.ts); whole, per group on the one-hot path (a category), on the sort path (an
 * integer key, and a text key that is itself ranked), after an oblivious filter, and through SQL.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { count, countDistinct } from '../../src/client/aggregates.js';
import { col } from '../../src/client/expr.js';
import type { LazyFrame } from '../../src/client/frame.js';
import type { ResultCell } from '../../src/client/result.js';
import type { Tessera } from '../../src/client/tessera.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { duckdbRows } from '../helpers/duckdb-oracle.js';
import { textArb } from '../helpers/text-values.js';

let cluster: TestCluster;
let hospital: Tessera;
const to = { to: ['St. Mary Hospital'] };
const MAX = 9;

const schema = {
  version: 1 as const,
  columns: [
    { name: 'code', nullable: true, type: 'text' as const, maxBytes: MAX },
    { name: 'name', nullable: false, type: 'text' as const, maxBytes: 4 },
    { name: 'region', nullable: true, type: 'category' as const, dictionary: ['N', 'S', 'E', 'W'] },
    { name: 'pid', nullable: false, type: 'integer' as const, min: '1', max: '1000' },
    { name: 'age', nullable: false, type: 'integer' as const, min: '0', max: '120' },
  ],
};
const ORACLE_COLUMNS = { code: 'VARCHAR', name: 'VARCHAR', region: 'VARCHAR', pid: 'INTEGER', age: 'INTEGER' };

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
});

after(async () => {
  await cluster.close();
});

type Row = Record<string, ResultCell>;

async function opened(frame: LazyFrame): Promise<readonly Row[]> {
  return (await (await frame.open(to)).result()).table.rows;
}

/** Same rows by key; a group DuckDB does not list (no rows: the one-hot path lists it) must come out as `empty`. */
function sameByKey(got: readonly Row[], want: readonly Row[], key: string, empty: Row, where: string): void {
  const wanted = new Map(want.map((r) => [JSON.stringify(r[key]), r]));
  for (const row of got) {
    const expected = wanted.get(JSON.stringify(row[key])) ?? { [key]: row[key], ...empty };
    assert.deepEqual(row, expected, `${where}: group ${JSON.stringify(row[key])}`);
  }
  for (const k of wanted.keys()) assert.ok(got.some((r) => JSON.stringify(r[key]) === k), `${where}: group ${k} is missing`);
}

const rowArb = fc.record({
  code: fc.option(textArb(MAX)),
  name: textArb(4),
  region: fc.option(fc.constantFrom('N', 'S', 'E', 'W')),
  pid: fc.integer({ min: 1, max: 4 }),
  age: fc.integer({ min: 0, max: 120 }),
});
let tables = 0;

test('count(DISTINCT code) of text columns matches DuckDB: whole, one-hot and sort group-bys, a text group key, after an oblivious filter', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(rowArb, { minLength: 1, maxLength: 8 }), async (rows) => {
      const data = Object.fromEntries(Object.keys(ORACLE_COLUMNS).map((k) => [k, rows.map((r) => r[k as keyof typeof r])]));
      const table = `t${tables++}`;
      await hospital.uploadTable(table, { columns: data }, { schema });
      const oracle = (sql: string): Promise<readonly Row[]> => duckdbRows([{ name: 'people', columns: ORACLE_COLUMNS, rows: data }], sql);
      const t = hospital.table(table);
      assert.deepEqual(
        await opened(t.agg({ c: countDistinct('code'), m: countDistinct('name'), n: count() })),
        await oracle('SELECT count(DISTINCT code) AS c, count(DISTINCT name) AS m, count(*) AS n FROM people'),
        'whole',
      );
      sameByKey(
        await opened(t.groupBy('region').agg({ c: countDistinct('code'), m: countDistinct('name') })),
        await oracle('SELECT region, count(DISTINCT code) AS c, count(DISTINCT name) AS m FROM people GROUP BY region'),
        'region', { c: 0, m: 0 }, 'one-hot',
      );
      sameByKey(
        await opened(t.groupBy('pid').agg({ c: countDistinct('code'), m: countDistinct('name') })),
        await oracle('SELECT pid, count(DISTINCT code) AS c, count(DISTINCT name) AS m FROM people GROUP BY pid'),
        'pid', {}, 'sort',
      );
      sameByKey(
        await opened(t.groupBy('code').agg({ m: countDistinct('name') })),
        await oracle('SELECT code, count(DISTINCT name) AS m FROM people GROUP BY code'),
        'code', {}, 'text key',
      );
      const kept = t.filter(col('age').ge(30), { mode: 'oblivious' });
      assert.deepEqual(
        await opened(kept.agg({ c: countDistinct('code'), m: countDistinct('name') })),
        await oracle('SELECT count(DISTINCT code) AS c, count(DISTINCT name) AS m FROM people WHERE age >= 30'),
        'oblivious whole',
      );
      sameByKey(
        await opened(kept.groupBy('pid').agg({ c: countDistinct('code') })),
        await oracle('SELECT pid, count(DISTINCT code) AS c FROM people WHERE age >= 30 GROUP BY pid'),
        'pid', { c: 0 }, 'oblivious sort',
      );
    }),
    { numRuns: Number(process.env.TESSERA_PROPERTY_RUNS ?? 3) },
  );
});

test('SQL count(DISTINCT code) on a text column builds the SDK plan; explain prices the ranking of the longer text', async () => {
  const table = `t${tables++}`;
  const data = { code: ['A01', 'aaaaaaaé', 'A01', null, ''], name: ['x', 'y', 'x', 'z', 'é'], region: ['N', null, 'S', 'N', 'E'], pid: [1, 2, 3, 1, 2], age: [30, 40, 50, 60, 70] };
  await hospital.uploadTable(table, { columns: data }, { schema });
  const frame = hospital.table(table).agg({ c: countDistinct('code') });
  const sql = await hospital.sql(`SELECT count(DISTINCT code) AS c FROM ${table}`);
  assert.equal(sql.planHash(to), frame.planHash(to));
  assert.deepEqual(await opened(sql), [{ c: 3 }]);
  const long = (await frame.explain(to)).cost, short = (await hospital.table(table).agg({ c: countDistinct('name') }).explain(to)).cost;
  assert.ok(long.rounds > short.rounds, `${long.rounds} > ${short.rounds}: text(9) is ranked first, text(4) is its word`);
});
