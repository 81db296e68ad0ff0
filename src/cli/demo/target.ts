/**
 * Where the demo runs: three nodes in this process (default), or a running local cluster
 * (`--cluster DIR`). Either way the demo talks to the nodes through the SDK over HTTPS, and can
 * look at the nodes' data directories to show what they store.
 */

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Tessera } from '../../client/tessera.js';
import { loadIdentity, type Identity } from '../../crypto/identity.js';
import { NodeUnavailableError, PermissionDeniedError } from '../../errors.js';
import { Collaboration, type NodeIndex, type Role } from '../../governance/collaboration.js';
import { startEmbeddedCluster } from '../../node/embedded-cluster.js';
import { loadTrust, probeCluster } from '../cluster/health.js';
import { LocalCluster } from '../cluster/layout.js';
import { DEMO_PARTIES, DEMO_POLICY } from '../cluster/parties.js';

export interface DemoTarget {
  /** One line saying where the nodes run. */
  readonly description: string;
  readonly collaboration: Collaboration;
  readonly nodeNames: readonly string[];
  /** Node i's data directory (on this machine). */
  dataDir(i: NodeIndex): string;
  /** Appended to table names so that the demo can run again on the same cluster. */
  readonly tableSuffix: string;
  /** A client for a party (or a contributor without identity) talking to node `node`; owners of identifier columns pass their shared key. */
  connect(party: string | undefined, node: NodeIndex, options?: { readonly identifierKey?: Uint8Array }): Promise<Tessera>;
  close(): Promise<void>;
}

export async function embeddedTarget(): Promise<DemoTarget> {
  const cluster = await startEmbeddedCluster({
    parties: DEMO_PARTIES,
    // Production mode: the owners' representatives approve every query (governed.ts).
    governance: DEMO_POLICY,
    collaborationId: 'demo',
    collaborationName: 'Tessera demo',
    signNodes: true,
    // Generous: on a busy machine 1,000 patients queue up behind each other.
    timeouts: { rpcMs: 30_000, mpcMs: 30_000 },
  });
  const ca = cluster.certs.ca.certPem;
  return {
    description: `three nodes in this process: in-memory links between them, encrypted storage in ${cluster.root} (removed at the end), HTTPS APIs`,
    collaboration: cluster.collaboration,
    nodeNames: cluster.collaboration.nodes.map((n) => n.name),
    dataDir: (i) => cluster.dataDirs[i],
    tableSuffix: '',
    connect: (party, node, options) => Tessera.connect({ collaboration: cluster.collaboration, ...(party ? { identity: cluster.parties.get(party)! } : {}), node, ca, ...options }),
    close: () => cluster.close(),
  };
}

export async function clusterTarget(dir: string): Promise<DemoTarget> {
  const local = await LocalCluster.load(dir);
  const trust = await loadTrust(local);
  const health = await probeCluster(trust);
  const down = health.filter((h) => h.state !== 'ok');
  if (down.length > 0) {
    throw new NodeUnavailableError(
      `the cluster in ${dir} is not up (${down.map((h) => `${local.nodes[h.index].name}: ${h.state === 'degraded' ? 'mesh down' : 'not reachable'}`).join(', ')}); start it with \`tessera cluster up ${dir}\``,
    );
  }
  const identities = new Map<string, Identity>();
  // Representatives approve only in a governed cluster (cluster init --production); older clusters lack the role.
  const governed = trust.collaboration.governance !== undefined;
  for (const spec of DEMO_PARTIES) identities.set(spec.name, await demoIdentity(local, trust.collaboration, spec.name, spec.roles.filter((r) => governed || r !== 'representative'), dir));
  const ca = await readFile(local.caPath, 'utf8');
  return {
    description: `the local cluster in ${dir}: three node processes, mutual TLS 1.3 between them, HTTPS APIs`,
    collaboration: trust.collaboration,
    nodeNames: local.nodes.map((n) => n.name),
    dataDir: (i) => local.path(local.nodes[i].dataDir),
    // Tables are immutable and names unique: a fresh suffix lets the demo run again.
    tableSuffix: `_${randomBytes(3).toString('hex')}`,
    connect: (party, node, options) => Tessera.connect({ collaboration: trust.collaboration, ...(party ? { identity: identities.get(party)! } : {}), node, ca, ...options }),
    close: async () => undefined,
  };
}

async function demoIdentity(local: LocalCluster, collaboration: Collaboration, name: string, roles: readonly Role[], dir: string): Promise<Identity> {
  const party = collaboration.findParty(name);
  const entry = local.file.parties.find((p) => p.name === name);
  if (!party || !entry) {
    throw new PermissionDeniedError(`the demo needs the party '${name}', which the cluster in ${dir} does not have; create a cluster with the demo parties (the default of \`tessera cluster init\`)`);
  }
  const missing = roles.filter((r) => !party.roles.includes(r));
  if (missing.length > 0) throw new PermissionDeniedError(`the demo needs '${name}' to have the role(s) ${missing.join(', ')} in the cluster in ${dir}`);
  return loadIdentity(local.path(entry.key));
}
