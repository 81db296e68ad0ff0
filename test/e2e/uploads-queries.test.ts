/**
 * Three in-process nodes driven through the SDK: uploads from CSV and from memory, then
 * count/sum/mean over several tables, opened only by the named recipients.
 */

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PermissionDeniedError, QueryError, TableNotFoundError } from '../../src/errors.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import type { Tessera } from '../../src/client/tessera.js';

let cluster: TestCluster;
let hospital: Tessera;
let north: Tessera;
let analyst: Tessera;

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  north = await cluster.connect('Registry North', 1);
  analyst = await cluster.connect('Analyst', 2);
  await withTempDir(async (dir) => {
    const csv = join(dir, 'visits.csv');
    await writeFile(csv, 'age,weight_kg,smoker,cost\n34,70.5,true,120.25\n51,82.0,false,\n67,90.25,true,80.00\n29,,false,10.50\n');
    await hospital.uploadTable('visits', { file: csv }, {
      columns: {
        age: { type: 'integer', min: 0, max: 120 },
        weight_kg: { type: 'decimal', scale: 2, min: '0', max: '500', nullable: true },
        smoker: { type: 'boolean' },
        cost: { type: 'decimal', scale: 2, min: '0', max: '100000', nullable: true },
      },
    });
  });
  await north.uploadTable('north', { columns: { age: [40, 60], cost: ['1000.00', '2000.50'] } }, {
    schema: {
      version: 1,
      columns: [
        { name: 'age', nullable: false, type: 'integer', min: '0', max: '120' },
        { name: 'cost', nullable: true, type: 'decimal', scale: 2, min: '0', max: '100000' },
      ],
    },
  });
});

after(async () => {
  await cluster.close();
});

test('tables are listed with their public metadata at every node', async () => {
  for (const client of [hospital, north, analyst]) {
    const tables = await client.listTables();
    assert.deepEqual(tables.map((t) => [t.name, t.kind, t.owner, 'rows' in t ? t.rows : 'damaged']), [
      ['north', 'table', 'Registry North', 2],
      ['visits', 'table', 'St. Mary Hospital', 4],
    ]);
  }
  const visits = await analyst.tableInfo('visits');
  assert.deepEqual(visits.schema.columns.map((c) => c.name), ['age', 'weight_kg', 'smoker', 'cost']);
  await assert.rejects(analyst.tableInfo('nope'), TableNotFoundError);
});

test('sum, count and mean over several tables', async () => {
  const sum = await analyst.sum({ column: 'age', recipients: ['St. Mary Hospital', 'Registry North'] });
  assert.deepEqual((await sum.wait()).tables, ['north', 'visits']);
  assert.equal((await (await hospital.result(sum.id))).value, 34 + 51 + 67 + 29 + 40 + 60);
  assert.equal((await north.result(sum.id)).value, 281);

  const count = await hospital.count({ recipients: ['St. Mary Hospital'] });
  const counted = await count.result();
  assert.equal(counted.value, 6);
  assert.equal(counted.rows, 6);

  // Nullable decimals: nulls are not summed and not counted.
  const mean = await hospital.mean({ column: 'cost', recipients: ['St. Mary Hospital'] });
  const m = await mean.result();
  assert.equal(m.count, 5);
  assert.equal(m.sum, 120.25 + 80 + 10.5 + 1000 + 2000.5);
  assert.ok(Math.abs((m.value as number) - 3211.25 / 5) < 1e-9);

  const nonNull = await hospital.count({ column: 'weight_kg', tables: ['visits'], recipients: ['St. Mary Hospital'] });
  assert.equal((await nonNull.result()).value, 3);

  const smokers = await hospital.sum({ column: 'smoker', recipients: ['St. Mary Hospital'] });
  assert.equal((await smokers.result()).value, 2);

  const exact = await hospital.sum({ column: 'weight_kg', recipients: ['St. Mary Hospital'] });
  assert.equal((await exact.result()).exact, '242.75');
});

test('only the named recipients can open a result', async () => {
  const q = await analyst.sum({ column: 'age', tables: ['visits'], recipients: ['Registry North'] });
  assert.equal((await q.wait()).recipients.length, 1);
  assert.equal((await north.result(q.id)).value, 181);
  await assert.rejects(hospital.result(q.id), (e: unknown) => e instanceof PermissionDeniedError && /not a recipient/.test(e.message));
  await assert.rejects(analyst.result(q.id), PermissionDeniedError);
  // The analyst, not a recipient, gets no shares with its query either.
  await assert.rejects(q.result(), PermissionDeniedError);
});

test('queries that cannot run are refused with a clear error', async () => {
  await assert.rejects(analyst.sum({ column: 'nope', recipients: ['Auditor'] }), (e: unknown) => e instanceof QueryError && /no table has a column/.test(e.message));
  await assert.rejects(analyst.sum({ column: 'age', tables: ['missing'], recipients: ['Auditor'] }), TableNotFoundError);
  await assert.rejects(analyst.sum({ column: 'age', recipients: ['Analyst'] }), (e: unknown) => e instanceof PermissionDeniedError && /output/.test(e.message));
  await assert.rejects(north.sum({ column: 'age', recipients: ['Auditor'] }), (e: unknown) => e instanceof PermissionDeniedError && /analyst/.test(e.message));
});
