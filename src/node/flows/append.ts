/**
 * Append tables: created empty by an `input` party (at all three nodes), then filled one row per
 * contributor. A contribution carries the owner's credential for the contributor and three
 * sealed one-row payloads; every node checks the credential against the owner's key
 * (node/credentials.ts), checks its envelope against the header's digest of it, opens it, checks
 * the payload's shape, and appends durably (group commit). The coordinator forwards to its peers
 * in batches (contribution-batch.ts) and answers once all three hold this very submission
 * (contribution-settle.ts decides: acknowledge, duplicate, replace a submission that reached
 * only some nodes, or conflict). A retry with the same submission id is acknowledged; a second
 * submission by a contributor whose row is at all three nodes is refused.
 */

import { openEnvelope } from '../../crypto/envelope.js';
import { sha256 } from '../../crypto/sha256.js';
import { ContributionConflictError, DuplicateContributorError, FormatError } from '../../errors.js';
import type { PartyConfig } from '../../governance/collaboration.js';
import type { PartyId } from '../../mpc/party.js';
import type { JsonValue } from '../../crypto/canonical-json.js';
import { SchemaError } from '../../errors.js';
import { parseSchema, schemaToJson, type TableSchemaJson } from '../../table/schema.js';
import { CONTRIBUTION_FORMAT, contributionContext, type AppendTableSchemaResponse, type ContributionHeader, type ContributionResponse, type TableInfo } from '../../wire/api.js';
import { CONTRIBUTOR_ID } from '../../wire/credential.js';
import { decodeFrame, frameHeaderBytes } from '../../wire/frames.js';
import { decodeSharePayload, expandComponent } from '../../wire/share-payload.js';
import type { AppendOutcome } from '../contribution-index.js';
import { encodeContribution } from '../contribution-index.js';
import type { AppendTableMetadata } from '../storage.js';
import { checkTableName } from '../storage/names.js';
import type { ForwardedRequest, NodeContext } from '../context.js';
import { forwardContribution, registerContributionBatchHandler } from './contribution-batch.js';
import { MAX_REPLACEMENT_ROUNDS, settleContribution, type NodeAnswer } from './contribution-settle.js';
import { authoriseContributor, requireSameCredential, type PresentedCredential } from './contributor-credential.js';
import { describeFailures, settleAtAll } from './fan-out.js';
import { tableInfo } from './tables.js';

const SUBMISSION_ID = /^[A-Za-z0-9_-]{8,64}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

// ---- creating -------------------------------------------------------------------------------

function checkCreateBody(body: unknown): TableSchemaJson {
  const b = body as { schema?: unknown } | null;
  if (!b || typeof b !== 'object') throw new FormatError('the body must be { "schema": { "version": 1, "columns": [...] } }');
  const schema = parseSchema(b.schema);
  const text = schema.columns.find((c) => c.type.kind === 'text');
  // A contributor deals its own shares; the range check (ops/check-ranges.ts) would keep each word
  // in [0, 2^56) but not prove it well-formed text of the bound (no stray bytes past the padding).
  if (text) throw new SchemaError(`column '${text.name}': append tables cannot hold text columns; upload the table instead, or declare the column as a category or an identifier`);
  return schemaToJson(schema);
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
  /** SHA-256 (hex) of each node's envelope, as the header lists them. */
  readonly envelopes: readonly string[];
  /** Shapes are checked by CredentialChecker. */
  readonly credential: unknown;
  readonly proof: unknown;
}

export function checkContributionHeader(header: unknown): CheckedContribution {
  const h = header as Partial<ContributionHeader> | null;
  if (!h || typeof h !== 'object' || h.format !== CONTRIBUTION_FORMAT) {
    throw new FormatError(`the contribution header's format must be '${CONTRIBUTION_FORMAT}' (send contributions with a Tessera client of this version)`);
  }
  if (typeof h.contributor !== 'string' || !CONTRIBUTOR_ID.test(h.contributor)) throw new FormatError('the contributor id must be 8-128 characters of letters, digits, - or _');
  if (typeof h.submission !== 'string' || !SUBMISSION_ID.test(h.submission)) throw new FormatError('the submission id must be 8-64 characters of letters, digits, - or _');
  if (!Array.isArray(h.envelopes) || h.envelopes.length !== 3 || h.envelopes.some((e) => typeof e !== 'string' || !SHA256_HEX.test(e))) {
    throw new FormatError('the contribution header must list the SHA-256 of each of the three envelopes (64 lowercase hex digits each)');
  }
  return { contributor: h.contributor, submission: h.submission, envelopes: h.envelopes, credential: h.credential, proof: h.proof };
}

