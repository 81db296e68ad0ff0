/** The mesh manager and the peer RPC on an in-memory mesh, without the rest of a node. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeUnavailableError, PeerTimeoutError, ProtocolError, TableExistsError } from '../../src/errors.js';
import { MAX_PEER_MESSAGE_PARTS } from '../../src/wire/frames.js';
import type { PartyId } from '../../src/mpc/party.js';
import { MemoryMesh } from '../../src/node/mesh/memory-mesh.js';
import { MeshManager } from '../../src/node/mesh/mesh-manager.js';
import { PeerRpc } from '../../src/node/rpc.js';

const describe = (p: PartyId): string => `node ${p} (node-${'abc'[p]})`;

function startTrio(mesh: MemoryMesh): { managers: MeshManager[]; rpcs: PeerRpc[] } {
  const managers: MeshManager[] = [];
  const rpcs: PeerRpc[] = [];
  for (const id of [0, 1, 2] as PartyId[]) {
    let rpc!: PeerRpc;
    const manager = new MeshManager(
      { id, describe, connectTimeoutMs: 1000, retryDelayMs: 20 },
      {
        up: () => {},
        down: (error, generation) => rpc.meshDown(generation, error),
        control: (from, payload, generation) => rpc.receive(from, payload, generation),
        attemptFailed: () => {},
      },
    );
    rpc = new PeerRpc(manager, { describe, timeoutMs: 300 });
    rpc.handle('echo', async ({ from, body, parts }) => ({ body: { from, body }, parts: [...parts].reverse() }));
    rpc.handle('refuse', async () => {
      throw new TableExistsError('t', "a table named 't' already exists");
    });
    rpc.handle('hang', () => new Promise(() => {}));
    manager.start(mesh.connector(id));
    managers.push(manager);
    rpcs.push(rpc);
  }
  return { managers, rpcs };
}

test('requests, binary parts, typed errors and deadlines between nodes', async () => {
  const mesh = new MemoryMesh();
  const { managers, rpcs } = startTrio(mesh);
  try {
    await Promise.all(managers.map((m) => m.waitUntilUp(2000)));
    const reply = await rpcs[0].call(1, 'echo', { x: 1 }, [new Uint8Array([1]), new Uint8Array([2, 3])]);
    assert.deepEqual(reply.body, { from: 0, body: { x: 1 } });
    assert.deepEqual(reply.parts.map((p) => [...p]), [[2, 3], [1]]);
    await assert.rejects(rpcs[2].call(0, 'refuse', {}), (e: unknown) => e instanceof TableExistsError && /already exists/.test(e.message));
    await assert.rejects(rpcs[1].call(2, 'hang', {}), PeerTimeoutError);
    await assert.rejects(rpcs[1].call(2, 'nope', {}), /does not know the peer request/);
    // A batch of contributions carries two parts per item: well over a client request's 64.
    const many = Array.from({ length: 2048 }, (_, i) => new Uint8Array([i & 0xff]));
    assert.equal((await rpcs[0].call(2, 'echo', {}, many)).parts.length, 2048);
    // A request the peer cannot decode is answered with the reason at once, not left to time out.
    const tooMany = Array.from({ length: MAX_PEER_MESSAGE_PARTS + 1 }, () => new Uint8Array(0));
    await assert.rejects(rpcs[0].call(1, 'echo', {}, tooMany, { timeoutMs: 5000 }), (e: unknown) => e instanceof ProtocolError && /parts \(at most/.test(e.message));
  } finally {
    for (const m of managers) await m.close();
  }
});

test('a lost node: pending and new calls fail at once naming it; the mesh heals when it returns', async () => {
  const mesh = new MemoryMesh();
  const { managers, rpcs } = startTrio(mesh);
  try {
    await Promise.all(managers.map((m) => m.waitUntilUp(2000)));
    const pending = rpcs[0].call(2, 'hang', {}, [], { timeoutMs: 10_000 });
    const started = Date.now();
    await managers[2].close();
    await assert.rejects(pending, (e: unknown) => e instanceof NodeUnavailableError);
    assert.ok(Date.now() - started < 1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Node 1 is fine, but without node 2 there is no mesh: the error names node 2.
    await assert.rejects(rpcs[0].call(1, 'echo', {}), (e: unknown) => e instanceof NodeUnavailableError && /node-c/.test(e.message));

    // Node 2 comes back (a new manager on the same mesh): everyone reconnects by themselves.
    const back = startTrioMember(mesh, 2);
    await Promise.all([managers[0].waitUntilUp(2000), managers[1].waitUntilUp(2000), back.manager.waitUntilUp(2000)]);
    assert.deepEqual((await rpcs[0].call(2, 'echo', 'hi')).body, { from: 0, body: 'hi' });
    await back.manager.close();
  } finally {
    for (const m of managers) await m.close();
  }
});

function startTrioMember(mesh: MemoryMesh, id: PartyId): { manager: MeshManager; rpc: PeerRpc } {
  let rpc!: PeerRpc;
  const manager = new MeshManager(
    { id, describe, connectTimeoutMs: 1000, retryDelayMs: 20 },
    { up: () => {}, down: (error, g) => rpc.meshDown(g, error), control: (from, payload, g) => rpc.receive(from, payload, g), attemptFailed: () => {} },
  );
  rpc = new PeerRpc(manager, { describe, timeoutMs: 300 });
  rpc.handle('echo', async ({ from, body }) => ({ body: { from, body } }));
  manager.start(mesh.connector(id));
  return { manager, rpc };
}

test('closing the mesh manager ends a back-off pause at once (a node stops without waiting for its next attempt)', async () => {
  let failed!: () => void;
  const firstFailure = new Promise<void>((resolve) => (failed = resolve));
  const manager = new MeshManager(
    { id: 0, describe, connectTimeoutMs: 1000, retryDelayMs: 600_000 },
    { up: () => {}, down: () => {}, control: () => {}, attemptFailed: () => failed() },
  );
  manager.start({ connect: () => Promise.reject(new Error('peers unreachable')), close: () => {} });
  await firstFailure; // now pausing for 10 minutes before the next attempt
  const outcome = await Promise.race([manager.close().then(() => 'closed'), new Promise((resolve) => setTimeout(resolve, 5000, 'still waiting').unref())]);
  assert.equal(outcome, 'closed');
});

test('with timeoutAfter, a call has no deadline until that promise settles, then timeoutMs (a long query has no overall cap)', async () => {
  const mesh = new MemoryMesh();
  const { managers, rpcs } = startTrio(mesh);
  try {
    await Promise.all(managers.map((m) => m.waitUntilUp(2000)));
    let ownPartEnded!: () => void;
    const ownPart = new Promise<void>((resolve) => (ownPartEnded = resolve));
    const state: { outcome: unknown } = { outcome: 'pending' };
    const call = rpcs[0].call(1, 'hang', {}, [], { timeoutMs: 50, timeoutAfter: ownPart }).then(
      () => (state.outcome = 'answered'),
      (e: unknown) => (state.outcome = e),
    );
    // Many times timeoutMs: still waiting, as the caller's own part has not ended.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(state.outcome, 'pending');
    ownPartEnded();
    await call;
    const failed: unknown = state.outcome;
    assert.ok(failed instanceof PeerTimeoutError && /within 50 ms after this node's own part ended/.test((failed as Error).message), String(failed));
    // An answer before then settles the call as usual.
    assert.deepEqual((await rpcs[0].call(2, 'echo', { y: 2 }, [], { timeoutMs: 50, timeoutAfter: new Promise(() => {}) })).body, { from: 0, body: { y: 2 } });
  } finally {
    for (const m of managers) await m.close();
  }
});
