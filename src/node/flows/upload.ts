/**
 * Uploading a table: stage at all three nodes, then commit at all three, else abort everywhere.
 *
 * The coordinator (the node the client sent the frame to) checks the client's signature and
 * role, stages its own share, and hands each peer the frame header, the digests of all three
 * envelopes and that peer's own envelope; each peer checks the same signature (against the
 * coordinator's name as audience) and the same header on its own before staging. Only when all
 * three have staged does the coordinator commit, first deciding (so that a node that lost the
 * commit message commits when it reconnects: `reconcileStaged`), otherwise it aborts.
 */

import { createHash } from 'node:crypto';
import { openEnvelope } from '../../crypto/envelope.js';
import { FormatError, NodeUnavailableError, StorageCorruptionError, TableNotFoundError } from '../../errors.js';
import type { PartyConfig } from '../../governance/collaboration.js';
import type { PartyId } from '../../mpc/party.js';
import { encodedColumnNames, parseSchema, schemaToJson, type TableSchemaJson } from '../../table/schema.js';
import { uploadContext, type TableInfo, type UploadHeader } from '../../wire/api.js';
import { decodeFrame, frameHeaderBytes, frameSigningBytes, partDigests } from '../../wire/frames.js';
import { splitPayloadColumns } from '../../wire/share-payload.js';
import type { JsonValue } from '../../crypto/canonical-json.js';
import type { StagedTable } from '../storage.js';
import { checkTableName } from '../storage/names.js';
import type { ForwardedRequest, NodeContext } from '../context.js';
import { describeFailures, settleAtAll } from './fan-out.js';
import { localTableStatus, tableInfo, type TableStatus } from './tables.js';

const UPLOAD_ID = /^[A-Za-z0-9_-]{16,64}$/;
/** Rows of one upload: enough for any table a single request should carry. */
const MAX_ROWS = 2 ** 32;

interface CheckedUpload {
  readonly upload: string;
  readonly schema: TableSchemaJson;
  readonly rows: number;
  readonly columns: readonly string[];
}

/** Checks an upload header (the same checks at every node). */
export function checkUploadHeader(header: unknown, parts: number): CheckedUpload {
  const h = header as Partial<UploadHeader> | null;
  if (!h || typeof h !== 'object' || h.format !== 'tessera-upload/v1') throw new FormatError("the upload header's format must be 'tessera-upload/v1' (send uploads with the Tessera client)");
  if (typeof h.upload !== 'string' || !UPLOAD_ID.test(h.upload)) throw new FormatError('the upload id must be 16-64 characters of letters, digits, - or _');
  const schema = parseSchema(h.schema);
  if (typeof h.rows !== 'number' || !Number.isSafeInteger(h.rows) || h.rows < 1 || h.rows > MAX_ROWS) throw new FormatError(`an upload must have 1 to ${MAX_ROWS} rows`);
  const columns = encodedColumnNames(schema);
  if (!Array.isArray(h.columns) || h.columns.length !== columns.length || h.columns.some((c, i) => c !== columns[i])) {
    throw new FormatError(`the upload's encoded columns must be ${columns.join(', ')} (the schema's columns, each nullable one followed by its validity column)`);
  }
  if (parts !== 3) throw new FormatError(`an upload carries 3 envelopes, one per node; this one has ${parts}`);
  return { upload: h.upload, schema: schemaToJson(schema), rows: h.rows, columns };
}

/** Opens this node's envelope and stages its share of the table. */
async function stageLocal(ctx: NodeContext, name: string, upload: CheckedUpload, owner: PartyConfig, envelope: Uint8Array): Promise<StagedTable> {
  const { payload } = openEnvelope(envelope, ctx.identity.encryptionPrivateKey, uploadContext(ctx.collaboration.id, name, upload.upload, ctx.index));
  try {
    const columns = splitPayloadColumns(payload, { columns: upload.columns.length, rows: upload.rows });
    const staged = await ctx.store.stageTable({
      name,
      schema: upload.schema as unknown as JsonValue,
      owner: owner.name,
      rowCount: upload.rows,
      columns: columns.map((data, i) => ({ name: upload.columns[i], data })),
    });
    ctx.stagedAt.set(staged.stageId, ctx.mesh.generation);
    return staged;
  } finally {
    payload.fill(0);
  }
}

