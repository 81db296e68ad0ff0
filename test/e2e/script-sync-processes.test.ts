/**
 * Scripts and statements reach every node (node/governance/script-sync.ts) over three node
 * processes: a revocation given to one node only is forwarded, so every node refuses the next
 * step; an approval given while a node was down reaches it when it returns, so the step runs; a
 * revocation given while a node was down reaches it too, and it refuses on its own.
 */

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { initCluster } from '../../src/cli/cluster/init.js';
import type { LocalCluster } from '../../src/cli/cluster/layout.js';
import { NodeConnection } from '../../src/client/node-connection.js';
import { Tessera } from '../../src/client/tessera.js';
import { loadIdentity, type Identity } from '../../src/crypto/identity.js';
import type { SignedStatement } from '../../src/crypto/signed.js';
import { signApproval, type ApprovalKind } from '../../src/governance/approval.js';
import { Collaboration, type NodeIndex } from '../../src/governance/collaboration.js';
import type { Script } from '../../src/governance/script.js';
import type { Plan } from '../../src/plan/plan.js';
import { GOVERNANCE_ROUTES } from '../../src/wire/governance-routes.js';
import { runInProcess } from '../helpers/cli.js';
import { NodeProcessSet } from '../helpers/node-process-set.js';
import { SETUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from '../helpers/node-processes.js';

let root: string;
let cluster: LocalCluster;
let collaboration: Collaboration;
let hospital: Identity;
let analyst: Tessera;
let nodes: NodeProcessSet | undefined;

const PLAN = { version: 1, root: { op: 'open', to: ['Analyst'], input: { op: 'aggregate', aggregates: [{ name: 'total', fn: 'sum', column: 'age' }], input: { op: 'scan', table: 'visits', columns: ['age'] } } } } as Plan;

function startNode(i: NodeIndex): void {
  nodes!.start(i);
}

async function stopNode(i: NodeIndex): Promise<void> {
  await nodes!.stop(i);
}

/** Sends a statement to one node only, as a client that reaches only that node would. */
async function statementTo(node: NodeIndex, kind: ApprovalKind, script: string): Promise<SignedStatement> {
  const statement = signApproval(kind, collaboration, script, 'Hospital', hospital.signingPrivateKey);
  const c = new NodeConnection(collaboration.node(node), { ca: await readFile(cluster.caPath, 'utf8'), timeoutMs: 30_000 });
  try {
    await c.send({ method: 'POST', path: kind === 'approval' ? GOVERNANCE_ROUTES.approvals(script) : GOVERNANCE_ROUTES.revocations(script), json: { statement }, signer: hospital });
  } finally {
    await c.close();
  }
  return statement;
}

/** What node i holds of a script: its approvers and revokers. */
async function heldAt(i: NodeIndex, script: string): Promise<{ approvals: number; revocations: number }> {
  const c = new NodeConnection(collaboration.node(i), { ca: await readFile(cluster.caPath, 'utf8'), timeoutMs: 30_000 });
  try {
    const body = (await c.send<{ approvals: unknown[]; revocations: unknown[] }>({ method: 'GET', path: GOVERNANCE_ROUTES.script(script), signer: hospital })).body;
    return { approvals: body.approvals.length, revocations: body.revocations.length };
  } finally {
    await c.close();
  }
}

async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function newScript(): Promise<string> {
  const recorder = analyst.recordScript({ title: `sync ${Math.random()}`, validUntil: new Date(Date.now() + 3_600_000).toISOString(), maxRuns: 3 });
  await analyst.run(PLAN);
  return analyst.submitScript(recorder.finish() as Script);
}

/** Each node's audit outcome (and rule) for a query. */
async function outcomes(query: string): Promise<string[]> {
  return Promise.all(
    cluster.nodes.map(async (n) => {
      const entries = (await readFile(join(cluster.path(n.dataDir), 'governance', 'audit.log'), 'utf8').catch(() => '')).trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { entry: Record<string, unknown> }).entry);
      const e = entries.find((x) => x.query === query);
      return e ? `${String(e.outcome)}${e.rule ? `:${String(e.rule)}` : ''}` : 'none';
    }),
  );
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-sync-procs-'));
  cluster = await initCluster({
    warmUp: false,
    dir: root,
    parties: [
      { name: 'Hospital', roles: ['input', 'output', 'representative'] },
      { name: 'Analyst', roles: ['analyst', 'output'] },
    ],
    timeouts: { connectMs: 1500, rpcMs: 10_000, mpcMs: 10_000 },
  });
  const file = JSON.parse(await readFile(cluster.collaborationPath, 'utf8')) as Record<string, unknown>;
  file.governance = { mode: 'production', owners: [{ owner: 'Hospital', approvers: ['Hospital'], required: 'one', recipients: ['Analyst'] }], signatures: [] };
  await writeFile(cluster.collaborationPath, JSON.stringify(file, null, 2));
  const signed = await runInProcess(['policy', 'sign', cluster.collaborationPath, '--key', cluster.path(cluster.party('Hospital').key)]);
  assert.equal(signed.code, 0, signed.stderr);
  collaboration = await Collaboration.load(cluster.collaborationPath);
  hospital = await loadIdentity(cluster.path(cluster.party('Hospital').key));
  nodes = new NodeProcessSet(cluster);
  nodes.startAll();
  await nodes.waitHealthy();
  const owner = await Tessera.connect({ collaboration, identity: hospital, ca: cluster.caPath });
  await owner.uploadTable('visits', { columns: { age: [30, 40, 50] } }, { columns: { age: { type: 'integer', min: 0, max: 120 } } });
  await owner.close();
  analyst = await Tessera.connect({ collaboration, identity: cluster.path(cluster.party('Analyst').key), ca: cluster.caPath, node: 1 });
}, { timeout: SETUP_TIMEOUT_MS });

