/**
 * A derived table follows its query's decision (node/flows/store.ts): a cancelled store, and a
 * store whose coordinator restarts between the peers' compute and its commit, leave no table and
 * no staged copy at any node; a peer that restarts while its copy waits for the commit completes
 * it when it learns the decision. At no point after the dust settles is the table usable at one
 * node only.
 */

import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { col } from '../../src/client/expr.js';
import type { Tessera } from '../../src/client/tessera.js';
import type { NodeIndex } from '../../src/governance/collaboration.js';
import type { ExecutionProgress } from '../../src/ops/progress.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

interface Hold {
  readonly reached: Promise<string>;
  release(): void;
}
let hold: (Hold & { arrive(query: string): void; released: Promise<void> }) | undefined;

/** Holds node 0's next job at its store step (the peers go on, stage their copies and wait for the decision). */
function holdStore(): Hold {
  let arrive!: (query: string) => void;
  let release!: () => void;
  const reached = new Promise<string>((resolve) => (arrive = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  hold = { reached, released, arrive, release: () => { hold = undefined; release(); } };
  return hold;
}

let cluster: TestCluster;
let analyst: Tessera;

before(async () => {
  cluster = await startTestCluster({
    timeouts: { mpcMs: 30_000, rpcMs: 30_000 },
    jobs: {
      onStep: (node: NodeIndex, query: string, progress: ExecutionProgress) => {
        const h = hold;
        if (node !== 0 || !h || progress.operator !== 'store') return;
        h.arrive(query);
        return h.released;
      },
    },
  });
  const hospital = await cluster.connect('St. Mary Hospital', 0);
  await hospital.uploadTable('visits', { columns: { age: [10, 20, 30, 40, 50] } }, { columns: { age: { type: 'integer', min: 0, max: 120 } } });
  analyst = await cluster.connect('Analyst', 0);
});

after(async () => {
  hold?.release();
  await cluster.close();
});

/** Staged table directories at node i (what a half-done store would leave). */
async function staged(i: number): Promise<string[]> {
  return readdir(join(cluster.dataDirs[i], 'staging'));
}

/** Until `until` holds for what the three nodes list under `name` (true: listed), or fail after a bound. */
async function listedAt(name: string): Promise<boolean[]> {
  const out: boolean[] = [];
  for (const node of [0, 1, 2] as const) out.push((await (await cluster.connect('Analyst', node)).listTables()).some((t) => t.name === name));
  return out;
}

async function eventually<T>(what: string, probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) assert.fail(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until both peers hold a staged copy (they computed and wait for the decision). */
async function peersStaged(): Promise<void> {
  await eventually('peers staged', async () => [(await staged(1)).length, (await staged(2)).length], (n) => n[0] === 1 && n[1] === 1);
}

test('a store cancelled after the peers staged their copies leaves nothing at any node', async () => {
  const h = holdStore();
  const handle = await analyst.table('visits').filter(col('age').ge(20)).store('cancelled');
  assert.equal(await h.reached, handle.id);
  await peersStaged();
  const cancelling = handle.cancel();
  h.release();
  const status = await cancelling;
  assert.equal(status.state, 'failed');
  assert.match(status.reason ?? '', /cancelled by Analyst/);
  await assert.rejects(handle.result(), /cancelled by Analyst/);
  assert.deepEqual(await eventually('no copy listed', () => listedAt('cancelled'), (l) => l.every((x) => !x)), [false, false, false]);
  for (const i of [0, 1, 2]) assert.deepEqual(await eventually(`node ${i} staging empty`, () => staged(i), (s) => s.length === 0), []);
});

test('the coordinator restarting between the peers\' compute and its commit: the query fails and no node keeps the table', async () => {
  const h = holdStore();
  const handle = await analyst.table('visits').store('orphan');
  assert.equal(await h.reached, handle.id);
  await peersStaged();
  const stopping = cluster.stopNode(0);
  h.release();
  await stopping;
  await cluster.startNode(0);
  await cluster.waitForMesh(60_000);
  const status = await eventually('decided', () => analyst.queryState(handle.id), (s) => s.state === 'failed' || s.state === 'done');
  assert.equal(status.state, 'failed', JSON.stringify(status));
  assert.match(status.reason ?? '', /restarted during the job/);
  assert.deepEqual(await eventually('no copy listed', () => listedAt('orphan'), (l) => l.every((x) => !x)), [false, false, false]);
  for (const i of [0, 1, 2]) assert.deepEqual(await eventually(`node ${i} staging empty`, () => staged(i), (s) => s.length === 0), []);
  // The name is free: storing again works and lists it at all three.
  assert.equal((await (await analyst.table('visits').store('orphan')).result()).rows, 5);
  assert.deepEqual(await listedAt('orphan'), [true, true, true]);
});

test('a peer restarting while its copy waits for the commit: at all three or at none, consistent with the decision', async () => {
  const h = holdStore();
  const handle = await analyst.table('visits').filter(col('age').le(30)).store('survivor');
  assert.equal(await h.reached, handle.id);
  await peersStaged();
  await cluster.stopNode(2); // pending there, its staged copy on disk
  h.release();
  await cluster.startNode(2);
  await cluster.waitForMesh(60_000);
  const status = await eventually('decided', () => analyst.queryState(handle.id), (s) => s.state === 'failed' || s.state === 'done');
  const listed = await eventually('the same at all three', () => listedAt('survivor'), (l) => l.every((x) => x === l[0]));
  assert.deepEqual(listed, [status.state === 'done', status.state === 'done', status.state === 'done'], `query ${status.state}: ${status.reason ?? ''}`);
  for (const i of [0, 1, 2]) assert.deepEqual(await eventually(`node ${i} staging empty`, () => staged(i), (s) => s.length === 0), []);
  if (status.state === 'done') {
    const info = await (await cluster.connect('Analyst', 2)).tableInfo('survivor');
    assert.equal(info.rows, 3);
  }
});
