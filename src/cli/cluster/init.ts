/**
 * `tessera cluster init DIR`: everything three local node processes need, in one directory
 * (layout in layout.ts): a fresh CA and node certificates, node keys, node configurations on
 * free ports, the collaboration with the parties (and, with --production, the demo's policy signed
 * by its representatives), and the parties' key files.
 *
 * The CA's private key is not kept: the nodes pin each other's certificates, so it would only
 * be a way to mint certificates nobody needs. To change the nodes, initialise a new cluster.
 */

import { isIP } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { generateClusterCertificates, writeClusterCertificates } from '../../crypto/certs.js';
import type { JsonValue } from '../../crypto/canonical-json.js';
import { createIdentity, publicIdentity, saveIdentity, savePublicIdentity, type Identity } from '../../crypto/identity.js';
import { encodePublicKey } from '../../crypto/keys.js';
import { UsageError } from '../../errors.js';
import { Collaboration, type NodeIndex } from '../../governance/collaboration.js';
import { freePorts } from '../../net/free-port.js';
import { NODE_CONFIG_FORMAT, type LogLevel, type NodeTimeouts } from '../../node/config.js';
import type { OwnerPolicyJson, PartySpec } from '../../node/embedded-cluster.js';
import { signPolicy } from '../../governance/policy.js';
import { ClusterDirError } from '../errors.js';
import { CLUSTER_FILE, CLUSTER_FORMAT, INIT_ENTRIES, LocalCluster, type ClusterFile, type ClusterNodeEntry, type ClusterPartyEntry } from './layout.js';
import { checkDistinctParties, partySlug } from './parties.js';
import { runningNodes } from './processes.js';

export interface InitOptions {
  readonly dir: string;
  readonly parties: readonly PartySpec[];
  /** Where the nodes listen and are reached (default 127.0.0.1). */
  readonly host?: string;
  /** Replace the cluster files in a non-empty directory. */
  readonly force?: boolean;
  /** The nodes' log level (default info). */
  readonly logLevel?: LogLevel;
  readonly timeouts?: Partial<NodeTimeouts>;
  /** Whether the nodes run their start-up warm-up (default true; false writes "warmUp": false into each node.json). */
  readonly warmUp?: boolean;
  /** A production policy (docs/governance.md): the owners' entries, signed here with the approvers' new keys. */
  readonly governance?: { readonly owners: readonly OwnerPolicyJson[] };
}

const NODE_INDICES: readonly NodeIndex[] = [0, 1, 2];

