/**
 * A float64 reference for logistic regression, written out here so the tests do not trust the
 * code they test: Newton's method on the data as given (an intercept column first) to
 * convergence, standard errors from the inverse information matrix, and the log-likelihood.
 */

import { solvePlain } from './plain-solve.js';

export interface LogitReference {
  readonly coef: number[];
  readonly se: number[];
  readonly logLikelihood: number;
}

export function logitReference(x: readonly (readonly number[])[], y: readonly number[]): LogitReference {
  const rows = x.map((r) => [1, ...r]);
  const d = rows[0].length;
  let beta = new Array<number>(d).fill(0);
  let h: number[][] = [];
  for (let it = 0; it < 100; it++) {
    const g = new Array<number>(d).fill(0);
    h = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    rows.forEach((r, i) => {
      const p = 1 / (1 + Math.exp(-r.reduce((s, v, j) => s + v * beta[j], 0)));
      for (let a = 0; a < d; a++) {
        g[a] += r[a] * (y[i] - p);
        for (let b = 0; b < d; b++) h[a][b] += r[a] * p * (1 - p) * r[b];
      }
    });
    const step = solvePlain(h, g);
    beta = beta.map((b, j) => b + step[j]);
    if (Math.max(...step.map((s, j) => Math.abs(s) / Math.max(1, Math.abs(beta[j])))) < 1e-15) break;
  }
  const se = h.map((_, j) => Math.sqrt(solvePlain(h, h.map((__, i) => (i === j ? 1 : 0)))[j]));
  const logLikelihood = rows.reduce((s, r, i) => {
    const eta = r.reduce((t, v, j) => t + v * beta[j], 0);
    return s + y[i] * eta - Math.log1p(Math.exp(-Math.abs(eta))) - Math.max(eta, 0);
  }, 0);
  return { coef: beta, se, logLikelihood };
}
