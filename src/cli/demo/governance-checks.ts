/**
 * The demo's closing checks in production mode (docs/governance.md): the three nodes' audit logs
 * verified (each chain and signature, and the three cross-checked), and a result's receipt,
 * signed by the three nodes, verified as a third party would, with the collaboration file only.
 */

import { crossCheck, verifyChain } from '../../governance/audit.js';
import type { NodeIndex } from '../../governance/collaboration.js';
import { verifyReceipt } from '../../governance/receipt.js';
import type { Console } from '../output.js';
import type { GovernedQueries } from './governed.js';
import { heading } from './narration.js';
import type { DemoTarget } from './target.js';

export interface GovernanceOutcome {
  readonly auditVerified: boolean;
  readonly receiptVerified: boolean;
}

export async function runGovernanceChecks(target: DemoTarget, io: Console, governed: GovernedQueries): Promise<GovernanceOutcome> {
  const s = io.style;
  heading(io, 'Audit and receipts', 'Every node logged every query, script and approval in its own signed, hash-chained log; each result carries a receipt signed by the three nodes.');
  const texts: string[] = [];
  for (const i of [0, 1, 2] as const) {
    const client = await target.connect('Analyst', i);
    try {
      texts.push(await client.auditLog());
    } finally {
      await client.close();
    }
  }
  const reports = texts.map((t, i) => verifyChain(t, target.collaboration, i as NodeIndex));
  const problems = [...reports.flatMap((r) => r.problems), ...crossCheck(reports)];
  for (const r of reports) io.line(`  ${r.node}: ${r.entries.length} audit entries, ${r.entries.filter((e) => e.event === 'query').length} queries (${r.entries.filter((e) => e.outcome === 'refused').length} refused)`);
  const auditVerified = problems.length === 0;
  io.line(auditVerified ? s.green('  ✓ tessera audit verify: every chain and signature verifies, and the three logs agree') : s.red(`  ✗ the audit logs do not verify: ${problems.join('; ')}`));

  const first = governed.ran[0];
  if (!first) return { auditVerified, receiptVerified: false };
  const recipient = await target.connect(first.recipient, 0);
  try {
    const { resultFile, receipt } = await recipient.resultWithReceipt(first.query);
    const checked = verifyReceipt(target.collaboration, resultFile, receipt);
    io.line(`  ${first.recipient} fetches the result of query ${first.query} with its receipt (tessera receipt fetch); anyone with the collaboration file checks it (tessera receipt verify):`);
    io.line(s.green(`  ✓ receipt verified: signed by ${target.nodeNames.join(', ')}; plan ${checked.plan.slice(0, 12)}…, step ${checked.step === null ? '-' : checked.step + 1} of script ${checked.script?.slice(0, 12) ?? '-'}…, approved by ${checked.approvers.join(', ')}; the three shares recombine into the result`));
    return { auditVerified, receiptVerified: true };
  } finally {
    await recipient.close();
  }
}
