/**
 * The study's logistic-regression step: the odds of dying within the follow-up by age, diabetes
 * and treatment, fitted by Newton/IRLS inside MPC on the joined tables and opened to the
 * researcher (src/stats/logit.ts): one plan, the iterates secret, the last Newton state opened.
 * The step checks the coefficients and standard errors against a float64 Newton fit of the
 * plaintext rows, which only the demo (playing both owners) can compute.
 */

import { logitFromResult } from '../../stats/logit.js';
import { buildLogitDesign } from '../../stats/logit-design.js';
import { cholesky, inverseSpd, solveCholesky } from '../../stats/cholesky.js';
import { formatCount, formatNumber, formatSeconds } from '../output.js';
import type { StepOutcome, StudyContext, StudyRow, StudyStep } from './study.js';

const SPEC = { y: 'died', x: ['age', 'diabetes', 'treatment'] } as const;
/** The contract of docs/statistics.md: coefficients and standard errors within 1e-5 relative of float64 Newton. */
const TOLERANCE = 1e-5;

export const logitStep: StudyStep = {
  title: 'Logistic regression: death within the follow-up by age, diabetes and treatment',
  run: async (context: StudyContext): Promise<StepOutcome> => {
    const { io, researcher, recipient } = context;
    const s = io.style;
    const to = { to: [recipient] };
    const design = await buildLogitDesign(context.joined, SPEC, to, undefined);
    const explained = await design.frame.explain(to);
    io.line(`  logit(joined, { y: 'died', x: ['age', 'diabetes', 'treatment'] }).fit(): ten Newton steps inside MPC, only the last state opened`);
    io.line(`  The nodes' check: ${formatCount(explained.cost.rounds)} rounds, ~${formatNumber(explained.cost.bytesPerParty / 2 ** 20, 1)} MiB per node`);
    const askedAt = performance.now();
    const handle = await context.governed.run(researcher, 'Death by age, diabetes and treatment (logistic regression)', () => design.frame.open(to), { receiptFor: recipient });
    await handle.wait();
    const fit = logitFromResult(design, await researcher.result(handle.id), 10);
    io.line(`  query ${handle.id} ran in ${formatSeconds(performance.now() - askedAt)}; ${recipient} takes the last Newton step from the opened state:`);
    for (const line of fit.text().split('\n')) io.line(`    ${line}`);
    const reference = plaintextFit(context.plaintext);
    const matches = fit.coefficients.length === reference.beta.length && fit.coefficients.every((c, j) => close(c.estimate, reference.beta[j]) && close(c.stdError, reference.se[j]));
    io.line(matches ? s.green(`  ✓ coefficients and standard errors within ${TOLERANCE} relative of a float64 fit of the plaintext`) : s.red('  ✗ differs from the float64 fit of the plaintext'));
    const treatment = fit.coefficients[fit.coefficients.length - 1];
    return { summary: `odds ratio of death on the new treatment ${formatNumber(Math.exp(treatment.estimate), 2)} (p ${treatment.p.toPrecision(2)})`, matches };
  },
};

const close = (got: number, want: number): boolean => Math.abs(got - want) <= TOLERANCE * Math.max(Math.abs(want), 1e-3);

/** Newton–Raphson to convergence on [1, age, diabetes, treatment = new] in float64: the reference. */
function plaintextFit(rows: readonly StudyRow[]): { beta: number[]; se: number[] } {
  const x = rows.map((r) => [1, r.age, r.diabetes ? 1 : 0, r.treatment === 'new' ? 1 : 0]);
  const y = rows.map((r) => (r.died ? 1 : 0));
  const d = 4;
  let beta = new Array<number>(d).fill(0);
  let h: number[][] = [];
  for (let it = 0; it < 50; it++) {
    const g = new Array<number>(d).fill(0);
    h = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    x.forEach((row, i) => {
      const p = 1 / (1 + Math.exp(-row.reduce((t, v, j) => t + v * beta[j], 0)));
      for (let a = 0; a < d; a++) {
        g[a] += row[a] * (y[i] - p);
        for (let b = 0; b < d; b++) h[a][b] += row[a] * p * (1 - p) * row[b];
      }
    });
    const step = solveCholesky(factorOf(h), g);
    beta = beta.map((v, j) => v + step[j]);
    if (Math.max(...step.map(Math.abs)) < 1e-13) break;
  }
  const inverse = inverseSpd(h);
  return { beta, se: inverse.map((column, j) => Math.sqrt(column[j])) };
}

function factorOf(h: readonly (readonly number[])[]): number[][] {
  const result = cholesky(h, () => 0);
  if ('singularAt' in result) throw new Error('the plaintext information matrix is singular: the demo data cannot be fitted');
  return result.factor;
}
