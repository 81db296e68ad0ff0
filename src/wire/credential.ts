/**
 * Contribution credentials: the owner of an append table (a hospital) lets a contributor (a
 * patient) add one row. Contributors need no entry in the collaboration file; every node checks
 * the owner's signature on its own, and a second row with the same contributor id is refused.
 *
 * Two kinds, both DSSE statements signed by the owner (crypto/signed.ts):
 *
 * Single: `application/vnd.tessera.contribution-credential+json`, payload
 *   { collaboration, table, contributor }
 * One signature per contributor; a node verifies it for every contribution.
 *
 * Batch: `application/vnd.tessera.contribution-credential-batch+json`, payload
 *   { collaboration, table, root: <64 hex>, leaves: n }
 * where root is the RFC 9162 Merkle tree hash (crypto/merkle.ts) over n leaves, leaf i being
 *   "tessera/credential-leaf/v1\0" || u8 id length || contributor id (ASCII) || salt (16 bytes)
 * The contributor holds the statement and a proof { index, salt, path } (salt and path hashes in
 * base64url). A node verifies the statement's signature once per batch (then remembers it) and
 * each contribution's proof with about log2(n) SHA-256. The salt is random and known only to
 * its contributor, so the hashes in other contributors' paths say nothing about anyone's id, and
 * knowing someone's id is not enough to make their proof.
 */

import { randomBytes, type KeyObject } from 'node:crypto';
import { signStatement, verifyStatement, type SignedStatement } from '../crypto/signed.js';
import { leafHash, MerkleTree, verifyInclusion, HASH_BYTES } from '../crypto/merkle.js';
import { CredentialError, UsageError } from '../errors.js';

export const CREDENTIAL_TYPE = 'application/vnd.tessera.contribution-credential+json';
export const CREDENTIAL_BATCH_TYPE = 'application/vnd.tessera.contribution-credential-batch+json';

export const CONTRIBUTOR_ID = /^[A-Za-z0-9_-]{8,128}$/;
export const SALT_BYTES = 16;
/** Leaves per signed batch at most (a path of at most 24 hashes). */
export const MAX_BATCH_LEAVES = 1 << 24;

const LEAF_LABEL = Buffer.from('tessera/credential-leaf/v1\0', 'ascii');

export interface CredentialClaims {
  readonly collaboration: string;
  readonly table: string;
  /** Opaque, unique per contributor (e.g. a random 128-bit token in hex); never a real identity. */
  readonly contributor: string;
}

export interface BatchClaims {
  readonly collaboration: string;
  readonly table: string;
  /** Merkle tree hash of the batch, 64 hex digits. */
  readonly root: string;
  readonly leaves: number;
}

/** Where one contributor sits in a signed batch. */
export interface InclusionProof {
  readonly index: number;
  /** 16 random bytes, base64url. */
  readonly salt: string;
  /** RFC 9162 audit path, leaf to root, each hash base64url. */
  readonly path: readonly string[];
}

export function issueCredential(claims: CredentialClaims, ownerSigningKey: KeyObject): SignedStatement {
  return signStatement(CREDENTIAL_TYPE, { ...claims }, ownerSigningKey);
}

/** Verifies a single credential against the table owner's public key; returns its claims. */
export function verifyCredential(credential: SignedStatement, ownerPublicKey: KeyObject): CredentialClaims {
  return verifyStatement<{ collaboration: string; table: string; contributor: string }>(credential, CREDENTIAL_TYPE, [ownerPublicKey]).payload;
}

/** The leaf of one contributor in a batch. */
export function credentialLeaf(contributor: string, salt: Uint8Array): Buffer {
  if (!CONTRIBUTOR_ID.test(contributor)) throw new CredentialError('a contributor id is 8-128 characters of letters, digits, - or _');
  const data = Buffer.allocUnsafe(LEAF_LABEL.byteLength + 1 + contributor.length + salt.byteLength);
  LEAF_LABEL.copy(data, 0);
  data[LEAF_LABEL.byteLength] = contributor.length;
  data.write(contributor, LEAF_LABEL.byteLength + 1, 'ascii');
  data.set(salt, LEAF_LABEL.byteLength + 1 + contributor.length);
  return leafHash(data);
}

