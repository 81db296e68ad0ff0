/**
 * A node's check that a contribution is authorised by the append table's owner
 * (wire/credential.ts). Single credentials cost one Ed25519 verification each. A batch
 * statement's signature is verified once and then remembered (by the statement's exact text and
 * the owner's key), so each further contribution from that batch costs only its Merkle proof, a
 * few SHA-256. Every node keeps its own memory: none trusts another's check.
 */

import type { KeyObject } from 'node:crypto';
import { encodePublicKey } from '../crypto/keys.js';
import type { SignedStatement } from '../crypto/signed.js';
import { CredentialError, FormatError, SignatureError, UnknownPartyError } from '../errors.js';
import type { Collaboration } from '../governance/collaboration.js';
import {
  checkProofShape,
  CONTRIBUTOR_ID,
  CREDENTIAL_BATCH_TYPE,
  CREDENTIAL_TYPE,
  proofMatches,
  verifyBatchStatement,
  verifyCredential,
  type BatchClaims,
} from '../wire/credential.js';

/** Verified batch statements remembered per node (each covers up to millions of contributors). */
const MAX_REMEMBERED_BATCHES = 4096;

export class CredentialChecker {
  private readonly batches = new Map<string, BatchClaims>();

  constructor(private readonly collaboration: Collaboration) {}

  /**
   * Throws CredentialError unless `credential` (with `proof` for a batch) lets `contributor` add a
   * row to table `table` owned by party `owner`.
   */
  check(table: string, owner: string, contributor: string, credential: unknown, proof: unknown): void {
    const statement = checkStatementShape(credential);
    const ownerKey = this.ownerKey(table, owner);
    const notSigned = (): CredentialError =>
      new CredentialError(`the credential is not signed by the owner of append table '${table}' ('${owner}'): ask the owner for a credential for this table`);
    if (statement.payloadType === CREDENTIAL_TYPE) {
      if (proof !== undefined) throw new CredentialError('a single credential comes without a proof; a proof belongs to a batch credential');
      let claims;
      try {
        claims = verifyCredential(statement, ownerKey);
      } catch (error) {
        if (error instanceof SignatureError || error instanceof FormatError) throw notSigned();
        throw error;
      }
      this.checkScope(claims, table);
      if (typeof claims.contributor !== 'string' || !CONTRIBUTOR_ID.test(claims.contributor)) throw new CredentialError('the credential names no valid contributor');
      if (claims.contributor !== contributor) throw new CredentialError('the contribution names another contributor than its credential');
      return;
    }
    if (statement.payloadType === CREDENTIAL_BATCH_TYPE) {
      if (proof === undefined) throw new CredentialError('a batch credential needs the proof that places the contributor in the batch: send the whole credential the owner issued');
      const claims = this.batchClaims(statement, ownerKey, notSigned);
      this.checkScope(claims, table);
      if (!proofMatches(claims, contributor, checkProofShape(proof))) {
        throw new CredentialError(`the credential's proof does not place this contributor in the batch the owner of '${table}' signed: use the credential exactly as issued`);
      }
      return;
    }
    throw new CredentialError('this is not a contribution credential: pass the credential the table owner issued');
  }

  private ownerKey(table: string, owner: string): KeyObject {
    try {
      return this.collaboration.signingKeyOf(owner);
    } catch (error) {
      if (error instanceof UnknownPartyError) throw new CredentialError(`the owner of append table '${table}' is no longer a party of the collaboration; no credential can be checked`);
      throw error;
    }
  }

  private checkScope(claims: { readonly collaboration: unknown; readonly table: unknown }, table: string): void {
    if (claims.collaboration !== this.collaboration.id) throw new CredentialError(`the credential is for collaboration '${String(claims.collaboration)}', not '${this.collaboration.id}'`);
    if (claims.table !== table) throw new CredentialError(`the credential is for table '${String(claims.table)}', not '${table}'`);
  }

  /** The claims of a batch statement, its signature verified here once. */
  private batchClaims(statement: SignedStatement, ownerKey: KeyObject, notSigned: () => CredentialError): BatchClaims {
    const key = `${encodePublicKey(ownerKey)}\n${statement.payload}\n${statement.signatures.map((s) => `${s.keyid} ${s.sig}`).join('\n')}`;
    const known = this.batches.get(key);
    if (known) return known;
    let claims: BatchClaims;
    try {
      claims = verifyBatchStatement(statement, ownerKey);
    } catch (error) {
      if (error instanceof SignatureError || error instanceof FormatError) throw notSigned();
      throw error;
    }
    if (this.batches.size >= MAX_REMEMBERED_BATCHES) this.batches.delete(this.batches.keys().next().value as string);
    this.batches.set(key, claims);
    return claims;
  }
}

/** The statement part of a credential from the wire (shape only; CredentialError). */
export function checkStatementShape(value: unknown): SignedStatement {
  const c = value as Partial<SignedStatement> | null;
  if (
    !c ||
    typeof c !== 'object' ||
    typeof c.payloadType !== 'string' ||
    typeof c.payload !== 'string' ||
    !Array.isArray(c.signatures) ||
    !c.signatures.every((s: unknown) => typeof s === 'object' && s !== null && typeof (s as { keyid?: unknown }).keyid === 'string' && typeof (s as { sig?: unknown }).sig === 'string')
  ) {
    throw new CredentialError('the contribution credential is malformed: it must be the signed statement the table owner issued');
  }
  return { payloadType: c.payloadType, payload: c.payload, signatures: c.signatures };
}
