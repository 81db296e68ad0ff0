/**
 * Doing one step at all three nodes at once (here, and at both peers over the RPC) and telling
 * the client precisely which node failed and why.
 */

import { TesseraError } from '../../errors.js';
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
  // A refusal (duplicate, bad input) says more than a node that could not be asked.
  const ranked = [...failures].sort((a, b) => rank(a.error!) - rank(b.error!));
  const first = ranked[0].error!;
  if (failures.length === 1 && failures[0].node === ctx.me) return first;
  // Nodes refusing for the same reason are named together: "... at node-a, node-b and node-c".
  const byMessage = new Map<string, string[]>();
  for (const f of ranked) {
    const nodes = byMessage.get(f.error!.message) ?? [];
    nodes.push(ctx.describe(f.node));
    byMessage.set(f.error!.message, nodes);
  }
  const parts = [...byMessage].map(([reason, nodes]) => `${reason} (${nodes.join(', ')})`);
  const message = `${what} failed: ${parts.join('; ')}`;
  if (first instanceof TesseraError) return withMessage(first, message);
  return new Error(message);
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
