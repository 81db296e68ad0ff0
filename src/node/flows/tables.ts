/**
 * Reading table metadata (public: names, owners, schemas, row counts) and deleting tables.
 * Listing is local (every node holds the same tables); deleting happens at all three nodes,
 * each of which checks the owner's signature on its own.
 */

import { PermissionDeniedError, TableNotFoundError } from '../../errors.js';
import type { PartyConfig } from '../../governance/collaboration.js';
import type { TableSchemaJson } from '../../table/schema.js';
import type { TableInfo } from '../../wire/api.js';
import type { TableSummary } from '../storage.js';
import { checkTableName } from '../storage/names.js';
import type { ForwardedRequest, NodeContext } from '../context.js';
import { describeFailures, settleAtAll } from './fan-out.js';

export function tableInfo(summary: TableSummary): TableInfo {
  const m = summary.metadata;
  const rows = summary.kind === 'table' ? summary.metadata.rowCount : summary.rowCount;
  return { name: m.name, kind: summary.kind, owner: m.owner, schema: m.schema as unknown as TableSchemaJson, rows, createdAt: m.createdAt };
}

export async function listTables(ctx: NodeContext): Promise<TableInfo[]> {
  return (await ctx.store.listTables()).map(tableInfo);
}

/** A committed or append table's public metadata; TableNotFoundError when there is none. */
export async function getTable(ctx: NodeContext, name: string): Promise<TableInfo> {
  checkTableName(name);
  try {
    return tableInfo({ kind: 'table', metadata: await ctx.store.tableMetadata(name) });
  } catch (error) {
    if (!(error instanceof TableNotFoundError)) throw error;
  }
  try {
    const metadata = await ctx.store.appendTableMetadata(name);
    const log = await ctx.store.appendTable(name);
    return tableInfo({ kind: 'append', metadata, rowCount: log.rowCount });
  } catch (error) {
    if (error instanceof TableNotFoundError) throw new TableNotFoundError(name, `no table named '${name}' in collaboration '${ctx.collaboration.id}'`);
    throw error;
  }
}

/** Deletes locally after checking that the signer owns the table. */
export async function deleteLocal(ctx: NodeContext, name: string, party: PartyConfig): Promise<void> {
  const info = await getTable(ctx, name);
  if (info.owner !== party.name) throw new PermissionDeniedError(`only the table's owner ('${info.owner}') may delete table '${name}'`);
  await ctx.store.deleteTable(name);
  ctx.contributions.forget(name);
}

/** DELETE /v1/tables/:name at the coordinator: checks here, then deletes at all three. */
export async function coordinateDelete(ctx: NodeContext, name: string, party: PartyConfig, request: ForwardedRequest): Promise<void> {
  const info = await getTable(ctx, name);
  if (info.owner !== party.name) throw new PermissionDeniedError(`only the table's owner ('${info.owner}') may delete table '${name}'`);
  const generation = ctx.mesh.generation;
  ctx.mesh.requireParty();
  const outcomes = await settleAtAll(ctx, {
    local: () => deleteLocal(ctx, name, party),
    peer: (p) => ctx.rpc.call(p, 'table.delete', { table: name, request }, [], { generation }),
  });
  const failures = outcomes.filter((o) => o.error && !(o.error instanceof TableNotFoundError));
  if (failures.length > 0) throw describeFailures(ctx, `deleting table '${name}'`, failures);
}

export function registerTableHandlers(ctx: NodeContext): void {
  ctx.rpc.handle('table.delete', async ({ from, body }) => {
    const b = body as { table: string; request: ForwardedRequest };
    const party = ctx.verifyForwarded(from, b.request, new Uint8Array(0));
    await deleteLocal(ctx, checkTableName(b.table), party);
    return { body: {} };
  });
}
