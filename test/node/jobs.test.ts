/**
 * Queries as jobs (docs/system.md, "Jobs"): submitting answers with the id before the
 * computation ends; the state shows the job's step; a cancel fails it at all three nodes with
 * the canceller's name and nothing opens; a restart of its coordinator fails it with a message
 * that says so; the queue is bounded. Jobs are held at a chosen step by the nodes' step hook,
 * never by timing.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Tessera } from '../../src/client/tessera.js';
import { PermissionDeniedError, QueryDoneError, QueryFailedError, QueueFullError } from '../../src/errors.js';
import type { NodeIndex } from '../../src/governance/collaboration.js';
import type { ExecutionProgress } from '../../src/ops/progress.js';
import type { QueryStatus } from '../../src/wire/api.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

const RECIPIENT = 'St. Mary Hospital';

/** A hold on jobs at node 0: the first job reaching step `step` waits there until released. */
interface Hold {
  readonly step: number;
  readonly reached: Promise<string>;
  release(): void;
}

let hold: (Hold & { arrive(query: string): void; released: Promise<void> }) | undefined;
const stepsSeen: ExecutionProgress[] = [];

function holdAt(step: number): Hold {
  let arrive!: (query: string) => void;
  let release!: () => void;
  const reached = new Promise<string>((resolve) => (arrive = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const h = { step, reached, released, arrive, release: () => { hold = undefined; release(); } };
  hold = h;
  return h;
}

let cluster: TestCluster;
let hospital: Tessera;
let north: Tessera;

before(async () => {
  cluster = await startTestCluster({
    timeouts: { mpcMs: 30_000, rpcMs: 30_000 },
    jobs: {
      concurrent: 1,
      queued: 1,
      onStep: (node: NodeIndex, query: string, progress: ExecutionProgress) => {
        if (node !== 0) return;
        stepsSeen.push(progress);
        const h = hold;
        if (!h || progress.step !== h.step) return;
        h.arrive(query);
        return h.released;
      },
    },
  });
  hospital = await cluster.connect(RECIPIENT, 0);
  north = await cluster.connect('Registry North', 0);
  await hospital.uploadTable('base', { columns: { n: [1, 2, 3, 4] } }, { columns: { n: { type: 'integer', min: 0, max: 100 } } });
});

after(async () => {
  hold?.release();
  await cluster.close();
});

function sum(): ReturnType<Tessera['sum']> {
  return hospital.sum({ column: 'n', tables: ['base'], recipients: [RECIPIENT] });
}

/** What every node lists, as [name, rows] (tables never change under a query). */
async function listings(): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const node of [0, 1, 2] as const) {
    const client = await cluster.connect(RECIPIENT, node);
    out.push((await client.listTables()).map((t) => [t.name, 'rows' in t ? t.rows : 'damaged', 'createdAt' in t ? t.createdAt : '']));
  }
  return out;
}

async function assertFailedEverywhere(id: string, reason: RegExp): Promise<void> {
  for (const node of [0, 1, 2] as const) {
    const client = await cluster.connect(RECIPIENT, node);
    const status = await client.queryState(id);
    assert.equal(status.state, 'failed', `node ${node} reports ${status.state}`);
    assert.match(status.reason ?? '', reason, `node ${node}'s reason`);
    await assert.rejects(client.result(id), (e: unknown) => e instanceof QueryFailedError && e.message.includes(status.reason ?? '?'), `node ${node} refuses to open it`);
  }
}

