/**
 * Every statistic with differentially private noise, end to end on three in-process nodes:
 * var, std, min, max, median, quantile, count_distinct, corr and covar_samp (whole and per
 * group), the stats layer (describe, histogram, a t-test), and suppression on the noisy counts.
 *
 * Exactness of the pipeline (empty groups filled inside MPC, every part decoded) is checked on
 * 0/1 columns with ε = 100: their sensitivities are 1, so each cell's noise is 0 except with
 * probability about 2·e^(−100/K) (K the noisy columns of one query, at most 9 here: ~3·10^-4 for
 * the largest query, below 10^-3 over the file).
 * Real noise is checked against its reported scale on a wide column.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { corr, count, countDistinct, covarSamp, max, mean, median, min, quantile, std, variance } from '../../src/client/aggregates.js';
import type { Tessera } from '../../src/client/tessera.js';
import { describe } from '../../src/stats/describe.js';
import { tTest } from '../../src/stats/frame-tests.js';
import { histogram } from '../../src/stats/histogram.js';
import { ols } from '../../src/stats/ols.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let hospital: Tessera;
// 40 rows: blood A 20, B 16, O 4, AB none (declared, empty).
const BLOOD = Array.from({ length: 40 }, (_, i) => (i < 20 ? 'A' : i < 36 ? 'B' : 'O'));
const FLAG: number[] = BLOOD.map((_, i) => (i % 5 === 0 ? 1 : 0)); // 8 ones
const OTHER: number[] = BLOOD.map((_, i) => (i % 5 === 0 || i % 7 === 0 ? 1 : 0));
const AGES = BLOOD.map((_, i) => 20 + ((i * 7) % 50));
const to = ['St. Mary Hospital'];
const SURE = { mechanism: 'laplace', epsilon: 100 } as const;

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  await hospital.uploadTable(
    'patients',
    { columns: { age: AGES.map(String), blood: BLOOD, flag: FLAG.map(String), other: OTHER.map(String), smoker: FLAG.map((f) => (f === 1 ? 'true' : 'false')) } },
    {
      schema: {
        version: 1,
        columns: [
          { name: 'age', nullable: false, type: 'integer', min: '0', max: '120' },
          { name: 'blood', nullable: false, type: 'category', dictionary: ['A', 'B', 'O', 'AB'] },
          { name: 'flag', nullable: false, type: 'integer', min: '0', max: '1' },
          { name: 'other', nullable: false, type: 'integer', min: '0', max: '1' },
          { name: 'smoker', nullable: false, type: 'boolean' },
        ],
      },
    },
  );
});

after(async () => {
  await cluster?.close();
});

const mu = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sampleVar = (xs: readonly number[]): number => xs.reduce((a, x) => a + (x - mu(xs)) ** 2, 0) / (xs.length - 1);

test('var, std, min, max, median, quantile, count_distinct over the whole table: each term noisy, decoded exactly at ε = 100 on 0/1 columns', async () => {
  const frame = hospital.table('patients').agg({ v: variance('flag'), s: std('flag'), lo: min('flag'), hi: max('flag'), d: countDistinct('flag') });
  const r = await (await frame.open({ to, privacy: SURE })).result();
  assert.equal(r.privacy?.epsilon, 100);
  assert.deepEqual(r.privacy?.columns.map((c) => [c.column, c.sensitivity]), [['v.count', '1'], ['v.sum', '1'], ['v.squares', '1'], ['s.count', '1'], ['s.sum', '1'], ['s.squares', '1'], ['lo', '1'], ['hi', '1'], ['d', '1']]);
  assert.ok(Math.abs(r.privacy!.columns.reduce((a, c) => a + c.epsilon!, 0) - 100) < 1e-9, 'the columns share ε');
  assert.ok(Math.abs((r.outputs.v.value as number) - sampleVar(FLAG)) < 1e-12);
  assert.ok(Math.abs((r.outputs.s.value as number) - Math.sqrt(sampleVar(FLAG))) < 1e-12);
  assert.equal(r.outputs.lo.value, 0);
  assert.equal(r.outputs.hi.value, 1);
  assert.equal(r.outputs.d.value, 2);
  // The quantile's lower and upper order statistics are exact; its fraction (sensitivity 10^6 − 1) is noise, clamped to [0, 1).
  const q = await (await hospital.table('patients').agg({ m: median('flag'), q: quantile('flag', 0.9) }).open({ to, privacy: SURE })).result();
  assert.deepEqual(q.privacy?.columns.map((c) => [c.column, c.sensitivity]), [['m.lower', '1'], ['m.upper', '1'], ['m.fraction', '999999'], ['q.lower', '1'], ['q.upper', '1'], ['q.fraction', '999999']]);
  assert.equal(q.outputs.m.value, 0); // x_19 = x_20 = 0 of 40 sorted (8 ones)
  const q9 = q.outputs.q.value as number; // h = 35.1: between x_35 = 0 and x_36 = 1
  assert.ok(q9 >= 0 && q9 <= 1, `quantile 0.9 = ${q9}`);
});

test('corr and covar_samp with noise: six noisy sums each, exact at ε = 100 on 0/1 columns', async () => {
  // One query each: together they are 12 noisy sums sharing ε = 100 (8.3 each), where a sum's
  // noise is nonzero with probability 2·e^(−8.3) ≈ 5e-4, so one run in ~170 failed; apart, six
  // sums at ε ≈ 16.7 each: below 10^-6.
  const r = await (await hospital.table('patients').agg({ r: corr('flag', 'other') }).open({ to, privacy: SURE })).result();
  const c = await (await hospital.table('patients').agg({ c: covarSamp('flag', 'other') }).open({ to, privacy: SURE })).result();
  const n = FLAG.length, mx = mu(FLAG), my = mu(OTHER);
  const cov = FLAG.reduce((a, x, i) => a + (x - mx) * (OTHER[i] - my), 0) / (n - 1);
  assert.ok(Math.abs((c.outputs.c.value as number) - cov) < 1e-12);
  assert.ok(Math.abs((r.outputs.r.value as number) - cov / Math.sqrt(sampleVar(FLAG) * sampleVar(OTHER))) < 1e-12);
  assert.equal(r.privacy?.columns.length, 6);
  assert.equal(c.privacy?.columns.length, 6);
});

test('per group: an empty group\'s min and max open as the range\'s lower end, never as null (which would reveal that it is empty)', async () => {
  const r = await (await hospital.table('patients').groupBy('blood').agg({ n: count(), lo: min('flag'), hi: max('flag') }).open({ to, privacy: SURE })).result();
  const rows = Object.fromEntries(r.table.rows.map((row) => [row.blood as string, [row.n, row.lo, row.hi]]));
  assert.deepEqual(rows, { A: [20, 0, 1], B: [16, 0, 1], O: [4, 0, 0], AB: [0, 0, 0] });
  // Without privacy, the empty group's min is null.
  const plain = await (await hospital.table('patients').groupBy('blood').agg({ lo: min('flag') }).open({ to })).result();
  assert.equal(plain.table.rows.find((row) => row.blood === 'AB')?.lo, null);
});

test('a wide column\'s min gets noise on the scale of its range: sensitivity 120, the reported sd, and an integer value', async () => {
  const r = await (await hospital.table('patients').agg({ lo: min('age') }).open({ to, privacy: { mechanism: 'laplace', epsilon: 1 } })).result();
  const c = r.privacy!.columns[0];
  assert.equal(c.sensitivity, '120');
  // Discrete Laplace a = e^(−1/120): sd = √(2a)/(1 − a) ≈ 169.7.
  const a = Math.exp(-1 / 120);
  assert.ok(Math.abs(c.standardDeviation - Math.sqrt(2 * a) / (1 - a)) < 1e-6 * c.standardDeviation);
  const lo = r.outputs.lo.value as number;
  assert.ok(Number.isInteger(lo) && Math.abs(lo - Math.min(...AGES)) < 40 * c.standardDeviation, `noisy min ${lo}`);
});

test('suppress_below on the noisy counts: a crosstab\'s and a group-by\'s small groups do not open at all', async () => {
  const privacy = { ...SURE, suppress_below: 5 };
  const x = await (await hospital.table('patients').crosstab(['blood', 'smoker']).open({ to, privacy })).result();
  const cells = x.table.rows.map((row) => [row.blood, row.smoker, row.count]);
  // True cells (smoker false/true): A 16/4, B 12/4, O 4/0, AB 0/0: those under 5 are gone (their zeroed shares open as nothing).
  assert.deepEqual(cells, [['A', false, 16], ['B', false, 12]]);
  assert.equal(x.privacy?.suppressBelow, 5);
  const g = await (await hospital.table('patients').groupBy('blood').agg({ n: count(), m: mean('flag') }).open({ to, privacy })).result();
  assert.deepEqual(g.table.rows.map((row) => [row.blood, row.n, row.m]), [['A', 20, 4 / 20], ['B', 16, 4 / 16]]);
  const explained = await hospital.table('patients').crosstab(['blood', 'smoker']).explain({ to, privacy });
  assert.match(explained.text(), /noisy count is below 5 are suppressed inside MPC/);
});

test('the stats layer carries the noise and reports it: describe, a t-test, a histogram with suppression', async () => {
  const frame = hospital.table('patients');
  const d = await describe(frame, ['flag'], { to, privacy: SURE, quartiles: false });
  assert.equal(d.privacy?.epsilon, 100);
  assert.ok(d.privacy!.columns.length >= 6);
  // Welch's test of age by flag from noisy counts, sums and sums of squares (the p-value is post-processing; it does not account for the noise).
  const t = await tTest(frame, { value: 'age', by: 'flag' }, { to, privacy: { mechanism: 'gaussian', rho: 50 } });
  assert.equal(t.privacy?.rho, 50);
  assert.deepEqual(t.groups.map((g) => g.label), [0, 1]);
  assert.ok(Number.isFinite(t.t), `t = ${t.t}`);
  const h = await histogram(frame, 'age', { edges: [0, 40, 60, 120], suppressBelow: 5 }, { to, privacy: SURE });
  const truth = [AGES.filter((v) => v < 40).length, AGES.filter((v) => v >= 40 && v < 60).length, AGES.filter((v) => v >= 60).length];
  assert.deepEqual(h.counts, truth.map((n) => (n < 5 ? null : n)));
  assert.equal(h.privacy?.suppressBelow, 5);
});

test('OLS from noisy Gram sums: every sum of products a noisy column with Δ = c·max|x·y|; exact at ε = 100 on 0/1 columns', async () => {
  const fit = await ols(hospital.table('patients'), { y: 'other', x: ['flag'] }).open({ to, privacy: SURE });
  assert.equal(fit.privacy?.epsilon, 100);
  assert.ok(fit.privacy!.columns.every((c) => c.sensitivity === '1'), JSON.stringify(fit.privacy!.columns.map((c) => c.sensitivity)));
  // Least squares of a 0/1 response on a 0/1 predictor: intercept = mean of y where x = 0, slope = the difference of the two means.
  const mean0 = mu(OTHER.filter((_, i) => FLAG[i] === 0)), mean1 = mu(OTHER.filter((_, i) => FLAG[i] === 1));
  assert.ok(Math.abs(fit.coefficients[0].estimate - mean0) < 1e-9, `intercept ${fit.coefficients[0].estimate}`);
  assert.ok(Math.abs(fit.coefficients[1].estimate - (mean1 - mean0)) < 1e-9, `slope ${fit.coefficients[1].estimate}`);
});

test('OLS per group from noisy Gram sums: every group\'s sums noisy (one-hot cells), each group fitted or refused on its own', async () => {
  const fits = await ols(hospital.table('patients'), { y: 'other', x: ['flag'], by: 'blood' }).open({ to, privacy: SURE });
  assert.equal(fits.privacy?.epsilon, 100);
  assert.ok(fits.privacy!.columns.every((c) => c.sensitivity === '1'), JSON.stringify(fits.privacy!.columns.map((c) => c.sensitivity)));
  const byLabel = new Map(fits.groups.map((g) => [g.label, g]));
  for (const blood of ['A', 'B']) {
    const rows = BLOOD.map((_, i) => i).filter((i) => BLOOD[i] === blood);
    const mean0 = mu(rows.filter((i) => FLAG[i] === 0).map((i) => OTHER[i])), mean1 = mu(rows.filter((i) => FLAG[i] === 1).map((i) => OTHER[i]));
    const fit = byLabel.get(blood)!.fit!;
    assert.ok(Math.abs(fit.coefficients[0].estimate - mean0) < 1e-9, `${blood} intercept ${fit.coefficients[0].estimate}`);
    assert.ok(Math.abs(fit.coefficients[1].estimate - (mean1 - mean0)) < 1e-9, `${blood} slope ${fit.coefficients[1].estimate}`);
  }
  // O: flag is 0 on all its rows; AB: no rows.
  assert.match(byLabel.get('O')!.refused ?? '', /'flag' is a linear combination of the intercept/);
  assert.match(byLabel.get('AB')!.refused ?? '', /it has 0/);
});
