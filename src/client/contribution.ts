/**
 * The contributor's side of an append table: check one row against the table's schema (type,
 * declared range, nullability) before anything leaves the machine, then deal it into three
 * one-row share payloads sealed to the three nodes, with the owner's credential.
 */

import { randomPool } from '../crypto/random-pool.js';
import { sealEnvelope } from '../crypto/envelope.js';
import type { EnvelopeSession } from '../crypto/envelope-session.js';
import type { SignedStatement } from '../crypto/signed.js';
import { CellError, CredentialError, SchemaError, UsageError } from '../errors.js';
import type { Collaboration, NodeIndex } from '../governance/collaboration.js';
import { encodeTable } from '../table/encode.js';
import type { TableSchema } from '../table/schema.js';
import { sha256 } from '../crypto/sha256.js';
import { CONTRIBUTION_FORMAT, contributionContext, type ContributionHeader } from '../wire/api.js';
import { CREDENTIAL_BATCH_TYPE, CREDENTIAL_TYPE, type InclusionProof } from '../wire/credential.js';
import { encodeFrameWithHeaderText } from '../wire/frames.js';
import { dealRow } from '../mpc/sharing.js';
import { encodeSharePayload } from '../wire/share-payload.js';
import { refuseInexactNumbers } from './exact-numbers.js';

/** One row: values by column name, or a bare value for a table of one column. */
export type ContributionValues = Readonly<Record<string, unknown>> | string | number | bigint | boolean | Date | null;

/**
 * A contribution credential as the table owner hands it to one contributor: plain JSON (it can
 * be written to a file and read back). `statement` is the owner's signed statement, for this
 * contributor alone or for a whole batch; a batch credential also carries the `proof` that places
 * this contributor in the batch (wire/credential.ts).
 */
export interface Credential {
  readonly table: string;
  readonly contributor: string;
  readonly statement: SignedStatement;
  readonly proof?: InclusionProof;
}

/** What a contribution needs from its credential (claims as the owner signed them; the nodes check the signature). */
export interface ResolvedCredential {
  readonly collaboration: string;
  readonly table: string;
  readonly contributor: string;
  readonly statement: SignedStatement;
  readonly proof?: InclusionProof;
}

// The claims of a statement are read once per statement object: a batch's credentials share one.
const claimsOf = new WeakMap<SignedStatement, Readonly<Record<string, unknown>>>();

