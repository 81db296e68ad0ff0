/**
 * Append tables: created empty by an `input` party (at all three nodes), then filled one row per
 * contributor. A contribution carries the owner's credential for the contributor and three
 * sealed one-row payloads; every node checks the credential against the owner's key
 * (node/credentials.ts), opens its own envelope, checks the payload's shape, and appends durably
 * (group commit). The coordinator forwards to its peers in batches (contribution-batch.ts) and
 * answers once all three have the row. A retry with the same submission id is acknowledged; a
 * second submission by the same contributor is refused at every node.
 */

import { openEnvelope } from '../../crypto/envelope.js';
import { FormatError } from '../../errors.js';
import type { PartyConfig } from '../../governance/collaboration.js';
import type { JsonValue } from '../../crypto/canonical-json.js';
import { parseSchema, schemaToJson, type TableSchemaJson } from '../../table/schema.js';
import { contributionContext, type AppendTableSchemaResponse, type ContributionHeader, type ContributionResponse, type TableInfo } from '../../wire/api.js';
import { CONTRIBUTOR_ID } from '../../wire/credential.js';
import { decodeFrame, frameHeaderBytes } from '../../wire/frames.js';
import { decodeSharePayload, expandComponent } from '../../wire/share-payload.js';
import type { AppendOutcome } from '../contribution-index.js';
import { encodeContribution } from '../contribution-index.js';
import type { AppendTableMetadata } from '../storage.js';
import { checkTableName } from '../storage/names.js';
import type { ForwardedRequest, NodeContext } from '../context.js';
import { forwardContribution, registerContributionBatchHandler } from './contribution-batch.js';
import { authoriseContributor, requireSameCredential, type PresentedCredential } from './contributor-credential.js';
import { describeFailures, settleAtAll } from './fan-out.js';
import { tableInfo } from './tables.js';

const SUBMISSION_ID = /^[A-Za-z0-9_-]{8,64}$/;

// ---- creating -------------------------------------------------------------------------------

function checkCreateBody(body: unknown): TableSchemaJson {
  const b = body as { schema?: unknown } | null;
  if (!b || typeof b !== 'object') throw new FormatError('the body must be { "schema": { "version": 1, "columns": [...] } }');
  return schemaToJson(parseSchema(b.schema));
}

/** Creates the table here, or finds the identical empty one a failed earlier attempt left. */
async function createLocal(ctx: NodeContext, name: string, schema: TableSchemaJson, owner: PartyConfig): Promise<CreateOutcome> {
  const { created, ...metadata } = await ctx.store.createAppendTable({ name, schema: schema as unknown as JsonValue, owner: owner.name }, { reuseEmpty: true });
  return { metadata, created };
}

interface CreateOutcome {
  readonly metadata: AppendTableMetadata;
  /** False when an identical empty table was already there (then a failed attempt must not undo it). */
  readonly created: boolean;
}

/** Deletes a table this request created moments ago, if it is still empty. */
async function undoCreate(ctx: NodeContext, name: string): Promise<void> {
  const log = await ctx.store.appendTable(name);
  if (log.rowCount === 0) {
    await ctx.store.deleteTable(name);
    ctx.contributions.forget(name);
  }
}

/** PUT /v1/append-tables/:name at the coordinator. */
export async function coordinateCreateAppend(ctx: NodeContext, name: string, rawBody: Uint8Array, body: unknown, request: ForwardedRequest): Promise<TableInfo> {
  checkTableName(name);
  const party = ctx.verifyRequest(ctx.me, { ...request, body: rawBody });
  ctx.requireRole(party, 'input', 'create append tables');
  const schema = checkCreateBody(body);
  ctx.mesh.requireParty();
  const generation = ctx.mesh.generation;
  const outcomes = await settleAtAll(ctx, {
    local: () => createLocal(ctx, name, schema, party),
    peer: (p) =>
      ctx.rpc.call(p, 'append.create', { table: name, request, body: Buffer.from(rawBody).toString('base64') }, [], { generation }).then((r) => r.body as CreateOutcome),
  });
  const failures = outcomes.filter((o) => o.error);
  if (failures.length > 0) {
    // Undo where this request created it, so that the name is free again everywhere. An undo
    // that is lost leaves an empty table that creating again completes (createLocal).
    await Promise.allSettled(
      outcomes
        .filter((o) => o.value?.created)
        .map((o) => (o.node === ctx.me ? undoCreate(ctx, name) : ctx.rpc.call(o.node, 'append.undo', { table: name, request }, [], { generation }))),
    );
    throw describeFailures(ctx, `creating append table '${name}'`, failures);
  }
  return tableInfo({ kind: 'append', metadata: outcomes.find((o) => o.node === ctx.me)!.value!.metadata, rowCount: 0 });
}

// ---- contributing ---------------------------------------------------------------------------

