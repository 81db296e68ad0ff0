/**
 * Governance end to end on three in-process nodes (docs/governance.md): a production
 * collaboration runs only the next step of an approved script; every attack of issue 11 that the
 * built parts cover is refused by every node with the rule named, and each refusal is audited at
 * every node; the audit logs verify and cross-check, and a tampered log is detected; a receipt
 * verifies against its result and fails on any change.
 */

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Tessera } from '../../src/client/tessera.js';
import { signStatement, type SignedStatement } from '../../src/crypto/signed.js';
import { QueryFailedError, SignatureError, type TesseraError } from '../../src/errors.js';
import { APPROVAL_PAYLOAD_TYPE, signApproval } from '../../src/governance/approval.js';
import { crossCheck, verifyChain } from '../../src/governance/audit.js';
import { verifyReceipt, type Receipt, type ResultFile } from '../../src/governance/receipt.js';
import { scriptHash, type Script } from '../../src/governance/script.js';
import type { Plan } from '../../src/plan/plan.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let hospital: Tessera;
let ethics: Tessera;
let analyst: Tessera;
let other: Tessera;

const HOUR = 3_600_000;

function sumPlan(to: readonly string[] = ['Analyst'], column = 'age'): Plan {
  return { version: 1, root: { op: 'open', to, input: { op: 'aggregate', aggregates: [{ name: 'total', fn: 'sum', column }], input: { op: 'scan', table: 'visits', columns: [column] } } } } as Plan;
}

function countOver(age: number, mode: 'reveal-count' | 'oblivious' = 'reveal-count'): Plan {
  return {
    version: 1,
    root: { op: 'open', to: ['Analyst'], input: { op: 'aggregate', aggregates: [{ name: 'n', fn: 'count' }], input: { op: 'filter', mode, predicate: { op: '>', args: [{ op: 'col', name: 'age' }, { op: 'lit', value: age }] }, input: { op: 'scan', table: 'visits', columns: ['age'] } } } },
  } as Plan;
}

async function record(client: Tessera, plans: readonly Plan[], options: { maxRuns?: number; validFrom?: string; validUntil?: string } = {}): Promise<Script> {
  const recorder = client.recordScript({ title: 'test', validUntil: options.validUntil ?? new Date(Date.now() + HOUR).toISOString(), ...(options.validFrom ? { validFrom: options.validFrom } : {}), maxRuns: options.maxRuns ?? 1 });
  for (const plan of plans) await client.run(plan);
  return recorder.finish();
}

/** A fully approved, submitted script. */
async function approved(plans: readonly Plan[], options: { maxRuns?: number; validFrom?: string; validUntil?: string } = {}): Promise<string> {
  const script = await record(analyst, plans, options);
  const hash = await analyst.submitScript(script);
  await hospital.approveScript(hash);
  await ethics.approveScript(hash);
  return hash;
}

