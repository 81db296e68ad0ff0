/**
 * The SDK's governance calls (docs/governance.md), used by Tessera's methods: recording a script,
 * sending it, its approvals and revocations to every node (each node keeps its own record and
 * checks every signature itself), and fetching a result with its receipt.
 */

import type { KeyObject } from 'node:crypto';
import { openEnvelope } from '../crypto/envelope.js';
import type { Identity } from '../crypto/identity.js';
import { decodePublicKey, encodePublicKey } from '../crypto/keys.js';
import type { SignedStatement } from '../crypto/signed.js';
import { IntegrityError, NodeUnavailableError, UsageError } from '../errors.js';
import { signApproval, type ApprovalKind } from '../governance/approval.js';
import type { Collaboration, NodeConfig, NodeIndex, PartyConfig } from '../governance/collaboration.js';
import { RECEIPT_FORMAT, RESULT_FILE_FORMAT, statementHash, tableToJson, type Receipt, type ResultFile } from '../governance/receipt.js';
import { SCRIPT_FORMAT, scriptHash, validateScript, type Script } from '../governance/script.js';
import { GOVERNANCE_ROUTES } from '../wire/governance-routes.js';
import type { Plan } from '../plan/plan.js';
import { ROUTES, resultContext, type QueryInfo, type ResultResponse } from '../wire/api.js';
import { decodeResultShare } from '../wire/result-payload.js';
import type { NodeConnection } from './node-connection.js';
import { reconstruct } from './reconstruct.js';
import { decodeTable, type ResultTable } from './result.js';

export interface RecordOptions {
  readonly title?: string;
  /** Default: now. */
  readonly validFrom?: Date | string;
  readonly validUntil: Date | string;
  /** Default 1. */
  readonly maxRuns?: number;
}

/**
 * Collects the plans an analysis would run, in order, instead of running them (record mode:
 * `t.recordScript(...)`; every `run` adds a step until `finish`).
 */
export class ScriptRecorder {
  private readonly plans: Plan[] = [];
  private finished = false;

  constructor(
    private readonly collaboration: Collaboration,
    private readonly analyst: PartyConfig,
    private readonly options: RecordOptions,
    private readonly onFinish: () => void,
  ) {}

  get steps(): number {
    return this.plans.length;
  }

  add(plan: Plan): number {
    if (this.finished) throw new UsageError('this script recording is finished');
    this.plans.push(JSON.parse(JSON.stringify(plan)) as Plan);
    return this.plans.length;
  }

  /** Stops recording and returns the script (validated; its hash is scriptHash(script)). */
  finish(): Script {
    if (this.plans.length === 0) throw new UsageError('nothing was recorded: run the analysis\'s queries while recording');
    this.finished = true;
    this.onFinish();
    const iso = (d: Date | string): string => (typeof d === 'string' ? new Date(d) : d).toISOString();
    return validateScript(
      {
        format: SCRIPT_FORMAT,
        collaboration: this.collaboration.id,
        title: this.options.title ?? '',
        analyst: this.analyst.name,
        analystKey: this.analyst.signingKey,
        validFrom: iso(this.options.validFrom ?? new Date()),
        validUntil: iso(this.options.validUntil),
        maxRuns: this.options.maxRuns ?? 1,
        steps: this.plans.map((plan) => ({ plan })),
      },
      this.collaboration,
    );
  }
}

/** Sends one request to every node; throws naming every node that refused or could not be reached. */
export async function toEveryNode<T>(collaboration: Collaboration, connectTo: (node: NodeConfig) => NodeConnection, what: string, send: (c: NodeConnection) => Promise<T>, options: { readonly nodesForward?: boolean } = { nodesForward: true }): Promise<T[]> {
  const settled = await Promise.allSettled(collaboration.nodes.map((n) => send(connectTo(n))));
  const failures = settled.flatMap((s, i) => (s.status === 'rejected' ? [`${collaboration.node(i as NodeIndex).name}: ${(s.reason as Error).message}`] : []));
  if (failures.length > 0) {
    const first = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult;
    const error = first.reason instanceof Error ? first.reason : new NodeUnavailableError(String(first.reason));
    const reached = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [collaboration.node(i as NodeIndex).name] : []));
    // Scripts and statements travel between the nodes too (node/governance/script-sync.ts): the nodes it reached forward it.
    const forwarded = reached.length > 0 && options.nodesForward === true ? ` ${reached.join(' and ')} accepted it and hand${reached.length === 1 ? 's' : ''} it on to the others once they are reachable;` : '';
    error.message = `${what} did not reach every node:${forwarded} send it again to be sure (each node records it once): ${failures.join('; ')}`;
    throw error;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

