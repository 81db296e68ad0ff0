/**
 * join end to end on three in-process nodes: two owners' tables (a hospital's visits, a
 * registry's claims) keyed by a patient identifier that each owner hashed with the
 * collaboration's identifier key, joined and aggregated through the data-frame API and SQL, and
 * compared with DuckDB's answer for the same join on the plaintext identifiers (the oracle).
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { count, mean, sum } from '../../src/client/aggregates.js';
import { col } from '../../src/client/expr.js';
import type { Tessera } from '../../src/client/tessera.js';
import { createIdentifierKey } from '../../src/crypto/identifier-key.js';
import { QueryError } from '../../src/errors.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { duckdbRows } from '../helpers/duckdb-oracle.js';

let cluster: TestCluster;
let hospital: Tessera;
let registry: Tessera;
const to = { to: ['St. Mary Hospital'] };

const VISITS = { patient: ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'], age: [34, 51, 67, 29, 80, 45] };
const CLAIMS = {
  patient_id: ['p2', 'p2', 'p3', 'p9', 'p1', 'p2', 'p7', 'p3'],
  amount: ['10.50', '99.99', null, '5.00', '12.25', '1.01', '300.00', '7.75'],
};

before(async () => {
  cluster = await startTestCluster();
  const identifierKey = createIdentifierKey();
  hospital = await cluster.connect('St. Mary Hospital', 0, { identifierKey });
  registry = await cluster.connect('Registry North', 1, { identifierKey });
  await hospital.uploadTable('visits', { columns: VISITS }, { schema: { version: 1, columns: [
    { name: 'patient', nullable: false, type: 'identifier' },
    { name: 'age', nullable: false, type: 'integer', min: '0', max: '120' },
  ] } });
  await registry.uploadTable('claims', { columns: CLAIMS }, { schema: { version: 1, columns: [
    { name: 'patient_id', nullable: false, type: 'identifier' },
    { name: 'amount', nullable: true, type: 'decimal', scale: 2, min: '0', max: '1000' },
  ] } });
});

after(async () => {
  await cluster.close();
});

async function oracle(sql: string): Promise<number[]> {
  const visits = { name: 'visits', columns: { patient: 'VARCHAR', age: 'INTEGER' }, rows: VISITS };
  const claims = { name: 'claims', columns: { patient_id: 'VARCHAR', amount: 'DECIMAL(10, 2)' }, rows: CLAIMS };
  return Object.values((await duckdbRows([visits, claims], sql))[0]).map((v) => (v === null ? 0 : Number(v)));
}

test('an inner join of two owners\' tables on a keyed identifier, then count/sum/mean: frame, SQL and DuckDB agree', async () => {
  const sql = 'SELECT count(*) AS n, sum(c.amount) AS total, avg(v.age) AS age FROM claims c JOIN visits v ON c.patient_id = v.patient';
  const want = await oracle(sql.replace(/sum\(c.amount\)/, 'sum(c.amount)::DOUBLE').replace(/avg\(v.age\)/, 'avg(v.age)::DOUBLE'));
  const frame = hospital.table('claims').select('patient_id', 'amount').join(hospital.table('visits').select('patient', 'age'), { on: { left: 'patient_id', right: 'patient' } }).agg({ n: count(), total: sum('amount'), age: mean('age') });
  assert.equal((await hospital.sql(sql)).planHash(to), frame.planHash(to));
  const explained = await frame.explain(to);
  assert.ok(explained.disclosures.some((d) => d.path === '/root/input/input' && /how many rows this join outputs/.test(d.what)), JSON.stringify(explained.disclosures));
  const got = (await (await frame.open(to)).result()).outputs;
  assert.equal(got.n.value, want[0]);
  assert.ok(Math.abs(Number(got.total.value) - want[1]) < 1e-9);
  assert.ok(Math.abs(Number(got.age.value) - want[2]) < 1e-9);
});

test('left joins keep every left row (either side unique), oblivious mode opens the same values', async () => {
  // Claims left join visits (the right side unique): unmatched claims count, their age is null.
  const many = await oracle('SELECT count(*), count(v.age), sum(v.age) FROM claims c LEFT JOIN visits v ON c.patient_id = v.patient');
  for (const mode of ['reveal-count', 'oblivious'] as const) {
    const frame = hospital.table('claims').join(hospital.table('visits'), { on: { left: 'patient_id', right: 'patient' }, how: 'left', mode }).agg({ n: count(), known: count('age'), total: sum('age') });
    const got = (await (await frame.open(to)).result()).outputs;
    assert.deepEqual([got.n.value, got.known.value, got.total.value], many, mode);
  }
  // Visits left join claims (the left side unique: one-to-many), after a filter on the visits.
  const one = await oracle('SELECT count(*), count(c.amount), sum(c.amount)::DOUBLE FROM visits v LEFT JOIN claims c ON v.patient = c.patient_id WHERE v.age >= 30');
  const frame = hospital.table('visits').filter(col('age').ge(30), { mode: 'oblivious' }).join(hospital.table('claims'), { on: { left: 'patient', right: 'patient_id' }, how: 'left', kind: 'one-to-many' }).agg({ n: count(), known: count('amount'), total: sum('amount') });
  const got = (await (await frame.open(to)).result()).outputs;
  assert.deepEqual([got.n.value, got.known.value, Number(got.total.value)], one);
});

test('keys of different types are refused before any MPC; a key declared unique that is not stops the query', async () => {
  await assert.rejects(
    hospital.table('claims').join(hospital.table('visits'), { on: { left: 'amount', right: 'patient' } }).agg({ n: count() }).explain(to),
    (e: unknown) => e instanceof QueryError && /plan \/root\/input\/input\/on\/0: cannot join 'amount' \(decimal\(2\)\) with 'patient' \(identifier\)/.test(e.message),
  );
  // Claims repeat patients: as the unique (right) side the join is refused, naming the fix.
  await assert.rejects(
    (await hospital.table('visits').join(hospital.table('claims'), { on: { left: 'patient', right: 'patient_id' } }).agg({ n: count() }).open(to)).result(),
    (e: unknown) => e instanceof Error && /right side's key \(patient_id\) is not unique .*declare kind 'one-to-many'/.test(e.message),
  );
});

test('a join opens as a table (an integer key; the right side\'s cells null where a left join found nothing), row for row as the plaintext left join', async () => {
  await hospital.uploadTable('stays', { columns: { ward: [1, 2, 2, 3, 9], days: [4, 1, 7, 2, 5] } }, { schema: { version: 1, columns: [
    { name: 'ward', nullable: false, type: 'integer', min: '0', max: '99' },
    { name: 'days', nullable: false, type: 'integer', min: '0', max: '365' },
  ] } });
  await registry.uploadTable('wards', { columns: { ward_id: [1, 2, 3, 4], beds: [10, 20, null, 40] } }, { schema: { version: 1, columns: [
    { name: 'ward_id', nullable: false, type: 'integer', min: '0', max: '99' },
    { name: 'beds', nullable: true, type: 'integer', min: '0', max: '500' },
  ] } });
  for (const mode of ['reveal-count', 'oblivious'] as const) {
    const result = await (await hospital.table('stays').join(hospital.table('wards'), { on: { left: 'ward', right: 'ward_id' }, how: 'left', mode }).open(to)).result();
    assert.deepEqual(result.table.columns, ['ward', 'days', 'beds']);
    const rows = result.table.rows.map((r) => `${String(r.ward)}:${String(r.days)}:${String(r.beds)}`).sort();
    assert.deepEqual(rows, ['1:4:10', '2:1:20', '2:7:20', '3:2:null', '9:5:null'], mode);
  }
});
