/**
 * A result larger than a peer message's JSON header (1 MiB): each node's sealed share of a
 * 50,000-row table is about 2 MiB in base64. Shares travel between nodes as binary parts, so
 * the recipient opens every row (this failed with "frame header of ... bytes exceeds 1048576"
 * when the peers' shares were carried inside the header).
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Tessera } from '../../src/client/tessera.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

const ROWS = 50_000;
let cluster: TestCluster;
let hospital: Tessera;

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 1);
  const id = Array.from({ length: ROWS }, (_, i) => i);
  const value = Array.from({ length: ROWS }, (_, i) => (i * 7919) % 1_000_003);
  await hospital.uploadTable('big', { columns: { id, value } }, { columns: { id: { type: 'integer', min: 0, max: ROWS }, value: { type: 'integer', min: 0, max: 1_000_003 } } });
});

after(async () => {
  await cluster.close();
});

test('a result of 50,000 rows (shares beyond a frame header) opens whole, through the coordinator', async () => {
  const result = await (await hospital.table('big').open({ to: ['St. Mary Hospital'] })).result();
  assert.equal(result.table.rows.length, ROWS);
  assert.equal(result.nodes.length, 3, 'all three shares arrived (two through the coordinator\'s peers)');
  const byId = new Map(result.table.rows.map((r) => [Number(r.id), Number(r.value)]));
  for (let i = 0; i < ROWS; i += 997) assert.equal(byId.get(i), (i * 7919) % 1_000_003);
});
