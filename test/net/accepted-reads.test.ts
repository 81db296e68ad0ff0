import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { generateClusterCertificates, type ClusterCertificates } from '../../src/crypto/certs.js';
import { adoptReusedReads } from '../../src/net/accepted-reads.js';
import { ReusedReads } from '../../src/net/reused-reads.js';
import { StreamLink } from '../../src/net/stream-link.js';
import { assertMessagesIntactThenClosed } from '../helpers/link-messages.js';
import { tlsPair } from '../helpers/tls-pair.js';

let certs: ClusterCertificates;

before(async () => {
  certs = await generateClusterCertificates();
});

test("an accepted TLS socket reads into the reused buffer, without 'data' events; adopting it twice changes nothing", async () => {
  const [client, server] = await tlsPair(certs); // the test reads the server's (accepted) end
  const reads = new ReusedReads();
  assert.equal(adoptReusedReads(server, reads), true, "node's socket fields are not laid out as node 20's: the accepted link falls back to 'data' events");
  assert.equal(adoptReusedReads(server, new ReusedReads()), false, 'a socket already adopted is left alone');
  let fresh = 0;
  server.on('data', () => fresh++);
  const got: number[] = [];
  let inReusedBuffer = true;
  reads.deliverTo((chunk) => {
    inReusedBuffer &&= chunk.buffer === reads.onread.buffer.buffer;
    got.push(...chunk);
  });
  server.resume();
  client.write(Uint8Array.of(6, 7));
  client.write(new Uint8Array(100_000).fill(9));
  const deadline = Date.now() + 20_000;
  while (got.length < 100_002 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(got.length, 100_002);
  assert.deepEqual(got.slice(0, 3), [6, 7, 9]);
  assert.ok(inReusedBuffer, 'every read landed in the reused buffer');
  assert.equal(fresh, 0, "no 'data' event (no fresh Buffer per record)");
  client.destroy();
  server.destroy();
});

test('bytes that arrived before adoption are delivered first and in order', async () => {
  const [client, server] = await tlsPair(certs);
  client.write(Uint8Array.of(1, 2, 3));
  client.write(Uint8Array.of(4, 5));
  await new Promise((r) => setTimeout(r, 100));
  const reads = new ReusedReads();
  assert.equal(adoptReusedReads(server, reads), true);
  client.write(Uint8Array.of(6));
  const got: number[] = [];
  reads.deliverTo((chunk) => got.push(...chunk));
  server.resume();
  const deadline = Date.now() + 20_000;
  while (got.length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(got, [1, 2, 3, 4, 5, 6]);
  client.destroy();
  server.destroy();
});

test('a link on an adopted accepted socket receives messages of every size intact, and learns when its peer closes', async () => {
  const [client, server] = await tlsPair(certs);
  const reads = new ReusedReads();
  assert.equal(adoptReusedReads(server, reads), true);
  const sender = new StreamLink(client, 'client');
  const rx = new StreamLink(server, 'server', reads);
  server.resume();
  await assertMessagesIntactThenClosed(sender, rx);
});