/** This node's part of one contribution, as the coordinator received it or a peer had it forwarded. */
interface LocalContribution {
  readonly checked: CheckedContribution;
  /** The header's bytes as the client sent them: their SHA-256 identifies the contribution at all three nodes. */
  readonly headerBytes: Uint8Array;
  readonly envelope: Uint8Array;
  /** The submission this one may replace here (the coordinator's second round). */
  readonly replaces: string | null;
  /** The coordinator has just checked the credential itself. */
  readonly verified: boolean;
}

/** Checks and stores this node's part of a contribution. */
async function contributeLocal(ctx: NodeContext, name: string, local: LocalContribution): Promise<AppendOutcome> {
  const c = local.checked;
  const { meta, encodedColumns: columns } = await ctx.contributions.appendFacts(name);
  if (!local.verified) ctx.credentials.check(name, meta.owner, c.contributor, c.credential, c.proof);
  if (sha256(local.envelope).toString('hex') !== c.envelopes[ctx.index]) {
    throw new FormatError(`the envelope for ${ctx.describe(ctx.index)} does not match the SHA-256 the contribution header lists for it`);
  }
  const digest = sha256(local.headerBytes);
  const contributor = c.contributor;
  return ctx.contributions.append(name, {
    contributor,
    submission: c.submission,
    digest: digest.toString('hex'),
    ...(local.replaces !== null ? { replaces: local.replaces } : {}),
    makeValue: () => {
      const context = contributionContext(ctx.collaboration.id, name, contributor, c.submission, ctx.index);
      const { payload } = openEnvelope(local.envelope, ctx.identity.encryptionPrivateKey, context, { sharedSecrets: ctx.envelopeSecrets });
      try {
        const share = decodeSharePayload(payload, { columns, rows: 1 });
        return encodeContribution(
          c.submission,
          digest,
          share.columns.map((col) => [expandComponent(col.a, 1)[0], expandComponent(col.b, 1)[0]] as const),
        );
      } finally {
        payload.fill(0);
      }
    },
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
  const headerBytes = frameHeaderBytes(body);
  const ask = (nodes: readonly PartyId[], replaces: ReadonlyMap<number, string>): Promise<NodeAnswer[]> =>
    Promise.all(
      nodes.map((node) => {
        const replacing = replaces.get(node) ?? null;
        const outcome =
          node === ctx.me
            ? contributeLocal(ctx, name, { checked: c, headerBytes, envelope: frame.parts[node], replaces: replacing, verified: true })
            : forwardContribution(ctx, node, name, headerBytes, frame.parts[node], generation, replacing);
        return outcome.then(
          (o): NodeAnswer => ({ node, outcome: o }),
          (error: unknown): NodeAnswer => ({ node, error: error instanceof Error ? error : new Error(String(error)) }),
        );
      }),
    );
  const what = `storing the contribution to '${name}'`;
  let answers = await ask([0, 1, 2], new Map());
  let created = false;
  for (let round = 0; ; round++) {
    const settled = settleContribution(c.submission, answers, MAX_REPLACEMENT_ROUNDS - round, created);
    switch (settled.kind) {
      case 'acknowledge':
        return { table: name, contributor: c.contributor, submission: c.submission, status: settled.created ? 'stored' : 'already-stored', created: settled.created };
      case 'fail':
        throw describeFailures(ctx, what, settled.errors.map((e) => ({ node: e.node as PartyId, error: e.error })));
      case 'duplicate':
        throw new DuplicateContributorError(name);
      case 'conflict':
        throw new ContributionConflictError(
          `${what} did not settle: another submission by this contributor, newer or changed meanwhile, reached only some nodes; submit again (the Tessera client does so on its own)`,
        );
      case 'replace': {
        const again = await ask(
          settled.at.map((r) => r.node as PartyId),
          new Map(settled.at.map((r) => [r.node, r.replaces])),
        );
        created ||= answers.some((a) => 'outcome' in a && a.outcome.status === 'stored');
        answers = answers.map((a) => again.find((b) => b.node === a.node) ?? a);
      }
    }
  }
}

/** GET /v1/append-tables/:name for a contributor holding a credential. */
export async function schemaForContributor(ctx: NodeContext, name: string, credentialHeader: string | undefined): Promise<AppendTableSchemaResponse> {
  const { meta } = await authoriseContributor(ctx, name, credentialHeader, 'reading an append table');
  return { name, owner: meta.owner, schema: meta.schema as unknown as TableSchemaJson };
}

export function registerAppendHandlers(ctx: NodeContext): void {
  registerContributionBatchHandler(ctx, (table, headerBytes, header, envelope, replaces) =>
    contributeLocal(ctx, table, { checked: checkContributionHeader(header), headerBytes, envelope, replaces, verified: false }),
  );
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

