/**
 * logreg at 10K × 10 and 100K × 10 (issue 10 targets 2 s and 6 s for ten iterations; Virtual
 * Data Lake 79 s and 783 s on 3 × 16 cores). Ten decimal predictors in [−10, 10] (2 digits), y
 * drawn as Bernoulli(σ(0.3 + Σ b_j x_j)) with b_j in {−0.2, 0, 0.2}; ten Newton steps inside MPC,
 * the recipient's exact last step, checked against a float64 Newton fit of the same rows run to
 * convergence: coefficients and standard errors within 1e-5 relative (the contract).
 */

import { logit } from '../../src/stats/logit.js';
import { fittedModelCase, uniform, type BenchTable, type StatsCase } from './case.js';
import { inverseSpd } from '../../src/stats/cholesky.js';

const K = 10;
const X = Array.from({ length: K }, (_, j) => `x${j}`);
const B = X.map((_, j) => ((j % 3) - 1) * 0.2);
/** The predictors and their generating coefficients (bench/stats/predict-cases.ts uses them as a model). */
export const LOGIT_BENCH_PREDICTORS: readonly string[] = X;
export const LOGIT_BENCH_BETA: readonly number[] = B;

/** Hundredths of x_j, and y, of row i. */
export function logitRowValues(i: number): { x: number[]; y: number } {
  const x = X.map((_, j) => Math.round((uniform(i, j) * 20 - 10) * 100));
  const eta = 0.3 + x.reduce((s, v, j) => s + (B[j] * v) / 100, 0);
  return { x, y: uniform(i, K) < 1 / (1 + Math.exp(-eta)) ? 1 : 0 };
}

export function logitTable(rows: number): BenchTable {
  return {
    name: `logit_${rows}`,
    rows,
    schema: {
      version: 1,
      columns: [...X.map((name) => ({ name, nullable: false, type: 'decimal' as const, scale: 2, min: '-10.00', max: '10.00' })), { name: 'y', nullable: false, type: 'boolean' as const }],
    },
    duckdb: [...X.map(() => 'DECIMAL(4,2)'), 'BOOLEAN'],
    row: (i) => {
      const r = logitRowValues(i);
      return [...r.x.map((v) => (v / 100).toFixed(2)), r.y === 1 ? 'true' : 'false'];
    },
  };
}

/** float64 Newton on the generated rows (those `keep` keeps, as `values` draws them) to convergence: coefficients and standard errors. */
export function float64Logit(rows: number, keep: (row: number) => boolean = () => true, values: (row: number) => { x: number[]; y: number } = logitRowValues): { coef: number[]; se: number[] } {
  const d = K + 1;
  const data = Array.from({ length: rows }, (_, i) => i).filter(keep).map(values);
  let beta = new Array<number>(d).fill(0);
  let inverse: number[][] = [];
  for (let it = 0; it < 30; it++) {
    const g = new Array<number>(d).fill(0);
    const h = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (const r of data) {
      const z = [1, ...r.x.map((v) => v / 100)];
      const p = 1 / (1 + Math.exp(-z.reduce((s, v, j) => s + v * beta[j], 0)));
      for (let a = 0; a < d; a++) {
        g[a] += z[a] * (r.y - p);
        for (let b = a; b < d; b++) h[a][b] += z[a] * p * (1 - p) * z[b];
      }
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) h[a][b] = h[b][a];
    inverse = inverseSpd(h);
    const step = inverse.map((row) => row.reduce((s, v, j) => s + v * g[j], 0));
    beta = beta.map((b, j) => b + step[j]);
    if (Math.max(...step.map(Math.abs)) < 1e-13) break;
  }
  return { coef: beta, se: inverse.map((row, j) => Math.sqrt(row[j])) };
}

function logitCase(rows: number, target: number): StatsCase {
  const table = logitTable(rows);
  const model = (client: Parameters<StatsCase['run']>[0]) => logit(client.table(table.name), { y: 'y', x: X }).fit();
  return {
    op: 'logreg',
    rows,
    description: `logistic regression, ${rows} rows × ${K} predictors, 10 Newton steps inside MPC (the recipient takes the last one exactly)`,
    target,
    why: 'rounds: ~880 in sequence (the start for the first 11 × 11 inverse, 11 reciprocals in sequence, 38 % of them; 43 per rough and 68 per precise iteration), at 1-3 ms per round trip over TLS on this machine; then CPU for the bytes, ~2.7 KB per row: the three precise iterations (exp and reciprocal, ~385 bytes per row each), the six rough ones (~150) and the pairwise products (360), three nodes on two cores',
    tables: () => [table],
    ...fittedModelCase(model, () => float64Logit(rows), 1e-5),
  };
}

export const cases: readonly StatsCase[] = [logitCase(10_000, 2), logitCase(100_000, 6)];