export async function submitScript(collaboration: Collaboration, connectTo: (node: NodeConfig) => NodeConnection, identity: Identity, script: Script): Promise<string> {
  const hash = scriptHash(validateScript(script, collaboration));
  await toEveryNode(collaboration, connectTo, `script ${hash}`, (c) => c.send({ method: 'POST', path: GOVERNANCE_ROUTES.scripts, json: { script }, signer: identity }));
  return hash;
}

/** Signs (with the caller's key) and sends an approval or revocation of a script to every node. */
export async function sendStatement(collaboration: Collaboration, connectTo: (node: NodeConfig) => NodeConnection, identity: Identity, party: PartyConfig, kind: ApprovalKind, script: string, key: KeyObject): Promise<SignedStatement> {
  const statement = signApproval(kind, collaboration, script, party.name, key);
  await postStatement(collaboration, connectTo, identity, kind, script, statement);
  return statement;
}

export async function postStatement(collaboration: Collaboration, connectTo: (node: NodeConfig) => NodeConnection, identity: Identity, kind: ApprovalKind, script: string, statement: SignedStatement): Promise<void> {
  const path = kind === 'approval' ? GOVERNANCE_ROUTES.approvals(script) : GOVERNANCE_ROUTES.revocations(script);
  await toEveryNode(collaboration, connectTo, `the ${kind} of script ${script}`, (c) => c.send({ method: 'POST', path, json: { statement }, signer: identity }));
}

/**
 * A result with its receipt: each node's own share (all three are needed to show the result to a
 * third party) and its attestation, and the script and approval statements the nodes relied on.
 */
export async function resultWithReceipt(
  collaboration: Collaboration,
  connectTo: (node: NodeConfig) => NodeConnection,
  identity: Identity,
  queryId: string,
): Promise<{ resultFile: ResultFile; receipt: Receipt; table: ResultTable }> {
  const shares: { node: number; share: string }[] = [];
  const attestations: SignedStatement[] = [];
  let info: QueryInfo | undefined;
  for (const node of collaboration.nodes) {
    const c = connectTo(node);
    const response = (await c.send<ResultResponse>({ method: 'GET', path: ROUTES.resultShare(queryId), signer: identity })).body;
    const { shares: sealed, missing: _m, ...rest } = response;
    info ??= rest;
    const signingKey = node.signingKey;
    const { payload } = openEnvelope(Buffer.from(sealed[0].envelope, 'base64'), identity.encryptionPrivateKey, resultContext(collaboration.id, queryId, identity.name, node.index), signingKey ? { expectedSender: decodePublicKey(signingKey, 'ed25519', `signing key of ${node.name}`) } : {});
    const decoded = decodeResultShare(payload);
    if (decoded.node !== node.index || decoded.query !== queryId) throw new IntegrityError(`the share from ${node.name} is for another node or query`);
    shares.push({ node: node.index, share: Buffer.from(payload).toString('base64') });
    attestations.push((await c.send<{ attestation: SignedStatement }>({ method: 'GET', path: GOVERNANCE_ROUTES.attestation(queryId), signer: identity })).body.attestation);
  }
  const r = reconstruct(shares.map((s) => decodeResultShare(Buffer.from(s.share, 'base64'))));
  const table = decodeTable(info!.outputs, r.columns, r.rows);
  const resultFile: ResultFile = { format: RESULT_FILE_FORMAT, query: queryId, info: info!, shares, table: tableToJson(table) };
  const attested = JSON.parse(Buffer.from(attestations[0].payload, 'base64').toString('utf8')) as { script: string | null; approvals: string[] };
  let script: Script | undefined;
  let approvals: SignedStatement[] = [];
  if (attested.script !== null) {
    const held = (await connectTo(collaboration.node(0)).send<{ script: Script; approvals: SignedStatement[] }>({ method: 'GET', path: GOVERNANCE_ROUTES.script(attested.script), signer: identity })).body;
    script = held.script;
    approvals = held.approvals.filter((a) => attested.approvals.includes(statementHash(a)));
  }
  const receipt: Receipt = { format: RECEIPT_FORMAT, query: queryId, attestations, ...(script ? { script } : {}), approvals };
  return { resultFile, receipt, table };
}

/** The signing key text of an identity (to compare with a script's analyst key). */
export function keyText(identity: Identity): string {
  return encodePublicKey(identity.signingPublicKey);
}
