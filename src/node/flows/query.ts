/**
 * Queries and results. The coordinator checks the analyst's signed request, assigns a query id
 * and forwards the request to both peers; every node checks the signature and the role on its
 * own, parses and checks the query plan on its own (node/query/check-plan.ts), and runs it
 * (ops/execute.ts) in the session derived from the query id.
 * Each node then seals its result components to every recipient and keeps them pending; the
 * coordinator commits the query once all three have (query-outcome.ts), and only then do the
 * nodes hand the shares to a recipient (signed request, through any node).
 */

import { createHash, randomBytes } from 'node:crypto';
import { sealEnvelope } from '../../crypto/envelope.js';
import { FormatError, PermissionDeniedError, QueryFailedError, QueryPendingError } from '../../errors.js';
import type { PartyConfig } from '../../governance/collaboration.js';
import type { PartyId } from '../../mpc/party.js';
import { execute } from '../../ops/execute.js';
import type { CheckedPlan } from '../../plan/check.js';
import { resultContext, type QueryInfo, type QueryResponse, type QueryStatus, type ResultResponse, type SealedShare } from '../../wire/api.js';
import { encodeResultShare, RESULT_SHARE_FORMAT } from '../../wire/result-payload.js';
import { checkQueryPlan, checkQueryRequest } from '../query/check-plan.js';
import { storedTableReader } from '../storage/secret-scan.js';
import { QUERY_ID, type QueryAccess, type QueryRecord } from '../results-store.js';
import type { ForwardedRequest, NodeContext } from '../context.js';
import { describeFailures, failureReasons, settleAtAll } from './fan-out.js';
import { commitEverywhere, failEverywhere, registerOutcomeHandlers, resolveQuery, type QueryView } from './query-outcome.js';

/**
 * Who may open the result, read before the plan is checked (the query is recorded with them
 * first, so a failure is reported to them); parsePlan checks the same field again.
 */
function recipientsOf(plan: unknown): string[] {
  const to = (plan as { root?: { to?: unknown } } | null)?.root?.to;
  return Array.isArray(to) ? [...new Set(to.filter((r): r is string => typeof r === 'string'))] : [];
}

/** The 64-bit MPC session id all three nodes derive from the query id. */
export function sessionIdOf(query: string): bigint {
  return createHash('sha256').update('tessera/query-session/v1\0').update(query).digest().readBigUInt64LE(0) | 1n;
}

function newQueryId(): string {
  return `q-${randomBytes(12).toString('hex')}`;
}

function parseJson(raw: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    throw new FormatError('the request body is not JSON');
  }
}

/**
 * Checks (`admit`), records the query (`admitted`), plans, computes, seals and keeps the shares
 * pending; returns the public facts and the sealed shares by recipient. Everything runs inside
 * the query's session, so a node that refuses the query (bad signature, a table missing) stops
 * its peers at once instead of leaving them waiting.
 */
async function runLocal(
  ctx: NodeContext,
  query: string,
  createdAt: string,
  admit: () => { requester: PartyConfig; body: unknown },
  admitted: (access: QueryAccess) => Promise<void>,
): Promise<{ info: QueryInfo; envelopes: Record<string, string> }> {
  const party = ctx.mesh.requireParty();
  const started = Date.now();
  let requester: PartyConfig | undefined;
  let plan: CheckedPlan | undefined;
  const outcome = await party.run(
    sessionIdOf(query),
    async (s) => {
      const request = admit();
      requester = request.requester;
      const checked = checkQueryRequest(request.body);
      const recipients = recipientsOf(checked.plan);
      await admitted({ requestedBy: requester.name, recipients });
      plan = await checkQueryPlan(ctx.store, ctx.collaboration, checked);
      return execute(s, plan, storedTableReader(ctx.store, (p) => ctx.describe(p as PartyId)));
    },
    { timeoutMs: ctx.timeouts.mpcMs },
  ).catch((error: unknown) => Promise.reject(ctx.store.noteDamage(error))); // damage found while reading: the table is damaged from now on
  if (!plan || !requester) throw new FormatError('the query was not planned');
  const info: QueryInfo = {
    query,
    plan: plan.hash,
    outputs: plan.outputs,
    tables: plan.tables.map((t) => t.name),
    recipients: plan.root.to,
    requestedBy: requester.name,
    createdAt,
    rows: outcome.rows,
    excluded: outcome.excluded,
  };
  const envelopes: Record<string, string> = {};
  for (const recipient of outcome.outputs.recipients) {
    const share = encodeResultShare({
      format: RESULT_SHARE_FORMAT,
      query,
      node: ctx.index,
      values: outcome.outputs.values.map((v) => ({ name: v.name, a: v.a.toString(), b: v.b.toString() })),
      public: { rows: outcome.rows, excluded: outcome.excluded },
    });
    const sender = ctx.resultSigningKey;
    const sealed = sealEnvelope(share, ctx.collaboration.encryptionKeyOf(recipient), resultContext(ctx.collaboration.id, query, recipient, ctx.index), sender ? { sender } : {});
    envelopes[recipient] = Buffer.from(sealed).toString('base64');
  }
  await ctx.results.prepare(query, info, envelopes);
  ctx.log.info({ query, plan: plan.hash, tables: info.tables, rows: info.rows, excluded: info.excluded, ms: Date.now() - started }, 'query computed');
  return { info, envelopes };
}

