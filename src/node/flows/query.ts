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
import { FormatError, PermissionDeniedError, QueryDoneError, QueryFailedError, QueryPendingError, ResultNotFoundError } from '../../errors.js';
import type { PartyConfig } from '../../governance/collaboration.js';
import type { PartyId } from '../../mpc/party.js';
import { execute } from '../../ops/execute.js';
import type { CheckedPlan } from '../../plan/check.js';
import { resultContext, STATUS_WAIT_MAX_MS, type QueryInfo, type QueryStatus, type QuerySubmitted } from '../../wire/api.js';
import type { ResultParts, SealedShareBytes } from '../../wire/result-frame.js';
import { encodeResultShare, RESULT_SHARE_FORMAT } from '../../wire/result-payload.js';
import { checkQueryPlan, checkQueryRequest } from '../query/check-plan.js';
import { storedTableReader } from '../storage/secret-scan.js';
import { QUERY_ID, type QueryAccess, type QueryRecord } from '../results-store.js';
import type { ForwardedRequest, NodeContext } from '../context.js';
import type { Job } from '../jobs.js';
import { failureReasons, settleAtAll } from './fan-out.js';
import { QueryGovernance } from '../governance/admission.js';
import { commitEverywhere, failEverywhere, registerOutcomeHandlers, resolveQuery, type QueryView } from './query-outcome.js';
import { settleDerived, stageDerived } from './store.js';
import type { StoredTableReader } from '../../ops/table-reader.js';
import { checkDesignPlan } from '../design/design-plan.js';
import { designTableReader } from '../design/design-reader.js';

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
  const job = ctx.jobs.track(query);
  let requester: PartyConfig | undefined;
  let plan: CheckedPlan | undefined;
  let design = false;
  // The one governance step of every query at every node (admission, release, audit): docs/governance.md.
  const governance = new QueryGovernance(ctx, query);
  // The scanned columns' memory: back to the node once the outputs are sealed and stored (copies).
  const scanned = ctx.scanMemory.lease();
  try {
    const outcome = await party.run(
      sessionIdOf(query),
      async (s) => {
        job.attach(s);
        job.throwIfStopped();
        const request = admit();
        requester = request.requester;
        const checked = checkQueryRequest(request.body);
        const recipients = recipientsOf(checked.plan);
        await admitted({ requestedBy: requester.name, recipients });
        let reader: StoredTableReader;
        if (checked.design) {
          // Design mode: dummy tables only, from their own area; the table store is never read.
          const dummy = await checkDesignPlan(ctx, checked);
          design = true;
          plan = dummy.plan;
          governance.admitDesign(requester, plan, dummy.tables);
          reader = designTableReader(dummy.tables);
        } else {
          plan = await checkQueryPlan(ctx.store, ctx.collaboration, checked, { ctx, requester: requester.name });
          await governance.admit(requester, plan, checked.script);
          reader = storedTableReader(ctx.store, (p) => ctx.describe(p as PartyId), scanned);
        }
        // Marks where the MPC starts among traces of the node process (bench TESSERA_BENCH_NODE_LOGS).
        ctx.log.debug({ query }, 'query executing');
        return execute(s, plan, reader, { onProgress: (progress) => job.step(progress) });
      },
      { timeoutMs: ctx.timeouts.mpcMs },
    ).catch((error: unknown) => Promise.reject(ctx.store.noteDamage(error))); // damage found while reading: the table is damaged from now on
    if (!plan || !requester) throw new FormatError('the query was not planned');
    governance.release(outcome);
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
      resultRows: outcome.outputs.rows,
      revealed: outcome.revealed.map((r) => ({ path: r.path, fact: r.fact, value: r.value })),
      ...(plan.root.store ? { stored: plan.root.store.table } : {}),
      ...(plan.privacy ? { privacy: plan.privacy.report } : {}),
      ...(design ? { design: true as const } : {}),
    };
    const envelopes: Record<string, string> = {};
    // One share, sealed to each recipient (the receipt commits to its hash).
    const share = encodeResultShare({
      format: RESULT_SHARE_FORMAT,
      query,
      node: ctx.index,
      rows: outcome.outputs.rows,
      columns: outcome.outputs.columns.map((c) => ({ name: c.name, a: c.a, b: c.b })),
      public: { rows: outcome.rows, excluded: outcome.excluded },
    });
    for (const recipient of outcome.outputs.recipients) {
      const sender = ctx.resultSigningKey;
      const sealed = sealEnvelope(share, ctx.collaboration.encryptionKeyOf(recipient), resultContext(ctx.collaboration.id, query, recipient, ctx.index), sender ? { sender } : {});
      envelopes[recipient] = Buffer.from(sealed).toString('base64');
    }
    await governance.computed(info, outcome, share);
    if (outcome.stored) await stageDerived(ctx, query, createdAt, plan, requester.name, outcome.stored);
    // A staged derived table follows the record: failed meanwhile (a cancel), it is dropped here.
    await ctx.results.prepare(query, info, envelopes).catch(async (error: unknown) => {
      await settleDerived(ctx, query);
      throw error;
    });
    // Nothing refers to the scanned columns any more: the result share and the derived table are encoded copies.
    scanned.release();
    // reserveFreeBytes: what the node's memory reserve can still give its pools and links (docs/benchmarks.md "s13-firstq").
    ctx.log.info({ query, plan: plan.hash, tables: info.tables, rows: info.rows, excluded: info.excluded, ms: Date.now() - started, ...(ctx.reserve ? { reserveFreeBytes: ctx.reserve.freeBytes } : {}) }, 'query computed');
    return { info, envelopes };
  } catch (error) {
    if (!ctx.jobs.closing) await governance.refused(error);
    throw error;
  }
}

