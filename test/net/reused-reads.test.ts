import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { OnReadOpts } from 'node:net';
import { createServer, connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { generateClusterCertificates, type ClusterCertificates } from '../../src/crypto/certs.js';
import { ProtocolError } from '../../src/errors.js';
import { ReusedReads } from '../../src/net/reused-reads.js';
import { StreamLink } from '../../src/net/stream-link.js';
import { assertMessagesIntactThenClosed } from '../helpers/link-messages.js';

let certs: ClusterCertificates;

before(async () => {
  certs = await generateClusterCertificates();
});

/** A TLS 1.3 connection on loopback whose client reads into a reused buffer (node's `onread`). */
async function tlsPairReadingInto(reads: ReusedReads): Promise<{ client: TLSSocket; server: TLSSocket }> {
  const srv = createServer({ key: certs.nodes[0].keyPem, cert: certs.nodes[0].certPem, minVersion: 'TLSv1.3' });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const accepted = once(srv, 'secureConnection') as Promise<[TLSSocket]>;
  const options: ConnectionOptions & { onread: OnReadOpts } = { onread: reads.onread, host: '127.0.0.1', port: (srv.address() as { port: number }).port, ca: certs.ca.certPem, servername: 'localhost' };
  const client = tlsConnect(options);
  await once(client, 'secureConnect');
  const [server] = await accepted;
  srv.close();
  return { client, server };
}

test('reads are kept (as copies) until a sink is attached, bytes put back come first', () => {
  const reads = new ReusedReads();
  const buf = reads.onread.buffer;
  buf.set([1, 2, 3]);
  reads.onread.callback(3, buf);
  buf.set([9, 9, 9]); // the next read reuses the buffer: the kept bytes must not change
  reads.onread.callback(1, buf);
  reads.unread(Uint8Array.of(7));
  const got: number[][] = [];
  reads.deliverTo((c) => got.push([...c]));
  assert.deepEqual(got, [[7], [1, 2, 3], [9]]);
  buf.set([4, 5]);
  reads.onread.callback(2, buf);
  assert.deepEqual(got.at(-1), [4, 5]);
});

test('a sink that detaches itself mid-delivery leaves the rest kept for the next one', () => {
  const reads = new ReusedReads();
  for (const b of [1, 2, 3]) {
    reads.onread.buffer[0] = b;
    reads.onread.callback(1, reads.onread.buffer);
  }
  const first: number[] = [];
  reads.deliverTo((c) => {
    first.push(c[0]);
    reads.deliverTo(undefined);
  });
  const second: number[] = [];
  reads.deliverTo((c) => second.push(c[0]));
  assert.deepEqual([first, second], [[1], [2, 3]]);
});

test('a link reading into a reused buffer receives messages of every size intact, and learns when its peer closes', async () => {
  const reads = new ReusedReads();
  const { client, server } = await tlsPairReadingInto(reads);
  const sender = new StreamLink(server, 'client');
  const rx = new StreamLink(client, 'server', reads);
  await assertMessagesIntactThenClosed(sender, rx);
});

test('a malformed frame read into the reused buffer closes the link with a protocol error', async () => {
  const reads = new ReusedReads();
  const { client, server } = await tlsPairReadingInto(reads);
  const rx = new StreamLink(client, 'server', reads);
  const down = new Promise<Error | undefined>((r) => rx.setHandlers({ message() {}, abort() {}, closed: r }));
  const header = new Uint8Array(24);
  header[0] = 7; // no such frame kind
  server.write(header);
  assert.ok((await down) instanceof ProtocolError);
  server.destroy();
});
