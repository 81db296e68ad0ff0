/**
 * logit() through the SDK on three in-process nodes (src/stats/logit.ts, ops/logit.ts): R's
 * mtcars am ~ hp + wt against a float64 Newton reference written in the test
 * (test/helpers/logit-reference.ts), coefficients and standard errors within 1e-5 relative (the
 * contract), and the Challenger O-ring data against its published fit; a category predictor;
 * complete cases under nulls; perfect and quasi-complete separation refused with a typed error,
 * never a finite answer; a single row refused at plan time and no rows left at run time refused
 * by the recipient; a non-0/1 response and a constant predictor refused before anything runs;
 * an oblivious filter's secret validity.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { col } from '../../src/client/expr.js';
import type { Tessera } from '../../src/client/tessera.js';
import { ModelFitError, QueryError, UsageError } from '../../src/errors.js';
import { logit } from '../../src/stats/logit.js';
import { logitReference } from '../helpers/logit-reference.js';
import { MTCARS } from '../helpers/mtcars.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let hospital: Tessera;
const to = { to: ['St. Mary Hospital'] };

const SCHEMA = (nullable: boolean) => ({
  version: 1 as const,
  columns: [
    { name: 'wt', nullable, type: 'decimal' as const, scale: 3, min: '1.000', max: '6.000' },
    { name: 'hp', nullable: false, type: 'integer' as const, min: '50', max: '350' },
    { name: 'cyl', nullable: false, type: 'category' as const, dictionary: ['4', '6', '8'] },
    { name: 'am', nullable: false, type: 'boolean' as const },
    { name: 'light', nullable: false, type: 'boolean' as const },
    { name: 'quasi', nullable: false, type: 'boolean' as const },
    { name: 'mpg', nullable: false, type: 'decimal' as const, scale: 1, min: '0', max: '100' },
    { name: 'one', nullable: false, type: 'integer' as const, min: '1', max: '1' },
  ],
});

function rows(indices: readonly number[], blank: readonly number[] = []): Record<string, (string | null)[]> {
  const pick = (values: readonly string[]) => indices.map((i) => values[i]);
  return {
    wt: indices.map((i) => (blank.includes(i) ? null : MTCARS.wt[i])),
    hp: pick(MTCARS.hp),
    cyl: pick(MTCARS.cyl),
    am: pick(MTCARS.am).map((v) => (v === '1' ? 'true' : 'false')),
    light: pick(MTCARS.wt).map((v) => (Number(v) < 3.3 ? 'true' : 'false')),
    // Quasi-complete separation: hp > 150 is 1, hp < 150 is 0, the two cars at hp = 150 one of each.
    quasi: indices.map((i) => String(Number(MTCARS.hp[i]) > 150 || (Number(MTCARS.hp[i]) === 150 && i === 21))),
    mpg: pick(MTCARS.mpg),
    one: indices.map(() => '1'),
  };
}

const ALL = MTCARS.am.map((_, i) => i);

/**
 * The 23 Space Shuttle launches before Challenger (Dalal, Fowlkes and Hoadley, JASA 1989): launch
 * temperature (°F) and whether any O-ring was damaged. The published binary logistic fit (R's glm,
 * statsmodels): intercept 15.0429 (SE 7.3786), temp −0.2322 (SE 0.1082), residual deviance 20.315
 * on 21 df, null deviance 28.267 on 22.
 */
const ORINGS = {
  temp: [53, 57, 58, 63, 66, 67, 67, 67, 68, 69, 70, 70, 70, 70, 72, 73, 75, 75, 76, 76, 78, 79, 81],
  failure: [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0],
};
const ORINGS_SCHEMA = { version: 1 as const, columns: [{ name: 'temp', nullable: false, type: 'integer' as const, min: '30', max: '90' }, { name: 'failure', nullable: false, type: 'boolean' as const }] };

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  await hospital.uploadTable('mtcars', { columns: rows(ALL) }, { schema: SCHEMA(false) });
  await hospital.uploadTable('mtcars_gaps', { columns: rows(ALL, [4, 9, 15]) }, { schema: SCHEMA(true) });
  await hospital.uploadTable('one_car', { columns: rows([0]) }, { schema: SCHEMA(false) });
  await hospital.uploadTable('orings', { columns: { temp: ORINGS.temp.map(String), failure: ORINGS.failure.map((f) => String(f === 1)) } }, { schema: ORINGS_SCHEMA });
});