/**
 * POST /v1/queries at the coordinator: checks the request and the plan (a bad one is refused
 * here, before any peer hears of it), records the query (`running`) and admits it as a job
 * (queued while the node's slots are taken, refused when its queue is full). Answers at once;
 * the job computes at all three nodes and is decided in the background (`runJob`).
 */
export async function submitQuery(ctx: NodeContext, rawBody: Uint8Array, body: unknown, request: ForwardedRequest): Promise<QuerySubmitted> {
  const party = ctx.verifyRequest(ctx.me, { ...request, body: rawBody });
  ctx.requireRole(party, 'analyst', 'run queries');
  const asked = checkQueryRequest(body);
  const checked = asked.design ? (await checkDesignPlan(ctx, asked)).plan : await checkQueryPlan(ctx.store, ctx.collaboration, asked, { ctx, requester: party.name });
  ctx.mesh.requireParty();
  ctx.jobs.checkCapacity();
  const query = newQueryId();
  const createdAt = new Date().toISOString();
  const access: QueryAccess = { requestedBy: party.name, recipients: checked.root.to };
  // Recorded before any peer hears of it: after a restart this node knows what it coordinated.
  await ctx.results.begin(query, ctx.me, access);
  let job: Job;
  try {
    job = ctx.jobs.admit(query, (admitted) => runJob(ctx, admitted, { query, createdAt, party, access, rawBody, body, request }));
  } catch (error) {
    // The queue filled while the record was written: the query never ran.
    await ctx.results.fail(query, ctx.me, (error as Error).message, { access, decided: true });
    throw error;
  }
  ctx.log.info({ query, plan: checked.hash, state: job.phase }, 'query admitted');
  return { query, state: job.phase, plan: checked.hash };
}

interface JobRequest {
  readonly query: string;
  readonly createdAt: string;
  readonly party: PartyConfig;
  readonly access: QueryAccess;
  readonly rawBody: Uint8Array;
  readonly body: unknown;
  readonly request: ForwardedRequest;
}

/**
 * A job at its coordinator: has all three nodes compute and keep their shares pending, then
 * decides: committed if all three did and nobody cancelled it, failed (with the reason, at every
 * node it can reach) otherwise. A node that is stopping decides nothing: its restart fails the
 * job (results-store.ts), and the peers learn that from it.
 */