interface CheckedContribution {
  readonly contributor: string;
  readonly submission: string;
  /** Shapes are checked by CredentialChecker. */
  readonly credential: unknown;
  readonly proof: unknown;
}

export function checkContributionHeader(header: unknown): CheckedContribution {
  const h = header as Partial<ContributionHeader> | null;
  if (!h || typeof h !== 'object' || h.format !== 'tessera-contribution/v1') throw new FormatError("the contribution header's format must be 'tessera-contribution/v1' (send contributions with the Tessera client)");
  if (typeof h.contributor !== 'string' || !CONTRIBUTOR_ID.test(h.contributor)) throw new FormatError('the contributor id must be 8-128 characters of letters, digits, - or _');
  if (typeof h.submission !== 'string' || !SUBMISSION_ID.test(h.submission)) throw new FormatError('the submission id must be 8-64 characters of letters, digits, - or _');
  return { contributor: h.contributor, submission: h.submission, credential: h.credential, proof: h.proof };
}

/** Checks and stores this node's part of a contribution. */
async function contributeLocal(ctx: NodeContext, name: string, c: CheckedContribution, envelope: Uint8Array, verified = false): Promise<AppendOutcome> {
  const { meta, encodedColumns: columns } = await ctx.contributions.appendFacts(name);
  // (The coordinator has just checked the credential itself.)
  if (!verified) ctx.credentials.check(name, meta.owner, c.contributor, c.credential, c.proof);
  const contributor = c.contributor;
  return ctx.contributions.append(name, contributor, c.submission, () => {
    const context = contributionContext(ctx.collaboration.id, name, contributor, c.submission, ctx.index);
    const { payload } = openEnvelope(envelope, ctx.identity.encryptionPrivateKey, context, { sharedSecrets: ctx.envelopeSecrets });
    try {
      const share = decodeSharePayload(payload, { columns, rows: 1 });
      return encodeContribution(
        c.submission,
        share.columns.map((col) => [expandComponent(col.a, 1)[0], expandComponent(col.b, 1)[0]] as const),
      );
    } finally {
      payload.fill(0);
    }
  });
}

/**
 * POST /v1/append-tables/:name/rows at the coordinator, once the credential of the request's
 * header was checked (`authoriseContributor`, before the body was read): the frame must carry
 * the same one.
 */
export async function coordinateContribution(ctx: NodeContext, name: string, body: Uint8Array, authorised: PresentedCredential): Promise<ContributionResponse & { created: boolean }> {
  checkTableName(name);
  const frame = decodeFrame(body, 'contribution body');
  const c = checkContributionHeader(frame.header);
  if (frame.parts.length !== 3) throw new FormatError(`a contribution carries 3 envelopes, one per node; this one has ${frame.parts.length}`);
  requireSameCredential(c, authorised);
  ctx.mesh.requireParty();
  const generation = ctx.mesh.generation;
  const outcomes = await settleAtAll(ctx, {
    local: () => contributeLocal(ctx, name, c, frame.parts[ctx.me], true),
    peer: (p) => forwardContribution(ctx, p, name, frameHeaderBytes(body), frame.parts[p], generation),
  });
  const failures = outcomes.filter((o) => o.error);
  if (failures.length > 0) throw describeFailures(ctx, `storing the contribution to '${name}'`, failures);
  const created = outcomes.some((o) => o.value === 'stored');
  return { table: name, contributor: c.contributor, submission: c.submission, status: created ? 'stored' : 'already-stored', created };
}

/** GET /v1/append-tables/:name for a contributor holding a credential. */
export async function schemaForContributor(ctx: NodeContext, name: string, credentialHeader: string | undefined): Promise<AppendTableSchemaResponse> {
  const { meta } = await authoriseContributor(ctx, name, credentialHeader, 'reading an append table');
  return { name, owner: meta.owner, schema: meta.schema as unknown as TableSchemaJson };
}

export function registerAppendHandlers(ctx: NodeContext): void {
  registerContributionBatchHandler(ctx, (table, header, envelope) => contributeLocal(ctx, table, checkContributionHeader(header), envelope));
  ctx.rpc.handle('append.create', async ({ from, body }) => {
    const b = body as { table: string; request: ForwardedRequest; body: string };
    const name = checkTableName(b.table);
    const raw = Buffer.from(String(b.body), 'base64');
    const party = ctx.verifyForwarded(from, b.request, raw);
    ctx.requireRole(party, 'input', 'create append tables');
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new FormatError('the forwarded request body is not JSON');
    }
    const outcome = await createLocal(ctx, name, checkCreateBody(parsed), party);
    return { body: outcome };
  });
  ctx.rpc.handle('append.undo', async ({ body }) => {
    // Only ever sent by a coordinator whose request created the table here and failed elsewhere.
    await undoCreate(ctx, checkTableName((body as { table?: unknown }).table));
    return { body: {} };
  });
}

