import { once } from 'node:events';
import { createServer, connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { ClusterCertificates } from '../../src/crypto/certs.js';

/** Two ends of one TLS 1.3 connection on loopback (client first), under the cluster's node-0 certificate. */
export async function tlsPair(certs: ClusterCertificates): Promise<[TLSSocket, TLSSocket]> {
  const server = createServer({ key: certs.nodes[0].keyPem, cert: certs.nodes[0].certPem, minVersion: 'TLSv1.3' });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'secureConnection') as Promise<[TLSSocket]>;
  const client = tlsConnect({ host: '127.0.0.1', port: (server.address() as { port: number }).port, ca: certs.ca.certPem, servername: 'localhost' });
  await once(client, 'secureConnect');
  const [serverSide] = await accepted;
  server.close();
  return [client, serverSide];
}
