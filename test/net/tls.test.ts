import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { generateClusterCertificates, issueNodeCertificate, type ClusterCertificates, type NodeCertificate } from '../../src/crypto/certs.js';
import { PeerAuthenticationError, PeerUnreachableError } from '../../src/errors.js';
import { TlsMesh, type MeshParty, type TlsMeshOptions } from '../../src/net/tls.js';
import { Party } from '../../src/mpc/party.js';

let certs: ClusterCertificates;
let pins: TlsMeshOptions['peerFingerprints'];

before(async () => {
  certs = await generateClusterCertificates();
  pins = { 0: certs.nodes[0].fingerprint256, 1: certs.nodes[1].fingerprint256, 2: certs.nodes[2].fingerprint256 };
});

function options(party: MeshParty, node: NodeCertificate = certs.nodes[party], extra: Partial<TlsMeshOptions> = {}): TlsMeshOptions {
  return { party, key: node.keyPem, cert: node.certPem, ca: certs.ca.certPem, peerFingerprints: pins, listen: { host: '127.0.0.1', port: 0 }, connectTimeoutMs: 1000, ...extra };
}

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

test('three parties form the mesh over TLS 1.3 and run the party handshake on it', async () => {
  const meshes = await Promise.all(([0, 1, 2] as const).map((p) => TlsMesh.listen(options(p))));
  const links = await Promise.all(meshes.map((m, i) => m.connect(meshes[(i + 1) % 3].address)));
  const parties = await Promise.all(links.map((l, i) => Party.connect(i as MeshParty, l, { timeoutMs: 2000 })));
  try {
    // Each link carries a large message intact in both directions (chunked frames, status frame stripped).
    const big = new Uint8Array(600_000).map((_, i) => i % 251);
    const got = Promise.all(parties.map((p) => p.boxPrev.recv(7n, 2000)));
    await Promise.all(parties.map((p) => p.boxNext.link.send(7n, big)));
    for (const m of await got) assert.deepEqual(m, big);
  } finally {
    for (const p of parties) p.close();
  }
});

test('negotiates TLS 1.3 with the preferred suite; refuses TLS 1.2 clients', async () => {
  const m0 = await TlsMesh.listen(options(0));
  const m2 = await TlsMesh.listen(options(2));
  try {
    const [dialed, accepted] = await Promise.all([m2.dialNext(m0.address), m0.acceptPrev()]);
    assert.equal(dialed.getProtocol(), 'TLSv1.3');
    assert.equal(accepted.getCipher().name, 'TLS_AES_128_GCM_SHA256');
    assert.equal(accepted.getPeerCertificate().fingerprint256, certs.nodes[2].fingerprint256);
    dialed.destroy();
    accepted.destroy();
    const m1 = await TlsMesh.listen(options(1));
    const old = tlsConnect({ host: '127.0.0.1', port: m1.address.port, key: certs.nodes[0].keyPem, cert: certs.nodes[0].certPem, ca: certs.ca.certPem, maxVersion: 'TLSv1.2' });
    await assert.rejects(new Promise((resolve, reject) => old.once('secureConnect', resolve).once('error', reject)));
    old.destroy();
    m1.close();
  } finally {
    m0.close();
    m2.close();
  }
});

test('refuses a peer whose certificate comes from another CA', async () => {
  const other = await generateClusterCertificates({ nodes: 3 });
  const m0 = await TlsMesh.listen(options(0));
  // The impostor trusts our CA (so it accepts party 0's certificate) but presents a foreign one.
  const rogue = await TlsMesh.listen(options(2, other.nodes[2]));
  try {
    const accepting = m0.acceptPrev();
    await assert.rejects(rogue.dialNext(m0.address), (e: unknown) => e instanceof PeerAuthenticationError && /does not trust this node's certificate/.test(e.message));
    await assert.rejects(accepting, (e: unknown) => e instanceof PeerAuthenticationError && /party 2 did not connect/.test(e.message) && /not trusted/.test(e.message));
  } finally {
    m0.close();
    rogue.close();
  }
});

test('refuses a certificate from the same CA that is not the pinned one, in both directions', async () => {
  const impostor = await issueNodeCertificate(certs.ca, 2);
  // As a client: party 0 refuses "party 2" with an unpinned certificate.
  const m0 = await TlsMesh.listen(options(0));
  const rogue = await TlsMesh.listen(options(2, impostor));
  try {
    const accepting = m0.acceptPrev();
    await assert.rejects(rogue.dialNext(m0.address), (e: unknown) => e instanceof PeerAuthenticationError && /refused this node's certificate/.test(e.message));
    await assert.rejects(accepting, (e: unknown) => e instanceof PeerAuthenticationError && /not the one pinned for party 2/.test(e.message));
  } finally {
    m0.close();
    rogue.close();
  }
  // As a server: honest party 2 dials "party 0" and finds an unpinned certificate there.
  const fake0 = await TlsMesh.listen(options(0, await issueNodeCertificate(certs.ca, 0)));
  const m2 = await TlsMesh.listen(options(2));
  try {
    await assert.rejects(m2.dialNext(fake0.address), (e: unknown) => e instanceof PeerAuthenticationError && /party 0 is pinned to/.test(e.message));
  } finally {
    fake0.close();
    m2.close();
  }
});

test('the dialer retries until the peer is up, and names party and address when it never is', async () => {
  const port = await freePort();
  const m0 = await TlsMesh.listen(options(0, certs.nodes[0], { connectTimeoutMs: 5000 }));
  try {
    const dialing = m0.dialNext({ host: '127.0.0.1', port });
    await new Promise((r) => setTimeout(r, 300)); // party 1 starts late
    const m1 = await TlsMesh.listen(options(1, certs.nodes[1], { listen: { host: '127.0.0.1', port } }));
    const [socket, accepted] = await Promise.all([dialing, m1.acceptPrev()]);
    socket.destroy();
    accepted.destroy();
    m1.close();
  } finally {
    m0.close();
  }
  const dead = await freePort();
  const lonely = await TlsMesh.listen(options(0, certs.nodes[0], { connectTimeoutMs: 400 }));
  try {
    await assert.rejects(lonely.dialNext({ host: '127.0.0.1', port: dead }), (e: unknown) => e instanceof PeerUnreachableError && e.message.includes(`party 1 at 127.0.0.1:${dead}`) && /ECONNREFUSED/.test(e.message));
  } finally {
    lonely.close();
  }
});

test('a mesh without both pins is a configuration error', async () => {
  await assert.rejects(TlsMesh.listen({ ...options(0), peerFingerprints: { 1: pins[1] } }), /no certificate fingerprint configured for party 2/);
});

