/**
 * Deciding a query's outcome, and learning it (docs/system.md, "Query states").
 *
 * Every node keeps its sealed share `pending` until the outcome is decided. The coordinator
 * alone decides: `committed` once all three nodes reported their share computed and kept
 * (written here first, then sent to the peers), `failed` otherwise (likewise). A node that missed
 * the decision (it was down, or the mesh was) asks the coordinator once the three are connected
 * again, or when asked about the query. Since a node serves its share only when committed, and
 * the coordinator never commits what it has failed (nor the reverse), no failed query opens.
 */

import { IntegrityError, ProtocolError, ResultNotFoundError, TesseraError } from '../../errors.js';
import type { PartyId } from '../../mpc/party.js';
import type { QueryState } from '../../wire/api.js';
import type { NodeContext } from '../context.js';
import type { QueryAccess, QueryPhase, QueryRecord } from '../results-store.js';
import { QUERY_ID } from '../results-store.js';

/** A node's answer to `query.state`: its own record's phase. */
interface PhaseAnswer {
  readonly phase: QueryPhase | 'unknown';
  readonly coordinator?: PartyId;
  readonly reason?: string;
  readonly access?: QueryAccess;
}

/** What this node can tell of a query now. */
export interface QueryView {
  readonly query: string;
  readonly state: QueryState;
  /** Why it failed; for `running`, what it waits for. */
  readonly reason?: string;
  /** This node's record (with its share when committed). */
  readonly record?: QueryRecord;
  readonly access?: QueryAccess;
}

/** Coordinator: all three nodes computed and kept their shares. The commit is written here first: that is the decision. */
export async function commitEverywhere(ctx: NodeContext, query: string): Promise<void> {
  await ctx.results.commit(query);
  const told = await Promise.allSettled(ctx.peers.map((p) => ctx.rpc.call(p, 'query.commit', { query })));
  told.forEach((t, i) => {
    if (t.status === 'rejected') ctx.log.warn({ query, peer: ctx.peers[i], reason: (t.reason as Error).message }, 'the commit did not reach a peer; it learns it when it asks');
  });
}

/** Coordinator: the query failed. Recorded here (for good), then the peers are told, if they can be. */
export async function failEverywhere(ctx: NodeContext, query: string, reason: string, access: QueryAccess): Promise<void> {
  await ctx.results.fail(query, ctx.me, reason, { access, decided: true });
  await Promise.allSettled(ctx.peers.map((p) => ctx.rpc.call(p, 'query.abort', { query, reason })));
}

/**
 * This node's view of `query`, deciding what can be decided: a share kept pending here is
 * committed or failed as the coordinator says; a query unknown here is failed if a peer says it
 * failed. Without the mesh, an undecided query stays `running` and says what it waits for.
 */
export async function resolveQuery(ctx: NodeContext, query: string): Promise<QueryView> {
  const record = await ctx.results.load(query);
  if (record) {
    if (!ctx.results.awaitsDecision(record)) return viewOf(record);
    try {
      await learn(ctx, record, await askState(ctx, record.coordinator, query));
    } catch (error) {
      // A failure this node found on its own stands; it only lacks the coordinator's wording.
      if (record.phase === 'failed') return viewOf(record);
      const why = error instanceof TesseraError ? error.message : 'it could not be asked';
      return { ...viewOf(record), reason: `${ctx.describe(ctx.me)} computed its share and waits for the decision of ${ctx.describe(record.coordinator)}, which coordinated the query (${why})` };
    }
    return viewOf((await ctx.results.load(query)) ?? record);
  }
  const answers = await Promise.allSettled(ctx.peers.map((p) => askState(ctx, p, query)));
  const known = answers.flatMap((a, i) => (a.status === 'fulfilled' && a.value.phase !== 'unknown' ? [{ node: ctx.peers[i], ...a.value }] : []));
  const failed = known.find((a) => a.phase === 'failed');
  if (failed) {
    const reason = failed.reason ?? 'it failed';
    await ctx.results.fail(query, failed.coordinator ?? failed.node, reason, { ...(failed.access ? { access: failed.access } : {}), decided: true });
    return { query, state: 'failed', reason, ...(failed.access ? { access: failed.access } : {}) };
  }
  const committed = known.find((a) => a.phase === 'committed');
  if (committed) throw new IntegrityError(`query ${query} completed at ${ctx.describe(committed.node)}, yet ${ctx.describe(ctx.me)} holds no share of it: its data directory lost the record`);
  if (known.length > 0) {
    const access = known.find((a) => a.access)?.access;
    return { query, state: 'running', reason: `it is not decided yet (${ctx.describe(ctx.me)} has no share of it)`, ...(access ? { access } : {}) };
  }
  const unasked = answers.flatMap((a, i) => (a.status === 'rejected' ? [ctx.describe(ctx.peers[i])] : []));
  const note = unasked.length > 0 ? `, and ${unasked.join(' and ')} could not be asked now` : '';
  throw new ResultNotFoundError(`no query '${query}' is known at ${ctx.describe(ctx.me)}${note}`);
}

