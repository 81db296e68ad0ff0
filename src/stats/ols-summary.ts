/**
 * A fit as statsmodels prints `OLS(...).fit().summary()`: the header of model statistics, then
 * one row per coefficient (coef, std err, t, P>|t| and the interval), 78 characters wide.
 * Under a ridge penalty the inference columns read "—" (a biased estimator has no such
 * standard errors; statsmodels' fit_regularized gives none either).
 */

import type { OlsFit } from './ols-fit.js';

const WIDTH = 78;

export function olsSummaryText(fit: OlsFit): string {
  const model = fit.ridge > 0 ? `Ridge (λ = ${fit.ridge})` : fit.weighted ? 'WLS' : 'OLS';
  const left: [string, string][] = [
    ['Dep. Variable:', fit.response],
    ['Model:', model],
    ['Method:', 'Least Squares'],
    ['No. Observations:', String(fit.observations)],
    ['Df Residuals:', String(fit.dfResidual)],
    ['Df Model:', String(fit.dfModel)],
  ];
  const right: [string, string][] = [
    ['R-squared:', fixed(fit.rSquared, 3)],
    ['Adj. R-squared:', fixed(fit.adjustedRSquared, 3)],
    ['F-statistic:', general(fit.fStatistic, 4)],
    ['Prob (F-statistic):', general(fit.fPValue, 3)],
    ['Resid. std. error:', general(fit.residualStdError, 4)],
    ['', ''],
  ];
  const half = (pair: [string, string]): string => pair[0].padEnd(20) + pair[1].padStart(WIDTH / 2 - 20 - 1);
  const title = `${model} Regression Results`;
  const lines = [' '.repeat(Math.max(0, Math.floor((WIDTH - title.length) / 2))) + title, '='.repeat(WIDTH)];
  left.forEach((l, i) => lines.push(`${half(l)}   ${right[i][0] === '' ? '' : half(right[i])}`.trimEnd()));
  lines.push('='.repeat(WIDTH));
  const lo = (1 - fit.level) / 2, hi = 1 - lo;
  const termWidth = Math.max(12, ...fit.coefficients.map((c) => c.term.length + 1));
  const columns = ['coef', 'std err', 't', 'P>|t|', `[${trimmed(lo)}`, `${trimmed(hi)}]`];
  lines.push(' '.repeat(termWidth) + columns.map((c) => c.padStart(11)).join(''));
  lines.push('-'.repeat(Math.max(WIDTH, termWidth + 66)));
  for (const c of fit.coefficients) {
    const cells = [coefficient(c.estimate), coefficient(c.stdError), fixed(c.t, 3), fixed(c.p, 3), coefficient(c.lower), coefficient(c.upper)];
    lines.push(c.term.padEnd(termWidth) + cells.map((v) => v.padStart(11)).join(''));
  }
  lines.push('='.repeat(Math.max(WIDTH, termWidth + 66)));
  return lines.join('\n');
}

/** statsmodels prints coefficients with 4 significant decimals, switching to exponent form for tiny or huge ones. */
function coefficient(v: number): string {
  if (Number.isNaN(v)) return '—';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-4 || a >= 1e8) ? v.toExponential(3) : v.toFixed(4);
}

function fixed(v: number, digits: number): string {
  return Number.isNaN(v) ? '—' : v.toFixed(digits);
}

function general(v: number, digits: number): string {
  if (Number.isNaN(v)) return '—';
  return Math.abs(v) !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(digits - 1) : v.toPrecision(digits);
}

function trimmed(v: number): string {
  return v.toFixed(3);
}
