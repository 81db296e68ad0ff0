/**
 * cox at 10K × 5 to convergence (issue 10 target 10 s; vantage6's federated verticox ~9 h).
 * Five decimal covariates in [−2, 2] (2 digits); survival times exponential with hazard
 * 0.01 · exp(xβ), β = (0.5, −0.3, 0.2, −0.1, 0.4), censored by a uniform time in [0, 300], rounded
 * to whole days in [1, 5000] (so many times are tied). Checked against a float64 Breslow
 * Newton–Raphson fit of the same rows (one sort, cumulative sums per tie group) to 1e-5 relative.
 */

import { cox } from '../../src/stats/cox.js';
import { fittedModelCase, uniform, type BenchTable, type StatsCase } from './case.js';

const K = 5;
const X = Array.from({ length: K }, (_, j) => `x${j}`);
const BETA = [0.5, -0.3, 0.2, -0.1, 0.4];

/** Stored units: time (days), event (0/1), x_j (hundredths). */
function rowValues(i: number): { time: number; event: number; x: number[] } {
  const x = X.map((_, j) => Math.round((uniform(i, j) * 4 - 2) * 100));
  const eta = x.reduce((s, v, j) => s + (BETA[j] * v) / 100, 0);
  const t = -Math.log(1 - uniform(i, K)) / (0.01 * Math.exp(eta));
  const c = uniform(i, K + 1) * 300;
  const time = Math.min(5000, Math.max(1, Math.round(Math.min(t, c))));
  return { time, event: t <= c ? 1 : 0, x };
}

export function survivalTable(rows: number): BenchTable {
  return {
    name: `survival_${rows}`,
    rows,
    schema: {
      version: 1,
      columns: [
        { name: 'time', nullable: false, type: 'integer' as const, min: '0', max: '5000' },
        { name: 'event', nullable: false, type: 'boolean' as const },
        ...X.map((name) => ({ name, nullable: false, type: 'decimal' as const, scale: 2, min: '-2.00', max: '2.00' })),
      ],
    },
    duckdb: ['INTEGER', 'BOOLEAN', ...X.map(() => 'DECIMAL(4,2)')],
    row: (i) => {
      const r = rowValues(i);
      return [String(r.time), r.event === 1 ? 'true' : 'false', ...r.x.map((v) => (v / 100).toFixed(2))];
    },
  };
}

/** float64 Breslow Newton–Raphson to convergence: rows by time descending, risk sums cumulated to the end of each tie group. */
export function float64Cox(rows: number): { coef: number[]; se: number[] } {
  const data = Array.from({ length: rows }, (_, i) => rowValues(i)).sort((a, b) => b.time - a.time);
  const xs = data.map((r) => r.x.map((v) => v / 100));
  let beta = new Array<number>(K).fill(0);
  let h: number[][] = [];
  for (let it = 0; it < 30; it++) {
    const g = new Array<number>(K).fill(0);
    h = Array.from({ length: K }, () => new Array<number>(K).fill(0));
    let s0 = 0;
    const s1 = new Array<number>(K).fill(0), s2 = Array.from({ length: K }, () => new Array<number>(K).fill(0));
    for (let i = 0; i < rows; ) {
      let end = i, deaths = 0;
      const deadX = new Array<number>(K).fill(0);
      while (end < rows && data[end].time === data[i].time) {
        const w = Math.exp(xs[end].reduce((s, v, j) => s + v * beta[j], 0));
        s0 += w;
        for (let a = 0; a < K; a++) {
          s1[a] += w * xs[end][a];
          for (let b = 0; b < K; b++) s2[a][b] += w * xs[end][a] * xs[end][b];
        }
        if (data[end].event === 1) {
          deaths++;
          for (let a = 0; a < K; a++) deadX[a] += xs[end][a];
        }
        end++;
      }
      for (let a = 0; a < K; a++) {
        g[a] += deadX[a] - (deaths * s1[a]) / s0;
        for (let b = 0; b < K; b++) h[a][b] += deaths * (s2[a][b] / s0 - (s1[a] * s1[b]) / (s0 * s0));
      }
      i = end;
    }
    const step = solve(h, g);
    beta = beta.map((v, j) => v + step[j]);
    if (Math.max(...step.map(Math.abs)) < 1e-12) break;
  }
  return { coef: beta, se: beta.map((_, j) => Math.sqrt(solve(h, beta.map((__, i) => (i === j ? 1 : 0)))[j])) };
}

function solve(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let j = c; j <= n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((r, i) => r[n] / r[i]);
}

function coxCase(rows: number, target: number): StatsCase {
  const table = survivalTable(rows);
  const model = (client: Parameters<StatsCase['run']>[0]) => cox(client.table(table.name), { time: 'time', event: 'event', x: X });
  return {
    op: 'cox',
    rows,
    description: `Cox model (Breslow ties), ${rows} rows × ${K} covariates, 6 Newton iterations inside MPC, the last step in float64 by the recipient`,
    target,
    why:
      'rounds under load: about 2,030 rounds (the d × d solve 1,050 of them: 42 per pivot, 5 pivots, 5 solves; the sort 450) at ~10 ms each with a load average near 28; ' +
      'the busiest node spends ~3.7 s of CPU (1.7 KB per row and iteration: exp, the clamp, the normalised risk-set sums and their ratios)',
    tables: () => [table],
    ...fittedModelCase(model, () => float64Cox(rows), 1e-5),
  };
}

export const cases: readonly StatsCase[] = [coxCase(10_000, 10)];