/** Signs one batch over `contributors` (ids must be distinct); returns the statement and each contributor's proof. */
export function issueCredentialBatch(
  scope: { readonly collaboration: string; readonly table: string },
  contributors: readonly string[],
  ownerSigningKey: KeyObject,
): { statement: SignedStatement; proofs: InclusionProof[] } {
  if (contributors.length === 0 || contributors.length > MAX_BATCH_LEAVES) throw new UsageError(`a credential batch holds 1 to ${MAX_BATCH_LEAVES} contributors`);
  if (new Set(contributors).size !== contributors.length) throw new UsageError('the contributor ids of a batch must be distinct (each id may add one row)');
  const salts = contributors.map(() => randomBytes(SALT_BYTES));
  const tree = new MerkleTree(contributors.map((c, i) => credentialLeaf(c, salts[i])));
  const claims: BatchClaims = { collaboration: scope.collaboration, table: scope.table, root: tree.root.toString('hex'), leaves: tree.size };
  const statement = signStatement(CREDENTIAL_BATCH_TYPE, { ...claims }, ownerSigningKey);
  const proofs = contributors.map((_, i) => ({ index: i, salt: salts[i].toString('base64url'), path: tree.path(i).map((h) => h.toString('base64url')) }));
  return { statement, proofs };
}

/** Verifies a batch statement's signature against the owner's key; returns its claims (shape checked). */
export function verifyBatchStatement(statement: SignedStatement, ownerPublicKey: KeyObject): BatchClaims {
  const claims = verifyStatement<{ collaboration: string; table: string; root: string; leaves: number }>(statement, CREDENTIAL_BATCH_TYPE, [ownerPublicKey]).payload;
  if (
    typeof claims !== 'object' ||
    claims === null ||
    typeof claims.collaboration !== 'string' ||
    typeof claims.table !== 'string' ||
    typeof claims.root !== 'string' ||
    !/^[0-9a-f]{64}$/.test(claims.root) ||
    !Number.isInteger(claims.leaves) ||
    claims.leaves < 1 ||
    claims.leaves > MAX_BATCH_LEAVES
  ) {
    throw new CredentialError('the credential batch statement is signed but malformed (it needs collaboration, table, a 64-hex root and a leaf count)');
  }
  return { collaboration: claims.collaboration, table: claims.table, root: claims.root, leaves: claims.leaves };
}

/** Checks the shape of a proof from the wire; throws CredentialError. */
export function checkProofShape(value: unknown): InclusionProof {
  const p = value as Partial<InclusionProof> | null;
  if (!p || typeof p !== 'object' || !Number.isSafeInteger(p.index) || typeof p.salt !== 'string' || !Array.isArray(p.path) || p.path.length > 32 || !p.path.every((h) => typeof h === 'string')) {
    throw new CredentialError('the credential proof is malformed: it must be { index, salt, path } as the table owner issued it');
  }
  return { index: p.index as number, salt: p.salt, path: p.path as string[] };
}

/** True when `proof` places `contributor` in the batch whose (verified) claims are given. */
export function proofMatches(claims: BatchClaims, contributor: string, proof: InclusionProof): boolean {
  const salt = decodeBase64Url(proof.salt, SALT_BYTES);
  if (!salt) return false;
  const path: Buffer[] = [];
  for (const h of proof.path) {
    const bytes = decodeBase64Url(h, HASH_BYTES);
    if (!bytes) return false;
    path.push(bytes);
  }
  return verifyInclusion(credentialLeaf(contributor, salt), proof.index, claims.leaves, path, Buffer.from(claims.root, 'hex'));
}

/**
 * Exactly `length` bytes from base64url, or undefined. The spelling need not be canonical: the
 * bytes are what the hash chain up to the signed root checks.
 */
function decodeBase64Url(text: string, length: number): Buffer | undefined {
  if (text.length !== Math.ceil((length * 4) / 3)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.byteLength === length ? bytes : undefined;
}
