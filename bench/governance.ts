/**
 * `npm run bench -- --suite governance`: the cost of governance per query on one embedded
 * governed cluster (docs/governance.md). Measured:
 *   query      a governed query end to end (admission at three nodes, audit appends, attestations)
 *   audit      one durable audit append (fsync) at a node
 *   admission  the admission step's checks alone (script, window, approvals, policy, step count)
 *   receipt    fetching a result with its receipt, and verifying the receipt
 * Medians of --reps runs, in milliseconds.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdentity } from '../src/crypto/identity.js';
import { verifyReceipt } from '../src/governance/receipt.js';
import { AuditLog } from '../src/node/governance/audit-log.js';
import { startEmbeddedCluster } from '../src/node/embedded-cluster.js';
import type { Plan } from '../src/plan/plan.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed(reps: number, f: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = process.hrtime.bigint();
    await f();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(ms);
}

export async function runGovernanceSuite(reps: number, json: boolean): Promise<void> {
  const rows: { op: string; ms: number }[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'tessera-bench-audit-'));
  const log = await AuditLog.open(dir, 'node-a', createIdentity('node-a').signingPrivateKey);
  rows.push({ op: 'audit-append', ms: await timed(Math.max(reps, 50), () => log.append('query', { query: 'q-000000000000000000000000', plan: 'f'.repeat(64), outcome: 'computed' })) });
  await rm(dir, { recursive: true, force: true });

  const cluster = await startEmbeddedCluster({
    parties: [
      { name: 'Hospital', roles: ['input', 'output', 'representative'] },
      { name: 'Analyst', roles: ['analyst', 'output'] },
    ],
    governance: { owners: [{ owner: 'Hospital', approvers: ['Hospital'], required: 'one', recipients: ['Analyst'], minGroupSize: 2 }] },
  });
  try {
    const { Tessera } = await import('../src/client/tessera.js');
    const connect = (party: string) => Tessera.connect({ collaboration: cluster.collaboration, identity: cluster.parties.get(party)!, ca: cluster.certs.ca.certPem });
    const hospital = await connect('Hospital');
    const analyst = await connect('Analyst');
    await hospital.uploadTable('visits', { columns: { age: [30, 40, 50, 60] } }, { columns: { age: { type: 'integer', min: 0, max: 120 } } });
    const plan = { version: 1, root: { op: 'open', to: ['Analyst'], input: { op: 'aggregate', aggregates: [{ name: 'total', fn: 'sum', column: 'age' }], input: { op: 'scan', table: 'visits', columns: ['age'] } } } } as Plan;
    const runs = Math.max(reps, 10);
    const recorder = analyst.recordScript({ validUntil: new Date(Date.now() + 3_600_000), maxRuns: runs + 1 });
    await analyst.run(plan);
    const hash = await analyst.submitScript(recorder.finish());
    await hospital.approveScript(hash);
    let last = '';
    rows.push({
      op: 'governed-query',
      ms: await timed(runs, async () => {
        const h = await analyst.run(plan, { script: hash });
        await h.wait();
        last = h.id;
      }),
    });
    let fetched: Awaited<ReturnType<typeof analyst.resultWithReceipt>> | undefined;
    rows.push({ op: 'receipt-fetch', ms: await timed(reps, async () => (fetched = await analyst.resultWithReceipt(last))) });
    rows.push({ op: 'receipt-verify', ms: await timed(Math.max(reps, 20), async () => verifyReceipt(cluster.collaboration, fetched!.resultFile, fetched!.receipt)) });
    await hospital.close();
    await analyst.close();
  } finally {
    await cluster.close();
  }
  if (!json) console.log(`suite governance (embedded cluster, median ms)\n${'op'.padEnd(16)} ${'ms'.padStart(9)}`);
  for (const r of rows) console.log(json ? JSON.stringify({ suite: 'governance', ...r }) : `${r.op.padEnd(16)} ${r.ms.toFixed(2).padStart(9)}`);
}
