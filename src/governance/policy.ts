/**
 * The collaboration's governance policy (the "governance" section of the collaboration file,
 * docs/governance.md): per table owner, whose representatives must approve a script that reads
 * the owner's tables (one, all, or k of n), who may receive results computed on them, and the
 * minimum group size of anything opened. The policy is signed by the owners' approvers: a
 * policy change is a new section with new signatures, and a production collaboration whose
 * policy lacks any owner's required signatures does not load (no node starts on it).
 *
 *   "governance": { "mode": "production",
 *     "owners": [ { "owner": "St. Mary Hospital", "approvers": ["St. Mary Hospital"], "required": "all",
 *                   "recipients": ["St. Mary Hospital"], "minGroupSize": 5 } ],
 *     "signatures": [ { "keyid": "<Ed25519 SPKI b64>", "sig": "<b64>" } ] }
 *
 * A collaboration file without the section is ungoverned: any analyst's signed plan runs (as
 * before governance existed); nodes still keep their audit logs.
 */

import { sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJsonBytes, type JsonValue } from '../crypto/canonical-json.js';
import { decodePublicKey, encodePublicKey, publicOf } from '../crypto/keys.js';
import { preAuthEncoding } from '../crypto/pae.js';
import type { StatementSignature } from '../crypto/signed.js';
import { UsageError } from '../errors.js';

export const POLICY_PAYLOAD_TYPE = 'application/vnd.tessera.policy+json';
/**
 * `production`: real tables only through approved scripts, dummy tables (design queries) freely;
 * `design`: the collaboration is still being designed, only design queries run (docs/governance.md).
 */
export const GOVERNANCE_MODES = ['production', 'design'] as const;
export type GovernanceMode = (typeof GOVERNANCE_MODES)[number];

/** How many of an owner's approvers must sign: one, all, or at least k. */
export type RequiredApprovals = 'one' | 'all' | number;

export interface OwnerPolicy {
  /** The party that owns (uploaded) the tables this entry governs. */
  readonly owner: string;
  /** Representatives (role 'representative') whose signatures count for this owner. */
  readonly approvers: readonly string[];
  readonly required: RequiredApprovals;
  /** Parties that may receive results computed on this owner's tables. */
  readonly recipients: readonly string[];
  /** Nothing computed over fewer rows of this owner's tables is opened (1: no minimum). */
  readonly minGroupSize: number;
  /**
   * Optional differential-privacy budget of each of the owner's tables: the total ε (Laplace)
   * or ρ (Gaussian, zCDP) that all queries reading the table may spend together; every node
   * enforces it (node/governance/dp-budget.ts).
   */
  readonly dpBudget?: DpBudget;
}

export interface DpBudget {
  readonly mechanism: 'laplace' | 'gaussian';
  readonly epsilon?: number;
  readonly rho?: number;
}

/** The total a budget allows: ε for Laplace, ρ for Gaussian. */
export function budgetTotal(b: DpBudget): number {
  return b.mechanism === 'laplace' ? b.epsilon! : b.rho!;
}

/** How the nodes generate dummy tables for design queries (design/dummy-values.ts). */
export interface DesignSettings {
  /** Public seed of the generated rows (default: derived from the collaboration's id). */
  readonly seed?: string;
  /** Rows of a generated dummy table (default DEFAULT_DUMMY_ROWS). */
  readonly rows?: number;
}

export const DEFAULT_DUMMY_ROWS = 200;
export const MAX_GENERATED_DUMMY_ROWS = 100_000;

export interface Governance {
  readonly mode: GovernanceMode;
  readonly owners: readonly OwnerPolicy[];
  readonly design?: DesignSettings;
  readonly signatures: readonly StatementSignature[];
}

/** The parties as the validator needs them (names, roles, signing keys). */
export interface PolicyParty {
  readonly name: string;
  readonly roles: readonly string[];
  readonly signingKey: string;
}

type Json = Record<string, unknown>;

/** How many approvals an owner policy needs. */
export function approvalsNeeded(policy: OwnerPolicy): number {
  if (policy.required === 'one') return 1;
  if (policy.required === 'all') return policy.approvers.length;
  return policy.required;
}

/** What the approvers sign: the collaboration's id and the policy without its signatures. */
export function policyPayload(collaborationId: string, governance: Pick<Governance, 'mode' | 'owners' | 'design'>): JsonValue {
  return {
    collaboration: collaborationId,
    mode: governance.mode,
    owners: governance.owners.map((o) => {
      const { dpBudget, ...rest } = o;
      // The budget is signed with the rest of the owner's policy, so changing it needs new signatures.
      return { ...rest, approvers: [...o.approvers], recipients: [...o.recipients], ...(dpBudget ? { dpBudget: { ...dpBudget } as Record<string, JsonValue> } : {}) };
    }),
    // Only when given, so that policies signed before design settings existed still verify.
    ...(governance.design !== undefined ? { design: { ...governance.design } } : {}),
  };
}

