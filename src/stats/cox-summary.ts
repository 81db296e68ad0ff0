/**
 * A Cox fit as R prints `summary(coxph(...))`: n and events, the coefficient table (coef,
 * exp(coef), se(coef), z, Pr(>|z|) with significance stars), the hazard ratios with their
 * intervals, and the likelihood-ratio and Wald tests.
 */

import type { CoxFit } from './cox-fit.js';

export function coxSummaryText(fit: CoxFit): string {
  const width = Math.max(8, ...fit.coefficients.map((c) => c.term.length + 1));
  const row = (label: string, cells: readonly string[], cellWidth = 10): string => label.padEnd(width) + cells.map((c) => c.padStart(cellWidth)).join('');
  const lines = [`  n= ${fit.rows}, number of events= ${fit.events} `, ''];
  lines.push(row('', ['coef', 'exp(coef)', 'se(coef)', 'z', 'Pr(>|z|)']));
  for (const c of fit.coefficients) lines.push(`${row(c.term, [signif(c.estimate), signif(c.hazardRatio), signif(c.stdError), c.z.toFixed(3), pValue(c.p)])} ${stars(c.p)}`.trimEnd());
  lines.push('---', "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1", '');
  const percent = Math.round(fit.level * 100);
  lines.push(row('', ['exp(coef)', 'exp(-coef)', `lower .${percent}`, `upper .${percent}`]));
  for (const c of fit.coefficients) lines.push(row(c.term, [signif(c.hazardRatio), signif(1 / c.hazardRatio), signif(c.lower), signif(c.upper)]));
  lines.push('');
  const test = (label: string, t: { statistic: number; df: number; p: number }): string => `${label.padEnd(21)}= ${t.statistic.toFixed(2)}  on ${t.df} df,   p=${pValue(t.p)}`;
  lines.push(test('Likelihood ratio test', fit.likelihoodRatio), test('Wald test', fit.wald));
  lines.push(`Log partial likelihood: ${fit.logLikelihood.toFixed(4)} (null model ${fit.logLikelihoodNull.toFixed(4)}), Breslow ties`);
  return lines.join('\n');
}

function signif(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(5)).toString() : String(v);
}

function pValue(p: number): string {
  return p < 2e-16 ? '<2e-16' : p < 1e-4 ? p.toExponential(2) : p.toPrecision(3);
}

function stars(p: number): string {
  return p < 0.001 ? '***' : p < 0.01 ? '**' : p < 0.05 ? '*' : p < 0.1 ? '.' : '';
}
