/**
 * A signed request replayed after all three nodes restarted on the same data directories is
 * refused as a replay (the replay cache is journaled: node/replay-journal.ts), while fresh
 * requests right after the restart are accepted.
 */

import { aggregatePlan } from '../../src/plan/build.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Agent, request } from 'undici';
import { canonicalJsonBytes } from '../../src/crypto/canonical-json.js';
import { BODY_SHA256_HEADER, requestBodySha256, signRequest } from '../../src/crypto/request-signing.js';
import type { NodeIndex } from '../../src/governance/collaboration.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let agent: Agent;

before(async () => {
  cluster = await startTestCluster();
  agent = new Agent({ connect: { ca: cluster.certs.ca.certPem } });
});

after(async () => {
  await agent.close();
  await cluster.close();
});

async function post(path: string, headers: Record<string, string>, body: Uint8Array): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
  const r = await request(cluster.nodes[0]!.apiUrl + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, dispatcher: agent });
  const text = await r.body.text();
  return { status: r.statusCode, body: text ? JSON.parse(text) : {} };
}

test('a signed query replayed after all three nodes restart is refused as a replay', async () => {
  const hospital = await cluster.connect('St. Mary Hospital');
  await hospital.uploadTable('visits', { columns: { age: [30, 40, 50] } });

  const query = { plan: aggregatePlan('count', undefined, ['visits'], ['Auditor']) };
  const body = canonicalJsonBytes(query);
  const analyst = cluster.parties.get('Analyst')!;
  const headers = {
    ...signRequest({ audience: 'node-a', method: 'POST', path: '/v1/queries', body }, analyst.signingPrivateKey),
    [BODY_SHA256_HEADER]: requestBodySha256(body),
  };
  const first = await post('/v1/queries', headers, body);
  assert.equal(first.status, 202, JSON.stringify(first.body)); // admitted: it runs as a job

  for (const i of [0, 1, 2] as NodeIndex[]) await cluster.stopNode(i);
  for (const i of [0, 1, 2] as NodeIndex[]) await cluster.startNode(i);
  await cluster.waitForMesh(10_000);

  const replay = await post('/v1/queries', headers, body);
  assert.equal(replay.status, 401);
  assert.equal(replay.body.error?.code, 'REQUEST_REJECTED');
  assert.match(replay.body.error?.message ?? '', /already received/);

  // A request signed now goes through.
  const fresh = { ...signRequest({ audience: 'node-a', method: 'POST', path: '/v1/queries', body }, analyst.signingPrivateKey), [BODY_SHA256_HEADER]: requestBodySha256(body) };
  assert.equal((await post("/v1/queries", fresh, body)).status, 202);
});
