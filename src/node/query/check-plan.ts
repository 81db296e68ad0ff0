/**
 * A query request at a node: its plan parsed and checked (plan/parse.ts, plan/check.ts) against
 * this node's tables and the collaboration's parties. Every node does this on its own; the three
 * checked plans' digests are compared before any data is touched (node/storage/secret-scan.ts).
 * Only the tables the plan names are looked at, so the cost does not grow with unrelated tables;
 * a damaged table is refused with its damage (naming the table, the node, the file and why).
 */

import { FormatError, QueryError, TableNotFoundError } from '../../errors.js';
import type { Collaboration } from '../../governance/collaboration.js';
import { checkPlan, type CatalogTable, type CheckedPlan } from '../../plan/check.js';
import { scannedTables } from '../../plan/plan.js';
import { parsePlan } from '../../plan/parse.js';
import { parseSchema } from '../../table/schema.js';
import type { QueryRequest } from '../../wire/api.js';
import type { TableStore } from '../storage.js';
import type { NodeContext } from '../context.js';
import { settleStagedNamed } from '../flows/store.js';
import { storeTarget } from './store-target.js';

/** Who asks (the owner of a table a store root writes) and the node, to settle derived tables it holds staged. */
export interface PlanCheckOptions {
  readonly ctx?: NodeContext;
  readonly requester?: string;
}

/** The request's shape (the same the HTTP schema checks, for requests forwarded between nodes). */
export function checkQueryRequest(body: unknown): QueryRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FormatError('a query request is an object { plan, script?, design? } (docs/plan.md)');
  const extra = Object.keys(body).find((k) => k !== 'plan' && k !== 'script' && k !== 'design');
  if (extra !== undefined) throw new QueryError(`unknown query field '${extra}': a query request is { plan, script?, design? } (docs/plan.md)`);
  const design = (body as { design?: unknown }).design;
  if (design !== undefined && typeof design !== 'boolean') throw new QueryError('"design" must be true (run on the dummy tables) or false');
  const script = (body as { script?: unknown }).script;
  if (script !== undefined && (typeof script !== 'string' || !/^[0-9a-f]{64}$/.test(script))) throw new QueryError('"script" must be the hash of an approved script (64 hex digits; docs/governance.md)');
  return { plan: (body as { plan?: unknown }).plan, ...(script !== undefined ? { script } : {}), ...(design === true ? { design } : {}) };
}

export async function checkQueryPlan(store: TableStore, collaboration: Collaboration, request: QueryRequest, options: PlanCheckOptions = {}): Promise<CheckedPlan> {
  const plan = parsePlan(request.plan);
  // A table committed at the coordinator may still be staged here, its commit on its way.
  if (options.ctx) await settleStagedNamed(options.ctx, [...scannedTables(plan), ...(plan.root.op === 'store' ? [plan.root.table] : [])]);
  const tables = new Map<string, CatalogTable>();
  for (const name of scannedTables(plan)) {
    const listing = await store.checkedListing(name).catch((error: unknown) => {
      if (error instanceof TableNotFoundError) return undefined;
      throw error;
    });
    if (listing === undefined) continue; // refused by checkPlan, with its place in the plan
    if (listing.kind === 'damaged') throw store.damagedError(listing.name);
    const rows = listing.kind === 'table' ? listing.metadata.rowCount : listing.rowCount;
    tables.set(name, { name, kind: listing.kind, schema: parseSchema(listing.metadata.schema), rows });
  }
  const target = plan.root.op === 'store' ? await storeTarget(store, plan.root.table) : undefined;
  if (plan.root.op === 'store' && options.requester !== undefined && target === undefined) store.checkRoomFor(options.requester);
  return checkPlan(plan, {
    table: (name) => tables.get(name),
    storeTarget: () => target,
    ...(options.requester !== undefined ? { requester: options.requester } : {}),
    recipientRefusal: (name) => {
      const party = collaboration.findParty(name);
      if (!party) return `recipient '${name}' is not a party of collaboration '${collaboration.id}'`;
      if (!party.roles.includes('output')) return `recipient '${name}' cannot receive results: it does not have the 'output' role in the collaboration`;
      return undefined;
    },
  });
}
