/**
 * POST /v1/plans/check: `explain()` for an analyst. The node parses and checks the plan against
 * its own tables exactly as before running a query (node/query/check-plan.ts), then answers with
 * what running it would make public and its estimated cost; no peer is involved, nothing runs,
 * nothing is recorded.
 */

import type { ForwardedRequest, NodeContext } from '../context.js';
import { checkQueryPlan, checkQueryRequest } from '../query/check-plan.js';
import type { PlanCheckResponse } from '../../wire/api.js';
import { checkDesignPlan } from '../design/design-plan.js';

export async function checkPlanOnly(ctx: NodeContext, rawBody: Uint8Array, body: unknown, request: ForwardedRequest): Promise<PlanCheckResponse> {
  const party = ctx.verifyRequest(ctx.me, { ...request, body: rawBody });
  ctx.requireRole(party, 'analyst', 'check query plans');
  const asked = checkQueryRequest(body);
  const checked = asked.design ? (await checkDesignPlan(ctx, asked)).plan : await checkQueryPlan(ctx.store, ctx.collaboration, asked, { ctx, requester: party.name });
  return {
    planHash: checked.hash,
    node: ctx.name,
    tables: checked.tables.map((t) => ({ name: t.name, kind: t.kind, rows: t.rows })),
    outputs: checked.outputs,
    recipients: checked.root.to,
    disclosures: checked.disclosures.map((d) => ({ path: d.path, what: d.what })),
    cost: { rounds: checked.cost.rounds, bytesPerParty: checked.cost.bytesPerParty },
    ...(checked.privacy ? { privacy: checked.privacy.report } : {}),
  };
}
