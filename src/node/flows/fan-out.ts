/**
 * Doing one step at all three nodes at once (here, and at both peers over the RPC) and telling
 * the client precisely which node failed and why.
 */

import { NodeUnavailableError, TesseraError } from '../../errors.js';
import type { PartyId } from '../../mpc/party.js';
import type { NodeContext } from '../context.js';

export interface Outcome<T> {
  readonly node: PartyId;
  readonly value?: T;
  readonly error?: Error;
}

export async function settleAtAll<L, P>(
  ctx: NodeContext,
  steps: { local: () => Promise<L>; peer: (p: PartyId) => Promise<P> },
): Promise<Outcome<L | P>[]> {
  const nodes: PartyId[] = [ctx.me, ...ctx.peers];
  const settled = await Promise.allSettled(nodes.map((n) => (n === ctx.me ? steps.local() : steps.peer(n))));
  return settled.map((s, i) =>
    s.status === 'fulfilled' ? { node: nodes[i], value: s.value } : { node: nodes[i], error: s.reason instanceof Error ? s.reason : new Error(String(s.reason)) },
  );
}

/**
 * One error for the client: the first failure's class and code (so a duplicate stays a
 * duplicate), with every failing node named in the message.
 */
export function describeFailures(ctx: NodeContext, what: string, failures: readonly Outcome<unknown>[]): Error {
  const ranked = rankFailures(failures);
  const first = ranked[0].error!;
  if (failures.length === 1 && failures[0].node === ctx.me) return first;
  const message = `${what} failed: ${failureReasons(ctx, failures)}`;
  if (first instanceof TesseraError) return withMessage(first, message);
  return new Error(message);
}

/**
 * Every failing node with its reason, most telling first: "... (node 1 (node-b)); ...". When
 * nodes failed because one node went missing, that node is named once, as the one that became
 * unreachable: when one node dies, the links of all three fail (the mesh is all or nothing), and
 * the live nodes' reports would otherwise read as if they were the ones gone.
 */
export function failureReasons(ctx: NodeContext, failures: readonly Outcome<unknown>[]): string {
  const ranked = rankFailures(failures);
  const lost = lostNode(ctx, ranked);
  // Nodes refusing for the same reason are named together: "... (node-a, node-b and node-c)".
  const byMessage = new Map<string, string[]>();
  for (const f of ranked) {
    if (lost !== undefined && rank(f.error!) === 1) continue;
    const nodes = byMessage.get(f.error!.message) ?? [];
    nodes.push(ctx.describe(f.node));
    byMessage.set(f.error!.message, nodes);
  }
  const parts = [...byMessage].map(([reason, nodes]) => `${reason} (${nodes.join(', ')})`);
  if (lost !== undefined) parts.push(`${ctx.describe(lost)} became unreachable during the request; retry once it is back`);
  return parts.join('; ');
}

/**
 * The node whose loss failed these requests, if any failed for want of a node: as a lost link
 * reported it (peers tell each other which node they lost), else as the mesh last saw it.
 */
function lostNode(ctx: NodeContext, failures: readonly Outcome<unknown>[]): PartyId | undefined {
  const unavailable = failures.map((f) => f.error!).filter((e) => rank(e) === 1);
  if (unavailable.length === 0) return undefined;
  const named = unavailable.find((e): e is NodeUnavailableError => e instanceof NodeUnavailableError && e.node !== undefined);
  return (named?.node as PartyId | undefined) ?? ctx.mesh.lostPeer;
}

/** A refusal (duplicate, bad input) says more than a node that could not be asked. */
function rankFailures(failures: readonly Outcome<unknown>[]): Outcome<unknown>[] {
  return [...failures].sort((a, b) => rank(a.error!) - rank(b.error!));
}

/**
 * A copy of `error` (same class and fields) with another message. Never the error itself: one
 * error object may be the outcome of many requests (a batch sent to a peer failed as a whole),
 * and each request's description would be prepended to the same message again and again.
 */
function withMessage(error: TesseraError, message: string): TesseraError {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as TesseraError, error);
  Object.defineProperty(copy, 'message', { value: message, writable: true, configurable: true, enumerable: false });
  if (error.stack !== undefined) Object.defineProperty(copy, 'stack', { value: error.stack, writable: true, configurable: true, enumerable: false });
  return copy;
}

function rank(error: Error): number {
  if (!(error instanceof TesseraError)) return 2;
  return ['NODE_UNAVAILABLE', 'PEER_LOST', 'PEER_TIMEOUT', 'PEER_UNREACHABLE', 'SESSION_ABORTED'].includes(error.code) ? 1 : 0;
}
