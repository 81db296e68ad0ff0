/**
 * A cluster of three node processes linked by the mutual-TLS mesh, for a test file: `before`
 * initialises it in a temporary directory and spawns the nodes, `after` closes every client,
 * stops the nodes and removes the directory. Clients connect once their node is healthy. The
 * nodes skip their start-up warm-up unless asked (it adds seconds of CPU per node to every test
 * cluster's start on a loaded two-core machine, and tests time nothing).
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { initCluster } from '../../src/cli/cluster/init.js';
import { Tessera } from '../../src/client/tessera.js';
import { loadIdentity, type Identity } from '../../src/crypto/identity.js';
import { Collaboration, type Role } from '../../src/governance/collaboration.js';
import { connectWhenHealthy } from './cluster-health.js';
import { NodeProcessSet } from './node-process-set.js';

/** Bounds of the set-up and the teardown (node:test's test timeouts do not cover hooks). */
export const SETUP_TIMEOUT_MS = 180_000;
export const TEARDOWN_TIMEOUT_MS = 60_000;

export interface PartySpec {
  readonly name: string;
  readonly roles: readonly Role[];
}

export interface NodeProcesses {
  /** The cluster's directory (for the CLI's `--cluster`). */
  readonly root: string;
  /** A client of `party` at `node`, closed after the file's tests. */
  connect(party: string, node: number, timeoutMs?: number): Promise<Tessera>;
}

/**
 * `warmUp`: whether the nodes run their start-up warm-up (default false: test clusters start at
 * once; test/e2e/warm-up-processes.test.ts starts one with it).
 */
export function useNodeProcesses(prefix: string, parties: readonly PartySpec[], options: { readonly warmUp?: boolean } = {}): NodeProcesses {
  let root = '';
  let collaboration: Collaboration;
  let caPem = '';
  let nodes: NodeProcessSet | undefined;
  const identities = new Map<string, Identity>();
  const clients: Tessera[] = [];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), prefix));
    const cluster = await initCluster({
      dir: root,
      parties: parties.map((p) => ({ name: p.name, roles: [...p.roles] })),
      timeouts: { connectMs: 1500, rpcMs: 15_000, mpcMs: 15_000 },
      warmUp: options.warmUp ?? false,
    });
    collaboration = await Collaboration.load(cluster.collaborationPath);
    for (const [k, p] of parties.entries()) identities.set(p.name, await loadIdentity(cluster.path(cluster.file.parties[k].key)));
    caPem = cluster.caPath;
    nodes = new NodeProcessSet(cluster);
    nodes.startAll();
  }, { timeout: SETUP_TIMEOUT_MS });

  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await nodes?.stopAll();
    if (root !== '') await rm(root, { recursive: true, force: true });
  }, { timeout: TEARDOWN_TIMEOUT_MS });

  return {
    get root() {
      return root;
    },
    connect: (party, node, timeoutMs = 120_000) => connectWhenHealthy(() => Tessera.connect({ collaboration, identity: identities.get(party)!, node, ca: caPem }), node, clients, timeoutMs),
  };
}
