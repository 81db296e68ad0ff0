import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  certificateFingerprint,
  generateClusterCertificates,
  issueNodeCertificate,
  normalizeFingerprint,
  writeClusterCertificates,
} from '../../src/crypto/certs.js';

test('cluster certificates: chain verifies, names and usages are right', async () => {
  const c = await generateClusterCertificates({ hosts: ['node.example.org'], nodeHosts: [['10.1.2.3']] });
  const ca = new X509Certificate(c.ca.certPem);
  assert.equal(ca.ca, true);
  assert.ok(ca.verify(ca.publicKey), 'CA is self-signed');
  assert.equal(c.nodes.length, 3);
  for (const n of c.nodes) {
    const leaf = new X509Certificate(n.certPem);
    assert.ok(leaf.checkIssued(ca), `node ${n.party} issued by the CA`);
    assert.ok(leaf.verify(ca.publicKey), `node ${n.party} signature verifies with the CA key`);
    assert.equal(leaf.ca, false);
    assert.equal(leaf.subject, `CN=tessera-node-${n.party}`);
    assert.equal(n.commonName, `tessera-node-${n.party}`);
    assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'], 'EKU serverAuth + clientAuth');
    assert.equal(leaf.publicKey.asymmetricKeyType, 'ec');
    assert.equal(leaf.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.ok(leaf.checkHost('localhost'));
    assert.ok(leaf.checkIP('127.0.0.1'));
    assert.ok(leaf.checkHost('node.example.org'));
    assert.equal(Boolean(leaf.checkIP('10.1.2.3')), n.party === 0, 'per-node hosts go to that node only');
    assert.ok(n.keyPem.startsWith('-----BEGIN PRIVATE KEY-----'));
  }
  // A leaf of another cluster does not chain to this CA.
  const other = await generateClusterCertificates({ nodes: 1 });
  assert.equal(new X509Certificate(other.nodes[0].certPem).checkIssued(ca), false);
});

test('fingerprints are stable, distinct and accept any common spelling', async () => {
  const c = await generateClusterCertificates();
  for (const n of c.nodes) {
    assert.equal(certificateFingerprint(n.certPem), n.fingerprint256);
    assert.equal(new X509Certificate(n.certPem).fingerprint256, n.fingerprint256);
    assert.match(n.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(normalizeFingerprint(n.fingerprint256.replaceAll(':', '').toLowerCase()), n.fingerprint256);
  }
  assert.equal(new Set(c.nodes.map((n) => n.fingerprint256)).size, 3);
  // Re-issuing for the same party gives a different certificate, hence a different pin.
  const again = await issueNodeCertificate(c.ca, 1);
  assert.notEqual(again.fingerprint256, c.nodes[1].fingerprint256);
  assert.throws(() => normalizeFingerprint('abc'), /not a SHA-256 fingerprint/);
});

test('writeClusterCertificates writes PEM files, keys readable by the owner only', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-certs-test-'));
  try {
    const { certs, files } = await writeClusterCertificates(join(dir, 'cluster'));
    assert.equal(files.caKey, undefined, 'the CA key is not written unless asked');
    assert.equal(await readFile(files.caCert, 'utf8'), certs.ca.certPem);
    for (const [i, f] of files.nodes.entries()) {
      assert.equal(await readFile(f.cert, 'utf8'), certs.nodes[i].certPem);
      assert.equal(await readFile(f.key, 'utf8'), certs.nodes[i].keyPem);
      assert.equal((await stat(f.key)).mode & 0o777, 0o600);
    }
    assert.equal((await stat(files.dir)).mode & 0o777, 0o700);
    const pins = JSON.parse(await readFile(files.fingerprints, 'utf8')) as { ca: string; nodes: string[] };
    assert.deepEqual(pins.nodes, certs.nodes.map((n) => n.fingerprint256));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
