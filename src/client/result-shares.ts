/**
 * Collecting a result's sealed shares. The node the client talks to gathers its own share and
 * its peers' over the mesh. When that yields fewer than the two shares a result needs (a node
 * is down, so the all-or-nothing mesh is down too, or the client's own node is down), the
 * client asks each remaining node directly for its own share: any two nodes are enough.
 *
 * A node hands out its share only once the query is committed (docs/system.md, "Query
 * states"). A node that cannot tell yet (QueryPendingError: it missed the decision while the
 * mesh was down) is routed around like an unreachable one; a failed query (QueryFailedError)
 * and any other refusal are final.
 */

import type { Identity } from '../crypto/identity.js';
import { NodeUnavailableError, QueryPendingError } from '../errors.js';
import type { Collaboration, NodeConfig } from '../governance/collaboration.js';
import { ROUTES, type QueryInfo, type ResultResponse } from '../wire/api.js';
import { decodeResultFrame, type ResultParts, type SealedShareBytes } from '../wire/result-frame.js';
import type { NodeConnection } from './node-connection.js';

export interface CollectedShares {
  readonly info: QueryInfo;
  readonly shares: readonly SealedShareBytes[];
}

export async function collectResultShares(
  collaboration: Collaboration,
  identity: Identity,
  queryId: string,
  home: NodeConnection,
  connectTo: (node: NodeConfig) => NodeConnection,
): Promise<CollectedShares> {
  const shares = new Map<number, SealedShareBytes>();
  const problems: string[] = [];
  let undecided = false;
  let info: QueryInfo | undefined;
  const take = (answer: ResultResponse | Uint8Array, from?: number): void => {
    const { shares: received, missing, ...rest } = resultParts(answer);
    info ??= rest;
    for (const share of received) if (from === undefined || share.node === from) shares.set(share.node, share);
    for (const m of missing) problems.push(`node ${m.node}: ${m.reason}`);
  };

  try {
    take((await home.send<ResultResponse | Uint8Array>({ method: 'GET', path: ROUTES.result(queryId), signer: identity, acceptFrame: true })).body);
  } catch (error) {
    // Refusals (not a recipient, unknown query, failed) are final; only a node that is
    // unreachable or undecided is routed around.
    if (!routable(error)) throw error;
    undecided ||= error instanceof QueryPendingError;
    problems.push(error.message);
  }
  for (const node of collaboration.nodes) {
    if (shares.size >= 2) break;
    if (shares.has(node.index) || node.index === home.node.index) continue;
    const direct = connectTo(node);
    try {
      take((await direct.send<ResultResponse | Uint8Array>({ method: 'GET', path: ROUTES.resultShare(queryId), signer: identity, acceptFrame: true })).body, node.index);
    } catch (error) {
      if (!routable(error)) throw error;
      undecided ||= error instanceof QueryPendingError;
      problems.push(error.message);
    } finally {
      await direct.close();
    }
  }
  if (shares.size < 2 || info === undefined) {
    if (undecided) throw new QueryPendingError(`query ${queryId} cannot be opened yet: only ${shares.size} of the 3 nodes hand out their share now (${problems.join('; ')}); retry once the nodes are connected again`);
    throw new NodeUnavailableError(`only ${shares.size} of the 3 result shares could be fetched (${problems.join('; ')}); two are needed: retry when a second node is back`);
  }
  return { info, shares: [...shares.values()].sort((a, b) => a.node - b.node) };
}

function routable(error: unknown): error is NodeUnavailableError | QueryPendingError {
  return error instanceof NodeUnavailableError || error instanceof QueryPendingError;
}

/** A result answer as a frame (the envelopes as they are) or as JSON (each envelope in base64, from a node that answers only JSON). */
function resultParts(answer: ResultResponse | Uint8Array): ResultParts {
  if (answer instanceof Uint8Array) return decodeResultFrame(answer);
  return { ...answer, shares: answer.shares.map((s) => ({ node: s.node, envelope: Buffer.from(s.envelope, 'base64') })) };
}
