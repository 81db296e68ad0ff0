/**
 * Differentially private results end to end on three in-process nodes: a count, a sum, a mean,
 * a group-by and a crosstab opened with discrete Laplace or Gaussian noise sampled inside MPC.
 * The recipient's result reports the mechanism, what it spent and each column's noise; every
 * noisy value lies within the noise's bound of the exact one; the noise differs between runs of
 * the same plan (fresh randomness per query) while the data stay the same.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { count, mean, sum } from '../../src/client/aggregates.js';
import type { Tessera } from '../../src/client/tessera.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let hospital: Tessera;
const AGES = Array.from({ length: 40 }, (_, i) => 20 + ((i * 7) % 50));
const BLOOD = AGES.map((_, i) => ['A', 'B', 'O'][i % 3]);
const SMOKER = AGES.map((_, i) => (i % 4 === 0 ? 'true' : 'false'));

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  await hospital.uploadTable(
    'patients',
    { columns: { age: AGES.map(String), blood: BLOOD, smoker: SMOKER } },
    {
      schema: {
        version: 1,
        columns: [
          { name: 'age', nullable: false, type: 'integer', min: '0', max: '120' },
          { name: 'blood', nullable: false, type: 'category', dictionary: ['A', 'B', 'O'] },
          { name: 'smoker', nullable: false, type: 'boolean' },
        ],
      },
    },
  );
});

after(async () => {
  await cluster?.close();
});

const to = ['St. Mary Hospital'];

test('count, sum and mean with Laplace noise: within the bound of the truth, the report says ε, sensitivities and noise', async () => {
  const frame = hospital.table('patients').agg({ n: count(), total: sum('age'), avg: mean('age') });
  const privacy = { mechanism: 'laplace', epsilon: 4 } as const;
  const explained = await frame.explain({ to, privacy });
  assert.equal(explained.privacy?.epsilon, 4);
  assert.match(explained.text(), /privacy: ε = 4 spent/);
  const r = await (await frame.open({ to, privacy })).result();
  assert.equal(r.privacy?.mechanism, 'laplace');
  assert.equal(r.privacy?.epsilon, 4);
  assert.deepEqual(r.privacy?.columns.map((c) => [c.column, c.sensitivity, c.epsilon]), [['n', '1', 1], ['total', '120', 1], ['avg.sum', '120', 1], ['avg.count', '1', 1]]);
  const n = r.outputs.n.value as number, total = Number(r.outputs.total.value);
  // ε 1 per column: a = e^-1 (count) and e^(-1/120) (sums); the noise stays within the table's bound.
  assert.ok(Number.isInteger(n) && Math.abs(n - AGES.length) <= 63, `noisy count ${n}`);
  const exact = AGES.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - exact) < 2 ** 13, `noisy sum ${total} vs ${exact}`);
  const avg = r.outputs.avg;
  assert.equal(avg.value, (avg.sum as number) / (avg.count as number));
});

test('group-by and crosstab cells with Gaussian noise; the noise is fresh for every query', async () => {
  const privacy = { mechanism: 'gaussian', rho: 2 } as const; // σ = 1/√(2·2) = 0.5 per cell
  const grouped = hospital.table('patients').groupBy('blood').agg({ n: count() });
  const a = await (await grouped.open({ to, privacy })).result();
  assert.deepEqual(a.table.rows.map((row) => row.blood), ['A', 'B', 'O']);
  const truth = ['A', 'B', 'O'].map((b) => BLOOD.filter((x) => x === b).length);
  a.table.rows.forEach((row, i) => assert.ok(Math.abs((row.n as number) - truth[i]) <= 8, `${row.blood}: ${row.n} vs ${truth[i]}`));
  assert.equal(a.privacy?.rho, 2);
  const x = hospital.table('patients').crosstab(['blood', 'smoker']);
  const noisy: number[][] = [];
  for (let run = 0; run < 3; run++) {
    const r = await (await x.open({ to, privacy: { mechanism: 'laplace', epsilon: 0.5 } })).result();
    noisy.push(r.table.rows.map((row) => row.count as number));
  }
  assert.equal(noisy[0].length, 6);
  assert.ok(noisy.some((cells, run) => run > 0 && cells.some((v, i) => v !== noisy[0][i])), 'three runs of the same plan gave the same noise in every cell');
});

test('refused before anything runs: privacy on a table of rows', async () => {
  await assert.rejects(hospital.table('patients').open({ to, privacy: { mechanism: 'laplace', epsilon: 1 } }), /privacy applies to aggregates/);
});
