/**
 * Which fixed-point probability can carry logistic regression to the 1e-5 contract of issue 10?
 * (not run by `npm test`):
 *   npx tsc -p . && node dist/bench/logit-precision.js
 *
 * mtcars, am ~ hp + wt. Ten IRLS iterations from β = 0 in which p = σ(η) and q = 1 − p come from
 * the REAL fixed-point protocols (three parties in this thread); the gradient Xᵀ(y·q − (1−y)·p),
 * the Hessian Xᵀ diag(p·q) X and the d×d solve are computed in float64 from those p and q, which
 * models exact inner products and an accurate in-MPC solve (an error in the solve only moves the
 * iterate β_k, and the recipient's last exact Newton step β_k + H_k⁻¹ g_k removes that to second
 * order). What is left, and printed, is the error that the fixed-point p and q put into the
 * opened g_k and H_k: the largest relative error of the final coefficients and of the standard
 * errors sqrt(diag H_k⁻¹) against a float64 Newton solution run to convergence.
 *
 * Measured (December 2026, three or four runs; the shares' randomness moves the truncations' rounding):
 *   piecewise-cubic sigmoid (abs error 2.4e-4), f = 16     β 1.7e-3          SE 9.1e-3 – 9.2e-3
 *   1/(1 + exp(∓η)) over exp's full range, f = 16          β 5.3e-6 – 3.3e-5  SE 1.1e-5 – 1.5e-4
 *   exp(−|η|), 1/(1 + e) on [1, 2], f = 16                 β 2.7e-5 – 4.4e-5  SE 7.0e-5 – 1.7e-4
 *   the same, f = 20                                       β 2.5e-6 – 2.9e-6  SE 2.9e-6 – 7.0e-6
 *   the same, f = 24                                       β 9.3e-8 – 3.5e-7  SE 2.3e-7 – 1.4e-6
 * Only the last meets the contract with margin: the last exact Newton step absorbs the error of
 * the iterate, not the error of p and q in the gradient and Hessian it is given.
 */

import { localTrio } from '../src/mpc/local.js';
import type { Session } from '../src/mpc/session.js';
import type { AShare } from '../src/mpc/shares.js';
import { input, open } from '../src/mpc/protocols/io.js';
import { exp, reciprocal, sigmoid } from '../src/mpc/protocols/fixmath/index.js';
import { MTCARS } from '../test/helpers/mtcars.js';

type Matrix = number[][];

const y = MTCARS.am.map(Number);
const X: Matrix = y.map((_, i) => [1, Number(MTCARS.hp[i]), Number(MTCARS.wt[i])]);
const d = X[0].length;

/** Gauss–Jordan with partial pivoting (d is 3). */
function solve(a: Matrix, b: readonly number[]): number[] {
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const k = m[r][c] / m[c][c];
      for (let j = c; j <= d; j++) m[r][j] -= k * m[c][j];
    }
  }
  return m.map((row, i) => row[d] / row[i]);
}

function standardErrors(h: Matrix): number[] {
  return h.map((_, j) => Math.sqrt(solve(h, h.map((__, i) => (i === j ? 1 : 0)))[j]));
}

const linear = (beta: readonly number[]): number[] => X.map((row) => row.reduce((s, v, j) => s + v * beta[j], 0));

/** Gradient and Hessian of the log-likelihood from p and q = 1 − p (given separately: 1 − p loses q's relative precision near p = 1). */
function gradientHessian(p: readonly number[], q: readonly number[]): { g: number[]; h: Matrix } {
  const g = new Array<number>(d).fill(0);
  const h: Matrix = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  X.forEach((row, i) => {
    const residual = y[i] * q[i] - (1 - y[i]) * p[i];
    const weight = p[i] * q[i];
    for (let a = 0; a < d; a++) {
      g[a] += row[a] * residual;
      for (let b = 0; b < d; b++) h[a][b] += row[a] * weight * row[b];
    }
  });
  return { g, h };
}

function maxRelative(x: readonly number[], reference: readonly number[]): number {
  return Math.max(...x.map((v, i) => Math.abs(v - reference[i]) / Math.abs(reference[i])));
}

