/**
 * Result receipts (docs/governance.md, "Receipts"). Each node signs an attestation of every
 * result it computed (payload type application/vnd.tessera.result-attestation+json):
 *
 *   { collaboration, query, node, plan, script, step, approvals: [approval statement hashes],
 *     recipients, outputs: hash of the outputs' decoding, tables: [{ name, owner, digest of this node's shares }],
 *     disclosed: { rows, excluded, resultRows, revealed }, share: SHA-256 of this node's result share }
 *
 * The receipt is the three attestations, with the script and the approval statements they name:
 *
 *   { format: "tessera-receipt/v1", query, attestations: [3 statements], script?, approvals: [statements] }
 *
 * The commitment to the result is the hash of each node's result share (the plaintext the node
 * sealed to the recipient, wire/result-payload.ts): the nodes never see the result, yet the
 * recipient, who holds the three shares, can show them (the result file) and anyone can hash them
 * against the receipt and recombine them into the result.
 */

import { createHash, type KeyObject } from 'node:crypto';
import { canonicalHash, canonicalJson, type JsonValue } from '../crypto/canonical-json.js';
import { signStatement, verifyStatement, type SignedStatement } from '../crypto/signed.js';
import { IntegrityError } from '../errors.js';
import { reconstruct } from '../client/reconstruct.js';
import { decodeTable } from '../client/result.js';
import { planHash } from '../plan/plan.js';
import { decodeResultShare } from '../wire/result-payload.js';
import type { QueryInfo } from '../wire/api.js';
import { verifyApproval } from './approval.js';
import type { Collaboration, NodeIndex } from './collaboration.js';
import { approvalsNeeded } from './policy.js';
import { scriptHash, validateScript, type Script } from './script.js';

export const ATTESTATION_PAYLOAD_TYPE = 'application/vnd.tessera.result-attestation+json';
export const RECEIPT_FORMAT = 'tessera-receipt/v1';
export const RESULT_FILE_FORMAT = 'tessera-result/v1';

export interface Attestation {
  readonly collaboration: string;
  readonly query: string;
  readonly node: number;
  readonly plan: string;
  readonly script: string | null;
  readonly step: number | null;
  readonly approvals: readonly string[];
  readonly recipients: readonly string[];
  /** SHA-256 of the canonical JSON of the result's outputs (how its columns decode). */
  readonly outputs: string;
  readonly tables: readonly { readonly name: string; readonly owner: string; readonly digest: string }[];
  readonly disclosed: { readonly rows: number; readonly excluded: number; readonly resultRows: number; readonly revealed: readonly { readonly path: string; readonly fact: string; readonly value: number }[] };
  /** SHA-256 (hex) of this node's result share (the bytes it sealed to each recipient). */
  readonly share: string;
}

export interface Receipt {
  readonly format: typeof RECEIPT_FORMAT;
  readonly query: string;
  readonly attestations: readonly SignedStatement[];
  readonly script?: Script;
  readonly approvals: readonly SignedStatement[];
}

/** What a recipient shows with its receipt: the three result shares it opened, and the result it claims. */
export interface ResultFile {
  readonly format: typeof RESULT_FILE_FORMAT;
  readonly query: string;
  readonly info: QueryInfo;
  /** Each node's opened result share, base64 of its bytes. */
  readonly shares: readonly { readonly node: number; readonly share: string }[];
  /** The decoded result table (bigints as decimal strings). */
  readonly table: JsonValue;
}

export function signAttestation(attestation: Attestation, key: KeyObject): SignedStatement {
  return signStatement(ATTESTATION_PAYLOAD_TYPE, attestation as unknown as JsonValue, key);
}