/** One approver's signature over the policy (`tessera policy sign`). */
export function signPolicy(collaborationId: string, governance: Pick<Governance, 'mode' | 'owners' | 'design'>, signer: KeyObject): StatementSignature {
  if (signer.type !== 'private' || signer.asymmetricKeyType !== 'ed25519') throw new UsageError('a policy is signed with an Ed25519 private key');
  const message = preAuthEncoding(POLICY_PAYLOAD_TYPE, canonicalJsonBytes(policyPayload(collaborationId, governance)));
  return { keyid: encodePublicKey(publicOf(signer)), sig: sign(null, message, signer).toString('base64') };
}

/** Names of the parties whose signatures on the policy verify. */
export function policySigners(collaborationId: string, governance: Governance, parties: readonly PolicyParty[]): Set<string> {
  const message = preAuthEncoding(POLICY_PAYLOAD_TYPE, canonicalJsonBytes(policyPayload(collaborationId, governance)));
  const signers = new Set<string>();
  for (const s of governance.signatures) {
    const party = parties.find((p) => p.signingKey === s.keyid);
    if (!party) continue;
    const sig = Buffer.from(s.sig, 'base64');
    if (sig.byteLength === 64 && verify(null, message, decodePublicKey(party.signingKey, 'ed25519', `signing key of '${party.name}'`), sig)) signers.add(party.name);
  }
  return signers;
}

/**
 * Validates the section; adds every problem to `problems`. `checkSignatures` is false only for
 * tools that are collecting the signatures (`tessera policy sign`).
 */
export function validateGovernance(value: unknown, collaborationId: string, parties: readonly PolicyParty[], problems: string[], checkSignatures = true): Governance | undefined {
  if (!isObject(value)) {
    problems.push('"governance" must be an object { mode, owners, signatures } (docs/governance.md)');
    return undefined;
  }
  onlyFields(value, ['mode', 'owners', 'design', 'signatures'], '"governance"', problems);
  const before = problems.length;
  if (!(GOVERNANCE_MODES as readonly unknown[]).includes(value.mode)) problems.push(`"governance.mode" must be "production" (real tables through approved scripts, dummy tables freely) or "design" (dummy tables only)`);
  const design = value.design === undefined ? undefined : validateDesign(value.design, problems);
  const byName = new Map(parties.map((p) => [p.name, p]));
  const owners: OwnerPolicy[] = [];
  if (!Array.isArray(value.owners) || value.owners.length === 0) problems.push('"governance.owners" must list at least one table owner\'s policy');
  else {
    const seen = new Set<string>();
    value.owners.forEach((raw: unknown, i: number) => {
      const owner = validateOwner(raw, `governance.owners[${i}]`, byName, problems);
      if (!owner) return;
      if (seen.has(owner.owner)) problems.push(`governance.owners[${i}]: owner '${owner.owner}' has two policies; merge them`);
      seen.add(owner.owner);
      owners.push(owner);
    });
  }
  const signatures: StatementSignature[] = [];
  if (value.signatures !== undefined && !Array.isArray(value.signatures)) problems.push('"governance.signatures" must be a list of { keyid, sig }');
  for (const s of Array.isArray(value.signatures) ? (value.signatures as unknown[]) : []) {
    if (!isObject(s) || typeof s.keyid !== 'string' || typeof s.sig !== 'string' || Object.keys(s).length !== 2) problems.push('"governance.signatures" entries must be { keyid, sig }');
    else signatures.push({ keyid: s.keyid, sig: s.sig });
  }
  if (problems.length > before) return undefined;
  const governance: Governance = { mode: value.mode as GovernanceMode, owners, ...(design ? { design } : {}), signatures };
  if (checkSignatures) {
    const signers = policySigners(collaborationId, governance, parties);
    for (const o of owners) {
      const have = o.approvers.filter((a) => signers.has(a));
      const need = approvalsNeeded(o);
      if (have.length < need) {
        problems.push(
          `the policy for owner '${o.owner}' needs ${need} of its approvers' signatures (${o.approvers.join(', ')}) and has ${have.length}${have.length > 0 ? ` (${have.join(', ')})` : ''}: a policy (and every change to it) must be signed with 'tessera policy sign' by the owners' representatives`,
        );
      }
    }
  }
  return governance;
}

