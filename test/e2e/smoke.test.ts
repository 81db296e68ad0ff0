import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestCluster } from '../helpers/cluster.js';

test('smoke: upload, sum, result', async () => {
  const cluster = await startTestCluster();
  try {
    const hospital = await cluster.connect('St. Mary Hospital');
    const info = await hospital.uploadTable('patients', { columns: { age: [30, 40, 50], weight: ['70.5', '80.25', '90.00'] } }, { columns: { age: { type: 'integer', min: 0, max: 120 }, weight: { type: 'decimal', scale: 2, min: '0', max: '500' } } });
    assert.equal(info.rows, 3);
    const q = await hospital.sum({ column: 'age', recipients: ['St. Mary Hospital'] });
    const r = await q.result();
    assert.equal(r.value, 120);
    const m = await hospital.mean({ column: 'weight', recipients: ['St. Mary Hospital'] });
    assert.ok(Math.abs(((await m.result()).value as number) - 80.25) < 1e-9);
    const again = await hospital.result(q.id);
    assert.equal(again.value, 120);
  } finally {
    await cluster.close();
  }
});