after(async () => {
  await analyst?.close();
  await nodes?.stopAll();
  await rm(root, { recursive: true, force: true });
}, { timeout: TEARDOWN_TIMEOUT_MS });

test('a revocation given to one node is forwarded: every node refuses the next step', { timeout: 120_000 }, async () => {
  const script = await newScript();
  await statementTo(0, 'approval', script);
  await eventually('every node holds the approval', async () => (await Promise.all(([0, 1, 2] as const).map((i) => heldAt(i, script)))).every((h) => h.approvals === 1));
  assert.equal((await (await analyst.run(PLAN, { script })).result()).outputs.total.value, 120);
  await statementTo(2, 'revocation', script);
  await eventually('every node holds the revocation', async () => (await Promise.all(([0, 1, 2] as const).map((i) => heldAt(i, script)))).every((h) => h.revocations === 1));
  const refused = await analyst.run(PLAN, { script });
  await assert.rejects(refused.result(), /governance rule 'approvals'/);
  assert.deepEqual(await outcomes(refused.id), ['refused:approvals', 'refused:approvals', 'refused:approvals']);
  // Each node recorded (and audited) the script and each statement once, whether from the client or a peer first.
  for (const n of cluster.nodes) {
    const entries = (await readFile(join(cluster.path(n.dataDir), 'governance', 'audit.log'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { entry: Record<string, unknown> }).entry).filter((e) => e.script === script);
    assert.deepEqual(['script', 'approval', 'revocation'].map((event) => entries.filter((e) => e.event === event).length), [1, 1, 1], `${n.name}: ${JSON.stringify(entries.map((e) => [e.event, e.by]))}`);
  }
});

test('an approval given while a node was down reaches it when it returns; so does a revocation', { timeout: 180_000 }, async () => {
  const script = await newScript();
  await stopNode(2);
  await statementTo(0, 'approval', script);
  startNode(2);
  await nodes!.waitHealthy();
  await eventually('the returned node holds the approval', async () => (await heldAt(2, script)).approvals === 1);
  assert.equal((await (await analyst.run(PLAN, { script })).result()).outputs.total.value, 120);

  await stopNode(0);
  await statementTo(1, 'revocation', script);
  startNode(0);
  await nodes!.waitHealthy();
  await eventually('the returned node holds the revocation', async () => (await heldAt(0, script)).revocations === 1);
  const refused = await analyst.run(PLAN, { script });
  await assert.rejects(refused.result(), /governance rule 'approvals'/);
  assert.deepEqual(await outcomes(refused.id), ['refused:approvals', 'refused:approvals', 'refused:approvals']);
});
