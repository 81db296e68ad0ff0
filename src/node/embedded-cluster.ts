/**
 * Three nodes in this process (deployment shape 1, "embedded"): real table stores in a fresh
 * temporary directory, real HTTPS APIs with certificates from a fresh cluster CA, in-memory MPC
 * links (a MemoryMesh, so a node can be stopped and restarted), and parties with fresh keys, all
 * in one collaboration. The demo and most end-to-end tests run on this.
 *
 * The nodes are the same code as node processes; only the links between them differ. Clients
 * reach them over HTTPS exactly as they reach a real cluster (the collaboration names the API
 * URLs and pins the certificates).
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { generateClusterCertificates, type ClusterCertificates } from '../crypto/certs.js';
import { createIdentity, type Identity } from '../crypto/identity.js';
import { encodePublicKey } from '../crypto/keys.js';
import { UsageError } from '../errors.js';
import { Collaboration, type NodeIndex, type Role } from '../governance/collaboration.js';
import { freePorts } from '../net/free-port.js';
import type { LogLevel, NodeTimeouts } from './config.js';
import type { ExecutionProgress } from '../ops/progress.js';
import type { JobLimits } from './jobs.js';
import { MemoryMesh, type MeshTap } from './mesh/memory-mesh.js';
import type { JsonValue } from '../crypto/canonical-json.js';
import { signPolicy, type DesignSettings, type DpBudget, type GovernanceMode } from '../governance/policy.js';
import { startNode, type NodeHandle, type StartNodeOptions } from './server.js';
import type { TableLimits } from './storage.js';

export interface PartySpec {
  readonly name: string;
  readonly roles: readonly Role[];
}

export interface EmbeddedClusterOptions {
  readonly parties: readonly PartySpec[];
  readonly collaborationId?: string;
  readonly collaborationName?: string;
  readonly timeouts?: Partial<NodeTimeouts>;
  /** List the nodes' signing keys in the collaboration (result shares are then signed by the nodes). */
  readonly signNodes?: boolean;
  /** Sees every message between nodes (tests check that no value ever travels). */
  readonly tap?: MeshTap;
  /** Bounds on the tables each node keeps (default DEFAULT_TABLE_LIMITS). */
  readonly tableLimits?: Partial<TableLimits>;
  /** Job limits of every node, and a hook each node calls at every step of a job (tests pause jobs with it). */
  readonly jobs?: Partial<JobLimits> & { readonly onStep?: (node: NodeIndex, query: string, progress: ExecutionProgress) => void | Promise<void> };
  /**
   * A governance policy (docs/governance.md): its owners' entries; the cluster signs it with the
   * keys of `signers` (default: every approver named). Implies `signNodes`.
   */
  readonly governance?: { readonly owners: readonly OwnerPolicyJson[]; readonly signers?: readonly string[]; readonly mode?: GovernanceMode; readonly design?: DesignSettings };
  /** Node logs (default: none). */
  readonly log?: { readonly level?: LogLevel; readonly destination?: (index: NodeIndex) => DestinationStream };
}

export interface EmbeddedCluster {
  readonly collaboration: Collaboration;
  readonly certs: ClusterCertificates;
  readonly nodeIdentities: readonly Identity[];
  /** Every party's keys, by name. */
  readonly parties: ReadonlyMap<string, Identity>;
  /** The running nodes (undefined while stopped). */
  readonly nodes: readonly (NodeHandle | undefined)[];
  /** Node i's data directory (inside `root`). */
  readonly dataDirs: readonly string[];
  /** The temporary directory holding everything; removed by `close`. */
  readonly root: string;
  readonly mesh: MemoryMesh;
  stopNode(i: NodeIndex): Promise<void>;
  startNode(i: NodeIndex): Promise<NodeHandle>;
  waitForMesh(timeoutMs?: number): Promise<void>;
  /** Stops the nodes and removes the temporary directory. */
  close(): Promise<void>;
}

/** Node i's job options: the cluster's, with the hook told which node calls it. */
function jobOptionsFor(jobs: NonNullable<EmbeddedClusterOptions['jobs']>, i: NodeIndex): StartNodeOptions['jobs'] {
  const { onStep, ...limits } = jobs;
  return { ...limits, ...(onStep ? { onStep: (query: string, progress: ExecutionProgress) => onStep(i, query, progress) } : {}) };
}

const NODE_INDICES: readonly NodeIndex[] = [0, 1, 2];

/** An owner's policy as written in the collaboration file (governance/policy.ts validates it). */
export interface OwnerPolicyJson {
  readonly owner: string;
  readonly approvers: readonly string[];
  readonly required: 'one' | 'all' | number;
  readonly recipients: readonly string[];
  readonly minGroupSize?: number;
  readonly dpBudget?: DpBudget;
}

