/**
 * `tessera query quantile COLUMN --p P` and `tessera query corr X --other Y`: the flags reach the
 * SDK (checked before anything connects), and the SDK's aggregate() sends them in the plan
 * (an embedded cluster answers with the exact quantile and correlation).
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Tessera } from '../../src/client/tessera.js';
import { aggregateArgumentsFromFlags } from '../../src/cli/aggregate-options.js';
import { runInProcess } from '../helpers/cli.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let hospital: Tessera;
const AGE = [30, 40, 50, 60, 70, 80];
const WEIGHT = [60, 70, 65, 90, 85, 100];

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  await hospital.uploadTable('visits', { columns: { age: AGE, weight: WEIGHT } }, { columns: { age: { type: 'integer', min: 0, max: 120 }, weight: { type: 'integer', min: 0, max: 300 } } });
  await hospital.uploadTable('ages', { columns: { age: [1, 2] } }, { columns: { age: { type: 'integer', min: 0, max: 120 } } });
});

after(async () => {
  await cluster?.close();
});

test('the flags: --p for quantile, --other for corr and covar_samp, each refused elsewhere or when missing', () => {
  assert.deepEqual(aggregateArgumentsFromFlags('quantile', 'age', { p: '0.9' }), { p: 0.9 });
  assert.deepEqual(aggregateArgumentsFromFlags('corr', 'age', { other: 'weight' }), { other: 'weight' });
  assert.deepEqual(aggregateArgumentsFromFlags('sum', 'age', {}), {});
  assert.throws(() => aggregateArgumentsFromFlags('quantile', 'age', {}), /quantile needs its fraction: .*--p 0\.9/);
  assert.throws(() => aggregateArgumentsFromFlags('covar_samp', 'age', {}), /needs its second column: .*--other Y/);
  assert.throws(() => aggregateArgumentsFromFlags('sum', 'age', { p: '0.5' }), /--p goes with quantile/);
  assert.throws(() => aggregateArgumentsFromFlags('median', 'age', { other: 'x' }), /--other goes with corr/);
  assert.throws(() => aggregateArgumentsFromFlags('quantile', 'age', { p: 'high' }), /--p is a number/);
  assert.throws(() => aggregateArgumentsFromFlags('quantile', 'age', { p: '1.5' }), /p, a number in \[0, 1\]/);
});

test('tessera query accepts --p and --other (they are checked before connecting)', async () => {
  const missing = await runInProcess(['query', 'quantile', 'age', '--to', 'Analyst']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /quantile needs its fraction/);
  // With the flag the command gets as far as connecting (no cluster named here).
  const given = await runInProcess(['query', 'quantile', 'age', '--p', '0.9', '--to', 'Analyst']);
  assert.doesNotMatch(given.stderr, /unknown option|needs its fraction/);
  assert.match(given.stderr, /--cluster DIR --as PARTY/);
  const pair = await runInProcess(['query', 'corr', 'age', '--other', 'weight', '--to', 'Analyst']);
  assert.doesNotMatch(pair.stderr, /unknown option|second column/);
  assert.match(pair.stderr, /--cluster DIR --as PARTY/);
});

test('the SDK\'s aggregate() sends p and the second column; tables default to those with both columns', async () => {
  const to = ['St. Mary Hospital'];
  const q = await (await hospital.aggregate('quantile', { column: 'age', p: 0.9, recipients: to, tables: ['visits'] })).result();
  assert.equal(q.value, 75); // type 7: h = 5 · 0.9 = 4.5 → 70 + 0.5 · 10
  const r = await (await hospital.aggregate('corr', { column: 'age', other: 'weight', recipients: to })).result();
  const mx = AGE.reduce((a, b) => a + b) / 6, my = WEIGHT.reduce((a, b) => a + b) / 6;
  const sxy = AGE.reduce((a, x, i) => a + (x - mx) * (WEIGHT[i] - my), 0), sxx = AGE.reduce((a, x) => a + (x - mx) ** 2, 0), syy = WEIGHT.reduce((a, y) => a + (y - my) ** 2, 0);
  assert.ok(Math.abs((r.value as number) - sxy / Math.sqrt(sxx * syy)) < 1e-12);
  assert.deepEqual(r.tables, ['visits']); // 'ages' has no weight
});
