/**
 * Derived tables end to end on three in-process nodes: a filtered table stored (frame.store and
 * SQL CREATE TABLE AS build the same plan), listed at every node with its lineage, then read by
 * later plans (aggregated and opened) with the same answers as DuckDB on the plaintext; an
 * oblivious filter and an aggregate stored; the name and replace rules; deleting by its creator.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { count, mean, sum } from '../../src/client/aggregates.js';
import { col } from '../../src/client/expr.js';
import type { Tessera } from '../../src/client/tessera.js';
import { PermissionDeniedError, QueryError, TableExistsError, TableNotFoundError } from '../../src/errors.js';
import { isDamagedTable, type TableInfo } from '../../src/wire/api.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { duckdbRows } from '../helpers/duckdb-oracle.js';

let cluster: TestCluster;
let hospital: Tessera;
let analyst: Tessera;
const to = { to: ['St. Mary Hospital'] };

const ROWS = {
  age: [34, 51, 67, 29, 18, 17, 80, 45, 45, 90, 3, 60],
  sex: ['F', 'M', 'F', 'F', 'M', 'F', 'X', 'F', 'M', 'F', 'X', 'M'],
  cost: ['12.50', null, '99.99', '0.00', '12.51', null, '250.00', '12.49', '40.00', null, '7.25', '12.50'],
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
    ],
  };
  await hospital.uploadTable('visits', { columns: ROWS }, { schema });
});

after(async () => {
  await cluster.close();
});

/** DuckDB's answer to `sql` over the plaintext rows (table visits). */
async function duck(sql: string): Promise<unknown[][]> {
  const visits = { name: 'visits', columns: { age: 'INTEGER', sex: 'VARCHAR', cost: 'DECIMAL(10, 2)' }, rows: ROWS };
  return (await duckdbRows([visits], sql)).map((r) => Object.values(r));
}

/** Runs the analyst's query opened to the hospital, which opens the result. */
async function opened(frame: { open(o: typeof to): Promise<{ id: string }> }) {
  return hospital.result((await frame.open(to)).id);
}

/** The table as every node lists it (the same at all three). */
async function listedEverywhere(name: string): Promise<TableInfo | undefined> {
  const seen: (TableInfo | undefined)[] = [];
  for (const node of [0, 1, 2] as const) {
    const listed = (await (await cluster.connect('Analyst', node)).listTables()).find((t) => t.name === name);
    assert.ok(listed === undefined || !isDamagedTable(listed));
    // Each node stamps its own copy when it writes it (as for uploads); the lineage is the query's.
    seen.push(listed ? { ...(listed as TableInfo), createdAt: '' } : undefined);
  }
  assert.deepEqual(seen[1], seen[0], `node 1 lists '${name}' as node 0 does`);
  assert.deepEqual(seen[2], seen[0], `node 2 lists '${name}' as node 0 does`);
  return seen[0];
}

test('a stored filter is listed at every node with its lineage, and later plans read it like an uploaded table (vs DuckDB)', async () => {
  const handle = await analyst.table('visits').filter(col('age').ge(18)).store('adults');
  const info = await handle.result();
  const [[adults]] = await duck('SELECT count(*) FROM visits WHERE age >= 18');
  assert.equal(info.name, 'adults');
  assert.equal(info.kind, 'table');
  assert.equal(info.owner, 'Analyst');
  assert.equal(info.rows, adults);
  assert.deepEqual(info.schema.columns.map((c) => c.name), ['age', 'sex', 'cost']);
  assert.deepEqual({ ...info.lineage, createdAt: undefined }, { query: handle.id, plan: handle.submitted.plan, inputs: ['visits'], createdBy: 'Analyst', createdAt: undefined, replaced: false });
  assert.deepEqual(await listedEverywhere('adults'), { ...info, createdAt: '' });
  const done = await handle.wait();
  assert.equal(done.stored, 'adults');
  assert.equal(done.resultRows, adults);
  assert.deepEqual(done.outputs, []);

  // Grouped (aggregated) and opened to one recipient: the same as DuckDB over the plaintext.
  const [[n, total, avgCost, known]] = await duck('SELECT count(*), sum(age), avg(cost)::DOUBLE, count(cost) FROM visits WHERE age >= 18');
  const got = (await opened(analyst.table('adults').agg({ n: count(), total: sum('age'), avg_cost: mean('cost'), known: count('cost') }))).outputs;
  assert.deepEqual([got.n.value, got.total.value, got.known.value], [n, total, known]);
  assert.ok(Math.abs(Number(got.avg_cost.value) - Number(avgCost)) < 1e-9);
  // A filter over the stored table, and its rows opened: the same rows as DuckDB's.
  const rows = (await opened(analyst.table('adults').filter(col('sex').eq('F')))).table.rows.map((r) => JSON.stringify([r.age, r.sex, r.cost])).sort();
  const want = (await duck("SELECT age, sex, cost::DOUBLE FROM visits WHERE age >= 18 AND sex = 'F'")).map((r) => JSON.stringify(r)).sort();
  assert.deepEqual(rows, want);
});

