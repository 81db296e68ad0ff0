/**
 * Append tables stay exact across crashes and retries (issue: a crash plus retries once left node 1
 * holding other rows than nodes 0 and 2, and sums came out as garbage with no error).
 *
 * 1. The case as found: a contribution reaches nodes 0 and 2 but not node 1; the contributor
 *    submits again. The new submission replaces the one that reached only two nodes, everywhere.
 * 2. Fault injection: concurrent contributions while nodes are stopped at random points and
 *    restarted, every failure retried as a new submission; then count and sum at every node must
 *    equal exactly what was acknowledged.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildContributionFrame, credentialHeaderValue, newSubmissionId, resolveCredential, type Credential } from '../../src/client/contribution.js';
import { NodeConnection } from '../../src/client/node-connection.js';
import type { Tessera } from '../../src/client/tessera.js';
import { ContributionConflictError, DuplicateContributorError, TesseraError } from '../../src/errors.js';
import type { NodeIndex } from '../../src/governance/collaboration.js';
import { CREDENTIAL_HEADER, ROUTES } from '../../src/wire/api.js';
import { decodeFrame, encodeFrameWithHeaderText, frameHeaderBytes } from '../../src/wire/frames.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let hospital: Tessera;
const schema = { version: 1 as const, columns: [{ name: 'v', nullable: false, type: 'integer' as const, min: '0', max: '100' }] };

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
});

after(async () => {
  await cluster.close();
});

async function rowsAt(table: string): Promise<number[]> {
  const out: number[] = [];
  for (const node of [0, 1, 2]) out.push((await (await cluster.connect('Analyst', node)).tableInfo(table)).rows);
  return out;
}

/** count and sum of column v, asked through `node`, opened by the hospital. */
async function countAndSum(table: string, node: number): Promise<{ count: number; sum: bigint }> {
  const analyst = await cluster.connect('St. Mary Hospital', node);
  const mean = await (await analyst.mean({ column: 'v', tables: [table], recipients: ['St. Mary Hospital'] })).result();
  const sum = await (await analyst.sum({ column: 'v', tables: [table], recipients: ['St. Mary Hospital'] })).result();
  return { count: Number(mean.count), sum: BigInt(sum.value!) };
}

/** A contribution frame whose envelope for `broken` is damaged: the other two nodes store it, `broken` refuses it. */
function frameBrokenAt(credential: Credential, value: bigint, broken: NodeIndex, submission = newSubmissionId()): Uint8Array {
  const body = buildContributionFrame(cluster.collaboration, credential.table, [new BigUint64Array([value])], resolveCredential(credential), submission);
  const frame = decodeFrame(body);
  const parts = frame.parts.map((p) => new Uint8Array(p));
  parts[broken][parts[broken].byteLength - 1] ^= 1;
  return encodeFrameWithHeaderText(Buffer.from(frameHeaderBytes(body)).toString('utf8'), parts);
}

async function sendRaw(node: NodeIndex, table: string, body: Uint8Array, credential: Credential): Promise<{ status: number; code?: string }> {
  const connection = new NodeConnection(cluster.collaboration.node(node), { ca: cluster.certs.ca.certPem, timeoutMs: 10_000 });
  try {
    const headers = { [CREDENTIAL_HEADER]: credentialHeaderValue(resolveCredential(credential)) };
    const r = await connection.send<{ status: string }>({ method: 'POST', path: ROUTES.contributions(table), frame: { body, signingBytes: body }, headers });
    return { status: r.status };
  } catch (error) {
    return { status: 0, code: error instanceof TesseraError ? error.code : String(error) };
  } finally {
    await connection.close();
  }
}

test('a contribution that reached two nodes is replaced everywhere by the contributor\'s next submission; the sum is exact', async () => {
  await hospital.createAppendTable('split', schema);
  const [alice, bob, carol] = hospital.issueCredentials('split', ['alice-0001', 'bob-00002', 'carol-0003']);
  const patient = await cluster.connect(undefined, 0);
  await patient.contribute('split', 10, bob);

  // Alice's first submission reaches nodes 0 and 2 only; she is told it failed.
  const partial = await sendRaw(0, 'split', frameBrokenAt(alice, 40n, 1), alice);
  assert.notEqual(partial.status, 201);
  assert.deepEqual(await rowsAt('split'), [2, 1, 2]);
  // A query now uses only bob's row (alice's is at two nodes): exact, not garbage.
  assert.deepEqual(await countAndSum('split', 1), { count: 1, sum: 10n });

  // She submits again (a new submission, as after a restart of her client): stored everywhere.
  const again = await patient.contribute('split', 40, alice);
  assert.equal(again.status, 'stored');
  assert.deepEqual(await rowsAt('split'), [2, 2, 2]);
  for (const node of [0, 1, 2]) assert.deepEqual(await countAndSum('split', node), { count: 2, sum: 50n });

  // Once a row is at all three nodes, another submission is a duplicate, and changes nothing.
  await assert.rejects(patient.contribute('split', 99, alice), DuplicateContributorError);

  // An older submission never replaces a newer partial one: refused as a conflict; the SDK then
  // resubmits with a newer id on its own and succeeds.
  const newer = await sendRaw(2, 'split', frameBrokenAt(carol, 7n, 0), carol);
  assert.notEqual(newer.status, 201);
  const older = buildContributionFrame(cluster.collaboration, 'split', [new BigUint64Array([7n])], resolveCredential(carol), newSubmissionId(Date.now() - 60_000));
  const refused = await sendRaw(1, 'split', older, carol);
  assert.equal(refused.code, new ContributionConflictError('').code);
  assert.equal((await patient.contribute('split', 7, carol)).status, 'stored');
  for (const node of [0, 1, 2]) assert.deepEqual(await countAndSum('split', node), { count: 3, sum: 57n });
  assert.deepEqual(await rowsAt('split'), [3, 3, 3]);
});