test("a job's id returns before its computation ends; its state shows the step running, then done", async () => {
  const h = holdAt(2);
  const seen: QueryStatus[] = [];
  const q = await hospital.sum({ column: 'n', tables: ['base'], recipients: [RECIPIENT], onProgress: (s) => seen.push(s) });
  assert.match(q.id, /^q-[0-9a-f]{24}$/);
  assert.equal(await h.reached, q.id); // held at step 2: the handle came back while it computes
  const running = await q.status();
  assert.equal(running.state, 'running');
  assert.equal(running.job?.phase, 'running');
  assert.equal(running.job?.operator, 'scan');
  assert.equal(running.job?.path, '/root/input/input');
  assert.deepEqual([running.job?.step, running.job?.steps], [2, 4]); // read, scan, aggregate, open
  assert.ok((running.job?.elapsedMs ?? -1) >= 0);
  // A peer computes it too and reports its own step.
  const atPeer = await (await cluster.connect(RECIPIENT, 1)).queryState(q.id);
  assert.equal(atPeer.state, 'running');
  h.release();
  assert.equal((await q.result()).value, 10);
  assert.equal((await q.status()).state, 'done');
  assert.equal((await q.status()).job, undefined);
  assert.equal(seen.at(-1)?.state, 'done');
  assert.deepEqual(
    stepsSeen.filter((p) => p.steps === 4).slice(-4).map((p) => p.operator),
    ['read', 'scan', 'aggregate', 'open'],
  );
});

test('a cancel of a running job fails it at all three nodes with the reason; its result never opens; no table changes', async () => {
  const before = await listings();
  const h = holdAt(2);
  const q = await sum();
  await h.reached;
  // Only its requester may cancel it.
  await assert.rejects(north.cancel(q.id), (e: unknown) => e instanceof PermissionDeniedError || (e instanceof Error && /FORBIDDEN|not a recipient|asked for/.test(e.message)));
  const cancelled = await q.cancel();
  h.release();
  assert.equal(cancelled.state, 'failed');
  assert.match(cancelled.reason ?? '', /^cancelled by St\. Mary Hospital$/);
  await assert.rejects(q.result(), (e: unknown) => e instanceof QueryFailedError && /cancelled by St\. Mary Hospital/.test(e.message));
  await assertFailedEverywhere(q.id, /^cancelled by St\. Mary Hospital$/);
  assert.deepEqual(await listings(), before);
  const again = await sum();
  assert.equal((await again.result()).value, 10);
  // Too late to cancel a completed query: refused, and its result stays.
  await assert.rejects(again.cancel(), QueryDoneError);
  assert.equal((await again.result()).value, 10);
});

test('a cancel asked through another node reaches the coordinator', async () => {
  const h = holdAt(2);
  const q = await sum();
  await h.reached;
  const viaNode2 = await cluster.connect(RECIPIENT, 2);
  const cancelled = await viaNode2.cancel(q.id);
  h.release();
  assert.equal(cancelled.state, 'failed');
  await assertFailedEverywhere(q.id, /^cancelled by St\. Mary Hospital$/);
});

test('the queue is bounded: a job waits while the slot is taken, one more is refused, a queued job can be cancelled', async () => {
  const h = holdAt(2);
  const first = await sum();
  await h.reached;
  const second = await sum();
  assert.equal(second.submitted.state, 'queued');
  const queued = await second.status();
  assert.equal(queued.state, 'queued');
  assert.equal(queued.job?.position, 1);
  await assert.rejects(sum(), (e: unknown) => e instanceof QueueFullError && /1 at once, 1 waiting/.test(e.message));
  const third = await hospital.query(second.id).cancel();
  assert.equal(third.state, 'failed');
  await assertFailedEverywhere(second.id, /^cancelled by St\. Mary Hospital$/);
  // With a free place in the queue, a job is admitted again; it starts once the first is done.
  const fourth = await sum();
  assert.equal(fourth.submitted.state, 'queued');
  h.release();
  assert.equal((await first.result()).value, 10);
  assert.equal((await fourth.result()).value, 10);
});

test('a restart of the coordinator during a job fails it at every node, saying the node restarted during the job; no table changes', async () => {
  const before = await listings();
  const h = holdAt(2);
  const q = await sum();
  await h.reached;
  await cluster.stopNode(0);
  h.release();
  await cluster.startNode(0);
  await cluster.waitForMesh(15_000);
  await assertFailedEverywhere(q.id, /node 0 \(node-a\), which coordinated it, restarted during the job/);
  assert.deepEqual(await listings(), before);
  const again = await (await cluster.connect(RECIPIENT, 0)).sum({ column: 'n', tables: ['base'], recipients: [RECIPIENT] });
  assert.equal((await again.result()).value, 10);
});
