/**
 * The governance routes of a node (docs/governance.md). Each node keeps its own record, so the
 * client sends scripts, approvals and revocations to every node (client/governance-client.ts);
 * every node verifies the signed statements itself and audits what it accepted, and forwards
 * what was new to its peers (node/governance/script-sync.ts), which also pull what they missed.
 *
 *   POST /v1/scripts                      { script }     signed by the script's analyst
 *   POST /v1/scripts/:hash/approvals      { statement }  signed request by any party; the statement by the approver
 *   POST /v1/scripts/:hash/revocations    { statement }
 *   GET  /v1/scripts/:hash                { script, approvals, revocations } as this node holds them
 *   GET  /v1/audit                        this node's audit log (signed; representatives, analysts and output parties)
 *   GET  /v1/results/:query/attestation   this node's signed attestation of a result (signed by a recipient)
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { readFile } from 'node:fs/promises';
import { FormatError, PermissionDeniedError, ResultNotFoundError } from '../../errors.js';
import type { ApprovalKind } from '../../governance/approval.js';
import type { SignedStatement } from '../../crypto/signed.js';
import { QUERY_ID } from '../results-store.js';
import { forwardedRequest, type NodeContext } from '../context.js';
import { resolveQuery } from './query-outcome.js';
import { GOVERNANCE_ROUTES } from '../../wire/governance-routes.js';
import { pushToPeers } from '../governance/script-sync.js';


const HASH = /^[0-9a-f]{64}$/;
const signed = { config: { gate: 'signed' } } as const;

export function registerGovernanceRoutes(app: FastifyInstance, ctx: NodeContext): void {
  const verify = (request: FastifyRequest) =>
    ctx.verifyRequest(ctx.me, { ...forwardedRequest(request.method, request.url, request.headers as Record<string, string | string[] | undefined>), body: request.rawBody ?? Buffer.alloc(0) });

  app.post(GOVERNANCE_ROUTES.scripts, signed, async (request, reply) => {
    const party = verify(request);
    const script = (request.body as { script?: unknown } | null)?.script;
    const analyst = (script as { analyst?: unknown } | null)?.analyst;
    if (analyst !== party.name) throw new PermissionDeniedError(`only the script's analyst submits it; '${party.name}' signed the request but the script names ${JSON.stringify(analyst)}`);
    const { hash, created } = await ctx.governance.book.register(script);
    if (created) {
      await ctx.governance.log.append('script', { script: hash, by: party.name });
      void pushToPeers(ctx, hash);
    }
    return reply.code(created ? 201 : 200).send({ script: hash, node: ctx.name });
  });
  for (const kind of ['approval', 'revocation'] as const) {
    app.post(`/v1/scripts/:hash/${kind === 'approval' ? 'approvals' : 'revocations'}`, signed, async (request) => statement(ctx, kind, verify(request).name, (request.params as { hash: string }).hash, request.body));
  }
  app.get('/v1/scripts/:hash', signed, async (request) => {
    verify(request);
    const hash = (request.params as { hash: string }).hash;
    const entry = HASH.test(hash) ? ctx.governance.book.get(hash) : undefined;
    if (!entry) throw new ResultNotFoundError(`no script ${hash} is registered at ${ctx.name}`);
    return { script: entry.script, approvals: [...entry.approvals.values()].map((a) => a.statement), revocations: [...entry.revoked.values()].map((a) => a.statement) };
  });
  app.get(GOVERNANCE_ROUTES.audit, signed, async () => {
    // Public facts only (no input, no result): any party of the collaboration may read them.
    return { node: ctx.name, log: await readFile(ctx.governance.log.path, 'utf8') };
  });
  app.get('/v1/results/:query/attestation', signed, async (request) => {
    const party = verify(request);
    const query = (request.params as { query: string }).query;
    if (!QUERY_ID.test(query)) throw new FormatError('not a query id');
    const view = await resolveQuery(ctx, query);
    if (!view.access?.recipients.includes(party.name)) throw new PermissionDeniedError(`'${party.name}' is not a recipient of query ${query}`);
    if (view.state !== 'done') throw new ResultNotFoundError(`query ${query} has no result at ${ctx.name} (${view.state}${view.reason ? `: ${view.reason}` : ''})`);
    const attestation = await ctx.governance.attestation(query);
    if (!attestation) throw new ResultNotFoundError(`${ctx.name} signed no attestation of query ${query} (it was computed before receipts existed)`);
    return { node: ctx.index, attestation };
  });
}

async function statement(ctx: NodeContext, kind: ApprovalKind, by: string, hash: string, body: unknown): Promise<{ statement: string; node: string }> {
  if (!HASH.test(hash)) throw new FormatError('a script is named by its hash: 64 lower-case hex digits');
  const statementJson = (body as { statement?: unknown } | null)?.statement as SignedStatement | undefined;
  if (!statementJson) throw new FormatError(`send the ${kind} as { statement }`);
  const { verified, added } = await ctx.governance.book.addStatement(kind, statementJson, hash);
  if (added) {
    await ctx.governance.log.append(kind, { script: hash, approver: verified.approver, statement: verified.hash, by });
    // Forwarded at once, so that a revocation given to one node holds at every node.
    void pushToPeers(ctx, hash);
  }
  return { statement: verified.hash, node: ctx.name };
}