// The float64 reference: Newton to convergence.
let reference = new Array<number>(d).fill(0);
for (let it = 0; it < 50; it++) {
  const eta = linear(reference);
  const { g, h } = gradientHessian(eta.map((v) => 1 / (1 + Math.exp(-v))), eta.map((v) => 1 / (1 + Math.exp(v))));
  const step = solve(h, g);
  reference = reference.map((v, j) => v + step[j]);
}
const final = linear(reference);
const referenceSe = standardErrors(gradientHessian(final.map((v) => 1 / (1 + Math.exp(-v))), final.map((v) => 1 / (1 + Math.exp(v)))).h);
console.log(`float64 Newton: β = ${reference.map((v) => v.toPrecision(10)).join(', ')}; SE = ${referenceSe.map((v) => v.toPrecision(10)).join(', ')}`);

const trio = await localTrio({ timeoutMs: 600_000 });
const encode = (v: number, f: number): bigint => BigInt.asUintN(64, BigInt(Math.round(v * 2 ** f)));
const decode = (u: bigint, f: number): number => Number(BigInt.asIntN(64, u)) / 2 ** f;

/** Party 0 inputs the values with f fraction bits; fn runs on the sharing; everyone opens the result. */
async function inMpc(values: readonly number[], f: number, fn: (s: Session, x: AShare) => Promise<AShare>): Promise<number[]> {
  const opened = await trio.run(async (s) => {
    const x = await input(s, 0, s.me === 0 ? BigUint64Array.from(values.map((v) => encode(v, f))) : values.length);
    return open(s, await fn(s, x));
  });
  return Array.from(opened[0], (u) => decode(u, f));
}

type Probabilities = (eta: readonly number[]) => Promise<{ p: number[]; q: number[] }>;

const piecewise: Probabilities = async (eta) => {
  const p = await inMpc(eta, 16, (s, x) => sigmoid(s, x));
  return { p, q: p.map((v) => 1 - v) };
};

/** 1/(1 + exp(−η)) and 1/(1 + exp(η)), exp over its full range at f = 16 (η clamped to it). */
const fullRange: Probabilities = async (eta) => {
  const limit = 15.9;
  const one = (values: readonly number[]): Promise<number[]> =>
    inMpc(values.map((v) => Math.max(-limit, Math.min(limit, v))), 16, async (s, x) => {
      const e = await exp(s, x, { min: -limit, max: limit });
      // 1 + e: the public constant enters one component of the replicated sharing.
      if (s.me === 0) e.a.forEach((v, i) => (e.a[i] = v + 2n ** 16n));
      if (s.me === 2) e.b.forEach((v, i) => (e.b[i] = v + 2n ** 16n));
      return reciprocal(s, e, { min: 1, max: 1 + Math.exp(limit) });
    });
  return { p: await one(eta.map((v) => -v)), q: await one(eta) };
};

/** e = exp(−|η|) ∈ (0, 1], r = 1/(1 + e) ∈ [1/2, 1): σ(|η|) = r, σ(−|η|) = r·e; the sign of η picks p and q. */
const folded = (f: number): Probabilities => async (eta) => {
  const low = -((f + 2) * Math.LN2 + 1); // exp is exactly 0 below −(f + 2) ln 2
  const e = await inMpc(eta.map((v) => Math.max(low, -Math.abs(v))), f, (s, x) => exp(s, x, { min: low, max: 0, fractionBits: f }));
  const r = await inMpc(e.map((v) => 1 + v), f, (s, x) => reciprocal(s, x, { min: 1, max: 2, fractionBits: f }));
  const small = r.map((v, i) => Math.round(v * e[i] * 2 ** f) / 2 ** f); // one truncated product
  return { p: eta.map((v, i) => (v >= 0 ? r[i] : small[i])), q: eta.map((v, i) => (v >= 0 ? small[i] : r[i])) };
};

const variants: [string, Probabilities][] = [
  ['piecewise-cubic sigmoid, f = 16', piecewise],
  ['1/(1 + exp(∓η)), full range, f = 16', fullRange],
  ...[16, 20, 24].map((f): [string, Probabilities] => [`exp(−|η|), 1/(1 + e), f = ${f}`, folded(f)]),
];
for (const [name, probabilities] of variants) {
  let beta = new Array<number>(d).fill(0);
  let g: number[] = [], h: Matrix = [];
  for (let it = 0; it < 10; it++) {
    const { p, q } = await probabilities(linear(beta));
    ({ g, h } = gradientHessian(p, q));
    if (it < 9) {
      const step = solve(h, g);
      beta = beta.map((v, j) => v + step[j]);
    }
  }
  const step = solve(h, g);
  const fitted = beta.map((v, j) => v + step[j]);
  console.log(`${name.padEnd(40)} β rel ${maxRelative(fitted, reference).toExponential(2)}   SE rel ${maxRelative(standardErrors(h), referenceSe).toExponential(2)}`);
}
trio.close();