export async function initCluster(options: InitOptions): Promise<LocalCluster> {
  const dir = resolve(options.dir);
  const host = options.host ?? '127.0.0.1';
  checkHost(host);
  if (options.parties.length === 0) throw new UsageError('a cluster needs at least one party: keep the demo parties or add some with --party NAME:roles');
  checkDistinctParties(options.parties);
  await prepareDirectory(dir, options.dir, options.force ?? false);

  const certs = await generateClusterCertificates({ hosts: isLoopback(host) ? [] : [host] });
  await writeClusterCertificates(join(dir, 'certs'), certs);
  const [api0, api1, api2, mpc0, mpc1, mpc2] = await freePorts(6, host);
  const apiPorts = [api0, api1, api2];
  const mpcPorts = [mpc0, mpc1, mpc2];
  const urlHost = host.includes(':') ? `[${host}]` : host;

  const nodeIdentities = NODE_INDICES.map((i) => createIdentity(`node-${i}`));
  const nodes: ClusterNodeEntry[] = NODE_INDICES.map((i) => ({
    index: i,
    name: `node-${i}`,
    apiUrl: `https://${urlHost}:${apiPorts[i]}`,
    mpcAddress: `${urlHost}:${mpcPorts[i]}`,
    config: `node${i}/node.json`,
    dataDir: `node${i}/data`,
    log: `node${i}/node.log`,
    pidFile: `node${i}/node.pid`,
  }));

  await mkdir(join(dir, 'parties'), { mode: 0o700 });
  const partyIdentities = options.parties.map((p) => createIdentity(p.name));
  const parties: ClusterPartyEntry[] = [];
  for (const [k, spec] of options.parties.entries()) {
    const slug = partySlug(spec.name);
    const identity = partyIdentities[k];
    const pub = publicIdentity(identity);
    await saveIdentity(identity, join(dir, 'parties', `${slug}.key.json`));
    await savePublicIdentity(pub, join(dir, 'parties', `${slug}.pub.json`));
    parties.push({ name: spec.name, roles: spec.roles, key: `parties/${slug}.key.json`, publicIdentity: `parties/${slug}.pub.json`, fingerprint: pub.fingerprint });
  }

  const collaboration = Collaboration.fromJson({
    format: 'tessera-collaboration/v1',
    id: collaborationId(dir),
    name: `Local cluster in ${dir}`,
    nodes: NODE_INDICES.map((i) => ({
      index: i,
      name: nodes[i].name,
      apiUrl: nodes[i].apiUrl,
      mpcAddress: nodes[i].mpcAddress,
      tlsCertificateFingerprint: certs.nodes[i].fingerprint256,
      encryptionKey: encodePublicKey(nodeIdentities[i].encryptionPublicKey),
      signingKey: encodePublicKey(nodeIdentities[i].signingPublicKey),
    })),
    parties: options.parties.map((p, k) => ({
      name: p.name,
      roles: p.roles,
      signingKey: encodePublicKey(partyIdentities[k].signingPublicKey),
      encryptionKey: encodePublicKey(partyIdentities[k].encryptionPublicKey),
    })),
    ...(options.governance ? { governance: signedPolicy(collaborationId(dir), options.governance.owners, options.parties, partyIdentities) } : {}),
  });
  await writeFile(join(dir, 'collaboration.json'), collaboration.toJsonText(), { mode: 0o644 });

  for (const i of NODE_INDICES) {
    const nodeDir = join(dir, `node${i}`);
    await mkdir(join(nodeDir, 'data'), { recursive: true, mode: 0o700 });
    await saveIdentity(nodeIdentities[i], join(nodeDir, 'node.key.json'));
    const config = {
      format: NODE_CONFIG_FORMAT,
      index: i,
      collaboration: '../collaboration.json',
      identity: 'node.key.json',
      tls: { cert: `../certs/node-${i}.pem`, key: `../certs/node-${i}.key`, ca: '../certs/ca.pem' },
      dataDir: 'data',
      mpc: { listen: `${urlHost}:${mpcPorts[i]}` },
      api: { listen: `${urlHost}:${apiPorts[i]}` },
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      log: { level: options.logLevel ?? 'info' },
      ...(options.warmUp === false ? { warmUp: false } : {}),
    };
    await writeFile(join(nodeDir, 'node.json'), JSON.stringify(config, null, 2) + '\n', { mode: 0o644 });
  }

  const file: ClusterFile = { format: CLUSTER_FORMAT, createdAt: new Date().toISOString(), host, collaboration: 'collaboration.json', ca: 'certs/ca.pem', nodes, parties };
  await writeFile(join(dir, CLUSTER_FILE), JSON.stringify(file, null, 2) + '\n', { mode: 0o644 });
  return LocalCluster.fromFile(dir, file);
}

/** An empty or new directory; a non-empty one only with --force, and never while its nodes run. */
async function prepareDirectory(dir: string, shown: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      return;
    }
    if (code === 'ENOTDIR') throw new ClusterDirError(`${shown} is a file, not a directory; choose another path`);
    throw new ClusterDirError(`cannot read ${shown} (${code ?? 'I/O error'})`);
  }
  if (entries.length === 0) return;
  if (!force) {
    throw new ClusterDirError(`${shown} is not empty; choose a new or empty directory, or pass --force to replace the cluster files in it (its keys and data are lost)`);
  }
  if (entries.includes(CLUSTER_FILE)) {
    const running = await runningNodes(await LocalCluster.load(dir)).catch(() => []);
    if (running.length > 0) {
      throw new ClusterDirError(`the nodes of the cluster in ${shown} are running (${running.map((r) => `${r.name}, pid ${r.pid}`).join('; ')}); stop them first with \`tessera cluster down ${shown}\``);
    }
  }
  // Only what init writes: other files the user keeps there stay.
  for (const entry of INIT_ENTRIES) await rm(join(dir, entry), { recursive: true, force: true });
}

function checkHost(host: string): void {
  if (host === '0.0.0.0' || host === '::' || host === '[::]') {
    throw new UsageError(`--host must be the address the nodes are reached at (it goes into the certificates and the collaboration), not a wildcard like ${host}`);
  }
  if (isIP(host) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(host)) {
    throw new UsageError(`--host '${host}' is neither an IP address nor a host name`);
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The policy section, signed by every approver it names (their keys were just made here). */
function signedPolicy(id: string, owners: readonly OwnerPolicyJson[], parties: readonly PartySpec[], identities: readonly Identity[]): JsonValue {
  const policy = { mode: 'production' as const, owners: owners.map((o) => ({ ...o, minGroupSize: o.minGroupSize ?? 1 })) };
  const signers = [...new Set(owners.flatMap((o) => o.approvers))].map((name) => {
    const k = parties.findIndex((p) => p.name === name);
    if (k < 0) throw new UsageError(`policy approver '${name}' is not a party of the cluster`);
    return signPolicy(id, policy, identities[k].signingPrivateKey);
  });
  return JSON.parse(JSON.stringify({ ...policy, signatures: signers })) as JsonValue;
}

/** `local-<directory name>`, in the characters a collaboration id allows. */
function collaborationId(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 50);
  return name.length > 0 ? `local-${name}` : 'local';
}
