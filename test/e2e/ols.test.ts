/**
 * ols() end to end on three in-process nodes (src/stats/ols.ts): R's mtcars uploaded as a secret
 * table (mpg and wt decimals, hp an integer, cyl a category, am a boolean); every fit runs one
 * plan, opens the exact Gram sums to the recipient and must match the float64 references of
 * test/helpers/mtcars.ts to 1e-9 relative (the contract is 1e-6). Also: the same data split over
 * two tables (concat), complete cases under nulls, explain()'s account of what opens, refusals.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { count, sum } from '../../src/client/aggregates.js';
import { col } from '../../src/client/expr.js';
import type { Tessera } from '../../src/client/tessera.js';
import { UsageError } from '../../src/errors.js';
import { ols, OLS_REVEALS } from '../../src/stats/ols.js';
import { MTCARS, MTCARS_REFERENCES, type OlsReference } from '../helpers/mtcars.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let hospital: Tessera;
const to = { to: ['St. Mary Hospital'] };

const SCHEMA = (nullable: boolean) => ({
  version: 1 as const,
  columns: [
    { name: 'mpg', nullable, type: 'decimal' as const, scale: 1, min: '0', max: '100' },
    { name: 'wt', nullable: false, type: 'decimal' as const, scale: 3, min: '0', max: '10' },
    { name: 'hp', nullable: false, type: 'integer' as const, min: '0', max: '1000' },
    // A declared level no row has ('12'): its dummy is left out, as R drops unused levels.
    { name: 'cyl', nullable: false, type: 'category' as const, dictionary: ['4', '6', '8', '12'] },
    { name: 'am', nullable: false, type: 'boolean' as const },
    { name: 'fuel', nullable: false, type: 'category' as const, dictionary: ['petrol', 'diesel'] },
  ],
});

function rows(from: number, to: number, blank: readonly number[] = []): Record<string, (string | null)[]> {
  const pick = (values: readonly string[]) => values.slice(from, to);
  return {
    mpg: pick(MTCARS.mpg).map((v, i) => (blank.includes(from + i) ? null : v)),
    wt: pick(MTCARS.wt),
    hp: pick(MTCARS.hp),
    cyl: pick(MTCARS.cyl),
    am: pick(MTCARS.am).map((v) => (v === '1' ? 'true' : 'false')),
    fuel: pick(MTCARS.mpg).map(() => 'petrol'),
  };
}

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  await hospital.uploadTable('mtcars', { columns: rows(0, 32) }, { schema: SCHEMA(false) });
  await hospital.uploadTable('mtcars_a', { columns: rows(0, 13) }, { schema: SCHEMA(false) });
  await hospital.uploadTable('mtcars_b', { columns: rows(13, 32) }, { schema: SCHEMA(false) });
  await hospital.uploadTable('mtcars_gaps', { columns: rows(0, 32, [3, 10, 20]) }, { schema: SCHEMA(true) });
  const complete = rows(0, 32);
  const keep = (v: (string | null)[]) => v.filter((_, i) => ![3, 10, 20].includes(i));
  await hospital.uploadTable('mtcars_complete', { columns: Object.fromEntries(Object.entries(complete).map(([k, v]) => [k, keep(v)])) }, { schema: SCHEMA(false) });
});

after(async () => {
  await cluster.close();
});

function near(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
}

function matches(fit: { coefficients: readonly { estimate: number; stdError: number }[]; rSquared: number; fStatistic: number; residualStdError: number }, ref: OlsReference): void {
  fit.coefficients.forEach((c, j) => {
    near(c.estimate, ref.coef[j], 1e-9, `coefficient ${j}`);
    near(c.stdError, ref.se[j], 1e-9, `standard error ${j}`);
  });
  near(fit.rSquared, ref.r2, 1e-12, 'R²');
  near(fit.residualStdError, ref.sigma, 1e-12, 'residual standard error');
  near(fit.fStatistic, ref.f, 1e-10, 'F');
}

test('mpg ~ wt + hp on the secret table matches R and float64, with its plan and query', async () => {
  const fit = await ols(hospital.table('mtcars'), { y: 'mpg', x: ['wt', 'hp'] }).open(to);
  matches(fit, MTCARS_REFERENCES['mpg ~ wt + hp']);
  assert.deepEqual(fit.coefficients.map((c) => c.term), ['Intercept', 'wt', 'hp']);
  assert.equal(fit.observations, 32);
  assert.match(fit.plan, /^[0-9a-f]{64}$/);
  assert.match(fit.text(), /Intercept\s+37\.2273\s+1\.5988\s+23\.285/);
});

test('a category is dummy coded (first level with rows the reference, unused levels left out), a boolean enters as 0/1', async () => {
  const fit = await ols(hospital.table('mtcars'), { y: 'mpg', x: ['wt', 'hp', 'cyl', 'am'] }).open(to);
  matches(fit, MTCARS_REFERENCES['mpg ~ wt + hp + C(cyl) + am']);
  assert.deepEqual(fit.coefficients.map((c) => c.term), ['Intercept', 'wt', 'hp', 'cyl[T.6]', 'cyl[T.8]', 'am']);
  assert.deepEqual(fit.reference, { cyl: '4' });
  assert.deepEqual(fit.emptyLevels, ['cyl[T.12]']);
});

test('weights, and data split over two tables (concat), give the float64 fits', async () => {
  // Weights: cyl as a number is not a column here, so weight by hp's integer instead and check against a float64 WLS below.
  const split = await ols(hospital.table('mtcars_a').concat(hospital.table('mtcars_b')), { y: 'mpg', x: ['wt', 'cyl'] }).open(to);
  matches(split, MTCARS_REFERENCES['mpg ~ wt + C(cyl)']);
  const weighted = await ols(hospital.table('mtcars'), { y: 'mpg', x: ['wt'], weights: 'hp' }).open(to);
  // float64 weighted least squares by the centred formulas.
  const w = MTCARS.hp.map(Number), x = MTCARS.wt.map(Number), y = MTCARS.mpg.map(Number);
  const sw = w.reduce((a, b) => a + b), mx = w.reduce((s, v, i) => s + v * x[i], 0) / sw, my = w.reduce((s, v, i) => s + v * y[i], 0) / sw;
  const sxx = w.reduce((s, v, i) => s + v * (x[i] - mx) ** 2, 0), sxy = w.reduce((s, v, i) => s + v * (x[i] - mx) * (y[i] - my), 0);
  const slope = sxy / sxx, rss = w.reduce((s, v, i) => s + v * (y[i] - my - slope * (x[i] - mx)) ** 2, 0);
  near(weighted.coefficients[1].estimate, slope, 1e-9, 'weighted slope');
  near(weighted.coefficients[0].estimate, my - slope * mx, 1e-9, 'weighted intercept');
  near(weighted.coefficients[1].stdError, Math.sqrt(rss / 30 / sxx), 1e-9, 'weighted slope standard error');
  assert.match(weighted.text(), /WLS Regression Results/);
});

test('rows with a null leave (complete cases): the same fit as the table without them', async () => {
  const gaps = await ols(hospital.table('mtcars_gaps'), { y: 'mpg', x: ['wt', 'hp'] }).open(to);
  const complete = await ols(hospital.table('mtcars_complete'), { y: 'mpg', x: ['wt', 'hp'] }).open(to);
  assert.equal(gaps.observations, 29);
  gaps.coefficients.forEach((c, j) => {
    assert.equal(c.estimate, complete.coefficients[j].estimate);
    assert.equal(c.stdError, complete.coefficients[j].stdError);
  });
});

test('explain() shows the node\'s check and says what the sums reveal', async () => {
  const explained = await ols(hospital.table('mtcars'), { y: 'mpg', x: ['wt', 'cyl'] }).explain(to);
  assert.equal(explained.reveals, OLS_REVEALS);
  assert.match(explained.text(), /the regression: the recipients learn the Gram matrix/);
  assert.ok(explained.outputs.some((o) => o.name === 'g1_5'), explained.outputs.map((o) => o.name).join(', '));
});

test('refusals: a constant category, a non-numeric response, a repeated column', async () => {
  const t = hospital.table('mtcars');
  await assert.rejects(ols(t, { y: 'mpg', x: ['wt', 'fuel'] }).open(to), (e: unknown) => e instanceof UsageError && /'fuel' has rows in only one level \('petrol'\)/.test(e.message));
  await assert.rejects(ols(t, { y: 'cyl', x: ['wt'] }).open(to), (e: unknown) => e instanceof UsageError && /the response 'cyl' is a category column/.test(e.message));
  assert.throws(() => ols(t, { y: 'mpg', x: ['wt', 'wt'] }), UsageError);
  assert.throws(() => ols(t, { y: 'mpg', x: ['wt'], weights: 'mpg' }), (e: unknown) => e instanceof UsageError && /'mpg' appears twice/.test(e.message));
});

test('sums of products fused into inner products equal the materialised ones, with a secret validity and nulls', async () => {
  const gaps = hospital.table('mtcars_gaps').filter(col('hp').ge(100), { mode: 'oblivious' });
  const products = gaps.withColumns({ mf: col('mpg').fillNull(0) }).withColumns({ p: col('wt').mul(col('hp')), q: col('hp').mul(col('hp')), m: col('mf').mul(col('wt')) });
  // Fused: every summed derived column is a plain product of two columns.
  const fused = (await (await products.agg({ n: count(), c: count('mpg'), s: sum('hp'), p: sum('p'), q: sum('q'), m: sum('m') }).open(to)).result()).outputs;
  // Materialised: a derived column that is not a plain product (x·y + 1) sends the whole aggregate down the general path.
  const general = (await (await products.withColumns({ r: col('wt').mul(col('hp')).add(1) }).agg({ n: count(), c: count('mpg'), s: sum('hp'), p: sum('p'), q: sum('q'), m: sum('m'), r: sum('r') }).open(to)).result()).outputs;
  for (const k of ['n', 'c', 's', 'p', 'q', 'm'] as const) assert.equal(fused[k].exact ?? String(fused[k].value), general[k].exact ?? String(general[k].value), k);
  // The plaintext: rows with hp ≥ 100.
  const rowsKept = MTCARS.hp.map((h, i) => ({ h: Number(h), w: Math.round(Number(MTCARS.wt[i]) * 1000), mpg: [3, 10, 20].includes(i) ? null : Math.round(Number(MTCARS.mpg[i]) * 10) })).filter((r) => r.h >= 100);
  assert.equal(Number(fused.n.value), rowsKept.length);
  assert.equal(Number(fused.c.value), rowsKept.filter((r) => r.mpg !== null).length);
  assert.equal(BigInt(fused.p.exact!.replace('.', '')), rowsKept.reduce((t, r) => t + BigInt(r.w * r.h), 0n));
  assert.equal(BigInt(fused.q.exact!), rowsKept.reduce((t, r) => t + BigInt(r.h * r.h), 0n));
  assert.equal(BigInt(fused.m.exact!.replace('.', '')), rowsKept.reduce((t, r) => t + BigInt((r.mpg ?? 0) * r.w), 0n));
});