after(async () => {
  await cluster.close();
});

function near(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected} (rel ${(Math.abs(actual - expected) / Math.abs(expected)).toExponential(2)})`);
}

const data = (indices: readonly number[], columns: readonly ((i: number) => number)[]) => indices.map((i) => columns.map((c) => c(i)));
const hp = (i: number) => Number(MTCARS.hp[i]);
const wt = (i: number) => Number(MTCARS.wt[i]);
const am = (i: number) => Number(MTCARS.am[i]);

test('am ~ hp + wt matches a float64 Newton fit to 1e-5 relative (coefficients, standard errors, log-likelihood), and prints as statsmodels does', async () => {
  const fit = await logit(hospital.table('mtcars'), { y: 'am', x: ['hp', 'wt'] }).fit().open(to);
  const ref = logitReference(data(ALL, [hp, wt]), ALL.map(am));
  // statsmodels 0.14: 18.8663, 0.0363, -8.0835; SEs 7.444, 0.018, 3.069.
  fit.coefficients.forEach((c, j) => {
    near(c.estimate, ref.coef[j], 1e-5, `${c.term} coefficient`);
    near(c.stdError, ref.se[j], 1e-5, `${c.term} standard error`);
  });
  assert.ok(Math.abs(fit.logLikelihood - ref.logLikelihood) <= fit.logLikelihoodErrorBound, `log-likelihood ${fit.logLikelihood} vs ${ref.logLikelihood} beyond ${fit.logLikelihoodErrorBound}`);
  near(fit.logLikelihood, ref.logLikelihood, 1e-5, 'log-likelihood');
  near(fit.nullLogLikelihood, -21.615, 1e-4, 'null log-likelihood');
  near(fit.aic, -2 * ref.logLikelihood + 6, 1e-5, 'AIC');
  assert.deepEqual(fit.coefficients.map((c) => c.term), ['Intercept', 'hp', 'wt']);
  assert.equal(fit.observations, 32);
  assert.equal(fit.dfResidual, 29);
  assert.ok(fit.standardErrorBound > 1e-5 && fit.standardErrorBound < 1e-2, `the worst-case bound ${fit.standardErrorBound}`);
  const text = fit.text();
  assert.match(text, /Logit Regression Results/);
  assert.match(text, /Pseudo R-squ\.:\s+0\.767/);
  assert.match(text, /^wt\s+-8\.08/m);
});

test('the Challenger O-ring data: the published fit (4-5 digits) and a float64 Newton fit (1e-5)', async () => {
  const fit = await logit(hospital.table('orings'), { y: 'failure', x: ['temp'] }).fit().open(to);
  const ref = logitReference(ORINGS.temp.map((t) => [t]), ORINGS.failure);
  fit.coefficients.forEach((c, j) => {
    near(c.estimate, ref.coef[j], 1e-5, `${c.term} coefficient`);
    near(c.stdError, ref.se[j], 1e-5, `${c.term} standard error`);
  });
  near(fit.coefficients[0].estimate, 15.0429, 1e-5, 'published intercept');
  near(fit.coefficients[0].stdError, 7.3786, 1e-5, 'published intercept SE');
  near(fit.coefficients[1].estimate, -0.2322, 2e-4, 'published temp coefficient');
  near(fit.coefficients[1].stdError, 0.1082, 4e-4, 'published temp SE');
  near(fit.deviance, 20.315, 1e-4, 'published residual deviance');
  near(fit.nullDeviance, 28.267, 1e-4, 'published null deviance');
  assert.equal(fit.dfResidual, 21);
});

test('a category predictor enters as dummies of every level but the first, against the same reference', async () => {
  const fit = await logit(hospital.table('mtcars'), { y: 'am', x: ['mpg', 'cyl'] }).fit().open(to);
  const ref = logitReference(data(ALL, [(i) => Number(MTCARS.mpg[i]), (i) => (MTCARS.cyl[i] === '6' ? 1 : 0), (i) => (MTCARS.cyl[i] === '8' ? 1 : 0)]), ALL.map(am));
  assert.deepEqual(fit.coefficients.map((c) => c.term), ['Intercept', 'mpg', 'cyl[T.6]', 'cyl[T.8]']);
  assert.deepEqual(fit.reference, { cyl: '4' });
  fit.coefficients.forEach((c, j) => {
    near(c.estimate, ref.coef[j], 1e-5, `${c.term} coefficient`);
    near(c.stdError, ref.se[j], 1e-5, `${c.term} standard error`);
  });
});

test('rows with a null leave the fit (complete cases), as statsmodels missing="drop"', async () => {
  const fit = await logit(hospital.table('mtcars_gaps'), { y: 'am', x: ['hp', 'wt'] }).fit().open(to);
  const kept = ALL.filter((i) => ![4, 9, 15].includes(i));
  const ref = logitReference(data(kept, [hp, wt]), kept.map(am));
  assert.equal(fit.observations, 29);
  fit.coefficients.forEach((c, j) => {
    near(c.estimate, ref.coef[j], 1e-5, `${c.term} coefficient`);
    near(c.stdError, ref.se[j], 1e-5, `${c.term} standard error`);
  });
});

test('perfect separation (light = [wt < 3.3] on wt) is refused with a typed error, never a finite answer', async () => {
  await assert.rejects(
    logit(hospital.table('mtcars'), { y: 'light', x: ['hp', 'wt'] }).fit().open(to),
    (e: unknown) => e instanceof ModelFitError && e.reason === 'separation' && /separated/.test(e.message),
  );
});

test('quasi-complete separation (hp > 150, mixed only at hp = 150) is refused too', async () => {
  await assert.rejects(
    logit(hospital.table('mtcars'), { y: 'quasi', x: ['hp', 'wt'] }).fit().open(to),
    (e: unknown) => e instanceof ModelFitError && e.reason === 'separation',
  );
});

test('a single row, a non-0/1 response and a constant predictor are refused before anything runs', async () => {
  await assert.rejects(logit(hospital.table('one_car'), { y: 'am', x: ['hp'] }).fit().open(to), (e: unknown) => e instanceof QueryError && /more rows than coefficients/.test(e.message));
  await assert.rejects(logit(hospital.table('mtcars'), { y: 'mpg', x: ['hp'] }).fit().open(to), (e: unknown) => e instanceof UsageError && /0\/1/.test(e.message));
  await assert.rejects(logit(hospital.table('mtcars'), { y: 'am', x: ['hp', 'one'] }).fit().open(to), (e: unknown) => e instanceof UsageError && /constant/.test(e.message));
  assert.throws(() => logit(hospital.table('mtcars'), { y: 'am', x: ['hp'] }).fit({ iterations: 40 }), (e: unknown) => e instanceof UsageError && /iterations/.test(e.message));
});

test('no rows left at run time (a filter that keeps none, revealed or oblivious) is refused: nothing to fit', async () => {
  for (const mode of ['reveal-count', 'oblivious'] as const) {
    const none = hospital.table('mtcars').filter(col('hp').gt(340), { mode });
    await assert.rejects(logit(none, { y: 'am', x: ['hp', 'wt'] }).fit().open(to), (e: unknown) => e instanceof ModelFitError && e.reason === 'too-few-rows' && /no rows/.test(e.message));
  }
});

test('an oblivious filter (a secret validity) leaves the rows it drops out of the fit', async () => {
  const heavy = hospital.table('mtcars').filter(col('hp').gt(60), { mode: 'oblivious' });
  const fit = await logit(heavy, { y: 'am', x: ['hp', 'wt'] }).fit().open(to);
  const kept = ALL.filter((i) => hp(i) > 60);
  const ref = logitReference(data(kept, [hp, wt]), kept.map(am));
  assert.equal(fit.observations, kept.length);
  fit.coefficients.forEach((c, j) => {
    near(c.estimate, ref.coef[j], 1e-5, `${c.term} coefficient`);
    near(c.stdError, ref.se[j], 1e-5, `${c.term} standard error`);
  });
});

test('explain() names what opens: β, g, H, the log-likelihood and the convergence bit', async () => {
  const explained = await logit(hospital.table('mtcars'), { y: 'am', x: ['hp', 'wt'] }).fit().explain(to);
  assert.match(explained.text(), /information matrix/);
  assert.ok(explained.outputs.some((o) => o.name === 'converged'));
  // Ten iterations of the probabilities alone (53 rounds each, but none at β = 0) take over 450.
  assert.ok(explained.cost.rounds > 450);
});