interface StageReply {
  readonly stageId: string;
}

/** PUT /v1/tables/:name at the coordinator. */
export async function coordinateUpload(ctx: NodeContext, name: string, body: Uint8Array, request: ForwardedRequest): Promise<TableInfo> {
  checkTableName(name);
  const frame = decodeFrame(body, 'upload body');
  const headerBytes = frameHeaderBytes(body);
  const digests = partDigests(frame.parts);
  const party = ctx.verifyRequest(ctx.me, { ...request, body: frameSigningBytes(headerBytes, digests) });
  ctx.requireRole(party, 'input', 'upload tables');
  const upload = checkUploadHeader(frame.header, frame.parts.length);
  ctx.mesh.requireParty();
  const generation = ctx.mesh.generation;
  const digestBytes = encodeDigests(digests);

  ctx.inFlight.add(name);
  try {
    const staged = await settleAtAll(ctx, {
      local: () => stageLocal(ctx, name, upload, party, frame.parts[ctx.me]),
      peer: (p) =>
        ctx.rpc.call(p, 'upload.stage', { table: name, request }, [headerBytes, digestBytes, frame.parts[p]], { generation }).then((r) => r.body as StageReply),
    });
    const stageIds = new Map<PartyId, string>();
    for (const o of staged) if (o.value) stageIds.set(o.node, o.value.stageId);
    const failures = staged.filter((o) => o.error);
    if (failures.length > 0 || ctx.mesh.generation !== generation || !ctx.mesh.isUp) {
      await abortEverywhere(ctx, stageIds, generation);
      if (failures.length > 0) throw describeFailures(ctx, `uploading table '${name}'`, failures);
      throw new NodeUnavailableError(`the connection between the nodes was lost while table '${name}' was being uploaded; nothing was stored, upload it again`);
    }
    // The decision is made: from here on the table is committed, wherever a message is lost.
    const localStage = stageIds.get(ctx.me)!;
    ctx.committing.set(name, { owner: party.name, rows: upload.rows });
    const committed = await settleAtAll(ctx, {
      local: () => ctx.store.commitTable(localStage),
      peer: (p) => ctx.rpc.call(p, 'upload.commit', { stageId: stageIds.get(p) }, [], { generation }),
    });
    const commitFailures = committed.filter((o) => o.error);
    if (commitFailures.length > 0) {
      const where = commitFailures.map((f) => ctx.describe(f.node)).join(' and ');
      ctx.log.warn({ table: name, nodes: commitFailures.map((f) => f.node) }, 'upload committed, but not confirmed by every node; they complete it when they reconnect');
      throw new NodeUnavailableError(
        `table '${name}' was stored, but ${where} did not confirm it (${commitFailures[0].error!.message}); it completes the upload by itself when it is reachable again: check with listTables before uploading again`,
      );
    }
    return tableInfo({ kind: 'table', metadata: committed[0].value as Awaited<ReturnType<typeof ctx.store.commitTable>> });
  } finally {
    ctx.inFlight.delete(name);
    ctx.committing.delete(name);
  }
}

async function abortEverywhere(ctx: NodeContext, stageIds: ReadonlyMap<PartyId, string>, generation: number): Promise<void> {
  await Promise.allSettled(
    [...stageIds].map(([node, stageId]) =>
      node === ctx.me ? ctx.store.abortTable(stageId) : ctx.rpc.call(node, 'upload.abort', { stageId }, [], { generation }),
    ),
  );
}

function encodeDigests(digests: readonly { length: number; sha256: Uint8Array }[]): Uint8Array {
  const out = new Uint8Array(digests.length * 40);
  const v = new DataView(out.buffer);
  digests.forEach((d, i) => {
    v.setFloat64(i * 40, d.length, true);
    out.set(d.sha256, i * 40 + 8);
  });
  return out;
}