function governanceSection(id: string, spec: NonNullable<EmbeddedClusterOptions['governance']>, parties: ReadonlyMap<string, Identity>): JsonValue {
  const owners = spec.owners.map((o) => ({ ...o, minGroupSize: o.minGroupSize ?? 1 }));
  const policy = { mode: spec.mode ?? 'production', owners, ...(spec.design ? { design: spec.design } : {}) };
  const signers = spec.signers ?? [...new Set(owners.flatMap((o) => o.approvers))];
  const signatures = signers.map((name) => {
    const identity = parties.get(name);
    if (!identity) throw new UsageError(`policy signer '${name}' is not a party of the cluster`);
    return signPolicy(id, policy, identity.signingPrivateKey);
  });
  return JSON.parse(JSON.stringify({ ...policy, signatures })) as JsonValue;
}
const START_ATTEMPTS = 3;

/**
 * Starts an embedded cluster. The API ports are picked before the nodes listen on them (the
 * collaboration file names them), so another process may take one meanwhile: then everything
 * started is stopped and the cluster is started again on other ports.
 */
export async function startEmbeddedCluster(options: EmbeddedClusterOptions): Promise<EmbeddedCluster> {
  if (options.parties.length === 0) throw new UsageError('an embedded cluster needs at least one party');
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (attempt >= START_ATTEMPTS || !(error instanceof Error) || !/cannot listen/.test(error.message)) throw error;
    }
  }
}

async function startOnce(options: EmbeddedClusterOptions): Promise<EmbeddedCluster> {
  const certs = await generateClusterCertificates();
  const nodeIdentities = NODE_INDICES.map((i) => createIdentity(`node-${i}`));
  const ports = await freePorts(3);
  const parties = new Map<string, Identity>();
  for (const p of options.parties) parties.set(p.name, createIdentity(p.name));
  const governance = options.governance ? governanceSection(options.collaborationId ?? 'embedded', options.governance, parties) : undefined;
  const signNodes = options.signNodes === true || governance !== undefined;
  const collaboration = Collaboration.fromJson({
    format: 'tessera-collaboration/v1',
    id: options.collaborationId ?? 'embedded',
    name: options.collaborationName ?? 'Embedded cluster',
    nodes: NODE_INDICES.map((i) => ({
      index: i,
      name: `node-${'abc'[i]}`,
      apiUrl: `https://127.0.0.1:${ports[i]}`,
      // Not dialled: the nodes are linked in memory. The collaboration format requires an address.
      mpcAddress: `127.0.0.1:${9000 + i}`,
      tlsCertificateFingerprint: certs.nodes[i].fingerprint256,
      encryptionKey: encodePublicKey(nodeIdentities[i].encryptionPublicKey),
      ...(signNodes ? { signingKey: encodePublicKey(nodeIdentities[i].signingPublicKey) } : {}),
    })),
    parties: options.parties.map((p) => ({
      name: p.name,
      roles: p.roles,
      signingKey: encodePublicKey(parties.get(p.name)!.signingPublicKey),
      encryptionKey: encodePublicKey(parties.get(p.name)!.encryptionPublicKey),
    })),
    ...(governance ? { governance } : {}),
  });
  const root = await mkdtemp(join(tmpdir(), 'tessera-cluster-'));
  const dataDirs = NODE_INDICES.map((i) => join(root, `node${i}`));
  const mesh = new MemoryMesh(options.tap);
  const nodes: (NodeHandle | undefined)[] = [undefined, undefined, undefined];

  const start = async (i: NodeIndex): Promise<NodeHandle> => {
    const destination = options.log?.destination?.(i);
    const node = await startNode({
      index: i,
      collaboration,
      identity: nodeIdentities[i],
      dataDir: dataDirs[i],
      mpc: { connector: mesh.connector(i) },
      api: { host: '127.0.0.1', port: ports[i], tls: { key: certs.nodes[i].keyPem, cert: certs.nodes[i].certPem } },
      timeouts: { connectMs: 2000, rpcMs: 5000, mpcMs: 5000, ...options.timeouts },
      ...(options.tableLimits ? { tableLimits: options.tableLimits } : {}),
      ...(options.jobs ? { jobs: jobOptionsFor(options.jobs, i) } : {}),
      log: { level: options.log?.level ?? (destination ? 'info' : 'silent'), ...(destination ? { destination } : {}) },
    });
    nodes[i] = node;
    return node;
  };
  let closed: Promise<void> | undefined;
  const cluster: EmbeddedCluster = {
    collaboration,
    certs,
    nodeIdentities,
    parties,
    nodes,
    dataDirs,
    root,
    mesh,
    async stopNode(i) {
      await nodes[i]?.close();
      nodes[i] = undefined;
    },
    startNode: start,
    async waitForMesh(timeoutMs = 5000) {
      await Promise.all(nodes.map((n) => n?.waitForMesh(timeoutMs)));
    },
    close() {
      closed ??= (async () => {
        for (const n of nodes) await n?.close();
        await rm(root, { recursive: true, force: true });
      })();
      return closed;
    },
  };
  try {
    for (const i of NODE_INDICES) await start(i);
    await cluster.waitForMesh();
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster;
}
