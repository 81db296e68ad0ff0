/**
 * The study's Kaplan–Meier step: survival by treatment over the joined tables and the log-rank
 * test, opened to the researcher (src/stats/kaplan-meier.ts). Months followed are 0 to 60, so the
 * (treatment, month) group-by is one-hot over 2 × 61 combinations: the nodes learn nothing beyond
 * the join's row counts. The step checks the opened curves and test against the same estimate
 * from the plaintext counts, which only the demo has.
 */

import { kaplanMeier, type KaplanMeierResult } from '../../stats/kaplan-meier.js';
import { logRank } from '../../stats/log-rank.js';
import { survivalCurve, type TimeCount } from '../../stats/survival-curve.js';
import { formatCount, formatNumber, formatSeconds } from '../output.js';
import type { StepOutcome, StudyContext, StudyRow, StudyStep } from './study.js';

export const kaplanMeierStep: StudyStep = {
  title: 'Kaplan–Meier survival by treatment, and the log-rank test',
  run: async (context: StudyContext): Promise<StepOutcome> => {
    const { io, researcher, recipient } = context;
    const s = io.style;
    const to = { to: [recipient] };
    const design = await kaplanMeier(context.joined, { time: 'months', event: 'died', by: 'treatment' }).design(to);
    const explained = await design.frame.explain(to);
    io.line(`  kaplanMeier(joined, { time: 'months', event: 'died', by: 'treatment' }): one group-by of (treatment, month) with count and sum(died)`);
    io.line(`  The nodes' check: ${formatCount(explained.cost.rounds)} rounds, ~${formatNumber(explained.cost.bytesPerParty / 2 ** 20, 1)} MiB per node; made public:`);
    for (const d of explained.disclosures) io.line(s.dim(`    ${d.path}  ${d.what}`));
    const askedAt = performance.now();
    const handle = await context.governed.run(researcher, 'Survival by treatment (Kaplan–Meier, log-rank)', () => design.frame.open(to), { receiptFor: recipient });
    await handle.wait();
    const km = design.estimate(await researcher.result(handle.id));
    io.line(`  query ${handle.id} ran in ${formatSeconds(performance.now() - askedAt)}; ${recipient} opens the counts per (treatment, month) and computes the curves (shown yearly, as R's summary(fit, times = c(12, 24, 36, 48, 60))):`);
    for (const line of km.text({ times: [12, 24, 36, 48, 60] }).split('\n')) io.line(`    ${line}`);
    const matches = equalToPlaintext(km, context.plaintext);
    io.line(matches ? s.green('  ✓ equal to the same estimate from the plaintext (which only this demo, playing both owners, can compute)') : s.red('  ✗ differs from the plaintext estimate'));
    const medians = km.groups.map((g) => `${String(g.label)} ${Number.isNaN(g.curve.median) ? 'not reached' : `${g.curve.median} months`}`).join(', ');
    const test = km.logRank ? `log-rank χ² ${formatNumber(km.logRank.statistic, 2)} (p ${km.logRank.p.toPrecision(2)})` : 'no log-rank test';
    return { summary: `median survival ${medians}; ${test}`, matches };
  },
};

function equalToPlaintext(km: KaplanMeierResult, rows: readonly StudyRow[]): boolean {
  const labels = [...new Set(rows.map((r) => r.treatment))].sort();
  const counts = labels.map((label) => {
    const perMonth = new Map<number, { time: number; rows: number; events: number }>();
    for (const r of rows.filter((x) => x.treatment === label)) {
      const c = perMonth.get(r.months) ?? { time: r.months, rows: 0, events: 0 };
      c.rows += 1;
      c.events += r.died ? 1 : 0;
      perMonth.set(r.months, c);
    }
    return [...perMonth.values()] as TimeCount[];
  });
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  if (!same(km.groups.map((g) => g.label), labels)) return false;
  if (!km.groups.every((g, i) => same(g.curve, survivalCurve(counts[i])))) return false;
  return km.logRank !== undefined && same(km.logRank, logRank(counts));
}
