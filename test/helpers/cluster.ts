/**
 * The embedded cluster (src/node/embedded-cluster.ts) for tests: every log line of every node is
 * captured for tests that search them, and `connect` makes SDK clients that are closed with the
 * cluster.
 */

import { Writable } from 'node:stream';
import type { ClusterCertificates } from '../../src/crypto/certs.js';
import type { Identity } from '../../src/crypto/identity.js';
import type { Collaboration, NodeIndex } from '../../src/governance/collaboration.js';
import { Tessera, type ConnectOptions } from '../../src/client/tessera.js';
import { startEmbeddedCluster, type PartySpec } from '../../src/node/embedded-cluster.js';
import type { MemoryMesh } from '../../src/node/mesh/memory-mesh.js';
import type { NodeHandle } from '../../src/node/server.js';
import type { NodeTimeouts } from '../../src/node/config.js';
import type { PartyId } from '../../src/mpc/party.js';

export { freePort } from '../../src/net/free-port.js';
export type { PartySpec };

export interface TestCluster {
  readonly collaboration: Collaboration;
  readonly certs: ClusterCertificates;
  readonly nodeIdentities: readonly Identity[];
  readonly parties: ReadonlyMap<string, Identity>;
  readonly nodes: readonly (NodeHandle | undefined)[];
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

export const DEFAULT_PARTIES: readonly PartySpec[] = [
  { name: 'St. Mary Hospital', roles: ['input', 'output', 'analyst'] },
  { name: 'Registry North', roles: ['input', 'output'] },
  { name: 'Registry South', roles: ['input', 'output'] },
  { name: 'Analyst', roles: ['analyst'] },
  { name: 'Auditor', roles: ['output'] },
];

export async function startTestCluster(
  options: { parties?: readonly PartySpec[]; timeouts?: Partial<NodeTimeouts>; signNodes?: boolean; tap?: (from: PartyId, payload: Uint8Array) => void } = {},
): Promise<TestCluster> {
  const logLines: string[][] = [[], [], []];
  const sink = (i: number): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines[i].push(chunk.toString('utf8'));
        callback();
      },
    });
  const embedded = await startEmbeddedCluster({
    parties: options.parties ?? DEFAULT_PARTIES,
    collaborationId: 'test-collab',
    collaborationName: 'Test collaboration',
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    ...(options.signNodes ? { signNodes: true } : {}),
    ...(options.tap ? { tap: options.tap } : {}),
    log: { level: 'debug', destination: sink },
  });
  const clients: Tessera[] = [];
  return {
    collaboration: embedded.collaboration,
    certs: embedded.certs,
    nodeIdentities: embedded.nodeIdentities,
    parties: embedded.parties,
    nodes: embedded.nodes,
    dataDirs: embedded.dataDirs,
    mesh: embedded.mesh,
    logs: (i) => logLines[i].join(''),
    async connect(party, node = 0, extra = {}) {
      const client = await Tessera.connect({
        collaboration: embedded.collaboration,
        ...(party !== undefined ? { identity: embedded.parties.get(party)! } : {}),
        node,
        ca: embedded.certs.ca.certPem,
        ...extra,
      });
      clients.push(client);
      return client;
    },
    stopNode: (i) => embedded.stopNode(i as NodeIndex),
    startNode: (i) => embedded.startNode(i as NodeIndex),
    waitForMesh: (timeoutMs) => embedded.waitForMesh(timeoutMs),
    async close() {
      for (const c of clients) await c.close();
      await embedded.close();
    },
  };
}
