/**
 * sort, head (limit) and distinct end to end on three in-process nodes: the data-frame API and
 * SQL build the same plans, and the opened tables equal DuckDB's answers on the same plaintext
 * (ORDER BY with the insertion order as the last key, since our sort is stable; SELECT DISTINCT
 * compared as sets), with nulls, duplicates, negatives, descending keys, an offset, and a
 * secret validity from an oblivious filter.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { col } from '../../src/client/expr.js';
import type { LazyFrame } from '../../src/client/frame.js';
import type { Tessera } from '../../src/client/tessera.js';
import { QueryError } from '../../src/errors.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { duckdbRows } from '../helpers/duckdb-oracle.js';

let cluster: TestCluster;
let hospital: Tessera;
const to = { to: ['St. Mary Hospital'] };

const ROWS = {
  age: [34, null, 67, 34, 18, null, 80, 45, 45, 90, 3, 34],
  sex: ['F', 'M', 'F', 'F', 'M', 'F', 'X', 'F', 'M', 'F', 'X', 'M'],
  cost: ['12.50', null, '99.99', '0.00', '12.51', null, '250.00', '12.49', '40.00', null, '7.25', '12.50'],
  n: [-3, 7, 0, -3, 50, -50, 7, 7, 2, -1, 0, -3],
};
const COLUMNS = ['age', 'sex', 'cost', 'n'];

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  const schema = {
    version: 1 as const,
    columns: [
      { name: 'age', nullable: true, type: 'integer' as const, min: '0', max: '120' },
      { name: 'sex', nullable: false, type: 'category' as const, dictionary: ['F', 'M', 'X'] },
      { name: 'cost', nullable: true, type: 'decimal' as const, scale: 2, min: '0', max: '1000' },
      { name: 'n', nullable: false, type: 'integer' as const, min: '-50', max: '50' },
    ],
  };
  await hospital.uploadTable('people', { columns: ROWS }, { schema });
});

after(async () => {
  await cluster.close();
});

/** DuckDB's rows for a query over `people` (rowid = upload order), as JSON lines of the selected columns. */
async function oracle(sql: string): Promise<string[]> {
  const people = { name: 'people', columns: { age: 'INTEGER', sex: 'VARCHAR', cost: 'DECIMAL(10, 2)', n: 'INTEGER' }, rows: ROWS };
  return (await duckdbRows([people], sql)).map((r) => JSON.stringify(Object.values(r)));
}

async function opened(frame: LazyFrame, columns: readonly string[]): Promise<string[]> {
  const result = await (await frame.open(to)).result();
  assert.deepEqual(result.table.columns, columns);
  return result.table.rows.map((r) => JSON.stringify(columns.map((c) => (typeof r[c] === 'bigint' ? Number(r[c]) : r[c]))));
}

test('sort then head opens the same rows in the same order as DuckDB ORDER BY ... LIMIT (stable: ties in upload order)', async () => {
  const cases: [LazyFrame, string, string[]][] = [
    [hospital.table('people').sort({ column: 'age', descending: true }, 'n').head(5), 'SELECT age, sex, cost, n FROM people ORDER BY age DESC NULLS LAST, n, rowid LIMIT 5', COLUMNS],
    [hospital.table('people').sort({ column: 'age', nulls: 'first' }).head(4, { offset: 1 }), 'SELECT age, sex, cost, n FROM people ORDER BY age NULLS FIRST, rowid LIMIT 4 OFFSET 1', COLUMNS],
    [hospital.table('people').sort({ column: 'cost', descending: true, nulls: 'first' }, 'sex'), 'SELECT age, sex, cost, n FROM people ORDER BY cost DESC NULLS FIRST, sex, rowid', COLUMNS],
    [hospital.table('people').select('sex', 'n').sort('sex', { column: 'n', descending: true }).head(100, { offset: 2 }), 'SELECT sex, n FROM people ORDER BY sex, n DESC, rowid LIMIT 100 OFFSET 2', ['sex', 'n']],
  ];
  for (const [frame, sql, columns] of cases) assert.deepEqual(await opened(frame, columns), await oracle(sql), sql);
});

test('SQL ORDER BY / LIMIT / OFFSET builds the frame plan and opens the same rows', async () => {
  const sql = 'SELECT sex, n FROM people ORDER BY sex, n DESC LIMIT 4 OFFSET 2';
  const frame = await hospital.sql(sql);
  assert.equal(frame.planHash(to), hospital.table('people').select('sex', 'n').sort('sex', { column: 'n', descending: true }).head(4, { offset: 2 }).planHash(to));
  assert.deepEqual(await opened(frame, ['sex', 'n']), await oracle('SELECT sex, n FROM people ORDER BY sex, n DESC, rowid LIMIT 4 OFFSET 2'));
});

test('top-k after an oblivious filter takes only rows that match (secret validity sorts last)', async () => {
  const frame = hospital.table('people').filter(col('n').gt(0), { mode: 'oblivious' }).sort({ column: 'n', descending: true }).head(3);
  assert.deepEqual(await opened(frame, COLUMNS), await oracle('SELECT age, sex, cost, n FROM people WHERE n > 0 ORDER BY n DESC, rowid LIMIT 3'));
  // A head without a sort over a secret validity: the first matching rows in upload order.
  const head = hospital.table('people').filter(col('sex').eq('M'), { mode: 'oblivious' }).head(2);
  assert.deepEqual(await opened(head, COLUMNS), await oracle("SELECT age, sex, cost, n FROM people WHERE sex = 'M' ORDER BY rowid LIMIT 2"));
});

test('distinct opens the distinct rows (nulls equal) and declares their number public', async () => {
  const frame = hospital.table('people').distinct('age', 'sex');
  const sql = await hospital.sql('SELECT DISTINCT age, sex FROM people');
  assert.equal(sql.planHash(to), hospital.table('people').select('age', 'sex').distinct('age', 'sex').planHash(to));
  const want = (await oracle('SELECT DISTINCT age, sex FROM people')).sort();
  assert.deepEqual((await opened(frame, ['age', 'sex'])).sort(), want);
  assert.deepEqual((await opened(sql, ['age', 'sex'])).sort(), want);
  const oblivious = hospital.table('people').distinct('sex', { mode: 'oblivious' });
  assert.deepEqual((await opened(oblivious, ['sex'])).sort(), (await oracle('SELECT DISTINCT sex FROM people')).sort());
  const explained = await frame.explain(to);
  assert.ok(explained.disclosures.some((d) => /how many distinct rows/.test(d.what)), JSON.stringify(explained.disclosures));
});

test('a sort by a column the table lacks is refused by the node before any MPC, naming its place', async () => {
  await assert.rejects(
    hospital.table('people').sort('weight').explain(to),
    (e: unknown) => e instanceof QueryError && /\/root\/input\/by\/0\/column: .*no column 'weight'/.test(e.message),
  );
});
