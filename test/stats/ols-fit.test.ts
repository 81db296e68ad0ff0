/**
 * The recipient's side of OLS (src/stats/exact-solve.ts, ols-fit.ts): the exact solve on random
 * integer systems (A·u = b exactly, every time), and fits from exact Gram sums of R's mtcars
 * against float64 references (test/helpers/mtcars.ts) to 1e-9 relative; an ill-conditioned design
 * (a predictor near 10^6 with spread 1) that the float64 normal equations get wrong; refusals.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { SingularColumnError, solveExact } from '../../src/stats/exact-solve.js';
import { fitOls, type GramSums } from '../../src/stats/ols-fit.js';
import { olsSummaryText } from '../../src/stats/ols-summary.js';
import { MTCARS, MTCARS_REFERENCES, type OlsReference } from '../helpers/mtcars.js';

/** Stored units of exact decimal text at `scale` digits. */
function stored(text: string, scale: number): bigint {
  const [whole, fraction = ''] = text.split('.');
  const sign = whole.startsWith('-') ? -1n : 1n;
  return sign * BigInt(whole.replace('-', '') + fraction.padEnd(scale, '0'));
}

/** The exact augmented Gram sums of [1, columns…, y], optionally weighted. */
export function gramOf(columns: readonly { name: string; values: readonly bigint[]; scale: number }[], y: { name: string; values: readonly bigint[]; scale: number }, weights?: { values: readonly bigint[]; scale: number }): GramSums {
  const n = y.values.length;
  const z = [{ name: 'Intercept', values: new Array<bigint>(n).fill(1n), scale: 0 }, ...columns, y];
  const w = weights?.values ?? new Array<bigint>(n).fill(1n);
  const gram = z.map((a) => z.map((b) => a.values.reduce((s, v, r) => s + w[r] * v * b.values[r], 0n)));
  return { terms: z.slice(0, -1).map((c) => c.name), scales: z.slice(0, -1).map((c) => c.scale), response: y.name, responseScale: y.scale, weightScale: weights?.scale ?? 0, gram, rows: n, weighted: weights !== undefined };
}

const column = (name: keyof typeof MTCARS, scale: number) => ({ name, scale, values: MTCARS[name].map((v) => stored(v, scale)) });
const dummy = (level: string) => ({ name: `cyl[T.${level}]`, scale: 0, values: MTCARS.cyl.map((c) => (c === level ? 1n : 0n)) });