function decodeDigests(bytes: Uint8Array): { length: number; sha256: Uint8Array }[] {
  if (bytes.byteLength !== 120) throw new FormatError('a forwarded upload must carry the digests of three envelopes');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [0, 1, 2].map((i) => ({ length: v.getFloat64(i * 40, true), sha256: bytes.subarray(i * 40 + 8, i * 40 + 40) }));
}

/**
 * After the mesh comes up: every table this node staged on an earlier mesh (or before a
 * restart) is committed if a peer committed it, and aborted if none did.
 */
export async function reconcileStaged(ctx: NodeContext, generation: number): Promise<void> {
  for (const staged of ctx.store.listStaged()) {
    if ('metadata' in staged && staged.metadata.lineage !== undefined) continue; // a derived table follows its query (store.ts)
    const name = 'metadata' in staged ? staged.metadata.name : staged.name;
    const at = ctx.stagedAt.get(staged.stageId);
    if (ctx.inFlight.has(name) || (at !== undefined && at >= generation)) continue;
    const answers = await Promise.all(
      ctx.peers.map((p) => ctx.rpc.call(p, 'table.status', { table: name }, [], { generation }).then((r) => r.body as TableStatus)),
    );
    // A staged copy whose manifest is damaged here cannot be compared: any committed copy
    // elsewhere (the name was free at all three when this upload staged) decides the commit, and
    // the table is then committed as damaged here, to be listed and deleted like any damaged table.
    const committedElsewhere =
      'metadata' in staged
        ? answers.some((a) => a.committed && !a.damaged && a.owner === staged.metadata.owner && a.rows === staged.metadata.rowCount)
        : answers.some((a) => a.committed);
    if (committedElsewhere) {
      try {
        await ctx.store.commitTable(staged.stageId);
        ctx.log.info({ table: name }, 'completed an upload that the other nodes had committed');
      } catch (error) {
        if (!(error instanceof StorageCorruptionError)) throw error;
        ctx.log.warn({ table: name, error: error.message }, 'completed an upload that the other nodes had committed, but the copy here is damaged');
      }
    } else {
      await ctx.store.abortTable(staged.stageId);
      ctx.log.info({ table: name }, 'dropped an upload that no other node committed');
    }
    ctx.stagedAt.delete(staged.stageId);
  }
}

export function registerUploadHandlers(ctx: NodeContext): void {
  ctx.rpc.handle('upload.stage', async ({ from, body, parts }) => {
    const b = body as { table: string; request: ForwardedRequest };
    const name = checkTableName(b.table);
    if (parts.length !== 3) throw new FormatError('a forwarded upload has three parts');
    const [headerBytes, digestBytes, envelope] = parts;
    const digests = decodeDigests(digestBytes);
    const mine = digests[ctx.me];
    if (mine.length !== envelope.byteLength || !createHash('sha256').update(envelope).digest().equals(mine.sha256)) {
      throw new FormatError(`the envelope forwarded to ${ctx.describe(ctx.me)} is not the one the client signed`);
    }
    const party = ctx.verifyForwarded(from, b.request, frameSigningBytes(headerBytes, digests));
    ctx.requireRole(party, 'input', 'upload tables');
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
    } catch {
      throw new FormatError('the forwarded upload header is not JSON');
    }
    const upload = checkUploadHeader(header, 3);
    const staged = await stageLocal(ctx, name, upload, party, envelope);
    return { body: { stageId: staged.stageId } satisfies StageReply };
  });
  ctx.rpc.handle('upload.commit', async ({ body }) => {
    const stageId = String((body as { stageId?: unknown }).stageId);
    await ctx.store.commitTable(stageId);
    ctx.stagedAt.delete(stageId);
    return { body: {} };
  });
  ctx.rpc.handle('upload.abort', async ({ body }) => {
    const stageId = String((body as { stageId?: unknown }).stageId);
    await ctx.store.abortTable(stageId).catch((error: unknown) => {
      if (!(error instanceof TableNotFoundError)) throw error;
    });
    ctx.stagedAt.delete(stageId);
    return { body: {} };
  });
  ctx.rpc.handle('table.status', async ({ body }) => {
    const name = checkTableName((body as { table?: unknown }).table);
    return { body: (await localTableStatus(ctx, name)) satisfies TableStatus };
  });
}
