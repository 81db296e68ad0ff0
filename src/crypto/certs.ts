/**
 * A local certificate authority for one cluster of three compute nodes.
 *
 * The CA signs one leaf per node (CN `tessera-node-<i>`, usable as TLS server and client). Nodes
 * trust the CA *and* pin each peer's leaf by its SHA-256 fingerprint, so the CA key is only needed
 * to issue certificates and may be thrown away afterwards. Keys are ECDSA P-256: fast handshakes,
 * small certificates, supported by every TLS 1.3 stack.
 *
 * Everything here returns PEM strings; only `writeClusterCertificates` touches the file system.
 */

import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { certificateFingerprint } from './fingerprint.js';

export { certificateFingerprint, normalizeFingerprint } from './fingerprint.js';

// @peculiar/x509 uses a pluggable WebCrypto; give it node's (randomness and signatures from node:crypto).
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** Back-dates certificates a little so that nodes whose clocks lag slightly accept them at once. */
const CLOCK_SKEW_MS = 3_600_000;

export interface CertificateAuthority {
  readonly certPem: string;
  readonly keyPem: string;
  /** SHA-256 of the DER certificate, as `AA:BB:...` (the format node's TLS reports). */
  readonly fingerprint256: string;
}

export interface NodeCertificate {
  readonly party: number;
  readonly commonName: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly fingerprint256: string;
}

export interface ClusterCertificates {
  readonly ca: CertificateAuthority;
  readonly nodes: readonly NodeCertificate[];
}

export interface CertificateOptions {
  /** Validity in days from now (default 365). */
  readonly validDays?: number;
}

export interface NodeCertificateOptions extends CertificateOptions {
  /** Extra host names or IP addresses the node is reached at (localhost and 127.0.0.1 are always included). */
  readonly hosts?: readonly string[];
}

export interface ClusterCertificateOptions extends CertificateOptions {
  /** Host names or IPs added to every node's certificate. */
  readonly hosts?: readonly string[];
  /** Per-node extra hosts, indexed by party. */
  readonly nodeHosts?: readonly (readonly string[])[];
  /** Number of nodes (default 3). */
  readonly nodes?: number;
  readonly caName?: string;
}

export const nodeCommonName = (party: number): string => `tessera-node-${party}`;

function validity(options: CertificateOptions): { notBefore: Date; notAfter: Date } {
  const days = options.validDays ?? 365;
  if (!(days > 0)) throw new UsageError(`validDays must be positive, got ${days}`);
  const now = Date.now();
  return { notBefore: new Date(now - CLOCK_SKEW_MS), notAfter: new Date(now + days * DAY_MS) };
}

/** A random positive 128-bit serial (RFC 5280: at most 20 octets, positive; the top bit cleared). */
function serialNumber(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f;
  b[0] |= 0x01; // no leading zero octet, so the DER encoding keeps its full length
  return b.toString('hex');
}

type KeyPair = webcrypto.CryptoKeyPair;
type Key = webcrypto.CryptoKey;

async function newKeyPair(): Promise<KeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as KeyPair;
}

async function privateKeyPem(key: Key): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

async function importPrivateKey(pem: string): Promise<Key> {
  const der = x509.PemConverter.decodeFirst(pem);
  return webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, false, ['sign']);
}

