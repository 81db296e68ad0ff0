/**
 * Derived tables at a node (a plan's store root; docs/system.md, "Derived tables").
 *
 * Each node writes its own components of the computed table as a staged table (the uploaded-table
 * layout, node/storage/table-store.ts) whose manifest carries the lineage, including the query id.
 * The staged table then follows its query's decision and nothing else:
 *   committed → the staged table is committed (one rename: visible under its name);
 *   failed (or cancelled, or no record of the query) → it is aborted (removed).
 * The decision reaches each node as it does for any query (query-outcome.ts): the coordinator
 * writes it first, the peers hear it or ask for it when the mesh is back; every transition of a
 * query record calls `settleDerived`. At start, after the query records are opened (a query cut
 * off by the restart fails there), every staged derived table is settled the same way, so a
 * restart never leaves a table visible without its query committed, nor a committed query's
 * table invisible for longer than it takes the node to learn the decision.
 *
 * A node that is asked about a table it only holds staged (a peer that has not yet heard the
 * coordinator's commit) first asks the coordinator (`settleStagedNamed`), so a table that is
 * listed at one node is usable at all three.
 */

import { schemaToJson } from '../../table/schema.js';
import type { CheckedPlan } from '../../plan/check.js';
import type { StoredShares } from '../../ops/store.js';
import { encodeSharePayload } from '../../wire/share-payload.js';
import type { JsonValue } from '../../crypto/canonical-json.js';
import type { TableMetadata } from '../storage.js';
import type { NodeContext } from '../context.js';
import { resolveQuery } from './query-outcome.js';

const PAYLOAD_HEADER_BYTES = 12;

/** Writes this node's components of a store root's table, staged under the query (not visible). */
/** `createdAt` is the query's (assigned by its coordinator), so the lineage is the same at all three nodes. */
export async function stageDerived(ctx: NodeContext, query: string, createdAt: string, plan: CheckedPlan, requester: string, stored: StoredShares): Promise<TableMetadata> {
  const target = plan.root.store;
  if (!target) throw new RangeError('stageDerived needs a plan with a store root');
  const columns = stored.columns.map((c) => ({
    name: c.name,
    // One column in the upload payload's encoding (two components, written in full), as secret-scan.ts reads it back.
    data: encodeSharePayload({ rows: stored.rows, columns: [{ a: { kind: 'words', words: c.a }, b: { kind: 'words', words: c.b } }] }).subarray(PAYLOAD_HEADER_BYTES),
  }));
  const staged = await ctx.store.stageTable({
    name: target.table,
    schema: schemaToJson(target.schema) as unknown as JsonValue,
    owner: requester,
    rowCount: stored.rows,
    columns,
    lineage: { query, plan: plan.hash, inputs: plan.tables.map((t) => t.name), createdBy: requester, createdAt, replaced: target.replaces },
  });
  ctx.log.info({ query, table: target.table, rows: stored.rows }, 'derived table staged; it follows the query decision');
  return staged.metadata;
}

/**
 * Commits or aborts the staged derived tables of `query` (every staged derived table when
 * omitted) as the query's record here says; tables of undecided queries stay staged. Never
 * throws: a step that fails is logged and retried at the next decision or start.
 */
export async function settleDerived(ctx: Pick<NodeContext, 'store' | 'results' | 'log'>, query?: string): Promise<void> {
  const staged = ctx.store.stagedDerived().filter((s) => query === undefined || s.query === query);
  for (const s of staged) {
    try {
      const record = await ctx.results.load(s.query).catch(() => undefined);
      if (record?.phase === 'committed') {
        await ctx.store.commitTable(s.stageId);
        ctx.log.info({ query: s.query, table: s.name }, 'derived table committed');
      } else if (record === undefined || record.phase === 'failed') {
        await ctx.store.abortTable(s.stageId);
        ctx.log.info({ query: s.query, table: s.name, reason: record?.reason ?? 'no record of its query' }, 'derived table dropped: its query failed');
      }
    } catch (error) {
      ctx.log.warn({ query: s.query, table: s.name, reason: (error as Error).message }, 'could not settle a derived table; retried at the next decision or start');
    }
  }
}

/**
 * Before a table is looked up, listed or scanned here: derived tables staged under a query this
 * node has not heard the decision of are settled by asking its coordinator (only those named, or
 * all when `names` is omitted). Nothing happens when the coordinator cannot be asked.
 */
export async function settleStagedNamed(ctx: NodeContext, names?: readonly string[]): Promise<void> {
  const queries = new Set(ctx.store.stagedDerived().filter((s) => names === undefined || names.includes(s.name)).map((s) => s.query));
  for (const query of queries) {
    await resolveQuery(ctx, query).catch(() => undefined);
    await settleDerived(ctx, query);
  }
}
