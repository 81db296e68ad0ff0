/**
 * Every error the API answers has the documented shape { error: { code, message } }, including
 * the ones the framework and the HTTP parser raise (issue 7, item 7), and table names of every
 * allowed length work end to end (a 128-character name used to get HTTP 414 without a body).
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { canonicalJsonBytes } from '../../src/crypto/canonical-json.js';
import { BODY_SHA256_HEADER, requestBodySha256, signRequest } from '../../src/crypto/request-signing.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { rawRequest, type RawResponse } from '../helpers/raw-http.js';

let cluster: TestCluster;

before(async () => {
  cluster = await startTestCluster();
});

after(async () => {
  await cluster.close();
});

function raw(head: string, body?: Uint8Array): Promise<RawResponse> {
  return rawRequest(cluster.nodes[0]!.apiUrl, cluster.certs.ca.certPem, head, body ? { body } : {});
}

const host = (): string => `Host: ${new URL(cluster.nodes[0]!.apiUrl).host}`;

function signedHead(method: string, path: string, body: Uint8Array | undefined, extra: readonly string[]): string {
  const headers = signRequest({ audience: 'node-a', method, path, ...(body ? { body } : {}) }, cluster.parties.get('Analyst')!.signingPrivateKey);
  const lines = Object.entries({ ...headers, ...(body ? { [BODY_SHA256_HEADER]: requestBodySha256(body) } : {}) }).map(([k, v]) => `${k}: ${v}`);
  return [`${method} ${path} HTTP/1.1`, host(), ...lines, ...extra, `Content-Length: ${body?.byteLength ?? 0}`].join('\r\n');
}

/** The documented error shape, nothing else, and nothing of the framework's own. */
function assertErrorShape(what: string, response: RawResponse, status: number, code: string, message: RegExp): void {
  assert.equal(response.status, status, `${what}: status (${response.body})`);
  assert.match(response.headers['content-type'] ?? '', /^application\/json/, `${what}: content type`);
  const parsed = JSON.parse(response.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(parsed), ['error'], `${what}: only { error }`);
  const error = parsed.error as Record<string, unknown>;
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message'], `${what}: { code, message }`);
  assert.equal(error.code, code, `${what}: code`);
  assert.match(String(error.message), message, `${what}: message`);
  assert.doesNotMatch(response.body, /FST_|statusCode|"Bad Request"/, `${what}: no framework wording`);
}

test('framework and parser errors come in the documented shape with an accurate message', async () => {
  const query = canonicalJsonBytes({ plan: { version: 1 } });
  assertErrorShape('bad content type', await raw(signedHead('POST', '/v1/queries', query, ['Content-Type: text/plain']), query), 415, 'UNSUPPORTED_MEDIA_TYPE', /unsupported content type/);
  const malformed = Buffer.from('{"op": ');
  assertErrorShape('malformed JSON', await raw(signedHead('POST', '/v1/queries', malformed, ['Content-Type: application/json']), malformed), 400, 'FORMAT', /not valid JSON/);
  assertErrorShape('empty JSON body', await raw(signedHead('POST', '/v1/queries', undefined, ['Content-Type: application/json'])), 400, 'VALIDATION', /body must be object/);
  const tooBig = Buffer.alloc(2 * 1024 * 1024, 0x20);
  assertErrorShape('JSON body over 1 MiB', await raw(signedHead('POST', '/v1/queries', tooBig, ['Content-Type: application/json'])), 413, 'BODY_TOO_LARGE', /1 MiB/);
  assertErrorShape('unsupported method on a route', await raw(`PATCH /v1/tables HTTP/1.1\r\n${host()}\r\nContent-Length: 0`), 404, 'NOT_FOUND', /no such API route: PATCH \/v1\/tables/);
  assertErrorShape('unknown method', await raw(`BREW /v1/tables HTTP/1.1\r\n${host()}`), 400, 'BAD_REQUEST', /method/);
  assertErrorShape('malformed request line', await raw(`GET /v1/tables HTTP/9\r\n${host()}`), 400, 'BAD_REQUEST', /not valid HTTP\/1\.1/);
  assertErrorShape('too long URL', await raw(`GET /v1/tables/${'a'.repeat(20_000)} HTTP/1.1\r\n${host()}`), 431, 'HEADERS_TOO_LARGE', /16 KiB/);
  assertErrorShape('too long path parameter', await raw(`GET /v1/tables/${'a'.repeat(600)} HTTP/1.1\r\n${host()}`), 414, 'URL_TOO_LONG', /longer than any table name/);
  assertErrorShape('bad percent-encoding in a parameter', await raw(`GET /v1/tables/%E0%A4%A HTTP/1.1\r\n${host()}`), 400, 'BAD_URL', /not a valid URL/);
  assertErrorShape('invalid table name', await raw(signedHead('GET', '/v1/tables/a.b', undefined, [])), 400, 'VALIDATION', /params\/name must match pattern/);
  assertErrorShape('frame body on a JSON route', await raw(signedHead('POST', '/v1/queries', query, ['Content-Type: application/vnd.tessera.frame']), query), 415, 'UNSUPPORTED_MEDIA_TYPE', /Tessera client/);
  assertErrorShape('chunked upload', await raw([`PUT /v1/tables/t HTTP/1.1`, host(), 'Content-Type: application/vnd.tessera.frame', 'Transfer-Encoding: chunked'].join('\r\n')), 401, 'REQUEST_REJECTED', /signed/);
  assertErrorShape('bad Content-Length', await raw(`POST /v1/queries HTTP/1.1\r\n${host()}\r\nContent-Type: application/json\r\nContent-Length: 12x`), 400, 'BAD_REQUEST', /not valid HTTP\/1\.1/);
});

test('a table name of 128 characters (the longest allowed) works end to end', async () => {
  const name = `t${'x'.repeat(126)}9`;
  assert.equal(name.length, 128);
  const hospital = await cluster.connect('St. Mary Hospital');
  await hospital.uploadTable(name, { columns: { age: [30, 40, 50] } });
  assert.equal((await hospital.tableInfo(name)).rows, 3);
  assert.ok((await hospital.listTables()).some((t) => t.name === name));
  const analyst = await cluster.connect('Analyst');
  const handle = await analyst.count({ tables: [name], recipients: ['St. Mary Hospital'] });
  assert.equal(Number((await hospital.result(handle.id)).value), 3);
  const appendName = `a${'y'.repeat(127)}`;
  await hospital.createAppendTable(appendName, { version: 1, columns: [{ name: 'v', nullable: false, type: 'integer', min: '0', max: '9' }] });
  const contributor = await cluster.connect(undefined);
  assert.equal((await contributor.contribute(appendName, 4, hospital.issueCredential(appendName))).status, 'stored');
  await hospital.deleteTable(name);
  await assert.rejects(hospital.tableInfo(name), { code: 'TABLE_NOT_FOUND' });
});
