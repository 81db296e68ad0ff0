/**
 * Three nodes in this process: real stores in temporary directories, real HTTPS APIs with
 * certificates from a fresh cluster CA, in-memory MPC links (a MemoryMesh, so a node can be
 * stopped and restarted), and parties with keys, all in one collaboration. Every log line of
 * every node is captured for tests that search them.
 */

import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { generateClusterCertificates, type ClusterCertificates } from '../../src/crypto/certs.js';
import { createIdentity, type Identity } from '../../src/crypto/identity.js';
import { encodePublicKey } from '../../src/crypto/keys.js';
import { Collaboration, type Role } from '../../src/governance/collaboration.js';
import { Tessera, type ConnectOptions } from '../../src/client/tessera.js';
import { MemoryMesh } from '../../src/node/mesh/memory-mesh.js';
import { startNode, type NodeHandle } from '../../src/node/server.js';
import type { NodeTimeouts } from '../../src/node/config.js';
import type { PartyId } from '../../src/mpc/party.js';

export interface PartySpec {
  readonly name: string;
  readonly roles: readonly Role[];
}

export interface TestCluster {
  readonly collaboration: Collaboration;
  readonly certs: ClusterCertificates;
  readonly nodeIdentities: readonly Identity[];
  readonly parties: ReadonlyMap<string, Identity>;
  readonly nodes: (NodeHandle | undefined)[];
  readonly dataDirs: readonly string[];
  readonly mesh: MemoryMesh;
  /** Every log line of node i so far. */
  logs(i: number): string;
  connect(party: string | undefined, node?: number, options?: Partial<ConnectOptions>): Promise<Tessera>;
  stopNode(i: number): Promise<void>;
  startNode(i: number): Promise<NodeHandle>;
  waitForMesh(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const DEFAULT_PARTIES: readonly PartySpec[] = [
  { name: 'St. Mary Hospital', roles: ['input', 'output', 'analyst'] },
  { name: 'Registry North', roles: ['input', 'output'] },
  { name: 'Registry South', roles: ['input', 'output'] },
  { name: 'Analyst', roles: ['analyst'] },
  { name: 'Auditor', roles: ['output'] },
];

/**
 * Starts a cluster; the API ports are picked before the nodes listen on them (the collaboration
 * file names them), so another process may take one meanwhile: then everything started is
 * stopped and the cluster is started again on other ports.
 */
export async function startTestCluster(
  options: { parties?: readonly PartySpec[]; timeouts?: Partial<NodeTimeouts>; signNodes?: boolean; tap?: (from: PartyId, payload: Uint8Array) => void } = {},
): Promise<TestCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startTestClusterOnce(options);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof Error) || !/cannot listen/.test(error.message)) throw error;
    }
  }
}

async function startTestClusterOnce(
  options: { parties?: readonly PartySpec[]; timeouts?: Partial<NodeTimeouts>; signNodes?: boolean; tap?: (from: PartyId, payload: Uint8Array) => void } = {},
): Promise<TestCluster> {
  const certs = await generateClusterCertificates();
  const nodeIdentities = [0, 1, 2].map((i) => createIdentity(`node-${i}`));
  const ports = [await freePort(), await freePort(), await freePort()];
  const parties = new Map<string, Identity>();
  for (const p of options.parties ?? DEFAULT_PARTIES) parties.set(p.name, createIdentity(p.name));
  const collaboration = Collaboration.fromJson({
    format: 'tessera-collaboration/v1',
    id: 'test-collab',
    name: 'Test collaboration',
    nodes: [0, 1, 2].map((i) => ({
      index: i,
      name: `node-${'abc'[i]}`,
      apiUrl: `https://127.0.0.1:${ports[i]}`,
      mpcAddress: `127.0.0.1:${9000 + i}`,
      tlsCertificateFingerprint: certs.nodes[i].fingerprint256,
      encryptionKey: encodePublicKey(nodeIdentities[i].encryptionPublicKey),
      ...(options.signNodes ? { signingKey: encodePublicKey(nodeIdentities[i].signingPublicKey) } : {}),
    })),
    parties: (options.parties ?? DEFAULT_PARTIES).map((p) => ({
      name: p.name,
      roles: p.roles,
      signingKey: encodePublicKey(parties.get(p.name)!.signingPublicKey),
      encryptionKey: encodePublicKey(parties.get(p.name)!.encryptionPublicKey),
    })),
  });
  const root = await mkdtemp(join(tmpdir(), 'tessera-cluster-'));
  const dataDirs = [0, 1, 2].map((i) => join(root, `node${i}`));
  const logLines: string[][] = [[], [], []];
  const mesh = new MemoryMesh(options.tap);
  const nodes: (NodeHandle | undefined)[] = [undefined, undefined, undefined];
  const clients: Tessera[] = [];

  const start = async (i: number): Promise<NodeHandle> => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines[i].push(chunk.toString('utf8'));
        callback();
      },
    });
    const node = await startNode({
      index: i as 0 | 1 | 2,
      collaboration,
      identity: nodeIdentities[i],
      dataDir: dataDirs[i],
      mpc: { connector: mesh.connector(i as PartyId) },
      api: { host: '127.0.0.1', port: ports[i], tls: { key: certs.nodes[i].keyPem, cert: certs.nodes[i].certPem } },
      timeouts: { connectMs: 2000, rpcMs: 5000, mpcMs: 5000, ...options.timeouts },
      log: { level: 'debug', destination: sink },
    });
    nodes[i] = node;
    return node;
  };
  try {
    for (const i of [0, 1, 2]) await start(i);
  } catch (error) {
    for (const n of nodes) await n?.close();
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  const cluster: TestCluster = {
    collaboration,
    certs,
    nodeIdentities,
    parties,
    nodes,
    dataDirs,
    mesh,
    logs: (i) => logLines[i].join(''),
    async connect(party, node = 0, extra = {}) {
      const client = await Tessera.connect({
        collaboration,
        ...(party !== undefined ? { identity: parties.get(party)! } : {}),
        node,
        ca: certs.ca.certPem,
        ...extra,
      });
      clients.push(client);
      return client;
    },
    async stopNode(i) {
      await nodes[i]?.close();
      nodes[i] = undefined;
    },
    startNode: start,
    async waitForMesh(timeoutMs = 5000) {
      await Promise.all(nodes.map((n) => n?.waitForMesh(timeoutMs)));
    },
    async close() {
      for (const c of clients) await c.close();
      for (const n of nodes) await n?.close();
      await rm(root, { recursive: true, force: true });
    },
  };
  try {
    await cluster.waitForMesh();
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster;
}
