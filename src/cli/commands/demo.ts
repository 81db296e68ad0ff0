/**
 * `tessera demo [--cluster DIR]`: the three use cases end to end, narrated. Embedded by default
 * (three nodes in this process, storage in a temporary directory removed afterwards).
 */

import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { formatCount, formatNumber, formatSeconds, type Console } from '../output.js';

export function registerDemoCommand(program: Command, io: Console): void {
  program
    .command('demo')
    .description('run the four use cases: a secure sum across three registries, 1,000 patients whose values only a hospital sees in aggregate, a hospital\'s and an insurer\'s records linked by patient, and a survival study on those joined tables opened to a researcher')
    .option('--cluster <dir>', 'run against this running local cluster instead of three nodes in this process')
    .option('--patients <n>', 'how many patients submit', '1000')
    .action(async (options: { cluster?: string; patients: string }) => {
      const patients = Number(options.patients);
      if (!Number.isSafeInteger(patients) || patients < 1 || patients > 1_000_000) throw new UsageError(`--patients must be a whole number from 1 to 1,000,000, got '${options.patients}'`);
      const { clusterTarget, embeddedTarget } = await import('../demo/target.js');
      const { runRegistries } = await import('../demo/registries.js');
      const { runPatients } = await import('../demo/patients.js');
      const { runLinkedRecords } = await import('../demo/linked-records.js');
      const s = io.style;
      const started = performance.now();
      io.line(s.bold('Tessera demo') + s.dim(' — computing on combined sensitive data without revealing it'));
      const target = options.cluster !== undefined ? await clusterTarget(options.cluster) : await embeddedTarget();
      // Ctrl-C: stop the embedded nodes and remove their temporary directory before leaving.
      const interrupted = (): void => {
        void target.close().finally(() => process.exit(130));
      };
      process.once('SIGINT', interrupted);
      process.once('SIGTERM', interrupted);
      try {
        const startupMs = performance.now() - started;
        io.line(`Nodes: ${target.nodeNames.join(', ')} — ${target.description} (ready in ${formatSeconds(startupMs)})`);
        io.line(`Parties: ${target.collaboration.parties.map((p) => `${p.name} (${p.roles.join(', ')})`).join('; ')}`);
        const { GovernedQueries } = await import('../demo/governed.js');
        const { runGovernanceChecks } = await import('../demo/governance-checks.js');
        const governed = new GovernedQueries(target, io);
        if (governed.governed) io.line(`Production mode: the policy, signed by ${[...new Set(target.collaboration.governance!.owners.flatMap((o) => o.approvers))].join(', ')}, lets a query run only as an approved script's step`);
        else io.line(s.dim('This collaboration has no policy (ungoverned): queries run without approval.'));
        const a = await runRegistries(target, io, governed);
        const b = await runPatients(target, io, patients, governed);
        const c = await runLinkedRecords(target, io, governed);
        const d = await (await import('../demo/study.js')).runStudy(target, io, governed);
        const g = governed.governed ? await runGovernanceChecks(target, io, governed) : undefined;
        const totalMs = performance.now() - started;
        io.line('');
        io.line(s.bold('━━ Summary ━━'));
        io.line(`  (a) total patient count opened to the three registries: ${s.bold(formatCount(a.total))}   ${formatSeconds(a.ms)}`);
        io.line(`  (b) ${formatCount(b.submitted)} patients: sum ${s.bold(formatCount(b.sum))}, mean ${s.bold(formatNumber(b.mean, 2))} mmHg, opened to the hospital only   ${formatSeconds(b.ms)} (submissions ${formatSeconds(b.submitMs)})`);
        io.line(`  (c) claims per region of adult patients, two owners' tables joined on a hashed patient id: ${c.rows.map((r) => `${r.region} ${formatCount(r.claims)}`).join(', ')}, opened to the hospital only, ${c.matches ? 'equal to the plaintext answer' : s.red('NOT equal to the plaintext answer')}   ${formatSeconds(c.ms)}`);
        io.line(`  (d) a study on the hospital's and the insurer's joined tables, opened to the researcher: ${d.steps.map((x) => x.summary).join('; ')}, ${d.matches ? 'equal to the plaintext estimate' : s.red('NOT equal to the plaintext estimate')}   ${formatSeconds(d.ms)}`);
        if (g) io.line(`  production mode: every query approved before it ran; audit logs ${g.auditVerified ? 'verified' : s.red('NOT verified')}, receipt ${g.receiptVerified ? 'verified' : s.red('NOT verified')}`);
        if (!c.matches || !d.matches || (g && !(g.auditVerified && g.receiptVerified))) process.exitCode = 1;
        io.line(`  start-up ${formatSeconds(startupMs)}, total ${formatSeconds(totalMs)}`);
        if (options.cluster === undefined) io.line(s.dim('  Next: run it on three node processes: tessera cluster init ./cluster && tessera cluster up ./cluster && tessera demo --cluster ./cluster'));
      } finally {
        process.off('SIGINT', interrupted);
        process.off('SIGTERM', interrupted);
        await target.close();
      }
    });
}