/** Reads a credential (or a single credential's bare statement) for a contribution; CredentialError if it is not one. */
export function resolveCredential(credential: Credential | SignedStatement): ResolvedCredential {
  const whole = credential !== null && typeof credential === 'object' && 'statement' in credential ? credential : undefined;
  const statement = whole ? whole.statement : (credential as SignedStatement);
  if (!statement || typeof statement !== 'object' || typeof statement.payload !== 'string' || (statement.payloadType !== CREDENTIAL_TYPE && statement.payloadType !== CREDENTIAL_BATCH_TYPE)) {
    throw new CredentialError('this is not a contribution credential: pass the credential the table owner issued (issueCredential or issueCredentials)');
  }
  let claims = claimsOf.get(statement);
  if (!claims) {
    try {
      claims = JSON.parse(Buffer.from(statement.payload, 'base64').toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new CredentialError('the credential payload is damaged');
    }
    if (!claims || typeof claims !== 'object') throw new CredentialError('the credential payload is damaged');
    claimsOf.set(statement, claims);
  }
  if (typeof claims.table !== 'string' || typeof claims.collaboration !== 'string') throw new CredentialError('the credential does not name a collaboration and a table');
  if (statement.payloadType === CREDENTIAL_TYPE) {
    if (typeof claims.contributor !== 'string') throw new CredentialError('the credential does not name a contributor');
    return { collaboration: claims.collaboration, table: claims.table, contributor: claims.contributor, statement };
  }
  if (!whole || typeof whole.contributor !== 'string' || whole.proof === undefined) {
    throw new CredentialError("this is the statement of a batch credential without the contributor's proof: pass the whole credential object the owner issued");
  }
  return { collaboration: claims.collaboration, table: claims.table, contributor: whole.contributor, statement, proof: whole.proof };
}

/**
 * Encodes one row under the schema; a value of the wrong type, outside the declared range or
 * missing is refused with the typed error of the table layer, worded for a single value.
 */
export function encodeContributionRow(schema: TableSchema, values: ContributionValues, identifierKey?: Uint8Array): BigUint64Array[] {
  let row: Record<string, unknown>;
  if (values !== null && typeof values === 'object' && !(values instanceof Date)) {
    row = { ...values };
    const known = new Set(schema.columns.map((c) => c.name));
    const unknown = Object.keys(row).filter((k) => !known.has(k));
    if (unknown.length > 0) throw new SchemaError(`the table has no column '${unknown[0]}' (its columns: ${[...known].join(', ')})`);
  } else {
    if (schema.columns.length !== 1) {
      throw new UsageError(`the table has ${schema.columns.length} columns (${schema.columns.map((c) => c.name).join(', ')}); pass the values as an object keyed by column name`);
    }
    row = { [schema.columns[0].name]: values };
  }
  const columns: Record<string, unknown[]> = {};
  for (const c of schema.columns) columns[c.name] = [row[c.name] ?? null];
  try {
    refuseInexactNumbers(schema, columns);
    return encodeTable(schema, columns, identifierKey ? { identifierKey } : {}).columns.map((c) => c.values);
  } catch (error) {
    if (error instanceof CellError) {
      // The table layer speaks of rows; a contributor sends one value per column.
      error.message = error.message.replace(/^row 1 of column/, 'the value for column').replace(/row 1 /g, '');
      throw error;
    }
    throw error;
  }
}

export interface ContributionBody {
  readonly body: Uint8Array;
  readonly submission: string;
}

/**
 * A fresh submission id: the time in milliseconds (12 hex digits) then 16 random bytes, so that a
 * later submission by the same contributor compares larger as a string. The nodes let a newer
 * submission replace an older one that reached only some of them (after a crash), never one that
 * reached all three. Resend the same body (same id) to retry the same submission.
 */
export function newSubmissionId(now: number = Date.now()): string {
  return now.toString(16).padStart(12, '0') + randomPool.take(16).toString('base64url');
}

export function buildContributionFrame(
  collaboration: Collaboration,
  table: string,
  encoded: readonly BigUint64Array[],
  credential: ResolvedCredential,
  submission: string,
  session?: EnvelopeSession,
): Uint8Array {
  const contributor = credential.contributor;
  const payloads = dealRow(encoded.map((column) => {
    if (column.length !== 1) throw new UsageError('a contribution is one row');
    return column[0];
  }));
  const envelopes = payloads.map((payload, i) => {
    const node = i as NodeIndex;
    const bytes = encodeSharePayload(payload);
    try {
      return sealEnvelope(bytes, collaboration.nodeEncryptionKey(node), contributionContext(collaboration.id, table, contributor, submission, node), session ? { session } : {});
    } finally {
      bytes.fill(0);
    }
  });
  const digests = envelopes.map((e) => sha256(e).toString('hex'));
  return encodeFrameWithHeaderText(contributionHeaderJson(contributor, submission, digests, credential), envelopes);
}

// A batch's statement is the same in a thousand headers: written as JSON once.
const statementJson = new WeakMap<SignedStatement, string>();

function statementText(statement: SignedStatement): string {
  let text = statementJson.get(statement);
  if (text === undefined) {
    text = JSON.stringify(statement);
    statementJson.set(statement, text);
  }
  return text;
}

/** JSON.stringify of the ContributionHeader, with the statement's text reused. */
function contributionHeaderJson(contributor: string, submission: string, envelopes: readonly string[], credential: ResolvedCredential): string {
  const format: ContributionHeader['format'] = CONTRIBUTION_FORMAT;
  const proof = credential.proof ? `,"proof":${JSON.stringify(credential.proof)}` : '';
  return `{"format":"${format}","contributor":${JSON.stringify(contributor)},"submission":${JSON.stringify(submission)},"envelopes":${JSON.stringify(envelopes)},"credential":${statementText(credential.statement)}${proof}}`;
}

/**
 * The x-tessera-credential header (wire/api.ts CREDENTIAL_HEADER): base64 of the CredentialHeader
 * JSON. A node checks it before reading a contribution's body, and reads the schema with it.
 */
export function credentialHeaderValue(credential: ResolvedCredential): string {
  const proof = credential.proof ? `,"proof":${JSON.stringify(credential.proof)}` : '';
  return Buffer.from(`{"contributor":${JSON.stringify(credential.contributor)},"credential":${statementText(credential.statement)}${proof}}`).toString('base64');
}

