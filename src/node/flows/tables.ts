/**
 * Reading table metadata (public: names, owners, schemas, row counts) and deleting tables.
 * Listing is local (every node holds the same tables; a table damaged at this node is listed as
 * damaged); deleting happens at all three nodes, each of which checks the owner's signature on
 * its own.
 *
 * Who may delete a damaged table. A node whose copy's manifest (or meta file) does not open has
 * no authenticated record of the owner there. It then accepts the owner's signed delete only when
 * the peers that still hold a healthy copy name the signer as owner (at least one such peer, and
 * none naming anyone else): the signature proves who asks, the healthy copies prove whose table
 * it is. To keep a healthy copy around for exactly that, the coordinator deletes the damaged
 * copies first and the healthy ones last; a delete interrupted anywhere can be repeated, and a
 * delete finds the table wherever it is still present (TABLE_NOT_FOUND only when no node has it).
 * Damaged copies whose owner no node can name any more are refused with a reason; the node's
 * operator removes them (docs/storage.md, "Damaged tables").
 */

import { PermissionDeniedError, TableNotFoundError } from '../../errors.js';
import type { PartyConfig } from '../../governance/collaboration.js';
import type { PartyId } from '../../mpc/party.js';
import type { TableSchemaJson } from '../../table/schema.js';
import type { ListedTable, TableInfo } from '../../wire/api.js';
import type { TableListing, TableSummary } from '../storage.js';
import { checkTableName } from '../storage/names.js';
import type { ForwardedRequest, NodeContext } from '../context.js';
import { describeFailures, settleAtAll, type Outcome } from './fan-out.js';
import { settleStagedNamed } from './store.js';

export function tableInfo(summary: TableSummary): TableInfo {
  const m = summary.metadata;
  const rows = summary.kind === 'table' ? summary.metadata.rowCount : summary.rowCount;
  const lineage = summary.kind === 'table' ? summary.metadata.lineage : undefined;
  return { name: m.name, kind: summary.kind, owner: m.owner, schema: m.schema as unknown as TableSchemaJson, rows, createdAt: m.createdAt, ...(lineage ? { lineage } : {}) };
}

function listedTable(ctx: NodeContext, listing: TableListing): ListedTable {
  if (listing.kind !== 'damaged') return tableInfo(listing);
  const d = listing.damage;
  return { name: listing.name, kind: d.kind, damaged: { node: ctx.describe(ctx.me), file: d.file, reason: d.reason }, ...(d.owner !== undefined ? { owner: d.owner } : {}) };
}

export async function listTables(ctx: NodeContext): Promise<ListedTable[]> {
  await settleStagedNamed(ctx);
  return (await ctx.store.listTables()).map((listing) => listedTable(ctx, listing));
}

/** A committed or append table's public metadata; TableNotFoundError when there is none, the damage when damaged. */
export async function getTable(ctx: NodeContext, name: string): Promise<TableInfo> {
  checkTableName(name);
  await settleStagedNamed(ctx, [name]);
  const listing = await ctx.store.describeTable(name).catch((error: unknown) => {
    if (error instanceof TableNotFoundError) throw new TableNotFoundError(name, `no table named '${name}' in collaboration '${ctx.collaboration.id}'`);
    throw error;
  });
  if (listing.kind === 'damaged') throw ctx.store.damagedError(name);
  return tableInfo(listing);
}

/** What one node holds under a name; public, asked with `table.status`. */
export interface TableStatus {
  readonly committed: boolean;
  /** The copy here failed its integrity check (listed, never used). */
  readonly damaged?: boolean;
  /** Known for healthy copies, and for damaged ones whose owner record is still authenticated. */
  readonly owner?: string;
  readonly rows?: number;
}

/** This node's status of a table (as answered to peers asking with `table.status`). */
export async function localTableStatus(ctx: NodeContext, name: string): Promise<TableStatus> {
  // A derived table committed at its query's coordinator may still be staged here (store.ts).
  await settleStagedNamed(ctx, [name]);
  const deciding = ctx.committing.get(name);
  if (deciding) return { committed: true, owner: deciding.owner, rows: deciding.rows };
  let listing: TableListing;
  try {
    listing = await ctx.store.describeTable(name);
  } catch (error) {
    if (error instanceof TableNotFoundError) return { committed: false };
    throw error;
  }
  if (listing.kind === 'damaged') return { committed: true, damaged: true, ...(listing.damage.owner !== undefined ? { owner: listing.damage.owner } : {}) };
  return { committed: true, owner: listing.metadata.owner, rows: listing.kind === 'table' ? listing.metadata.rowCount : listing.rowCount };
}