async function runJob(ctx: NodeContext, job: Job, j: JobRequest): Promise<void> {
  const { query, access } = j;
  try {
    ctx.mesh.requireParty(); // the mesh may have gone down while the job was queued
    const generation = ctx.mesh.generation;
    // No deadline on the whole query: a long plan runs as long as it needs. While this node's own
    // part runs, a silent peer fails it (mpcMs without a message); once it is over, the peers'
    // parts (the same protocol) must answer within mpcMs + rpcMs.
    const rpcTimeout = ctx.timeouts.mpcMs + ctx.timeouts.rpcMs;
    const local = runLocal(ctx, query, j.createdAt, () => ({ requester: j.party, body: j.body }), async () => undefined);
    const outcomes = await settleAtAll(ctx, {
      local: () => local,
      peer: (p) =>
        ctx.rpc
          .call(p, 'query.run', { query, createdAt: j.createdAt, request: j.request, body: Buffer.from(j.rawBody).toString('base64') }, [], { generation, timeoutMs: rpcTimeout, timeoutAfter: local })
          .then(() => undefined),
    });
    if (ctx.jobs.closing) return;
    const failures = outcomes.filter((o) => o.error);
    // A cancel names the canceller, whatever error it caused at each node.
    if (job.stopReason !== undefined || failures.length > 0) {
      const reason = job.stopReason ?? failureReasons(ctx, failures);
      await failEverywhere(ctx, query, reason, access);
      ctx.log.info({ query, reason }, 'query failed');
      return;
    }
    job.deciding = true;
    try {
      await commitEverywhere(ctx, query);
      ctx.log.info({ query, ms: Date.now() - job.admittedAt }, 'query done');
    } catch (error) {
      await failEverywhere(ctx, query, `${ctx.describe(ctx.me)} could not record the commit (${(error as Error).message})`, access);
    }
  } catch (error) {
    if (ctx.jobs.closing) return;
    const reason = job.stopReason ?? `${ctx.describe(ctx.me)} could not run the query (${(error as Error).message})`;
    await failEverywhere(ctx, query, reason, access).catch((e: unknown) => ctx.log.warn({ query, reason: (e as Error).message }, 'could not record a failed query'));
  }
}

/**
 * GET /v1/queries/:query: the query's state as this node knows it (signed by its requester or a
 * recipient), with its job while it is queued or running here. With `waitMs` (at most
 * STATUS_WAIT_MAX_MS), a query whose job is still here is answered when the job ends or after
 * `waitMs`, whichever comes first: a polling client then sees the end when it happens instead
 * of at its next ask (docs/system.md, "Jobs").
 */
export async function queryStatus(ctx: NodeContext, query: string, request: ForwardedRequest, waitMs = 0): Promise<QueryStatus> {
  const party = ctx.verifyRequest(ctx.me, { ...request, body: new Uint8Array(0) });
  let view = await resolveQuery(ctx, query);
  if (view.access && view.access.requestedBy !== party.name && !view.access.recipients.includes(party.name)) {
    throw new PermissionDeniedError(`'${party.name}' neither asked for query ${query} nor receives its result, so it may not ask about it`);
  }
  const job = waitMs > 0 && view.state === 'running' ? ctx.jobs.get(query) : undefined;
  if (job) {
    await job.endedWithin(Math.min(waitMs, STATUS_WAIT_MAX_MS));
    view = await resolveQuery(ctx, query);
  }
  return statusOf(ctx, view);
}

function statusOf(ctx: NodeContext, view: QueryView): QueryStatus {
  const job = view.state === 'running' ? ctx.jobs.get(view.query) : undefined;
  const info = view.record?.info;
  return {
    query: view.query,
    state: job?.phase === 'queued' ? 'queued' : view.state,
    ...(view.reason !== undefined ? { reason: job?.phase === 'queued' ? 'it waits for a free slot at its coordinator' : view.reason } : {}),
    ...(info ? { info } : {}),
    ...(job ? { job: job.status(ctx.jobs.position(view.query)) } : {}),
  };
}

/**
 * DELETE /v1/queries/:query (signed by its requester): cancels a queued or running query at all
 * three nodes. Asked of another node, it is forwarded to the query's coordinator, which alone
 * decides. Answers once the query has failed everywhere with the reason `cancelled by <party>`;
 * a query that already completed is refused (its result stays), a failed one is left as it is.
 */
export async function cancelQuery(ctx: NodeContext, query: string, request: ForwardedRequest): Promise<QueryStatus> {
  const party = ctx.verifyRequest(ctx.me, { ...request, body: new Uint8Array(0) });
  const coordinator = await coordinatorOf(ctx, query);
  if (coordinator === ctx.me) return cancelHere(ctx, query, party);
  return (await ctx.rpc.call(coordinator, 'query.cancel', { query, request })).body as QueryStatus;
}

async function coordinatorOf(ctx: NodeContext, query: string): Promise<PartyId> {
  const record = await ctx.results.load(query);
  if (record) return record.coordinator;
  const answers = await Promise.allSettled(ctx.peers.map((p) => ctx.rpc.call(p, 'query.state', { query })));
  for (const a of answers) {
    const coordinator = a.status === 'fulfilled' ? (a.value.body as { coordinator?: unknown }).coordinator : undefined;
    if (coordinator === 0 || coordinator === 1 || coordinator === 2) return coordinator;
  }
  throw new ResultNotFoundError(`no query '${query}' is known at ${ctx.describe(ctx.me)} or the nodes it could ask`);
}

