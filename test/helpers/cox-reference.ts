/**
 * A float64 Cox fit with Breslow ties by Newton–Raphson to convergence, written out plainly as
 * the reference the MPC fit is checked against: for each event time t with d events, the risk
 * set R = {rows with time ≥ t}; g = Σ_events x − Σ_t d S1/S0, H = Σ_t d (S2/S0 − S1 S1ᵀ/S0²),
 * ℓ = Σ_events xβ − Σ_t d log S0.
 */

import { solvePlain } from './plain-solve.js';

export interface SurvivalRow {
  readonly time: number;
  readonly event: 0 | 1;
  readonly x: readonly number[];
}

export interface ReferenceFit {
  readonly beta: number[];
  readonly se: number[];
  readonly logLikelihood: number;
  readonly logLikelihoodNull: number;
}

function statistics(rows: readonly SurvivalRow[], beta: readonly number[]): { g: number[]; h: number[][]; loglik: number } {
  const d = beta.length;
  const g = new Array<number>(d).fill(0);
  const h = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  let loglik = 0;
  const times = [...new Set(rows.filter((r) => r.event === 1).map((r) => r.time))];
  for (const t of times) {
    const risk = rows.filter((r) => r.time >= t);
    const dead = rows.filter((r) => r.time === t && r.event === 1);
    let s0 = 0;
    const s1 = new Array<number>(d).fill(0);
    const s2 = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (const r of risk) {
      const w = Math.exp(r.x.reduce((s, v, j) => s + v * beta[j], 0));
      s0 += w;
      for (let j = 0; j < d; j++) {
        s1[j] += w * r.x[j];
        for (let l = 0; l < d; l++) s2[j][l] += w * r.x[j] * r.x[l];
      }
    }
    for (const r of dead) {
      loglik += r.x.reduce((s, v, j) => s + v * beta[j], 0) - Math.log(s0);
      for (let j = 0; j < d; j++) {
        g[j] += r.x[j] - s1[j] / s0;
        for (let l = 0; l < d; l++) h[j][l] += s2[j][l] / s0 - (s1[j] * s1[l]) / (s0 * s0);
      }
    }
  }
  return { g, h, loglik };
}

export function breslowFit(rows: readonly SurvivalRow[]): ReferenceFit {
  const d = rows[0].x.length;
  let beta = new Array<number>(d).fill(0);
  for (let it = 0; it < 50; it++) {
    const { g, h } = statistics(rows, beta);
    const step = solvePlain(h, g);
    beta = beta.map((b, j) => b + step[j]);
    if (Math.max(...step.map(Math.abs)) < 1e-13) break;
  }
  const { h, loglik } = statistics(rows, beta);
  const se = beta.map((_, j) => Math.sqrt(solvePlain(h, beta.map((__, i) => (i === j ? 1 : 0)))[j]));
  return { beta, se, logLikelihood: loglik, logLikelihoodNull: statistics(rows, new Array<number>(d).fill(0)).loglik };
}
