/** The HTTP API at the wire: statuses and error bodies, signatures, the OpenAPI document. */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Agent, request } from 'undici';
import { canonicalJsonBytes } from '../../src/crypto/canonical-json.js';
import { createIdentity } from '../../src/crypto/identity.js';
import { BODY_SHA256_HEADER, requestBodySha256, signRequest } from '../../src/crypto/request-signing.js';
import { FRAME_CONTENT_TYPE } from '../../src/wire/frames.js';
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

async function call(method: 'GET' | 'POST' | 'PUT', path: string, options: { headers?: Record<string, string>; body?: Uint8Array | string } = {}): Promise<{ status: number; body: any }> {
  const r = await request(cluster.nodes[0]!.apiUrl + path, { method, headers: options.headers, body: options.body, dispatcher: agent });
  const text = await r.body.text();
  return { status: r.statusCode, body: text ? JSON.parse(text) : undefined };
}

function signed(party: string, method: string, path: string, body?: Uint8Array): Record<string, string> {
  const identity = cluster.parties.get(party) ?? createIdentity(party);
  const headers = signRequest({ audience: 'node-a', method, path, ...(body ? { body } : {}) }, identity.signingPrivateKey);
  return body ? { ...headers, [BODY_SHA256_HEADER]: requestBodySha256(body) } : headers;
}

test('health and the OpenAPI document need no signature', async () => {
  const health = await call('GET', '/v1/health');
  assert.equal(health.status, 200);
  assert.equal(health.body.status, 'ok');
  assert.deepEqual(health.body.node, { index: 0, name: 'node-a' });
  assert.equal(health.body.collaboration.hash, cluster.collaboration.hash);
  const doc = await call('GET', '/v1/openapi.json');
  assert.equal(doc.status, 200);
  assert.equal(doc.body.openapi, '3.0.3');
  for (const path of ['/v1/tables', '/v1/tables/{name}', '/v1/append-tables/{name}/rows', '/v1/queries', '/v1/results/{query}']) assert.ok(doc.body.paths[path], path);
});

test('signatures: missing, unknown key, wrong node, replayed', async () => {
  const unsigned = await call('GET', '/v1/tables');
  assert.equal(unsigned.status, 401);
  assert.equal(unsigned.body.error.code, 'REQUEST_REJECTED');
  assert.match(unsigned.body.error.message, /must be signed/);
  assert.equal((await call('GET', '/v1/tables', { headers: signed('Mallory', 'GET', '/v1/tables') })).status, 401);
  const forNodeB = signRequest({ audience: 'node-b', method: 'GET', path: '/v1/tables' }, cluster.parties.get('Analyst')!.signingPrivateKey);
  assert.equal((await call('GET', '/v1/tables', { headers: forNodeB })).status, 401);
  const headers = signed('Analyst', 'GET', '/v1/tables');
  assert.equal((await call('GET', '/v1/tables', { headers })).status, 200);
  const replay = await call('GET', '/v1/tables', { headers });
  assert.equal(replay.status, 401);
  assert.match(replay.body.error.message, /already received/);
});

test('malformed requests get 400, 404 or 415 with an error body', async () => {
  const body = canonicalJsonBytes({ op: 'sum', column: 'x', recipients: ['Auditor'], extra: 1 });
  const invalid = await call('POST', '/v1/queries', { headers: { 'content-type': 'application/json', ...signed('Analyst', 'POST', '/v1/queries', body) }, body });
  assert.equal(invalid.status, 400);
  assert.equal(invalid.body.error.code, 'VALIDATION');
  const nope = Buffer.from('{nope');
  const notJson = await call('POST', '/v1/queries', { headers: { 'content-type': 'application/json', ...signed('Analyst', 'POST', '/v1/queries', nope) }, body: nope });
  assert.deepEqual([notJson.status, notJson.body.error.code], [400, 'FORMAT']);
  const route = await call('GET', '/v1/nothing');
  assert.deepEqual([route.status, route.body.error.code], [404, 'NOT_FOUND']);
  const empty = Buffer.from('{}');
  const json = await call('PUT', '/v1/tables/t', { headers: { 'content-type': 'application/json', ...signed('St. Mary Hospital', 'PUT', '/v1/tables/t', empty) }, body: empty });
  assert.deepEqual([json.status, json.body.error.code], [415, 'UNSUPPORTED_MEDIA_TYPE']);
  const garbage = await call('POST', '/v1/append-tables/t/rows', { headers: { 'content-type': FRAME_CONTENT_TYPE }, body: new Uint8Array(40) });
  assert.deepEqual([garbage.status, garbage.body.error.code], [403, 'CREDENTIAL_INVALID']);
  const badName = await call('GET', '/v1/tables/..', { headers: signed('Analyst', 'GET', '/v1/tables/..') });
  assert.ok([400, 404].includes(badName.status));
});