/** Runs a plan as a step of a script and expects every node to refuse it under `rule`, each refusal audited. */
async function refusedEverywhere(client: Tessera, plan: Plan, script: string | undefined, rule: string): Promise<void> {
  const handle = await client.run(plan, script ? { script } : {});
  await assert.rejects(handle.result(), (error: TesseraError) => {
    assert.ok(error instanceof QueryFailedError, error.message);
    assert.match(error.message, new RegExp(`governance rule '${rule}'`));
    return true;
  });
  for (const dir of cluster.dataDirs) {
    const entries = (await readFile(join(dir, 'governance', 'audit.log'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { entry: Record<string, unknown> }).entry);
    const entry = entries.find((e) => e.query === handle.id);
    assert.ok(entry, `query ${handle.id} is audited at ${dir}`);
    assert.equal(entry.outcome, 'refused', `refused at ${dir}: ${String(entry.reason)}`);
    assert.equal(entry.rule, rule);
  }
}

before(async () => {
  cluster = await startTestCluster({
    parties: [
      { name: 'St. Mary Hospital', roles: ['input', 'output', 'representative'] },
      { name: 'Ethics Board', roles: ['representative'] },
      { name: 'Analyst', roles: ['analyst', 'output'] },
      { name: 'Other Analyst', roles: ['analyst', 'output'] },
      { name: 'Auditor', roles: ['output'] },
    ],
    governance: { owners: [{ owner: 'St. Mary Hospital', approvers: ['St. Mary Hospital', 'Ethics Board'], required: 'all', recipients: ['Analyst', 'Other Analyst', 'St. Mary Hospital'], minGroupSize: 3 }] },
  });
  hospital = await cluster.connect('St. Mary Hospital', 0);
  ethics = await cluster.connect('Ethics Board', 1);
  analyst = await cluster.connect('Analyst', 2);
  other = await cluster.connect('Other Analyst', 0);
  await hospital.uploadTable('visits', { columns: { age: [30, 40, 50, 60, 70] } }, { columns: { age: { type: 'integer', min: 0, max: 120 } } });
});

after(async () => {
  await cluster?.close();
});

test('a production collaboration refuses a plan without a script, at every node', async () => {
  await refusedEverywhere(analyst, sumPlan(), undefined, 'approved-script');
});

test('an approved script runs its steps in order, once; every deviation is refused by every node', async () => {
  const script = await record(analyst, [sumPlan(), countOver(35)]);
  const hash = await analyst.submitScript(script);
  assert.equal(hash, scriptHash(script));
  // Not approved yet, then approved by one of the two required approvers only.
  await refusedEverywhere(analyst, sumPlan(), hash, 'approvals');
  await ethics.approveScript(hash);
  await refusedEverywhere(analyst, sumPlan(), hash, 'approvals');
  await hospital.approveScript(hash);
  // Steps out of order; a plan one byte away from the approved one; another analyst.
  await refusedEverywhere(analyst, countOver(35), hash, 'script-step');
  await refusedEverywhere(analyst, countOver(36), hash, 'script-plan');
  await refusedEverywhere(other, sumPlan(), hash, 'script-analyst');
  const first = await (await analyst.run(sumPlan(), { script: hash })).result();
  assert.equal(first.value, 250);
  const second = await (await analyst.run(countOver(35), { script: hash })).result();
  assert.equal(second.value, 4);
  // Replay beyond the run count (maxRuns 1).
  await refusedEverywhere(analyst, sumPlan(), hash, 'script-runs');
});

test('a revoked approval stops the script at every node', async () => {
  const hash = await approved([sumPlan()], { maxRuns: 3 });
  await hospital.revokeScript(hash);
  await refusedEverywhere(analyst, sumPlan(), hash, 'approvals');
});

test('an expired script and a recipient the policy does not allow are refused', async () => {
  const expired = await approved([sumPlan()], { validFrom: '2020-01-01T00:00:00.000Z', validUntil: '2021-01-01T00:00:00.000Z' });
  await refusedEverywhere(analyst, sumPlan(), expired, 'script-window');
  const auditor = await approved([sumPlan(['Auditor'])]);
  await refusedEverywhere(analyst, sumPlan(['Auditor']), auditor, 'recipients');
});

test('the minimum group size: refused at plan time when the count stays secret, at run time when it is too small', async () => {
  const oblivious = await approved([countOver(35, 'oblivious')]);
  await refusedEverywhere(analyst, countOver(35, 'oblivious'), oblivious, 'min-group-size');
  const small = await approved([countOver(65)]);
  await refusedEverywhere(analyst, countOver(65), small, 'min-group-size');
});

test('approvals signed by a non-representative, forged, or of another payload type are refused by the nodes', async () => {
  const script = await record(analyst, [sumPlan()]);
  const hash = await analyst.submitScript(script);
  const analystKey = cluster.parties.get('Analyst')!.signingPrivateKey;
  const byAnalyst = signStatement(APPROVAL_PAYLOAD_TYPE, { collaboration: cluster.collaboration.id, script: hash, approver: 'Analyst' }, analystKey);
  const post = (statement: SignedStatement) => hospital['connection'].send({ method: 'POST', path: `/v1/scripts/${hash}/approvals`, json: { statement }, signer: cluster.parties.get('St. Mary Hospital')! });
  await assert.rejects(post(byAnalyst), (e: TesseraError) => e instanceof SignatureError && /not a representative/.test(e.message));
  // Claims to be St. Mary's approval but is signed by the analyst's key.
  const forged = signStatement(APPROVAL_PAYLOAD_TYPE, { collaboration: cluster.collaboration.id, script: hash, approver: 'St. Mary Hospital' }, analystKey);
  await assert.rejects(post(forged), (e: TesseraError) => e instanceof SignatureError && /not validly signed by 'St. Mary Hospital'/.test(e.message));
  // A revocation's signature presented as an approval.
  const revocation = signApproval('revocation', cluster.collaboration, hash, 'St. Mary Hospital', cluster.parties.get('St. Mary Hospital')!.signingPrivateKey);
  await assert.rejects(post({ ...revocation, payloadType: APPROVAL_PAYLOAD_TYPE }), (e: TesseraError) => e instanceof SignatureError);
  await refusedEverywhere(analyst, sumPlan(), hash, 'approvals');
});

test('audit logs: each verifies, the three cross-check, and an edit, a deletion or a reordering is named', async () => {
  const texts = await Promise.all(cluster.dataDirs.map((d) => readFile(join(d, 'governance', 'audit.log'), 'utf8')));
  const reports = texts.map((t, i) => verifyChain(t, cluster.collaboration, i as 0 | 1 | 2));
  for (const r of reports) assert.deepEqual(r.problems, [], r.node);
  assert.deepEqual(crossCheck(reports), []);
  // Over the API too.
  assert.equal(await analyst.auditLog(), texts[2]);

  const lines = texts[1].trim().split('\n');
  const computedAt = lines.findIndex((l) => l.includes('"outcome":"computed"'));
  const edited = [...lines];
  edited[computedAt] = edited[computedAt].replace(/"rows":5/, '"rows":6');
  assert.notEqual(edited[computedAt], lines[computedAt]);
  assert.match(verifyChain(edited.join('\n') + '\n', cluster.collaboration, 1).problems.join('\n'), new RegExp(`line ${computedAt + 1} .*edited`));
  const deleted = lines.filter((_l, i) => i !== computedAt);
  const deletedReport = verifyChain(deleted.join('\n') + '\n', cluster.collaboration, 1);
  assert.match(deletedReport.problems.join('\n'), /deleted/);
  assert.match(crossCheck([reports[0], deletedReport, reports[2]]).join('\n'), /node-b's log has no entry/);
  const swapped = [...lines];
  [swapped[1], swapped[2]] = [swapped[2], swapped[1]];
  assert.match(verifyChain(swapped.join('\n') + '\n', cluster.collaboration, 1).problems.join('\n'), /reordered/);
});

test('a receipt verifies against its result and fails when the result, the plan or a signature changes', async () => {
  const hash = await approved([sumPlan()]);
  const handle = await analyst.run(sumPlan(), { script: hash });
  await handle.wait();
  const { resultFile, receipt } = await analyst.resultWithReceipt(handle.id);
  const checked = verifyReceipt(cluster.collaboration, resultFile, receipt);
  assert.equal(checked.script, hash);
  assert.deepEqual([...checked.approvers].sort(), ['Ethics Board', 'St. Mary Hospital']);

  const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  const changedResult = copy(resultFile) as ResultFile & { table: { rows: Record<string, unknown>[] } };
  const text = JSON.stringify(changedResult.table);
  assert.ok(text.includes('250'), text);
  const tampered: ResultFile = { ...changedResult, table: JSON.parse(text.replace('250', '251')) as ResultFile['table'] };
  assert.throws(() => verifyReceipt(cluster.collaboration, tampered, receipt), /recombine into another result/);
  const otherPlan: ResultFile = { ...copy(resultFile), info: { ...resultFile.info, plan: 'f'.repeat(64) } };
  assert.throws(() => verifyReceipt(cluster.collaboration, otherPlan, receipt), /another plan/);
  const badSig = copy(receipt) as Receipt & { attestations: SignedStatement[] };
  const sig = Buffer.from(badSig.attestations[1].signatures[0].sig, 'base64');
  sig[0] ^= 1;
  badSig.attestations[1] = { ...badSig.attestations[1], signatures: [{ ...badSig.attestations[1].signatures[0], sig: sig.toString('base64') }] };
  assert.throws(() => verifyReceipt(cluster.collaboration, resultFile, badSig), /node-b is not validly signed/);
  const share = copy(resultFile) as ResultFile & { shares: { node: number; share: string }[] };
  const bytes = Buffer.from(share.shares[0].share, 'base64');
  bytes[bytes.length - 1] ^= 1;
  share.shares[0] = { node: 0, share: bytes.toString('base64') };
  assert.throws(() => verifyReceipt(cluster.collaboration, share, receipt), /not the one it committed to/);
});