function validateOwner(raw: unknown, where: string, parties: ReadonlyMap<string, PolicyParty>, problems: string[]): OwnerPolicy | undefined {
  if (!isObject(raw)) {
    problems.push(`${where} must be an object { owner, approvers, required, recipients, minGroupSize }`);
    return undefined;
  }
  onlyFields(raw, ['owner', 'approvers', 'required', 'recipients', 'minGroupSize', 'dpBudget'], where, problems);
  const before = problems.length;
  const owner = raw.owner;
  if (typeof owner !== 'string' || !parties.has(owner)) problems.push(`${where}: "owner" must name a party of the collaboration`);
  else if (!parties.get(owner)!.roles.includes('input')) problems.push(`${where}: owner '${owner}' has no 'input' role, so it owns no tables`);
  const approvers = partyList(raw.approvers, `${where}: "approvers"`, 'representative', parties, problems);
  const required = raw.required;
  if (!(required === 'one' || required === 'all' || (Number.isInteger(required) && (required as number) >= 1 && (required as number) <= approvers.length))) {
    problems.push(`${where}: "required" must be "one", "all" or a number from 1 to the number of approvers (${approvers.length})`);
  }
  const recipients = partyList(raw.recipients, `${where}: "recipients"`, 'output', parties, problems);
  const minGroupSize = raw.minGroupSize ?? 1;
  if (!Number.isSafeInteger(minGroupSize) || (minGroupSize as number) < 1) problems.push(`${where}: "minGroupSize" must be a whole number of at least 1`);
  const dpBudget = raw.dpBudget === undefined ? undefined : validateBudget(raw.dpBudget, `${where}: "dpBudget"`, problems);
  if (problems.length > before) return undefined;
  return { owner: owner as string, approvers, required: required as RequiredApprovals, recipients, minGroupSize: minGroupSize as number, ...(dpBudget ? { dpBudget } : {}) };
}

/** { mechanism: 'laplace', epsilon } or { mechanism: 'gaussian', rho }: a positive, finite total. */
function validateBudget(value: unknown, label: string, problems: string[]): DpBudget | undefined {
  const shape = `${label} must be { "mechanism": "laplace", "epsilon": total } or { "mechanism": "gaussian", "rho": total }`;
  if (!isObject(value) || (value.mechanism !== 'laplace' && value.mechanism !== 'gaussian')) {
    problems.push(shape);
    return undefined;
  }
  const parameter = value.mechanism === 'laplace' ? 'epsilon' : 'rho';
  const total = value[parameter];
  if (Object.keys(value).some((k) => k !== 'mechanism' && k !== parameter) || typeof total !== 'number' || !Number.isFinite(total) || total <= 0) {
    problems.push(`${shape}, the total a positive number`);
    return undefined;
  }
  return { mechanism: value.mechanism, [parameter]: total };
}

function validateDesign(value: unknown, problems: string[]): DesignSettings | undefined {
  if (!isObject(value)) {
    problems.push('"governance.design" must be an object { seed?, rows? }');
    return undefined;
  }
  onlyFields(value, ['seed', 'rows'], '"governance.design"', problems);
  const { seed, rows } = value;
  if (seed !== undefined && (typeof seed !== 'string' || seed.length === 0 || seed.length > 256)) problems.push('"governance.design.seed" must be text of 1 to 256 characters (it is public)');
  if (rows !== undefined && !(Number.isSafeInteger(rows) && (rows as number) >= 1 && (rows as number) <= MAX_GENERATED_DUMMY_ROWS)) problems.push(`"governance.design.rows" must be a whole number from 1 to ${MAX_GENERATED_DUMMY_ROWS}`);
  return { ...(typeof seed === 'string' ? { seed } : {}), ...(typeof rows === 'number' ? { rows } : {}) };
}

function partyList(value: unknown, label: string, role: string, parties: ReadonlyMap<string, PolicyParty>, problems: string[]): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
    problems.push(`${label} must be a non-empty list of party names`);
    return [];
  }
  const names = value as string[];
  if (new Set(names).size !== names.length) problems.push(`${label} names a party twice`);
  for (const n of names) {
    const party = parties.get(n);
    if (!party) problems.push(`${label}: '${n}' is not a party of the collaboration`);
    else if (!party.roles.includes(role)) problems.push(`${label}: '${n}' does not have the '${role}' role`);
  }
  return names;
}

function onlyFields(value: Json, allowed: readonly string[], where: string, problems: string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) problems.push(`${where}: unknown field "${key}" (allowed: ${allowed.join(', ')})`);
  }
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
