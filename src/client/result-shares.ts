/**
 * Collecting a result's sealed shares. The node the client talks to gathers its own share and
 * its peers' over the mesh. When that yields fewer than the two shares a result needs (a node
 * is down, so the all-or-nothing mesh is down too, or the client's own node is down), the
 * client asks each remaining node directly for its own share: any two nodes are enough.
 */

import type { Identity } from '../crypto/identity.js';
import { NodeUnavailableError } from '../errors.js';
import type { Collaboration, NodeConfig } from '../governance/collaboration.js';
import { ROUTES, type QueryInfo, type ResultResponse, type SealedShare } from '../wire/api.js';
import type { NodeConnection } from './node-connection.js';

export interface CollectedShares {
  readonly info: QueryInfo;
  readonly shares: readonly SealedShare[];
}

export async function collectResultShares(
  collaboration: Collaboration,
  identity: Identity,
  queryId: string,
  home: NodeConnection,
  connectTo: (node: NodeConfig) => NodeConnection,
): Promise<CollectedShares> {
  const shares = new Map<number, SealedShare>();
  const problems: string[] = [];
  let info: QueryInfo | undefined;
  const take = (response: ResultResponse, from?: number): void => {
    const { shares: received, missing, ...rest } = response;
    info ??= rest;
    for (const share of received) if (from === undefined || share.node === from) shares.set(share.node, share);
    for (const m of missing) problems.push(`node ${m.node}: ${m.reason}`);
  };

  try {
    take((await home.send<ResultResponse>({ method: 'GET', path: ROUTES.result(queryId), signer: identity })).body);
  } catch (error) {
    // Refusals (not a recipient, unknown query) are final; only an unreachable node is routed around.
    if (!(error instanceof NodeUnavailableError)) throw error;
    problems.push(error.message);
  }
  for (const node of collaboration.nodes) {
    if (shares.size >= 2) break;
    if (shares.has(node.index) || node.index === home.node.index) continue;
    const direct = connectTo(node);
    try {
      take((await direct.send<ResultResponse>({ method: 'GET', path: ROUTES.resultShare(queryId), signer: identity })).body, node.index);
    } catch (error) {
      if (!(error instanceof NodeUnavailableError)) throw error;
      problems.push(error.message);
    } finally {
      await direct.close();
    }
  }
  if (shares.size < 2 || info === undefined) {
    throw new NodeUnavailableError(`only ${shares.size} of the 3 result shares could be fetched (${problems.join('; ')}); two are needed: retry when a second node is back`);
  }
  return { info, shares: [...shares.values()].sort((a, b) => a.node - b.node) };
}
