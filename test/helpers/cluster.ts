/**
 * The embedded cluster (src/node/embedded-cluster.ts) for tests: every log line of every node is
 * captured for tests that search them, and `connect` makes SDK clients that are closed with the
 * cluster.
 */

import { Writable } from 'node:stream';
import { Tessera, type ConnectOptions } from '../../src/client/tessera.js';
import { startEmbeddedCluster, type EmbeddedCluster, type EmbeddedClusterOptions, type PartySpec } from '../../src/node/embedded-cluster.js';
import type { MeshTap } from '../../src/node/mesh/memory-mesh.js';
import type { NodeTimeouts } from '../../src/node/config.js';
import type { TableLimits } from '../../src/node/storage.js';

export { freePort } from '../../src/net/free-port.js';
export type { PartySpec };

/** The embedded cluster plus captured logs and SDK clients that close with it. */
export interface TestCluster extends EmbeddedCluster {
  /** Every log line of node i so far. */
  logs(i: number): string;
  connect(party: string | undefined, node?: number, options?: Partial<ConnectOptions>): Promise<Tessera>;
}

export const DEFAULT_PARTIES: readonly PartySpec[] = [
  { name: 'St. Mary Hospital', roles: ['input', 'output', 'analyst'] },
  { name: 'Registry North', roles: ['input', 'output'] },
  { name: 'Registry South', roles: ['input', 'output'] },
  { name: 'Analyst', roles: ['analyst'] },
  { name: 'Auditor', roles: ['output'] },
];

export async function startTestCluster(
  options: {
    parties?: readonly PartySpec[];
    timeouts?: Partial<NodeTimeouts>;
    signNodes?: boolean;
    tap?: MeshTap;
    tableLimits?: Partial<TableLimits>;
    jobs?: EmbeddedClusterOptions['jobs'];
    governance?: EmbeddedClusterOptions['governance'];
  } = {},
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
    ...(options.tableLimits ? { tableLimits: options.tableLimits } : {}),
    ...(options.jobs ? { jobs: options.jobs } : {}),
    ...(options.governance ? { governance: options.governance } : {}),
    log: { level: 'debug', destination: sink },
  });
  const clients: Tessera[] = [];
  return {
    ...embedded,
    // The embedded cluster's methods, bound (they are not enumerable own properties everywhere).
    stopNode: (i) => embedded.stopNode(i),
    startNode: (i) => embedded.startNode(i),
    waitForMesh: (timeoutMs) => embedded.waitForMesh(timeoutMs),
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
    async close() {
      for (const c of clients) await c.close();
      await embedded.close();
    },
  };
}