/** Asks pending queries' coordinators for their decisions (when the mesh is up again). */
export async function reconcileQueries(ctx: NodeContext): Promise<void> {
  for (const query of ctx.results.queriesToAsk()) {
    try {
      const view = await resolveQuery(ctx, query);
      if (view.state !== 'running') ctx.log.info({ query, state: view.state }, 'learned the outcome of a query');
    } catch (error) {
      ctx.log.warn({ query, reason: (error as Error).message }, 'could not learn the outcome of a query');
    }
  }
}

export function registerOutcomeHandlers(ctx: NodeContext): void {
  ctx.rpc.handle('query.state', async ({ body }) => {
    const record = await ctx.results.load(queryOf(body));
    const answer: PhaseAnswer = record
      ? { phase: record.phase, coordinator: record.coordinator, ...(record.reason ? { reason: record.reason } : {}), ...(record.access ? { access: record.access } : {}) }
      : { phase: 'unknown' };
    return { body: answer };
  });
  ctx.rpc.handle('query.commit', async ({ from, body }) => {
    const query = queryOf(body);
    await requireCoordinator(ctx, from, query);
    await ctx.results.commit(query);
    return { body: {} };
  });
  ctx.rpc.handle('query.abort', async ({ from, body }) => {
    const query = queryOf(body);
    await requireCoordinator(ctx, from, query);
    const reason = (body as { reason?: unknown }).reason;
    const text = typeof reason === 'string' ? reason : 'its coordinator failed it';
    ctx.jobs.get(query)?.stop(text); // still computing here (a cancel): stop now rather than at the session's timeout
    await ctx.results.fail(query, from, text, { decided: true });
    return { body: {} };
  });
}

function viewOf(record: QueryRecord): QueryView {
  const base = { query: record.query, record, ...(record.access ? { access: record.access } : {}) };
  switch (record.phase) {
    case 'committed':
      return { ...base, state: 'done' };
    case 'failed':
      return { ...base, state: 'failed', reason: record.reason ?? 'it failed' };
    case 'pending':
      return { ...base, state: 'running', reason: 'every node has computed its share; the decision is being recorded' };
    case 'running':
      return { ...base, state: 'running', reason: 'it is being computed' };
  }
}

async function askState(ctx: NodeContext, node: PartyId, query: string): Promise<PhaseAnswer> {
  const answer = (await ctx.rpc.call(node, 'query.state', { query })).body as PhaseAnswer;
  const phases: readonly unknown[] = ['unknown', 'running', 'pending', 'committed', 'failed'];
  if (typeof answer !== 'object' || answer === null || !phases.includes(answer.phase)) throw new ProtocolError(`${ctx.describe(node)} answered a query's state in an unknown form`);
  return answer;
}

/** Applies the coordinator's answer to this node's record (pending, or failed for a reason of its own). */
async function learn(ctx: NodeContext, record: QueryRecord, answer: PhaseAnswer): Promise<void> {
  if (answer.phase === 'committed' && record.phase === 'failed') throw new IntegrityError(`${ctx.describe(record.coordinator)} committed query ${record.query}, which failed at ${ctx.describe(ctx.me)}`);
  if (answer.phase === 'committed') await ctx.results.commit(record.query);
  else if (answer.phase === 'failed') await ctx.results.fail(record.query, record.coordinator, answer.reason ?? 'its coordinator failed it', { decided: true });
  else if (answer.phase === 'unknown') throw new IntegrityError(`${ctx.describe(record.coordinator)} has no record of the query it coordinated`);
  else throw new ProtocolError(`${ctx.describe(record.coordinator)} has not decided it yet`);
}

/** Only the node that coordinated a query decides it. */
async function requireCoordinator(ctx: NodeContext, from: PartyId, query: string): Promise<void> {
  const record = await ctx.results.load(query);
  if (record && record.coordinator !== from) throw new ProtocolError(`${ctx.describe(from)} did not coordinate query ${query}, so it cannot decide it`);
}

function queryOf(body: unknown): string {
  const query = (body as { query?: unknown } | null)?.query;
  if (typeof query !== 'string' || !QUERY_ID.test(query)) throw new ProtocolError('a query state message without a valid query id');
  return query;
}
