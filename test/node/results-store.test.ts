/**
 * The query record store's state machine (docs/system.md, "Query states"): only running →
 * pending → committed and running | pending → failed; what a restart does to each phase,
 * including the coordinator dying between its peers' computing and its commit.
 */

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ProtocolError } from '../../src/errors.js';
import type { PartyId } from '../../src/mpc/party.js';
import { ResultStore } from '../../src/node/results-store.js';
import type { QueryInfo } from '../../src/wire/api.js';
import { withTempDir } from '../helpers/temp-dir.js';

const describe = (p: PartyId): string => `node ${p}`;
const access = { requestedBy: 'Analyst', recipients: ['Auditor'] };
const id = (n: number): string => `q-${n.toString(16).padStart(24, '0')}`;

function infoOf(query: string): QueryInfo {
  return { query, plan: '0'.repeat(64), outputs: [{ name: 'count', fn: 'count', scale: 0, parts: [{ column: 'count', part: 'count' }] }], tables: ['t'], recipients: ['Auditor'], requestedBy: 'Analyst', createdAt: new Date(0).toISOString(), rows: 3, excluded: 0, resultRows: 1 };
}

test('transitions: running → pending → committed; a committed query never fails, a failed one never commits', async () => {
  await withTempDir(async (dir) => {
    const store = await ResultStore.open(dir, 1, describe);
    const q = id(1);
    await store.begin(q, 0, access);
    await assert.rejects(store.begin(q, 0, access), ProtocolError); // an id is never reused
    await assert.rejects(store.commit(q), ProtocolError); // not computed yet
    await store.prepare(q, infoOf(q), { Auditor: 'sealed' });
    assert.deepEqual(store.queriesToAsk(), [q]);
    await store.commit(q);
    await store.commit(q); // again: no change
    assert.equal((await store.load(q))?.phase, 'committed');
    await assert.rejects(store.fail(q, 0, 'too late', { decided: true }), ProtocolError);
    assert.deepEqual(store.queriesToAsk(), []);

    const f = id(2);
    await store.begin(f, 0, access);
    await store.fail(f, 0, 'aborted', { decided: true });
    await assert.rejects(store.prepare(f, infoOf(f), { Auditor: 'sealed' }), ProtocolError); // finished computing after the abort
    await assert.rejects(store.commit(f), ProtocolError);
    const failed = await store.load(f);
    assert.equal(failed?.phase, 'failed');
    assert.equal(failed?.envelopes, undefined, 'a failed query keeps no share');

    const pendingThenFailed = id(3);
    await store.begin(pendingThenFailed, 0, access);
    await store.prepare(pendingThenFailed, infoOf(pendingThenFailed), { Auditor: 'sealed' });
    await store.fail(pendingThenFailed, 0, 'node 2 became unreachable', { decided: true });
    assert.equal((await store.load(pendingThenFailed))?.envelopes, undefined);
  });
});

test('a failure found locally keeps its reason until the coordinator decides, whose reason then stands', async () => {
  await withTempDir(async (dir) => {
    const store = await ResultStore.open(dir, 1, describe);
    const q = id(4);
    await store.begin(q, 0, access);
    await store.fail(q, 0, 'own finding');
    assert.deepEqual(store.queriesToAsk(), [q]);
    await store.fail(q, 0, 'the coordinator says', { decided: true });
    await store.fail(q, 0, 'a later own finding');
    assert.equal((await store.load(q))?.reason, 'the coordinator says');
    assert.deepEqual(store.queriesToAsk(), []);
  });
});

test('a restart fails what was running and what this node coordinated but never committed; a peer\'s pending share waits for its coordinator', async () => {
  await withTempDir(async (dir) => {
    const before = await ResultStore.open(dir, 0, describe);
    const running = id(5);
    await before.begin(running, 0, access);
    // Coordinated here: all computed, then the coordinator died before writing its commit.
    const uncommitted = id(6);
    await before.begin(uncommitted, 0, access);
    await before.prepare(uncommitted, infoOf(uncommitted), { Auditor: 'sealed' });
    // Computed for node 2, which may have committed it meanwhile: only node 2 can tell.
    const ofPeer = id(7);
    await before.begin(ofPeer, 2, access);
    await before.prepare(ofPeer, infoOf(ofPeer), { Auditor: 'sealed' });
    const committed = id(8);
    await before.begin(committed, 0, access);
    await before.prepare(committed, infoOf(committed), { Auditor: 'sealed' });
    await before.commit(committed);

    const after = await ResultStore.open(dir, 0, describe);
    for (const q of [running, uncommitted]) {
      const record = await after.load(q);
      assert.equal(record?.phase, 'failed');
      assert.match(record?.reason ?? '', /node 0, which coordinated it, restarted during the job \(before the query completed at every node\)/);
      assert.equal(record?.envelopes, undefined);
    }
    assert.equal((await after.load(ofPeer))?.phase, 'pending');
    assert.deepEqual(after.queriesToAsk(), [ofPeer]);
    assert.equal((await after.load(committed))?.phase, 'committed');
  });
});

test('a record of the first version (each node kept its share on its own) is never served: failed, with the reason', async () => {
  await withTempDir(async (dir) => {
    await ResultStore.open(dir, 0, describe);
    const q = id(9);
    await writeFile(join(dir, 'results', `${q}.json`), JSON.stringify({ format: 'tessera-result-record/v1', info: infoOf(q), envelopes: { Auditor: 'sealed' } }));
    const record = await (await ResultStore.open(dir, 0, describe)).load(q);
    assert.equal(record?.phase, 'failed');
    assert.match(record?.reason ?? '', /earlier version/);
    assert.equal(record?.envelopes, undefined);
  });
});

test('a record written is read back from memory, not parsed again; a restarted node reads the file', async () => {
  await withTempDir(async (dir) => {
    const store = await ResultStore.open(dir, 1, describe);
    const q = id(20);
    await store.begin(q, 0, access);
    await store.prepare(q, infoOf(q), { Auditor: 'sealed' });
    await store.commit(q);
    // Only this node writes its records: a file changed behind its back is not read again.
    await writeFile(join(dir, 'results', `${q}.json`), 'not a record');
    assert.equal((await store.load(q))?.phase, 'committed');
    assert.equal((await store.load(q))?.envelopes?.Auditor, 'sealed');
    await assert.rejects(ResultStore.open(dir, 1, describe).then((s) => s.load(q)), /not a query record/);
  });
});

test('loads racing a commit never leave the old phase cached: after the commit every load says committed', async () => {
  await withTempDir(async (dir) => {
    const store = await ResultStore.open(dir, 0, describe);
    for (let round = 0; round < 12; round++) {
      const q = id(100 + round);
      await store.begin(q, 0, access);
      await store.prepare(q, infoOf(q), { Auditor: 'sealed'.repeat(20_000) });
      // Push q out of the cache (8 records), so that the loads below read the file.
      for (let k = 0; k < 8; k++) {
        const other = id(1000 + round * 8 + k);
        await store.begin(other, 0, access);
      }
      const loads: Promise<unknown>[] = [];
      const commit = store.commit(q);
      for (let k = 0; k < 40; k++) {
        loads.push(store.load(q));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await commit;
      await Promise.all(loads);
      assert.equal((await store.load(q))?.phase, 'committed', `round ${round}`);
    }
  });
});
