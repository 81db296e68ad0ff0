/**
 * A query's one state, agreed by the three nodes (docs/system.md, "Query states"): nodes are
 * stopped at chosen points of a query (by a mesh tap that drops the message a node was about to
 * send, then stops it), and afterwards every node must report the same state; a failed query
 * never opens, through any node; a completed one opens through each node and with one node down.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { QueryFailedError, TesseraError } from '../../src/errors.js';
import type { Tessera } from '../../src/client/tessera.js';
import type { NodeIndex } from '../../src/governance/collaboration.js';
import type { PartyId } from '../../src/mpc/party.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

const RECIPIENT = 'St. Mary Hospital';
const QUERY_ID = /q-[0-9a-f]{24}/;

let cluster: TestCluster;
let hospital: Tessera;
/** Set by a test to stop a node on cue; returns false to drop the message. */
let onMessage: (from: PartyId, text: string, to: PartyId) => boolean | void = () => {};

before(async () => {
  cluster = await startTestCluster({ tap: (from, payload, to) => onMessage(from, Buffer.from(payload.subarray(0, 400)).toString('latin1'), to) });
  hospital = await cluster.connect(RECIPIENT, 0);
  await hospital.uploadTable('base', { columns: { n: [1, 2, 3, 4] } }, { columns: { n: { type: 'integer', min: 0, max: 100 } } });
});

after(async () => {
  await cluster.close();
});

/**
 * The first time `from` is about to send `to` a message containing `marker`: the message is
 * dropped and `victim` stops, as if it had died right then. Resolves once it has stopped.
 */
function killOn(from: PartyId, to: PartyId | undefined, marker: string, victim: NodeIndex): Promise<void> {
  return new Promise((resolve, reject) => {
    onMessage = (f, text, t) => {
      if (f !== from || (to !== undefined && t !== to) || !text.includes(marker)) return;
      onMessage = () => {};
      cluster.stopNode(victim).then(resolve, reject);
      return false;
    };
  });
}

async function restart(node: NodeIndex): Promise<void> {
  await cluster.startNode(node);
  await cluster.waitForMesh(15_000);
}

/** Submits the sum and waits for its job: resolves with its facts, or rejects with why it failed. */
function sum(): Promise<unknown> {
  return hospital.sum({ column: 'n', tables: ['base'], recipients: [RECIPIENT] }).then((q) => q.wait());
}

/** The query id a failed query's error names. */
function idIn(error: unknown): string {
  assert.ok(error instanceof TesseraError, `expected a Tessera error, got ${String(error)}`);
  const id = QUERY_ID.exec(error.message)?.[0];
  assert.ok(id, `the error names the query: ${error.message}`);
  return id;
}

/** Through each node: the state says failed with a reason, and the result does not open. */
async function assertFailedEverywhere(id: string, reason: RegExp): Promise<void> {
  for (const node of [0, 1, 2] as const) {
    const client = await cluster.connect(RECIPIENT, node);
    const status = await client.queryState(id);
    assert.equal(status.state, 'failed', `node ${node} reports ${status.state}`);
    assert.match(status.reason ?? '', reason, `node ${node}'s reason`);
    await assert.rejects(client.result(id), (e: unknown) => e instanceof QueryFailedError && e.message.includes(id) && reason.test(e.message), `node ${node} refuses to open it`);
  }
}

test('a node killed in the middle of the computation: the error names that node, and every node reports the query failed', async () => {
  const killed = killOn(2, undefined, 'tessera/query-agreement/v1', 2);
  const error = await sum().then(
    () => assert.fail('the query should fail'),
    (e: unknown) => e,
  );
  await killed;
  const id = idIn(error);
  const message = (error as Error).message;
  assert.match(message, /node 2 \(node-c\)/, 'names the node that died');
  assert.doesNotMatch(message, /node [01] \([^)]*\) (became|is) unreachable/, `names no live node as unreachable: ${message}`);
  await restart(2);
  await assertFailedEverywhere(id, /node 2 \(node-c\)/);
});

test('a node killed after computing its share, before the coordinator heard back: failed everywhere, no share opens', async () => {
  const killed = killOn(2, 0, '"computed":true', 2); // node 2's answer to query.run: it computed its share and holds it
  const id = idIn(await sum().then(() => assert.fail('the query should fail'), (e: unknown) => e));
  await killed;
  // While node 2 is down, neither remaining node serves its share.
  await assert.rejects(hospital.result(id), (e: unknown) => e instanceof QueryFailedError);
  await restart(2);
  await assertFailedEverywhere(id, /node 2 \(node-c\)/);
});

test('the coordinator loses both peers between their computing and its commit: no node ever opens the result', async () => {
  // Both peers have computed and kept their shares (pending); their answers never reach node 0,
  // so node 0 cannot know they finished, and its decision (failed) cannot reach them either.
  let dropped = 0;
  onMessage = (from, text, to) => {
    if (to !== 0 || from === 0 || !text.includes('"computed":true')) return;
    if (++dropped === 2) setImmediate(() => cluster.mesh.sever());
    return false;
  };
  const id = idIn(await sum().then(() => assert.fail('the query should fail'), (e: unknown) => e));
  onMessage = () => {};
  assert.equal(dropped, 2);
  // The coordinator restarts too; the peers learn the outcome from it once the mesh is back.
  await cluster.stopNode(0);
  await restart(0);
  await assertFailedEverywhere(id, /.+/);
});

test('a completed query is done at every node and opens through each, and with any one node down', async () => {
  const q = await hospital.sum({ column: 'n', tables: ['base'], recipients: [RECIPIENT] });
  assert.equal((await q.wait()).state, 'done');
  for (const node of [0, 1, 2] as const) {
    const client = await cluster.connect(RECIPIENT, node);
    assert.equal((await client.queryState(q.id)).state, 'done');
    assert.equal((await client.result(q.id)).value, 10);
  }
  for (const down of [0, 1, 2] as const) {
    await cluster.stopNode(down);
    const client = await cluster.connect(RECIPIENT, (down + 1) % 3);
    const opened = await client.result(q.id);
    assert.equal(opened.value, 10);
    assert.ok(!opened.nodes.includes(down));
    await restart(down);
  }
});

test('a peer killed after the commit reached the others: the result opens without it, and through it once it is back', async () => {
  // The commit to node 2 is lost; once node 1 has acknowledged its own, node 2 stops.
  let dropped = false;
  const killed = new Promise<void>((resolve, reject) => {
    onMessage = (from, text, to) => {
      if (from === 0 && to === 2 && text.includes('query.commit')) {
        dropped = true;
        return false;
      }
      if (dropped && from === 1 && to === 0 && text.includes('"rpc":"res"')) {
        onMessage = () => {};
        cluster.stopNode(2).then(resolve, reject);
      }
    };
  });
  const q = await hospital.sum({ column: 'n', tables: ['base'], recipients: [RECIPIENT] });
  assert.equal((await q.wait()).state, 'done');
  await killed;
  assert.equal((await hospital.result(q.id)).value, 10); // nodes 0 and 1 committed
  await restart(2); // node 2 had kept its share pending; it asks node 0 for the outcome
  const viaNode2 = await cluster.connect(RECIPIENT, 2);
  assert.equal((await viaNode2.queryState(q.id)).state, 'done');
  await cluster.stopNode(1); // node 2 now hands out its share on its own
  const opened = await viaNode2.result(q.id);
  assert.equal(opened.value, 10);
  assert.deepEqual(opened.nodes, [0, 2]);
  await restart(1);
});
