/**
 * Three in-process nodes: the same aggregates asked through the data-frame API, SQL and
 * t.sum/t.count give the same plan and the same opened values; explain (POST /v1/plans/check)
 * shows disclosures and cost without running anything; the CLI's `sql` and `explain` print them.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { count, mean, sum } from '../../src/client/aggregates.js';
import type { Tessera } from '../../src/client/tessera.js';
import { PermissionDeniedError, QueryError, SqlError } from '../../src/errors.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let hospital: Tessera;
let analyst: Tessera;
const to = { to: ['St. Mary Hospital'] };

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  analyst = await cluster.connect('Analyst', 1);
  const schema = {
    version: 1 as const,
    columns: [
      { name: 'age', nullable: false, type: 'integer' as const, min: '0', max: '120' },
      { name: 'visits', nullable: true, type: 'integer' as const, min: '0', max: '1000' },
    ],
  };
  await hospital.uploadTable('visits', { columns: { age: [34, 51, 67, 29], visits: [3, null, 5, 1] } }, { schema });
  const north = await cluster.connect('Registry North', 2);
  await north.uploadTable('admissions', { columns: { age: [40, 60, 80], visits: [2, 2, null] } }, { schema });
});

after(async () => {
  await cluster.close();
});

test('the frame API and SQL run the same plan and open the same values', async () => {
  const frame = hospital
    .table<'age' | 'visits'>('visits')
    .concat(hospital.table('admissions'))
    .agg({ n: count(), visits_known: count('visits'), total: sum('visits'), avg_age: mean('age') });
  const fromSql = await hospital.sql(
    'SELECT count(*) AS n, count(visits) AS visits_known, sum(visits) AS total, avg(age) AS avg_age FROM (SELECT * FROM visits UNION ALL SELECT * FROM admissions)',
  );
  assert.equal(fromSql.planHash(to), frame.planHash(to));
  const a = await (await frame.open(to)).result();
  const b = await (await fromSql.open(to)).result();
  assert.equal(a.plan, b.plan);
  assert.equal(a.outputs.n.value, 7);
  assert.equal(a.outputs.visits_known.value, 5);
  assert.equal(a.outputs.total.value, 13);
  assert.equal(a.outputs.avg_age.value, (34 + 51 + 67 + 29 + 40 + 60 + 80) / 7);
  for (const name of ['n', 'visits_known', 'total', 'avg_age']) assert.deepEqual(b.outputs[name], a.outputs[name]);
  // t.sum is a thin wrapper over the same frames.
  const viaSum = await (await hospital.sum({ column: 'visits', tables: ['visits', 'admissions'], recipients: to.to })).result();
  assert.equal(viaSum.value, 13);
  // t.sum concatenates its tables sorted by name: the same SQL in that order is the same plan.
  const same = await hospital.sql('SELECT sum(visits) AS sum FROM (SELECT visits FROM admissions UNION ALL SELECT visits FROM visits)');
  assert.equal(same.planHash(to), viaSum.plan);
});

test('explain checks the plan at the node without running it', async () => {
  const frame = await analyst.sql('SELECT count(*) AS n, avg(age) FROM (SELECT age FROM visits UNION ALL SELECT age FROM admissions)');
  const e = await frame.explain(to);
  assert.equal(e.planHash, frame.planHash(to));
  assert.deepEqual(e.tables, [{ name: 'admissions', kind: 'table', rows: 3 }, { name: 'visits', kind: 'table', rows: 4 }]);
  assert.deepEqual(e.outputs.map((o) => [o.name, o.fn, o.column ?? null, o.parts.map((p) => p.column)]), [['n', 'count', null, ['n']], ['avg_age', 'mean', 'age', ['avg_age.sum', 'avg_age.count']]]);
  assert.deepEqual(e.recipients, ['St. Mary Hospital']);
  assert.deepEqual(e.disclosures.map((d) => d.path), ['/root/input/input/inputs/0', '/root/input/input/inputs/1', '/root']);
  assert.match(e.disclosures[2].what, /3 values \(n, avg_age\) opened to St. Mary Hospital only/);
  assert.ok(e.cost.rounds >= 2 && e.cost.bytesPerParty > 0);
  assert.match(e.text(), /made public:\n\s+\/root\/input\/input\/inputs\/0\s+row count of table 'visits' \(4, public metadata\)/);
  assert.match(e.text(), /estimated cost: \d+ rounds, [\d.]+ (B|KiB) sent per node/);
  // Nothing ran: no query was recorded for the analyst.
  await assert.rejects(analyst.sql('SELECT sum(age) FROM nowhere').then((f) => f.explain(to)), (error: unknown) => error instanceof Error && /no table named 'nowhere'/.test(error.message));
  await assert.rejects(analyst.table('visits').agg({ s: sum('nope') }).explain(to), (error: unknown) => error instanceof QueryError && /has no column 'nope'/.test(error.message));
  // A party without the analyst role may not check plans either.
  const north = await cluster.connect('Registry North', 0);
  await assert.rejects(north.table('visits').agg({ n: count() }).explain({ to: ['Registry North'] }), PermissionDeniedError);
});

test('SQL the plan cannot express is refused before anything is sent', async () => {
  await assert.rejects(analyst.sql('SELECT age, sum(age) FROM visits GROUP BY ROLLUP (age)'), (error: unknown) => error instanceof SqlError && error.construct === 'GROUPING SETS, CUBE, ROLLUP');
});
