/** A node's check of contribution credentials, single and batch (node/credentials.ts), without a cluster. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createIdentity } from '../../src/crypto/identity.js';
import { encodePublicKey } from '../../src/crypto/keys.js';
import { signStatement } from '../../src/crypto/signed.js';
import { CredentialError } from '../../src/errors.js';
import { Collaboration } from '../../src/governance/collaboration.js';
import { CredentialChecker } from '../../src/node/credentials.js';
import { CREDENTIAL_BATCH_TYPE, credentialLeaf, issueCredential, issueCredentialBatch, type InclusionProof } from '../../src/wire/credential.js';
import { MerkleTree } from '../../src/crypto/merkle.js';

const hospital = createIdentity('St. Mary Hospital');
const registry = createIdentity('Registry North');
const nodes = [0, 1, 2].map((i) => createIdentity(`node-${i}`));
const collaboration = Collaboration.fromJson({
  format: 'tessera-collaboration/v1',
  id: 'study',
  name: 'Study',
  nodes: [0, 1, 2].map((i) => ({
    index: i,
    name: `node-${i}`,
    apiUrl: `https://127.0.0.1:${8440 + i}`,
    mpcAddress: `127.0.0.1:${9000 + i}`,
    tlsCertificateFingerprint: 'ab'.repeat(32),
    encryptionKey: encodePublicKey(nodes[i].encryptionPublicKey),
  })),
  parties: [hospital, registry].map((p) => ({ name: p.name, roles: ['input'], signingKey: encodePublicKey(p.signingPublicKey), encryptionKey: encodePublicKey(p.encryptionPublicKey) })),
});
const ids = Array.from({ length: 37 }, (_, i) => `patient-${String(i).padStart(4, '0')}`);
const batch = issueCredentialBatch({ collaboration: 'study', table: 'glucose' }, ids, hospital.signingPrivateKey);
const OWNER = 'St. Mary Hospital';

const rejects = (f: () => void, pattern: RegExp): void => assert.throws(f, (e: unknown) => e instanceof CredentialError && pattern.test(e.message));

test('batch credentials: every contributor of the batch is accepted, with its own proof only', () => {
  const checker = new CredentialChecker(collaboration);
  ids.forEach((id, i) => checker.check('glucose', OWNER, id, batch.statement, batch.proofs[i]));
  // Another contributor's proof, or a proof for an id outside the batch.
  rejects(() => checker.check('glucose', OWNER, ids[1], batch.statement, batch.proofs[0]), /does not place this contributor/);
  rejects(() => checker.check('glucose', OWNER, 'patient-9999', batch.statement, batch.proofs[0]), /does not place this contributor/);
  // A proof survives JSON (credentials are handed out as files).
  const copy = JSON.parse(JSON.stringify({ statement: batch.statement, proof: batch.proofs[5] })) as { statement: typeof batch.statement; proof: InclusionProof };
  checker.check('glucose', OWNER, ids[5], copy.statement, copy.proof);
});

test('batch credentials: forged paths, salts and indexes are refused', () => {
  const checker = new CredentialChecker(collaboration);
  const proof = batch.proofs[7];
  const flip = (text: string): string => {
    const bytes = Buffer.from(text, 'base64url');
    bytes[0] ^= 1;
    return bytes.toString('base64url');
  };
  const forged: InclusionProof[] = [
    { ...proof, path: [flip(proof.path[0]), ...proof.path.slice(1)] },
    { ...proof, path: proof.path.slice(0, -1) },
    { ...proof, path: [...proof.path, proof.path[0]] },
    { ...proof, path: [...proof.path].reverse() },
    { ...proof, salt: flip(proof.salt) },
    { ...proof, index: 8 },
    { ...proof, index: ids.length },
    { ...proof, index: -1 },
    { ...proof, salt: 'short' },
  ];
  for (const p of forged) rejects(() => checker.check('glucose', OWNER, ids[7], batch.statement, p), /does not place this contributor/);
  for (const p of [{ ...proof, index: 1.5 }, { index: 0, salt: proof.salt }, null, 'proof', { ...proof, path: Array(40).fill(proof.path[0]) }]) {
    rejects(() => checker.check('glucose', OWNER, ids[7], batch.statement, p), /proof is malformed/);
  }
  // Knowing an id (and the other contributors' paths) is not enough without its salt.
  const guessedSalt = Buffer.alloc(16).toString('base64url');
  rejects(() => checker.check('glucose', OWNER, ids[7], batch.statement, { ...proof, salt: guessedSalt }), /does not place/);
});

test("batch credentials: another table, collaboration or owner's root is refused; a changed statement too", () => {
  const checker = new CredentialChecker(collaboration);
  // The owner's batch is for 'glucose': not for another table, even after it was verified once.
  checker.check('glucose', OWNER, ids[0], batch.statement, batch.proofs[0]);
  rejects(() => checker.check('insulin', OWNER, ids[0], batch.statement, batch.proofs[0]), /for table 'glucose', not 'insulin'/);
  const otherCollaboration = issueCredentialBatch({ collaboration: 'other', table: 'glucose' }, ids, hospital.signingPrivateKey);
  rejects(() => checker.check('glucose', OWNER, ids[0], otherCollaboration.statement, otherCollaboration.proofs[0]), /for collaboration 'other'/);
  // Another party (a party of the collaboration, but not the table's owner) signed this root.
  const rogue = issueCredentialBatch({ collaboration: 'study', table: 'glucose' }, ids, registry.signingPrivateKey);
  rejects(() => checker.check('glucose', OWNER, ids[0], rogue.statement, rogue.proofs[0]), /not signed by the owner/);
  // The same statement, verified for one owner, is not taken for another table owner's.
  rejects(() => checker.check('glucose', 'Registry North', ids[0], batch.statement, batch.proofs[0]), /not signed by the owner/);
  // A root swapped into a signed statement (signature no longer matches).
  const payload = JSON.parse(Buffer.from(batch.statement.payload, 'base64').toString('utf8')) as Record<string, unknown>;
  const swapped = { ...batch.statement, payload: Buffer.from(JSON.stringify({ ...payload, leaves: 38 })).toString('base64') };
  rejects(() => checker.check('glucose', OWNER, ids[0], swapped, batch.proofs[0]), /not signed by the owner/);
  // A properly signed statement with a malformed root.
  const bad = signStatement(CREDENTIAL_BATCH_TYPE, { collaboration: 'study', table: 'glucose', root: 'xyz', leaves: 1 }, hospital.signingPrivateKey);
  rejects(() => checker.check('glucose', OWNER, ids[0], bad, { index: 0, salt: batch.proofs[0].salt, path: [] }), /malformed/);
});

test('single and batch credentials are not confused', () => {
  const checker = new CredentialChecker(collaboration);
  const single = issueCredential({ collaboration: 'study', table: 'glucose', contributor: 'patient-single' }, hospital.signingPrivateKey);
  checker.check('glucose', OWNER, 'patient-single', single, undefined);
  rejects(() => checker.check('glucose', OWNER, 'patient-other', single, undefined), /another contributor/);
  rejects(() => checker.check('glucose', OWNER, 'patient-single', single, batch.proofs[0]), /single credential comes without a proof/);
  rejects(() => checker.check('glucose', OWNER, ids[0], batch.statement, undefined), /needs the proof/);
  rejects(() => checker.check('glucose', OWNER, ids[0], { payloadType: 'application/vnd.tessera.other+json', payload: '', signatures: [] }, undefined), /not a contribution credential/);
  rejects(() => checker.check('glucose', OWNER, ids[0], { payload: 1 }, undefined), /malformed/);
  // A batch of one with its leaf as the root.
  const salt = Buffer.alloc(16, 7);
  const root = new MerkleTree([credentialLeaf('patient-alone', salt)]).root.toString('hex');
  const one = signStatement(CREDENTIAL_BATCH_TYPE, { collaboration: 'study', table: 'glucose', root, leaves: 1 }, hospital.signingPrivateKey);
  checker.check('glucose', OWNER, 'patient-alone', one, { index: 0, salt: salt.toString('base64url'), path: [] });
});

test('issuing a batch refuses repeated ids (each may add one row)', () => {
  assert.throws(() => issueCredentialBatch({ collaboration: 'study', table: 'glucose' }, ['patient-0001', 'patient-0001'], hospital.signingPrivateKey), /distinct/);
  assert.throws(() => issueCredentialBatch({ collaboration: 'study', table: 'glucose' }, [], hospital.signingPrivateKey), /1 to/);
});