/** Generates a fresh certificate authority. */
export async function generateCertificateAuthority(name = 'Tessera cluster CA', options: CertificateOptions = {}): Promise<CertificateAuthority> {
  const keys = await newKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${name}`,
    ...validity({ validDays: options.validDays ?? 3650 }),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const certPem = cert.toString('pem');
  return { certPem, keyPem: await privateKeyPem(keys.privateKey), fingerprint256: certificateFingerprint(certPem) };
}

/** Issues the certificate of node `party`, valid for TLS server and client authentication. */
export async function issueNodeCertificate(ca: CertificateAuthority, party: number, options: NodeCertificateOptions = {}): Promise<NodeCertificate> {
  if (!Number.isInteger(party) || party < 0) throw new UsageError(`party must be a non-negative integer, got ${party}`);
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await importPrivateKey(ca.keyPem);
  const keys = await newKeyPair();
  const commonName = nodeCommonName(party);
  const hosts = [...new Set(['localhost', '127.0.0.1', '::1', ...(options.hosts ?? [])])];
  const names: x509.JsonGeneralName[] = hosts.map((h) => (isIP(h) ? { type: 'ip', value: h } : { type: 'dns', value: h }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${commonName}`,
    issuer: caCert.subject,
    ...validity(options),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth], false),
      new x509.SubjectAlternativeNameExtension(names, false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
    ],
  });
  const certPem = cert.toString('pem');
  return { party, commonName, certPem, keyPem: await privateKeyPem(keys.privateKey), fingerprint256: certificateFingerprint(certPem) };
}

/** A CA and one certificate per node. */
export async function generateClusterCertificates(options: ClusterCertificateOptions = {}): Promise<ClusterCertificates> {
  const count = options.nodes ?? 3;
  const ca = await generateCertificateAuthority(options.caName, options);
  const nodes: NodeCertificate[] = [];
  for (let i = 0; i < count; i++) {
    const hosts = [...(options.hosts ?? []), ...(options.nodeHosts?.[i] ?? [])];
    nodes.push(await issueNodeCertificate(ca, i, { validDays: options.validDays, hosts }));
  }
  return { ca, nodes };
}

export interface ClusterCertificateFiles {
  readonly dir: string;
  /** The CA certificate every node trusts. */
  readonly caCert: string;
  /** Written only when asked (`includeCaKey`): needed to issue more certificates later, dangerous to leave lying around. */
  readonly caKey: string | undefined;
  readonly nodes: readonly { readonly cert: string; readonly key: string }[];
  /** JSON: `{ ca, nodes: [fingerprint of node 0, ...] }`, the pins to put in each node's configuration. */
  readonly fingerprints: string;
}

/**
 * Writes a cluster's certificates to `dir` (created with mode 0700): `ca.pem`, `node-<i>.pem`,
 * `node-<i>.key` (mode 0600) and `fingerprints.json`. Generates a fresh cluster unless `certs` is given.
 */
export async function writeClusterCertificates(
  dir: string,
  certs?: ClusterCertificates,
  options: { readonly includeCaKey?: boolean } = {},
): Promise<{ certs: ClusterCertificates; files: ClusterCertificateFiles }> {
  const c = certs ?? (await generateClusterCertificates());
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const writePublic = (path: string, text: string): Promise<void> => writeFile(path, text, { mode: 0o644 });
  const writeSecret = async (path: string, text: string): Promise<void> => {
    await writeFile(path, text, { mode: 0o600 });
    // `mode` only applies when the file is created: tighten an existing file too.
    await chmod(path, 0o600);
  };
  const caCert = join(dir, 'ca.pem');
  await writePublic(caCert, c.ca.certPem);
  let caKey: string | undefined;
  if (options.includeCaKey) {
    caKey = join(dir, 'ca.key');
    await writeSecret(caKey, c.ca.keyPem);
  }
  const nodes: { cert: string; key: string }[] = [];
  for (const n of c.nodes) {
    const cert = join(dir, `node-${n.party}.pem`);
    const key = join(dir, `node-${n.party}.key`);
    await writePublic(cert, n.certPem);
    await writeSecret(key, n.keyPem);
    nodes.push({ cert, key });
  }
  const fingerprints = join(dir, 'fingerprints.json');
  await writePublic(fingerprints, JSON.stringify({ ca: c.ca.fingerprint256, nodes: c.nodes.map((n) => n.fingerprint256) }, null, 2) + '\n');
  return { certs: c, files: { dir, caCert, caKey, nodes, fingerprints } };
}
