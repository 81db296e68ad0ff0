/**
 * A request body that keeps arriving is read to its end however long it takes within its
 * size-based deadline (node/api/body-deadline.ts), and one that stalls is cut with a 408 and a
 * warning in the log. Node's own whole-request deadline (timeouts.requestMs from the first byte)
 * used to destroy the socket under a large upload still arriving on a loaded machine: the client
 * saw EPIPE and the node logged nothing. Here requestMs is 1 s and the body takes about 3 s.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BODY_SHA256_HEADER, requestBodySha256, signRequest } from '../../src/crypto/request-signing.js';
import { readTableFromColumns } from '../../src/client/memory-reader.js';
import { buildUploadFrame } from '../../src/client/upload-frame.js';
import { FRAME_CONTENT_TYPE } from '../../src/wire/frames.js';
import type { NodeHandle } from '../../src/node/server.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { rawRequest } from '../helpers/raw-http.js';

let cluster: TestCluster;
let node: NodeHandle;

before(async () => {
  cluster = await startTestCluster({ timeouts: { headersMs: 1000, requestMs: 1000 } });
  node = cluster.nodes[0]!;
});

after(async () => {
  await cluster.close();
});

async function signedUpload(name: string): Promise<{ head: string; body: Uint8Array }> {
  const values = Array.from({ length: 60_000 }, (_, i) => i % 100);
  const encoded = await readTableFromColumns({ a: values, b: values }, { columns: { a: { type: 'integer', min: 0, max: 100 }, b: { type: 'integer', min: 0, max: 100 } } });
  const upload = buildUploadFrame(cluster.collaboration, name, encoded);
  const path = `/v1/tables/${name}`;
  const signed = {
    ...signRequest({ audience: 'node-a', method: 'PUT', path, body: upload.signingBytes }, cluster.parties.get('St. Mary Hospital')!.signingPrivateKey),
    [BODY_SHA256_HEADER]: requestBodySha256(upload.signingBytes),
  };
  const head = [`PUT ${path} HTTP/1.1`, `Host: ${new URL(node.apiUrl).host}`, `Content-Type: ${FRAME_CONTENT_TYPE}`, `Content-Length: ${upload.body.byteLength}`, ...Object.entries(signed).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  return { head, body: upload.body };
}

test('an upload whose body arrives steadily for longer than requestMs is read to its end and stored', async () => {
  const { head, body } = await signedUpload('slow');
  // About 1.9 MB in 10 pieces 250 ms apart: 2.5 s, over twice requestMs, well inside 1 s + size / (256 KiB/s) ≈ 8 s.
  const response = await rawRequest(node.apiUrl, cluster.certs.ca.certPem, head, { body, pieces: 10, gapMs: 250, timeoutMs: 60_000 });
  assert.equal(response.status, 201, response.body);
  const hospital = await cluster.connect('St. Mary Hospital');
  assert.equal((await hospital.tableInfo('slow')).rows, 60_000);
});

test('a body that stalls is cut after its deadline: 408, the connection closed, a warning logged', async () => {
  const { head, body } = await signedUpload('stalled');
  const response = await rawRequest(node.apiUrl, cluster.certs.ca.certPem, head, { body: body.subarray(0, body.byteLength >> 1), timeoutMs: 60_000 });
  assert.equal(response.status, 408);
  assert.equal((JSON.parse(response.body) as { error: { code: string } }).error.code, 'REQUEST_TIMEOUT');
  assert.ok(response.closed);
  assert.match(cluster.logs(0), /request body did not arrive in time/);
});
