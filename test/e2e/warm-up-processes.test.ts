/**
 * Three node processes started WITH their start-up warm-up (test clusters skip it: the helper's
 * default): each becomes healthy only after warming up, reports the warm-up in its health (no
 * workload failed), and then answers queries exactly: a filtered count and a group-by whose
 * answers are computed here in plaintext.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { count, sum } from '../../src/client/aggregates.js';
import { col } from '../../src/client/expr.js';
import { useNodeProcesses } from '../helpers/node-processes.js';

const HOSPITAL = 'St. Mary Hospital';
const cluster = useNodeProcesses('tessera-warm-up-procs-', [{ name: HOSPITAL, roles: ['input', 'output', 'analyst'] }], { warmUp: true });

const AGE = Array.from({ length: 40 }, (_, i) => (i * 37) % 90);
const WARD = Array.from({ length: 40 }, (_, i) => ['north', 'south', 'east'][i % 3]);

test('nodes that warmed up at start report it and answer exactly', { timeout: 240_000 }, async () => {
  const clients = [await cluster.connect(HOSPITAL, 0, 180_000), await cluster.connect(HOSPITAL, 1, 180_000), await cluster.connect(HOSPITAL, 2, 180_000)];
  for (const [i, c] of clients.entries()) {
    const warm = (await c.health()).warmUp;
    assert.ok(warm, `node ${i} reports its warm-up`);
    assert.equal(warm.failed, 0, `node ${i}: no warm-up workload failed`);
    assert.ok(warm.cpuMs > 0 && warm.wallMs > 0);
  }
  const hospital = clients[0];
  await hospital.uploadTable('visits', { columns: { age: AGE, ward: WARD } }, { columns: { age: { type: 'integer', min: 0, max: 120 }, ward: { type: 'category', dictionary: ['north', 'south', 'east'] } } });

  const adults = await (await hospital.table('visits').filter(col('age').ge(18)).agg({ n: count() }).open({ to: [HOSPITAL] })).result();
  assert.equal(Number(adults.outputs.n.value), AGE.filter((a) => a >= 18).length);

  const byWard = await (await hospital.table('visits').groupBy('ward').agg({ n: count(), total: sum('age') }).open({ to: [HOSPITAL] })).result();
  const got = byWard.table.rows.map((r) => [r.ward, Number(r.n), Number(r.total)]).sort();
  const want = ['east', 'north', 'south'].map((w) => [w, WARD.filter((x) => x === w).length, AGE.filter((_, i) => WARD[i] === w).reduce((s, a) => s + a, 0)]);
  assert.deepEqual(got, want);
});
