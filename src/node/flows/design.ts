/**
 * The design-mode routes of a node (docs/governance.md, "Design mode"). Dummy tables are public
 * by construction, so an owner's client sends the same dummy to every node
 * (client/design-client.ts) and each node checks and keeps it on its own, apart from the table
 * store (node/design/dummy-store.ts).
 *
 *   PUT /v1/design/tables/:name   { dummy }   an owner's dummy table (role input); audited
 *   GET /v1/design/tables                     the tables design queries see at this node
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { canonicalJson } from '../../crypto/canonical-json.js';
import { FormatError, PermissionDeniedError, SchemaError, TableNotFoundError } from '../../errors.js';
import { parseDummyTable, type DummyTableFile } from '../../design/dummy-table.js';
import { parseSchema, schemaToJson } from '../../table/schema.js';
import { DESIGN_ROUTES, type DesignTableInfo } from '../../wire/design-routes.js';
import { forwardedRequest, type NodeContext } from '../context.js';
import { designTable } from '../design/design-catalog.js';
import { checkTableName } from '../storage/names.js';

const signed = { config: { gate: 'signed' } } as const;

export function registerDesignRoutes(app: FastifyInstance, ctx: NodeContext): void {
  const verify = (request: FastifyRequest) =>
    ctx.verifyRequest(ctx.me, { ...forwardedRequest(request.method, request.url, request.headers as Record<string, string | string[] | undefined>), body: request.rawBody ?? Buffer.alloc(0) });

  app.put('/v1/design/tables/:name', signed, async (request, reply) => {
    const party = verify(request);
    ctx.requireRole(party, 'input', 'upload dummy tables');
    const name = checkTableName((request.params as { name: string }).name);
    const file = (request.body as { dummy?: unknown } | null)?.dummy;
    const dummy = parseDummyTable(file);
    if (dummy.table !== name) throw new FormatError(`the dummy table is named '${dummy.table}', not '${name}'`);
    // The name belongs to whoever owns the real table (or, without one, to the first uploader).
    const real = await ctx.store.describeTable(name).catch((error: unknown) => (error instanceof TableNotFoundError ? undefined : Promise.reject(error)));
    if (real?.kind === 'damaged') throw ctx.store.damagedError(name);
    const owner = real?.metadata.owner ?? ctx.governance.dummies.get(name)?.owner;
    if (owner !== undefined && owner !== party.name) throw new PermissionDeniedError(`table '${name}' belongs to '${owner}': only its owner uploads its dummy`);
    if (real && canonicalJson(schemaToJson(parseSchema(real.metadata.schema))) !== canonicalJson(schemaToJson(dummy.schema))) {
      throw new SchemaError(`the dummy of '${name}' must have the real table's schema (the same columns, types, declared ranges and nulls), so that a script designed on it runs on the real table`);
    }
    const before = ctx.governance.dummies.get(name);
    if (before?.dummy.digest === dummy.digest) return reply.code(200).send(info(await designTable(ctx, name)));
    await ctx.governance.dummies.put(party.name, file as DummyTableFile, dummy);
    await ctx.governance.log.append('dummy-table', { table: name, by: party.name, rows: dummy.rows, digest: dummy.digest });
    return reply.code(before ? 200 : 201).send(info(await designTable(ctx, name)));
  });

  app.get(DESIGN_ROUTES.tables, signed, async (request) => {
    verify(request);
    const names = new Set([...ctx.governance.dummies.list().map((d) => d.dummy.table)]);
    for (const listing of await ctx.store.listTables()) if (listing.kind !== 'damaged') names.add(listing.metadata.name);
    const out: DesignTableInfo[] = [];
    for (const name of [...names].sort()) {
      try {
        out.push(info(await designTable(ctx, name)));
      } catch (error) {
        const uploaded = ctx.governance.dummies.get(name);
        if (!(error instanceof SchemaError) || !uploaded) throw error;
        const d = uploaded.dummy;
        out.push({ name, owner: uploaded.owner, source: 'uploaded', rows: d.rows, schema: schemaToJson(d.schema), digest: d.digest, problem: error.message });
      }
    }
    return out;
  });
}

function info(t: Awaited<ReturnType<typeof designTable>>): DesignTableInfo {
  return { name: t.name, owner: t.owner, source: t.source, rows: t.rows, schema: schemaToJson(t.schema), digest: t.digest };
}