/**
 * POST /v1/queries at the coordinator: records the query, has all three nodes compute and keep
 * their shares pending, then decides: committed if all three did, failed (with the reason, at
 * every node it can reach) otherwise.
 */
export async function coordinateQuery(ctx: NodeContext, rawBody: Uint8Array, body: unknown, request: ForwardedRequest): Promise<QueryResponse> {
  const party = ctx.verifyRequest(ctx.me, { ...request, body: rawBody });
  ctx.requireRole(party, 'analyst', 'run queries');
  // Fail on a bad request here, before the peers are involved.
  const checked = await checkQueryPlan(ctx.store, ctx.collaboration, checkQueryRequest(body));
  ctx.mesh.requireParty();
  const generation = ctx.mesh.generation;
  const query = newQueryId();
  const createdAt = new Date().toISOString();
  const access: QueryAccess = { requestedBy: party.name, recipients: checked.root.to };
  // Recorded before any peer hears of it: after a restart this node knows what it coordinated.
  await ctx.results.begin(query, ctx.me, access);
  const rpcTimeout = ctx.timeouts.mpcMs + ctx.timeouts.rpcMs;
  const outcomes = await settleAtAll(ctx, {
    local: () => runLocal(ctx, query, createdAt, () => ({ requester: party, body }), async () => undefined),
    peer: (p) =>
      ctx.rpc
        .call(p, 'query.run', { query, createdAt, request, body: Buffer.from(rawBody).toString('base64') }, [], { generation, timeoutMs: rpcTimeout })
        .then((r) => r.body as { envelope?: string }),
  });
  const failures = outcomes.filter((o) => o.error);
  if (failures.length > 0) {
    await failEverywhere(ctx, query, failureReasons(ctx, failures), access);
    throw describeFailures(ctx, `query ${query}`, failures);
  }
  try {
    await commitEverywhere(ctx, query);
  } catch (error) {
    const reason = `${ctx.describe(ctx.me)} could not record the commit (${(error as Error).message})`;
    await failEverywhere(ctx, query, reason, access);
    throw new QueryFailedError(`query ${query} failed and has no result: ${reason}`);
  }
  const local = outcomes.find((o) => o.node === ctx.me)!.value as { info: QueryInfo; envelopes: Record<string, string> };
  const response: QueryResponse = { ...local.info, state: 'done' };
  if (local.info.recipients.includes(party.name)) {
    const shares: SealedShare[] = outcomes.map((o) =>
      o.node === ctx.me ? { node: o.node, envelope: local.envelopes[party.name] } : { node: o.node, envelope: (o.value as { envelope?: string }).envelope ?? '' },
    );
    return { ...response, shares: shares.filter((s) => s.envelope !== '').sort((x, y) => x.node - y.node) };
  }
  return response;
}

/** GET /v1/queries/:query: the query's state as this node knows it (signed by its requester or a recipient). */
export async function queryStatus(ctx: NodeContext, query: string, request: ForwardedRequest): Promise<QueryStatus> {
  const party = ctx.verifyRequest(ctx.me, { ...request, body: new Uint8Array(0) });
  const view = await resolveQuery(ctx, query);
  if (view.access && view.access.requestedBy !== party.name && !view.access.recipients.includes(party.name)) {
    throw new PermissionDeniedError(`'${party.name}' neither asked for query ${query} nor receives its result, so it may not ask about it`);
  }
  const info = view.record?.info;
  return { query, state: view.state, ...(view.reason !== undefined ? { reason: view.reason } : {}), ...(info ? { info } : {}) };
}

