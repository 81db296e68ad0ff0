/**
 * Contribution credentials: the owner of an append table (a hospital) lets one contributor (a
 * patient) add one row, by signing {collaboration, table, contributor}. Contributors need no
 * entry in the collaboration file; every node checks the owner's signature on its own, and a
 * second row with the same contributor id is refused.
 */

import type { KeyObject } from 'node:crypto';
import { signStatement, verifyStatement, type SignedStatement } from '../crypto/signed.js';

export const CREDENTIAL_TYPE = 'application/vnd.tessera.contribution-credential+json';

export interface CredentialClaims {
  readonly collaboration: string;
  readonly table: string;
  /** Opaque, unique per contributor (e.g. a random 128-bit token in hex); never a real identity. */
  readonly contributor: string;
}

export function issueCredential(claims: CredentialClaims, ownerSigningKey: KeyObject): SignedStatement {
  return signStatement(CREDENTIAL_TYPE, { ...claims }, ownerSigningKey);
}

/** Verifies a credential against the table owner's public key; returns its claims. */
export function verifyCredential(credential: SignedStatement, ownerPublicKey: KeyObject): CredentialClaims {
  return verifyStatement<{ collaboration: string; table: string; contributor: string }>(credential, CREDENTIAL_TYPE, [ownerPublicKey]).payload;
}