test('the same submission id with other content is refused, never mixed', async () => {
  await hospital.createAppendTable('reuse', schema);
  const [dave] = hospital.issueCredentials('reuse', ['dave-00001']);
  const submission = newSubmissionId();
  assert.notEqual((await sendRaw(0, 'reuse', frameBrokenAt(dave, 3n, 2, submission), dave)).status, 201);
  // Same id, new envelopes (another value): the nodes holding the first refuse it.
  const other = buildContributionFrame(cluster.collaboration, 'reuse', [new BigUint64Array([90n])], resolveCredential(dave), submission);
  const r = await sendRaw(0, 'reuse', other, dave);
  assert.equal(r.code, 'CONTRIBUTION_CONFLICT');
  assert.deepEqual(await countAndSum('reuse', 0), { count: 0, sum: 0n });
});

/** A small seeded generator, so that a failing run can be repeated (the seed is in the message). */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('fault injection: nodes stopped at random points during concurrent contributions and retries; count and sum equal what was acknowledged', async () => {
  const seed = Number(process.env.TESSERA_FAULT_SEED ?? Date.now() % 1_000_000);
  const random = generator(seed);
  const why = `(seed ${seed}; repeat with TESSERA_FAULT_SEED=${seed})`;
  await hospital.createAppendTable('faulty', schema);
  const contributors = 480;
  const credentials = hospital.issueCredentials('faulty', contributors, { batchSize: 64 });
  const values = credentials.map(() => BigInt(Math.floor(random() * 101)));
  /** 'done': acknowledged or refused as a duplicate (its row is at all three nodes); else not settled yet. */
  const settled = new Array<boolean>(contributors).fill(false);
  const outcomes = { stored: 0, duplicate: 0, failed: 0 };

  const attempt = async (k: number, node: number): Promise<void> => {
    let client: Tessera;
    try {
      client = await cluster.connect(undefined, node, { timeoutMs: 5_000 });
    } catch {
      outcomes.failed++;
      return;
    }
    try {
      await client.contribute('faulty', values[k], credentials[k], { schema, retries: 1 });
      settled[k] = true;
      outcomes.stored++;
    } catch (error) {
      if (error instanceof DuplicateContributorError) {
        settled[k] = true;
        outcomes.duplicate++;
      } else {
        assert.ok(error instanceof TesseraError, `a typed error, not ${String(error)} ${why}`);
        outcomes.failed++;
      }
    }
  };

  const cycles = 12;
  const perCycle = contributors / cycles;
  for (let cycle = 0; cycle < cycles; cycle++) {
    const batch = Array.from({ length: perCycle }, (_, i) => cycle * perCycle + i);
    // Earlier failures are retried alongside new contributors, as the issue's reproduction did.
    const retries = settled.flatMap((done, k) => (!done && k < cycle * perCycle ? [k] : []));
    const work = [...batch, ...retries];
    const victim = Math.floor(random() * 3) as NodeIndex;
    const killAfter = Math.floor(random() * 120);
    let next = 0;
    const worker = async () => {
      while (next < work.length) {
        const k = work[next++];
        await attempt(k, Math.floor(random() * 3));
      }
    };
    const fault = (async () => {
      await sleep(killAfter);
      await cluster.stopNode(victim);
      await sleep(50 + Math.floor(random() * 150));
      await cluster.startNode(victim);
    })();
    await Promise.all([...Array.from({ length: 16 }, worker), fault]);
    await cluster.waitForMesh(10_000);
  }
  // Settle everyone with every node up: each contributor ends acknowledged or a duplicate.
  for (let round = 0; round < 5 && settled.includes(false); round++) {
    const open = settled.flatMap((done, k) => (done ? [] : [k]));
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < open.length) await attempt(open[next++], 0);
      }),
    );
  }
  assert.ok(settled.every(Boolean), `every contributor settles once all nodes are up ${why}`);
  assert.ok(outcomes.failed > 0, `the faults hit some contributions ${why}`);

  const expected = { count: contributors, sum: values.reduce((a, b) => a + b, 0n) };
  for (const node of [0, 1, 2, 0]) assert.deepEqual(await countAndSum('faulty', node), expected, `exact at node ${node} ${why}`);
  assert.deepEqual(await rowsAt('faulty'), [contributors, contributors, contributors], why);
  console.log(`# fault injection ${why}: ${outcomes.stored} stored, ${outcomes.duplicate} duplicates, ${outcomes.failed} failed attempts retried`);
});
