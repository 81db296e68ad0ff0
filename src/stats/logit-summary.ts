/**
 * A logistic fit as statsmodels prints `Logit(...).fit().summary()`: the header (observations,
 * degrees of freedom, pseudo R², log-likelihoods, LLR p-value, convergence), then one row per
 * coefficient (coef, std err, z, P>|z| and the interval), 78 characters wide.
 */

import type { LogitFit } from './logit-fit.js';

const WIDTH = 78;
/** The worst-case bound is pessimistic (3.3e-3 on mtcars, where the measured error is 1e-6): say so only when it reaches the second digit. */
const NOTE_ABOVE = 1e-2;

export function logitSummaryText(fit: LogitFit): string {
  const left: [string, string][] = [
    ['Dep. Variable:', fit.response],
    ['Model:', 'Logit'],
    ['Method:', 'MLE (IRLS in MPC)'],
    ['Iterations:', String(fit.iterations)],
    ['converged:', 'True'],
    ['Covariance Type:', 'nonrobust'],
  ];
  const right: [string, string][] = [
    ['No. Observations:', String(fit.observations)],
    ['Df Residuals:', String(fit.dfResidual)],
    ['Df Model:', String(fit.dfModel)],
    ['Pseudo R-squ.:', fit.pseudoRSquared.toFixed(4)],
    ['Log-Likelihood:', general(fit.logLikelihood, 5)],
    ['LL-Null:', general(fit.nullLogLikelihood, 5)],
  ];
  const half = (pair: [string, string]): string => pair[0].padEnd(20) + pair[1].padStart(WIDTH / 2 - 20 - 1);
  const title = 'Logit Regression Results';
  const lines = [' '.repeat(Math.floor((WIDTH - title.length) / 2)) + title, '='.repeat(WIDTH)];
  left.forEach((l, i) => lines.push(`${half(l)}   ${half(right[i])}`.trimEnd()));
  lines.push(`${' '.repeat(WIDTH / 2 - 1)}   ${half(['LLR p-value:', general(fit.llrPValue, 4)])}`);
  lines.push('='.repeat(WIDTH));
  const lo = (1 - fit.level) / 2, hi = 1 - lo;
  const termWidth = Math.max(12, ...fit.coefficients.map((c) => c.term.length + 1));
  const columns = ['coef', 'std err', 'z', 'P>|z|', `[${lo.toFixed(3)}`, `${hi.toFixed(3)}]`];
  lines.push(' '.repeat(termWidth) + columns.map((c) => c.padStart(11)).join(''));
  lines.push('-'.repeat(Math.max(WIDTH, termWidth + 66)));
  for (const c of fit.coefficients) {
    const cells = [coefficient(c.estimate), coefficient(c.stdError), c.z.toFixed(3), c.p.toFixed(3), coefficient(c.lower), coefficient(c.upper)];
    lines.push(c.term.padEnd(termWidth) + cells.map((v) => v.padStart(11)).join(''));
  }
  lines.push('='.repeat(Math.max(WIDTH, termWidth + 66)));
  if (fit.standardErrorBound > NOTE_ABOVE) {
    lines.push(`Note: the worst-case bound on the standard errors' relative error is ${fit.standardErrorBound.toExponential(1)} (the fixed point of the`);
    lines.push('information matrix: the predictors vary little over their declared ranges; declare tighter ranges).');
  }
  return lines.join('\n');
}

function coefficient(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-4 || a >= 1e8) ? v.toExponential(3) : v.toFixed(4);
}

function general(v: number, digits: number): string {
  return Math.abs(v) !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(digits - 1) : v.toPrecision(digits);
}
