/**
 * Asking a local cluster's nodes how they are: `GET /v1/health` over HTTPS with the node's
 * certificate pinned (from the collaboration), as any client would. Health needs no signature.
 */

import { readFile } from 'node:fs/promises';
import { NodeConnection } from '../../client/node-connection.js';
import { Collaboration, type NodeIndex } from '../../governance/collaboration.js';
import { ROUTES, type HealthResponse } from '../../wire/api.js';
import type { LocalCluster } from './layout.js';

export type NodeState = 'ok' | 'degraded' | 'unreachable';

export interface NodeHealth {
  readonly index: NodeIndex;
  readonly state: NodeState;
  readonly health?: HealthResponse;
  /** Why the node could not be reached. */
  readonly error?: string;
}

/** The cluster's collaboration and CA, loaded once for repeated probes. */
export interface ClusterTrust {
  readonly collaboration: Collaboration;
  readonly ca: string;
}

export async function loadTrust(cluster: LocalCluster): Promise<ClusterTrust> {
  return { collaboration: await Collaboration.load(cluster.collaborationPath), ca: await readFile(cluster.caPath, 'utf8') };
}

export async function probeNode(trust: ClusterTrust, index: NodeIndex, timeoutMs = 2000): Promise<NodeHealth> {
  const connection = new NodeConnection(trust.collaboration.node(index), { ca: trust.ca, timeoutMs });
  try {
    const { body } = await connection.send<HealthResponse>({ method: 'GET', path: ROUTES.health });
    return { index, state: body.status === 'ok' ? 'ok' : 'degraded', health: body };
  } catch (error) {
    return { index, state: 'unreachable', error: error instanceof Error ? error.message : String(error) };
  } finally {
    await connection.close();
  }
}

export async function probeCluster(trust: ClusterTrust, timeoutMs = 2000): Promise<NodeHealth[]> {
  return Promise.all(([0, 1, 2] as const).map((i) => probeNode(trust, i, timeoutMs)));
}