/** The decoded table as plain JSON (bigints as decimal strings), so it can be written and compared. */
export function tableToJson(table: unknown): JsonValue {
  return JSON.parse(JSON.stringify(table, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as JsonValue;
}

export interface ReceiptCheck {
  readonly query: string;
  readonly plan: string;
  readonly script: string | null;
  readonly step: number | null;
  readonly approvers: readonly string[];
  readonly tables: readonly string[];
  readonly recipients: readonly string[];
}

/**
 * Checks a result against its receipt with nothing but the collaboration file: the three nodes'
 * signatures, that they attest the same computation, that the script and approvals are the ones
 * named and satisfy the policy, that each share hashes to its node's commitment, and that the
 * shares recombine into exactly the claimed result. Throws IntegrityError naming the first failure.
 */
export function verifyReceipt(collaboration: Collaboration, result: ResultFile, receipt: Receipt): ReceiptCheck {
  const fail = (why: string): never => {
    throw new IntegrityError(`the receipt does not verify: ${why}`);
  };
  if (receipt.format !== RECEIPT_FORMAT) fail(`its format is ${JSON.stringify(receipt.format)}, not ${RECEIPT_FORMAT}`);
  if (result.format !== RESULT_FILE_FORMAT) fail(`the result file's format is ${JSON.stringify(result.format)}, not ${RESULT_FILE_FORMAT}`);
  if (!Array.isArray(receipt.attestations) || receipt.attestations.length !== 3) fail('it needs the attestations of all three nodes');
  const attestations = receipt.attestations.map((statement, i) => {
    const node = collaboration.node(i as NodeIndex);
    if (node.signingKey === undefined) return fail(`the collaboration lists no signing key for ${node.name}`);
    let payload: Attestation;
    try {
      payload = verifyStatement(statement, ATTESTATION_PAYLOAD_TYPE, [collaboration.signingKeyOfNode(i as NodeIndex)]).payload as unknown as Attestation;
    } catch (error) {
      return fail(`the attestation of ${node.name} is not validly signed by ${node.name} (${(error as Error).message})`);
    }
    if (payload.node !== i) fail(`attestation ${i} is for node ${payload.node}`);
    return payload;
  });
  const [first] = attestations;
  for (const a of attestations) {
    if (a.collaboration !== collaboration.id) fail(`an attestation is for collaboration '${a.collaboration}'`);
    for (const f of ['query', 'plan', 'script', 'step', 'approvals', 'recipients', 'outputs', 'disclosed'] as const) {
      if (canonicalJson(a[f]) !== canonicalJson(first[f])) fail(`the nodes attest different "${f}"`);
    }
    if (canonicalJson(a.tables.map((t) => [t.name, t.owner])) !== canonicalJson(first.tables.map((t) => [t.name, t.owner]))) fail('the nodes attest different input tables');
  }
  if (receipt.query !== first.query || result.query !== first.query) fail(`the result is for query ${result.query}, the receipt for ${first.query}`);
  // The script and its approvals, as the policy requires them.
  const approvers: string[] = [];
  if (first.script !== null) {
    if (!receipt.script) return fail('it names a script but does not include it');
    const script = validateScript(receipt.script, collaboration);
    if (scriptHash(script) !== first.script) fail('the included script is not the one the nodes attest');
    if (first.step === null || !script.steps[first.step] || planHash(script.steps[first.step].plan) !== first.plan) fail('the plan is not the attested step of the script');
    const byHash = new Map<string, string>();
    for (const s of receipt.approvals) {
      const v = verifyApproval('approval', s, collaboration);
      if (v.script !== first.script) fail(`an included approval is for another script`);
      byHash.set(v.hash, v.approver);
    }
    for (const h of first.approvals) {
      const approver = byHash.get(h);
      if (approver === undefined) return fail(`the approval ${h.slice(0, 12)}… the nodes relied on is not included`);
      approvers.push(approver);
    }
    for (const owner of new Set(first.tables.map((t) => t.owner))) {
      const policy = collaboration.governance?.owners.find((o) => o.owner === owner);
      if (!policy) return fail(`no policy for '${owner}' in the collaboration`);
      if (policy.approvers.filter((a) => approvers.includes(a)).length < approvalsNeeded(policy)) fail(`the approvals do not satisfy the policy of '${owner}'`);
    }
  } else if (collaboration.governance) {
    fail('a governed collaboration runs only scripts, and this result names none');
  }
  // The result: each share is the one its node committed to, and they recombine into the claimed table.
  if (result.info.plan !== first.plan || result.info.query !== first.query) fail('the result file is for another plan or query');
  if (canonicalHash(result.info.outputs as unknown as JsonValue) !== first.outputs) fail('the result file decodes its outputs otherwise than the nodes attest');
  const shares = result.shares.map(({ node, share }) => {
    const bytes = Buffer.from(share, 'base64');
    const a = attestations[node];
    if (!a) return fail(`a share claims to come from node ${node}`);
    if (createHash('sha256').update(bytes).digest('hex') !== a.share) fail(`the share of ${collaboration.node(node as NodeIndex).name} is not the one it committed to`);
    return decodeResultShare(bytes);
  });
  if (shares.length !== 3) fail('the result file needs all three shares');
  const r = reconstruct(shares);
  const table = tableToJson(decodeTable(result.info.outputs, r.columns, r.rows));
  if (canonicalJson(table) !== canonicalJson(result.table)) fail('the shares recombine into another result than the one claimed');
  if (r.public.rows !== first.disclosed.rows || r.public.excluded !== first.disclosed.excluded) fail('the shares report other row counts than the attested ones');
  return { query: first.query, plan: first.plan, script: first.script, step: first.step, approvers, tables: first.tables.map((t) => t.name), recipients: first.recipients };
}

/** The SHA-256 of a statement, as attestations name approvals. */
export function statementHash(statement: SignedStatement): string {
  return canonicalHash(statement as unknown as JsonValue);
}
