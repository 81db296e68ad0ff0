/**
 * The contributor's side of an append table: check one row against the table's schema (type,
 * declared range, nullability) before anything leaves the machine, then deal it into three
 * one-row share payloads sealed to the three nodes, with the owner's credential.
 */

import { randomBytes } from 'node:crypto';
import { sealEnvelope } from '../crypto/envelope.js';
import type { SignedStatement } from '../crypto/signed.js';
import { CellError, CredentialError, SchemaError, UsageError } from '../errors.js';
import type { Collaboration, NodeIndex } from '../governance/collaboration.js';
import { encodeTable } from '../table/encode.js';
import type { TableSchema } from '../table/schema.js';
import { contributionContext, type ContributionHeader } from '../wire/api.js';
import { CREDENTIAL_TYPE, type CredentialClaims } from '../wire/credential.js';
import { encodeFrame } from '../wire/frames.js';
import { dealColumns, encodeSharePayload } from '../wire/share-payload.js';

/** One row: values by column name, or a bare value for a table of one column. */
export type ContributionValues = Readonly<Record<string, unknown>> | string | number | bigint | boolean | Date | null;

/** The claims of a credential (as the owner signed them; the nodes check the signature). */
export function credentialClaims(credential: SignedStatement): CredentialClaims {
  if (!credential || typeof credential !== 'object' || credential.payloadType !== CREDENTIAL_TYPE || typeof credential.payload !== 'string') {
    throw new CredentialError('this is not a contribution credential: pass the statement the table owner issued (issueCredential)');
  }
  let claims: Partial<CredentialClaims>;
  try {
    claims = JSON.parse(Buffer.from(credential.payload, 'base64').toString('utf8')) as Partial<CredentialClaims>;
  } catch {
    throw new CredentialError('the credential payload is damaged');
  }
  if (typeof claims.table !== 'string' || typeof claims.contributor !== 'string' || typeof claims.collaboration !== 'string') {
    throw new CredentialError('the credential does not name a collaboration, table and contributor');
  }
  return { collaboration: claims.collaboration, table: claims.table, contributor: claims.contributor };
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

/** A fresh submission id: resend the same body (same id) to retry safely. */
export function newSubmissionId(): string {
  return randomBytes(16).toString('base64url');
}

export function buildContributionFrame(
  collaboration: Collaboration,
  table: string,
  encoded: readonly BigUint64Array[],
  credential: SignedStatement,
  contributor: string,
  submission: string,
): Uint8Array {
  const payloads = dealColumns(encoded, 1);
  const envelopes = payloads.map((payload, i) => {
    const node = i as NodeIndex;
    const bytes = encodeSharePayload(payload);
    try {
      return sealEnvelope(bytes, collaboration.nodeEncryptionKey(node), contributionContext(collaboration.id, table, contributor, submission, node));
    } finally {
      bytes.fill(0);
    }
  });
  const header: ContributionHeader = { format: 'tessera-contribution/v1', contributor, submission, credential };
  return encodeFrame(header, envelopes);
}