async function cancelHere(ctx: NodeContext, query: string, party: PartyConfig): Promise<QueryStatus> {
  const record = await ctx.results.load(query);
  if (!record) throw new ResultNotFoundError(`no query '${query}' is known at ${ctx.describe(ctx.me)}`);
  if (record.access && record.access.requestedBy !== party.name) {
    throw new PermissionDeniedError(`only '${record.access.requestedBy}', who asked for query ${query}, may cancel it`);
  }
  const job = ctx.jobs.get(query);
  if (record.phase === 'committed' || job?.deciding) throw new QueryDoneError(`query ${query} already completed at every node, so it cannot be cancelled; its result stays`);
  if (record.phase !== 'failed') {
    const reason = `cancelled by ${party.name}`;
    if (ctx.jobs.dequeue(query)) {
      await failEverywhere(ctx, query, reason, record.access ?? { requestedBy: party.name, recipients: [] });
    } else if (job) {
      job.stop(reason);
      await job.ended;
    } else {
      throw new QueryPendingError(`query ${query} is being decided at ${ctx.describe(ctx.me)}; ask its state again shortly`);
    }
    ctx.log.info({ query, by: party.name }, 'query cancelled');
  }
  return statusOf(ctx, await resolveQuery(ctx, query));
}

/** GET /v1/results/:query at the coordinator: this node's share and the peers'. */
export async function collectResult(ctx: NodeContext, query: string, request: ForwardedRequest): Promise<ResultParts> {
  const { shares: own, missing: _none, ...info } = await ownResultShare(ctx, query, request);
  const shares: SealedShareBytes[] = [...own];
  const missing: { node: number; reason: string }[] = [];
  const peers = await Promise.allSettled(ctx.peers.map((p) => ctx.rpc.call(p, 'result.get', { query, request })));
  peers.forEach((outcome, i) => {
    const node = ctx.peers[i];
    if (outcome.status === 'fulfilled' && outcome.value.parts.length === 1) shares.push({ node, envelope: outcome.value.parts[0] });
    else if (outcome.status === 'fulfilled') missing.push({ node, reason: `${ctx.describe(node)} answered without its result share` });
    else missing.push({ node, reason: outcome.reason instanceof Error ? outcome.reason.message : 'unreachable' });
  });
  return { ...info, shares: shares.sort((x, y) => x.node - y.node), missing };
}

/**
 * GET /v1/results/:query/share: this node's share only, without asking the peers, so that a
 * recipient can still collect two shares node by node while one node is down (the mesh is
 * then down and no node can reach another).
 */
export async function ownResultShare(ctx: NodeContext, query: string, request: ForwardedRequest): Promise<ResultParts> {
  const party = ctx.verifyRequest(ctx.me, { ...request, body: new Uint8Array(0) });
  const record = await committedRecord(ctx, query, party);
  return { ...record.info!, shares: [{ node: ctx.index, envelope: Buffer.from(record.envelopes![party.name], 'base64') }], missing: [] };
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
    const job = ctx.jobs.track(b.query);
    try {
      await runLocal(
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
      // The coordinator only needs to know that this node computed its share and holds it
      // (pending): the share itself is handed out once the query is committed (result.get), and
      // can be far larger than a frame header.
      return { body: { computed: true } };
    } catch (error) {
      // Never reported computed, so the coordinator cannot commit it: failing it here is safe.
      // A node that is stopping records nothing: its restart fails the query (results-store.ts).
      const reason = `${ctx.describe(ctx.me)} could not compute its share (${(error as Error).message})`;
      if (recorded && !ctx.jobs.closing) await ctx.results.fail(b.query, from, reason).catch(() => undefined);
      throw error;
    } finally {
      ctx.jobs.untrack(job);
    }
  });
  ctx.rpc.handle('query.cancel', async ({ from, body }) => {
    const b = body as { query: string; request: ForwardedRequest };
    if (typeof b.query !== 'string' || !QUERY_ID.test(b.query)) throw new FormatError('a forwarded cancel needs a query id');
    const party = ctx.verifyForwarded(from, b.request, new Uint8Array(0));
    return { body: await cancelHere(ctx, b.query, party) };
  });
  ctx.rpc.handle('result.get', async ({ from, body }) => {
    const b = body as { query: string; request: ForwardedRequest };
    const party = ctx.verifyForwarded(from, b.request, new Uint8Array(0));
    const record = await committedRecord(ctx, String(b.query), party);
    // As a binary part: a result of many rows does not fit a frame header (1 MiB of JSON).
    return { body: {}, parts: [Buffer.from(record.envelopes![party.name], 'base64')] };
  });
}