async function peerStatuses(ctx: NodeContext, name: string): Promise<Outcome<TableStatus>[]> {
  return Promise.all(
    ctx.peers.map((p) =>
      ctx.rpc.call(p, 'table.status', { table: name }).then(
        (r): Outcome<TableStatus> => ({ node: p, value: r.body as TableStatus }),
        (error: unknown): Outcome<TableStatus> => ({ node: p, error: error instanceof Error ? error : new Error(String(error)) }),
      ),
    ),
  );
}

/**
 * Deletes locally after checking that the signer owns the table: from this node's own record,
 * or, for a damaged copy without one, from the healthy copies at the peers (module comment).
 */
export async function deleteLocal(ctx: NodeContext, name: string, party: PartyConfig): Promise<void> {
  const here = await localTableStatus(ctx, name);
  if (!here.committed) throw new TableNotFoundError(name, `no table named '${name}' at ${ctx.describe(ctx.me)}`);
  if (here.owner !== undefined) {
    if (here.owner !== party.name) throw new PermissionDeniedError(`only the table's owner ('${here.owner}') may delete table '${name}'`);
  } else {
    const answers = await peerStatuses(ctx, name);
    const failed = answers.filter((a) => a.error);
    if (failed.length > 0) throw describeFailures(ctx, `establishing the owner of damaged table '${name}'`, failed);
    const owners = answers.filter((a) => a.value!.committed && !a.value!.damaged && a.value!.owner !== undefined).map((a) => a.value!.owner!);
    if (owners.length === 0) {
      throw new PermissionDeniedError(
        `table '${name}' is damaged at ${ctx.describe(ctx.me)} and no node holds an intact record of its owner, so no party can prove it may delete it; ` +
          `the operator of ${ctx.describe(ctx.me)} removes it (docs/storage.md, "Damaged tables")`,
      );
    }
    const other = owners.find((o) => o !== party.name);
    if (other !== undefined) throw new PermissionDeniedError(`only the table's owner ('${other}') may delete table '${name}'`);
  }
  await ctx.store.deleteTable(name);
  ctx.contributions.forget(name);
}

/**
 * DELETE /v1/tables/:name at the coordinator: asks every node what it holds, checks the owner,
 * then deletes the damaged copies, then the healthy ones (module comment).
 */
export async function coordinateDelete(ctx: NodeContext, name: string, party: PartyConfig, request: ForwardedRequest): Promise<void> {
  checkTableName(name);
  ctx.mesh.requireParty();
  const generation = ctx.mesh.generation;
  const statuses = await settleAtAll(ctx, {
    local: () => localTableStatus(ctx, name),
    peer: (p) => ctx.rpc.call(p, 'table.status', { table: name }, [], { generation }).then((r) => r.body as TableStatus),
  });
  const unknown = statuses.filter((o) => o.error);
  if (unknown.length > 0) throw describeFailures(ctx, `deleting table '${name}' (nothing was deleted)`, unknown);
  const holders = statuses.filter((o) => o.value!.committed);
  if (holders.length === 0) throw new TableNotFoundError(name, `no table named '${name}' in collaboration '${ctx.collaboration.id}'`);
  const owner = holders.map((o) => o.value!.owner).find((o) => o !== undefined && o !== party.name);
  if (owner !== undefined) throw new PermissionDeniedError(`only the table's owner ('${owner}') may delete table '${name}'`);

  const deleteAt = async (nodes: readonly PartyId[]): Promise<void> => {
    if (nodes.length === 0) return;
    const outcomes = await Promise.all(
      nodes.map((node) =>
        (node === ctx.me ? deleteLocal(ctx, name, party) : ctx.rpc.call(node, 'table.delete', { table: name, request }, [], { generation })).then(
          (): Outcome<void> => ({ node }),
          (error: unknown): Outcome<void> => ({ node, error: error instanceof Error ? error : new Error(String(error)) }),
        ),
      ),
    );
    const failures = outcomes.filter((o) => o.error && !(o.error instanceof TableNotFoundError));
    if (failures.length > 0) throw describeFailures(ctx, `deleting table '${name}'`, failures);
  };
  await deleteAt(holders.filter((o) => o.value!.damaged).map((o) => o.node));
  await deleteAt(holders.filter((o) => !o.value!.damaged).map((o) => o.node));
}

export function registerTableHandlers(ctx: NodeContext): void {
  ctx.rpc.handle('table.delete', async ({ from, body }) => {
    const b = body as { table: string; request: ForwardedRequest };
    const party = ctx.verifyForwarded(from, b.request, new Uint8Array(0));
    await deleteLocal(ctx, checkTableName(b.table), party);
    return { body: {} };
  });
}