function near(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected} (rel ${Math.abs(actual - expected) / Math.abs(expected)})`);
}

function matches(sums: GramSums, ref: OlsReference): void {
  const fit = fitOls(sums);
  fit.coefficients.forEach((c, j) => {
    near(c.estimate, ref.coef[j], 1e-9, `${c.term} coefficient`);
    near(c.stdError, ref.se[j], 1e-9, `${c.term} standard error`);
    near(c.t, ref.coef[j] / ref.se[j], 1e-9, `${c.term} t`);
  });
  near(fit.rSquared, ref.r2, 1e-12, 'R²');
  near(fit.adjustedRSquared, ref.adj, 1e-12, 'adjusted R²');
  near(fit.residualStdError, ref.sigma, 1e-12, 'residual standard error');
  near(fit.fStatistic, ref.f, 1e-10, 'F');
}

test('the exact solve: A·u = b and A·adj(A) = det·I exactly on random symmetric positive definite integer systems', () => {
  let seed = 7;
  const random = (): bigint => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return BigInt(seed % 2001) - 1000n;
  };
  for (let trial = 0; trial < 40; trial++) {
    const n = 1 + (trial % 8), rows = n + 3;
    const x = Array.from({ length: rows }, () => Array.from({ length: n }, random));
    const a = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => x.reduce((s, r) => s + r[i] * r[j], 0n)));
    const b = Array.from({ length: n }, random);
    const { determinant, scaledSolution, adjugate } = solveExact(a, b);
    assert.ok(determinant > 0n);
    for (let i = 0; i < n; i++) {
      assert.equal(a[i].reduce((s, v, j) => s + v * scaledSolution[j], 0n), determinant * b[i]);
      for (let j = 0; j < n; j++) assert.equal(a[i].reduce((s, v, k) => s + v * adjugate[k][j], 0n), i === j ? determinant : 0n);
    }
  }
});

test('the exact solve names the first column that depends on the ones before it', () => {
  // Column 2 = column 0 + column 1 on every row.
  const x = [[1n, 2n, 3n], [1n, 5n, 6n], [1n, -1n, 0n], [1n, 7n, 8n]];
  const a = [0, 1, 2].map((i) => [0, 1, 2].map((j) => x.reduce((s, r) => s + r[i] * r[j], 0n)));
  assert.throws(() => solveExact(a, [1n, 2n, 3n]), (e: unknown) => e instanceof SingularColumnError && e.column === 2);
});

test("mtcars: mpg ~ wt + hp matches the float64 reference (R's lm) to 1e-9, and R's printed p-values", () => {
  const sums = gramOf([column('wt', 3), column('hp', 0)], column('mpg', 1));
  matches(sums, MTCARS_REFERENCES['mpg ~ wt + hp']);
  const fit = fitOls(sums);
  // R: Pr(>|t|) < 2e-16, 1.12e-06, 0.00145; F p-value 9.109e-12.
  assert.ok(fit.coefficients[0].p < 2e-16);
  near(fit.coefficients[1].p, 1.12e-6, 5e-3, 'p of wt');
  near(fit.coefficients[2].p, 0.00145, 5e-3, 'p of hp');
  near(fit.fPValue, 9.109e-12, 1e-3, 'p of F');
  assert.equal(fit.dfResidual, 29);
  assert.equal(fit.dfModel, 2);
  // R's confint: wt -5.1719 -2.5837.
  near(fit.coefficients[1].lower, -5.1719, 1e-4, 'lower 2.5%');
  near(fit.coefficients[1].upper, -2.5837, 1e-4, 'upper 97.5%');
});

test('mtcars: a category (dummies, first level the reference), a boolean, and weights', () => {
  matches(gramOf([column('wt', 3), dummy('6'), dummy('8')], column('mpg', 1)), MTCARS_REFERENCES['mpg ~ wt + C(cyl)']);
  matches(gramOf([column('wt', 3), column('hp', 0), dummy('6'), dummy('8'), column('am', 0)], column('mpg', 1)), MTCARS_REFERENCES['mpg ~ wt + hp + C(cyl) + am']);
  matches(gramOf([column('wt', 3), column('hp', 0)], column('mpg', 1), { values: MTCARS.cyl.map(BigInt), scale: 0 }), MTCARS_REFERENCES['mpg ~ wt + hp, weights cyl']);
});

test('an ill-conditioned design (x near 10^6, spread 1) is exact where the float64 normal equations are not', () => {
  // y = 3 + 2·x exactly, plus a small residual pattern, with x = 10^6 + k/100: the exact slope is known.
  const n = 200;
  const xs = Array.from({ length: n }, (_, k) => 100_000_000n + BigInt(k)); // 10^6 + k/100 at scale 2
  const residual = (k: number): bigint => BigInt((k % 3) - 1); // ±0.01 pattern, mean 0 over blocks of 3
  const ys = xs.map((x, k) => 300n + 2n * x + residual(k)); // stored at scale 2
  const fit = fitOls(gramOf([{ name: 'x', scale: 2, values: xs }], { name: 'y', scale: 2, values: ys }));
  // float64 reference from centred data (the stable formula): slope = Sxy/Sxx.
  const xf = xs.map((v) => Number(v - 100_000_000n) / 100), yf = ys.map((v, k) => Number(v - 200_000_000n) / 100 - 0 * k);
  const mx = xf.reduce((a, b) => a + b) / n, my = yf.reduce((a, b) => a + b) / n;
  const sxy = xf.reduce((s, x, k) => s + (x - mx) * (yf[k] - my), 0), sxx = xf.reduce((s, x) => s + (x - mx) ** 2, 0);
  near(fit.coefficients[1].estimate, sxy / sxx, 1e-9, 'slope');
  const rss = yf.reduce((s, y, k) => s + (y - my - (sxy / sxx) * (xf[k] - mx)) ** 2, 0);
  near(fit.coefficients[1].stdError, Math.sqrt(rss / (n - 2) / sxx), 1e-7, 'standard error of the slope');
  // The textbook float64 normal equations on the raw sums lose the slope's digits.
  const sx = xs.reduce((a, b) => a + Number(b) / 100, 0), sx2 = xs.reduce((a, b) => a + (Number(b) / 100) ** 2, 0);
  const sy = ys.reduce((a, b) => a + Number(b) / 100, 0), sxyRaw = xs.reduce((a, b, k) => a + (Number(b) / 100) * (Number(ys[k]) / 100), 0);
  const naive = (n * sxyRaw - sx * sy) / (n * sx2 - sx * sx);
  assert.ok(Math.abs(naive - sxy / sxx) > 1e-6 * Math.abs(sxy / sxx), `the naive slope ${naive} happened to be accurate`);
});

test('refusals: collinear and constant predictors name the column; too few rows; a ridge penalty drops the inference', () => {
  const wt = column('wt', 3);
  const twice = { name: 'wt2', scale: 3, values: wt.values.map((v) => 2n * v) };
  assert.throws(() => fitOls(gramOf([wt, twice], column('mpg', 1))), (e: unknown) => e instanceof UsageError && /'wt2' is a linear combination of the intercept and 'wt'/.test(e.message));
  const constant = { name: 'c', scale: 0, values: wt.values.map(() => 5n) };
  assert.throws(() => fitOls(gramOf([constant], column('mpg', 1))), (e: unknown) => e instanceof UsageError && /'c' is a linear combination of the intercept on these rows/.test(e.message));
  const two = gramOf([{ name: 'x', scale: 0, values: [1n, 2n] }], { name: 'y', scale: 0, values: [3n, 5n] });
  assert.throws(() => fitOls(two), (e: unknown) => e instanceof UsageError && /needs more than 2 rows; it has 2/.test(e.message));
  const ridge = fitOls(gramOf([wt, column('hp', 0)], column('mpg', 1)), { ridge: 1e-12 });
  near(ridge.coefficients[1].estimate, MTCARS_REFERENCES['mpg ~ wt + hp'].coef[1], 1e-9, 'a negligible ridge penalty');
  assert.ok(Number.isNaN(ridge.coefficients[1].stdError));
  assert.throws(() => fitOls(gramOf([wt], column('mpg', 1)), { ridge: -1 }), UsageError);
});

test('ridge: the exact solution of (XᵀX + λ·I₋₀)β = Xᵀy in data units', () => {
  const sums = gramOf([column('wt', 3), column('hp', 0)], column('mpg', 1));
  const lambda = 2.5;
  const fit = fitOls(sums, { ridge: lambda });
  // The float64 check: the gradient of ‖y − Xβ‖² + λ‖β₋₀‖² vanishes at the fit.
  const x = MTCARS.wt.map((w, r) => [1, Number(w), Number(MTCARS.hp[r])]);
  const y = MTCARS.mpg.map(Number);
  const beta = fit.coefficients.map((c) => c.estimate);
  for (let j = 0; j < 3; j++) {
    const gradient = x.reduce((s, row, r) => s - row[j] * (y[r] - row.reduce((t, v, k) => t + v * beta[k], 0)), 0) + (j > 0 ? lambda * beta[j] : 0);
    assert.ok(Math.abs(gradient) < 1e-7, `gradient ${j}: ${gradient}`);
  }
});

test('the summary prints as statsmodels does', () => {
  const text = olsSummaryText(fitOls(gramOf([column('wt', 3), column('hp', 0)], column('mpg', 1))));
  assert.match(text, /OLS Regression Results/);
  assert.match(text, /Dep\. Variable:\s+mpg\s+R-squared:\s+0\.827/);
  assert.match(text, /F-statistic:\s+69\.21/);
  assert.match(text, /Prob \(F-statistic\):\s+9\.11e-12/);
  assert.match(text, /Intercept\s+37\.2273\s+1\.5988\s+23\.285\s+0\.000\s+33\.9574\s+40\.4972/);
  assert.match(text, /hp\s+-0\.0318\s+0\.0090\s+-3\.519\s+0\.001/);
  for (const line of text.split('\n')) assert.ok(line.length <= 80, line);
});