test('CREATE TABLE AS stores the same plan as frame.store; the name must be free, OR REPLACE replaces a derived table of yours', async () => {
  const frame = analyst.table('visits').filter(col('cost').isNull().not()).select('age', 'cost');
  const viaSql = await analyst.sqlStore('CREATE TABLE priced AS SELECT age, cost FROM visits WHERE cost IS NOT NULL');
  assert.equal(viaSql.submitted.plan, (await import('../../src/plan/plan.js')).planHash(frame.toStorePlan('priced')));
  const first = await viaSql.result();
  const [[priced]] = await duck('SELECT count(*) FROM visits WHERE cost IS NOT NULL');
  assert.equal(first.rows, priced);
  await assert.rejects(frame.store('priced'), (e: unknown) => e instanceof TableExistsError && /already exists; choose another name, or set replace/.test(e.message));
  await assert.rejects(hospital.table('visits').store('priced', { replace: true }), (e: unknown) => e instanceof QueryError && /stored by 'Analyst', and only that analyst may replace it/.test(e.message));
  await assert.rejects(analyst.table('adults').store('visits', { replace: true }), (e: unknown) => e instanceof QueryError && /an uploaded table, which a plan never replaces/.test(e.message));
  const replaced = await (await analyst.sqlStore('CREATE OR REPLACE TABLE priced AS SELECT age, cost FROM visits WHERE cost IS NOT NULL AND age < 50')).result();
  const [[young]] = await duck('SELECT count(*) FROM visits WHERE cost IS NOT NULL AND age < 50');
  assert.equal(replaced.rows, young);
  assert.equal(replaced.lineage?.replaced, true);
  assert.deepEqual(await listedEverywhere('priced'), { ...replaced, createdAt: '' });
  const s = (await opened(analyst.table('priced').agg({ s: sum('cost') }))).outputs.s.value;
  const [[want]] = await duck('SELECT sum(cost)::DOUBLE FROM visits WHERE cost IS NOT NULL AND age < 50');
  assert.equal(Number(s), want);
  await assert.rejects(analyst.sql('CREATE TABLE x AS SELECT age FROM visits'), /run it with t.sqlStore/);
  await assert.rejects(analyst.sqlStore('CREATE TEMP TABLE x AS SELECT age FROM visits'), /only CREATE \[OR REPLACE\] TABLE name AS SELECT/);
});

test('an oblivious filter is compacted when stored (its row count becomes public); an aggregate stores its parts as <output>_<part>', async () => {
  const oblivious = analyst.table('visits').filter(col('sex').eq('M'), { mode: 'oblivious' });
  const explained = await analyst.checkPlan(oblivious.toStorePlan('men'));
  assert.ok(explained.disclosures.some((d) => d.path === '/root' && /rows of the stored table 'men'/.test(d.what)), JSON.stringify(explained.disclosures));
  assert.deepEqual(explained.recipients, []);
  const men = await (await oblivious.store('men')).result();
  const [[m, mAge]] = await duck("SELECT count(*), sum(age) FROM visits WHERE sex = 'M'");
  assert.equal(men.rows, m);
  assert.equal((await opened(analyst.table('men').agg({ s: sum('age') }))).outputs.s.value, mAge);

  const summary = await (await analyst.table('visits').agg({ n: count(), m: mean('cost') }).store('summary')).result();
  assert.deepEqual(summary.schema.columns.map((c) => c.name), ['n', 'm_sum', 'm_count']);
  assert.equal(summary.rows, 1);
  const row = (await opened(analyst.table('summary'))).table.rows[0];
  const [[n, costSum, costCount]] = await duck('SELECT count(*), sum(cost)::DOUBLE, count(cost) FROM visits');
  assert.deepEqual([row.n, row.m_sum, row.m_count], [n, costSum, costCount]);
});

// Deleting right after the store: a peer that has not heard the commit yet asks the coordinator
// before it answers (without that, node 0 kept a copy that committed after the delete).
test('a derived table is deleted by the analyst who stored it (not by others), at all three nodes', async () => {
  await (await analyst.table('visits').select('age').store('to_delete')).result();
  await assert.rejects(hospital.deleteTable('to_delete'), (e: unknown) => e instanceof PermissionDeniedError && /only the table's owner \('Analyst'\)/.test(e.message));
  await analyst.deleteTable('to_delete');
  assert.equal(await listedEverywhere('to_delete'), undefined);
  await assert.rejects(analyst.tableInfo('to_delete'), TableNotFoundError);
  // The name is free again.
  assert.equal((await (await analyst.table('visits').select('age').store('to_delete')).result()).rows, ROWS.age.length);
  // Listed at all three (each asks the coordinator if it has not heard the commit), so no node is
  // still committing when the cluster closes.
  assert.ok(await listedEverywhere('to_delete'));
});
