/**
 * Approvals and revocations of scripts: signed statements (crypto/signed.ts, DSSE) whose payload
 * type binds what is signed, over the script's hash:
 *
 *   approval:   application/vnd.tessera.script-approval+json   { collaboration, script, approver }
 *   revocation: application/vnd.tessera.script-revocation+json { collaboration, script, approver }
 *
 * Each is signed by the approver alone (one statement per representative, so each can be revoked
 * on its own). A revocation withdraws that representative's approval of that script for good.
 * Whether the approvals are *enough* for a query is the policy's decision (node/governance/admission.ts).
 */

import type { KeyObject } from 'node:crypto';
import { canonicalHash } from '../crypto/canonical-json.js';
import { signStatement, verifyStatement, type SignedStatement } from '../crypto/signed.js';
import { SignatureError } from '../errors.js';
import type { Collaboration } from './collaboration.js';

export const APPROVAL_PAYLOAD_TYPE = 'application/vnd.tessera.script-approval+json';
export const REVOCATION_PAYLOAD_TYPE = 'application/vnd.tessera.script-revocation+json';

export type ApprovalKind = 'approval' | 'revocation';

export interface ApprovalPayload {
  readonly collaboration: string;
  readonly script: string;
  readonly approver: string;
}

export interface VerifiedApproval extends ApprovalPayload {
  readonly kind: ApprovalKind;
  /** SHA-256 of the statement's canonical JSON: how audit entries and receipts name it. */
  readonly hash: string;
  readonly statement: SignedStatement;
}

const TYPES: Record<ApprovalKind, string> = { approval: APPROVAL_PAYLOAD_TYPE, revocation: REVOCATION_PAYLOAD_TYPE };

/** A representative's approval (or revocation) of a script, signed with its key. */
export function signApproval(kind: ApprovalKind, collaboration: Collaboration, script: string, approver: string, key: KeyObject): SignedStatement {
  const payload: ApprovalPayload = { collaboration: collaboration.id, script, approver };
  return signStatement(TYPES[kind], { ...payload }, key);
}

/**
 * Checks an approval or revocation: the payload type, a valid signature by the party it names
 * (and no one else's counts), a representative of this collaboration, for this collaboration.
 * Throws SignatureError naming what is wrong.
 */
export function verifyApproval(kind: ApprovalKind, statement: SignedStatement, collaboration: Collaboration): VerifiedApproval {
  const payload = peekPayload(statement);
  const approver = typeof payload?.approver === 'string' ? collaboration.findParty(payload.approver) : undefined;
  if (!payload || !approver || typeof payload.script !== 'string' || !/^[0-9a-f]{64}$/.test(payload.script) || Object.keys(payload).length !== 3) {
    throw new SignatureError(`this ${kind} does not name a party of collaboration '${collaboration.id}' and a script hash: it must be { collaboration, script, approver }`);
  }
  if (payload.collaboration !== collaboration.id) throw new SignatureError(`this ${kind} is for collaboration ${JSON.stringify(payload.collaboration)}, not '${collaboration.id}'`);
  if (!approver.roles.includes('representative')) throw new SignatureError(`'${approver.name}' signed this ${kind} but is not a representative in collaboration '${collaboration.id}'`);
  try {
    verifyStatement(statement, TYPES[kind], [collaboration.signingKeyOf(approver.name)]);
  } catch (error) {
    if (error instanceof SignatureError) throw new SignatureError(`the ${kind} by '${approver.name}' of script ${payload.script.slice(0, 12)}… is not validly signed by '${approver.name}' (${error.message})`);
    throw error;
  }
  return { kind, collaboration: collaboration.id, script: payload.script, approver: approver.name, hash: canonicalHash(statement), statement };
}

function peekPayload(statement: SignedStatement): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(statement.payload, 'base64').toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