/** GET /v1/results/:query at the coordinator: this node's share and the peers'. */
export async function collectResult(ctx: NodeContext, query: string, request: ForwardedRequest): Promise<ResultResponse> {
  const { shares: own, missing: _none, ...info } = await ownResultShare(ctx, query, request);
  const shares: SealedShare[] = [...own];
  const missing: { node: number; reason: string }[] = [];
  const peers = await Promise.allSettled(ctx.peers.map((p) => ctx.rpc.call(p, 'result.get', { query, request })));
  peers.forEach((outcome, i) => {
    const node = ctx.peers[i];
    if (outcome.status === 'fulfilled') shares.push({ node, envelope: String((outcome.value.body as { envelope: string }).envelope) });
    else missing.push({ node, reason: outcome.reason instanceof Error ? outcome.reason.message : 'unreachable' });
  });
  return { ...info, shares: shares.sort((x, y) => x.node - y.node), missing };
}

/**
 * GET /v1/results/:query/share: this node's share only, without asking the peers, so that a
 * recipient can still collect two shares node by node while one node is down (the mesh is
 * then down and no node can reach another).
 */
export async function ownResultShare(ctx: NodeContext, query: string, request: ForwardedRequest): Promise<ResultResponse> {
  const party = ctx.verifyRequest(ctx.me, { ...request, body: new Uint8Array(0) });
  const record = await committedRecord(ctx, query, party);
  return { ...record.info!, shares: [{ node: ctx.index, envelope: record.envelopes![party.name] }], missing: [] };
}

/**
 * This node's record of `query` if the query is committed and `party` a recipient; a failed
 * query is refused with its reason, an undecided one with what it waits for.
 */
async function committedRecord(ctx: NodeContext, query: string, party: PartyConfig): Promise<QueryRecord> {
  const view: QueryView = await resolveQuery(ctx, query);
  if (view.access && !view.access.recipients.includes(party.name)) {
    throw new PermissionDeniedError(`'${party.name}' is not a recipient of query ${query}; only ${view.access.recipients.map((r) => `'${r}'`).join(', ')} may open it`);
  }
  if (view.state === 'failed') throw new QueryFailedError(`query ${query} failed, so it has no result (at any node): ${view.reason ?? 'no reason was recorded'}`);
  if (view.state === 'running' || !view.record?.info || !view.record.envelopes) {
    throw new QueryPendingError(`query ${query} is not decided yet at ${ctx.describe(ctx.me)}: ${view.reason ?? 'it is running'}; its result opens once it is, retry shortly`);
  }
  return view.record;
}

export function registerQueryHandlers(ctx: NodeContext): void {
  registerOutcomeHandlers(ctx);
  ctx.rpc.handle('query.run', async ({ from, body }) => {
    const b = body as { query: string; createdAt: string; request: ForwardedRequest; body: string };
    if (typeof b.query !== 'string' || !QUERY_ID.test(b.query) || typeof b.createdAt !== 'string') throw new FormatError('a forwarded query needs its id and time');
    const raw = Buffer.from(String(b.body), 'base64');
    let requester: PartyConfig | undefined;
    let recorded = false;
    try {
      const { info, envelopes } = await runLocal(
        ctx,
        b.query,
        b.createdAt,
        () => {
          requester = ctx.verifyForwarded(from, b.request, raw);
          ctx.requireRole(requester, 'analyst', 'run queries');
          return { requester, body: parseJson(raw) };
        },
        async (access) => {
          await ctx.results.begin(b.query, from, access);
          recorded = true;
        },
      );
      const party = requester!;
      return { body: info.recipients.includes(party.name) ? { envelope: envelopes[party.name] } : {} };
    } catch (error) {
      // Never reported computed, so the coordinator cannot commit it: failing it here is safe.
      const reason = `${ctx.describe(ctx.me)} could not compute its share (${(error as Error).message})`;
      if (recorded) await ctx.results.fail(b.query, from, reason).catch(() => undefined);
      throw error;
    }
  });
  ctx.rpc.handle('result.get', async ({ from, body }) => {
    const b = body as { query: string; request: ForwardedRequest };
    const party = ctx.verifyForwarded(from, b.request, new Uint8Array(0));
    const record = await committedRecord(ctx, String(b.query), party);
    return { body: { envelope: record.envelopes![party.name] } };
  });
}
