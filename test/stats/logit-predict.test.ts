/**
 * A stored logistic model (plan/logit-model.ts, ops/logit-model.ts) and its predictions
 * (plan/check-predict.ts, ops/predict.ts) and scores (stats/logit-predict.ts) on three in-process
 * nodes: R's mtcars am ~ hp + wt stored, never opened, its probabilities against float64
 * σ(xβ*) of a Newton fit written in the test (test/helpers/logit-reference.ts) within the
 * documented bound; classes; listed and deleted as a derived table; refusals of a missing
 * predictor, a type mismatch, a declared range beyond the bit budget and a table that is not a
 * model; scores against plaintext references, on mtcars and as a property on random small tables.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { Tessera } from '../../src/client/tessera.js';
import { PlanError, QueryError } from '../../src/errors.js';
import { logit } from '../../src/stats/logit.js';
import { storedLogit } from '../../src/stats/logit-predict.js';
import { scoreFromCounts } from '../../src/stats/logit-scores.js';
import { logitReference } from '../helpers/logit-reference.js';
import { MTCARS } from '../helpers/mtcars.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let hospital: Tessera;
const to = { to: ['St. Mary Hospital'] };

const CARS = (wt: { min: string; max: string }, hpType: 'integer' | 'decimal' = 'integer') => ({
  version: 1 as const,
  columns: [
    { name: 'wt', nullable: false, type: 'decimal' as const, scale: 3, ...wt },
    hpType === 'integer' ? { name: 'hp', nullable: false, type: 'integer' as const, min: '50', max: '350' } : { name: 'hp', nullable: false, type: 'decimal' as const, scale: 1, min: '50', max: '350' },
    { name: 'am', nullable: false, type: 'boolean' as const },
  ],
});
const ALL = MTCARS.am.map((_, i) => i);
const columns = { wt: [...MTCARS.wt], hp: [...MTCARS.hp], am: MTCARS.am.map((v) => String(v === '1')) };
const hp = (i: number) => Number(MTCARS.hp[i]);
const wt = (i: number) => Number(MTCARS.wt[i]);
const am = (i: number) => Number(MTCARS.am[i]);
const reference = logitReference(ALL.map((i) => [hp(i), wt(i)]), ALL.map(am));
const truth = ALL.map((i) => 1 / (1 + Math.exp(-(reference.coef[0] + reference.coef[1] * hp(i) + reference.coef[2] * wt(i)))));

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  await hospital.uploadTable('cars', { columns }, { schema: CARS({ min: '1.000', max: '6.000' }) });
  await hospital.uploadTable('cars_wide', { columns }, { schema: CARS({ min: '0.000', max: '60.000' }) });
  await hospital.uploadTable('cars_hp_decimal', { columns }, { schema: CARS({ min: '1.000', max: '6.000' }, 'decimal') });
  await (await logit(hospital.table('cars'), { y: 'am', x: ['hp', 'wt'] }).fit().store('am_model')).wait();
});

after(async () => {
  await cluster.close();
});

/**
 * docs/statistics.md, "Stored models": |p − p*| ≤ d 2^-10 max(1, |z|) / 4 + 2^-15 + 5e-6 (the
 * stored β within 2^-10 of β* per standardised coordinate, the sigmoid, the decimal's unit).
 */
const BOUND = (3 * 2 ** -10) / 4 + 2 ** -15 + 5e-6;

test('a stored model is listed with its public schema (standardisation, predictors) and its probabilities match float64 σ(xβ*) within the documented bound', async () => {
  const listed = (await hospital.listTables()).find((t) => t.name === 'am_model');
  assert.ok(listed && 'schema' in listed, 'the model is listed');
  assert.equal(listed.rows, 1);
  assert.deepEqual(listed.schema.columns.map((c) => c.name), ['logit_model', 'hp', 'wt', 'beta_0', 'beta_1', 'beta_2']);
  const model = storedLogit(hospital.table('am_model'));
  const result = await (await (await model.predict(hospital.table('cars'), { as: 'p_am' }).open(to)).result());
  assert.equal(result.table.rows.length, 32);
  let worst = 0;
  for (const row of result.table.rows) {
    const i = ALL.find((k) => MTCARS.hp[k] === String(row.hp) && Number(MTCARS.wt[k]) === Number(row.wt))!;
    worst = Math.max(worst, Math.abs(Number(row.p_am) - truth[i]));
  }
  assert.ok(worst <= BOUND, `worst |p − p*| ${worst} beyond ${BOUND}`);
  console.log(`# stored mtcars model: worst |p − p*| = ${worst.toExponential(2)} (bound ${BOUND.toExponential(2)})`);
});

test('classes with a public threshold agree with float64 away from the threshold', async () => {
  const model = storedLogit(hospital.table('am_model'));
  const rows = (await (await model.predict(hospital.table('cars'), { as: 'hat', output: 'class', threshold: 0.3 }).open(to)).result()).table.rows;
  for (const row of rows) {
    const i = ALL.find((k) => MTCARS.hp[k] === String(row.hp) && Number(MTCARS.wt[k]) === Number(row.wt))!;
    if (Math.abs(truth[i] - 0.3) > BOUND) assert.equal(row.hat, truth[i] >= 0.3, `car ${i}: p* = ${truth[i]}`);
  }
});

test('scores inside MPC (accuracy, confusion matrix, ROC AUC) equal the plaintext ones', async () => {
  const scores = await storedLogit(hospital.table('am_model')).score(hospital.table('cars'), { y: 'am' }, to);
  const expected = plainScores(truth, ALL.map(am), 0.5);
  assert.deepEqual(scores.confusion, expected.confusion);
  assert.equal(scores.accuracy, expected.accuracy);
  assert.ok(Math.abs(scores.auc - expected.auc) < 1e-12, `AUC ${scores.auc} vs ${expected.auc}`);
  assert.equal(scores.rows, 32);
});

test('refusals: a missing predictor, a type mismatch, a range beyond the bit budget, a table that is no model', async () => {
  const model = storedLogit(hospital.table('am_model'));
  const refused = async (frame: Parameters<typeof model.predict>[0], pattern: RegExp) =>
    assert.rejects(model.predict(frame, { as: 'p' }).open(to).then((h) => h.result()), (e: unknown) => (e instanceof PlanError || e instanceof QueryError) && pattern.test(e.message), String(pattern));
  await refused(hospital.table('cars').select('hp', 'am'), /needs the predictor 'wt', which the input lacks/);
  await refused(hospital.table('cars_hp_decimal'), /'hp' was fitted as a integer column, the input's is a decimal\(1\)/);
  await refused(hospital.table('cars_wide'), /'wt' is declared in \[0, 60000\].*beyond 1\.953/);
  await assert.rejects(storedLogit(hospital.table('cars')).predict(hospital.table('cars'), { as: 'p' }).open(to).then((h) => h.result()), (e: unknown) => e instanceof Error && /not a stored logistic model/.test(e.message));
  await assert.rejects(model.predict(hospital.table('cars'), { as: 'am' }).open(to).then((h) => h.result()), (e: unknown) => e instanceof Error && /already has a column 'am'/.test(e.message));
});

test('a prediction stores as a derived table; the model deletes like one', async () => {
  await (await storedLogit(hospital.table('am_model')).predict(hospital.table('cars'), { as: 'p_am' }).store('cars_scored')).wait();
  const scored = (await hospital.listTables()).find((t) => t.name === 'cars_scored');
  assert.ok(scored && 'schema' in scored);
  assert.deepEqual(scored.schema.columns.map((c) => c.name), ['wt', 'hp', 'am', 'p_am']);
  await (await logit(hospital.table('cars'), { y: 'am', x: ['hp'] }).fit().store('hp_model')).wait();
  await hospital.deleteTable('hp_model');
  assert.equal((await hospital.listTables()).find((t) => t.name === 'hp_model'), undefined);
});

/** The scores from plaintext probabilities and labels: AUC by counting pairs (ties one half). */
function plainScores(p: readonly number[], y: readonly number[], threshold: number) {
  let tp = 0, fp = 0, pairs = 0, n1 = 0, n0 = 0;
  p.forEach((pi, i) => {
    const hat = pi >= threshold;
    if (y[i] === 1) { n1++; if (hat) tp++; } else { n0++; if (hat) fp++; }
  });
  p.forEach((pi, i) => p.forEach((pj, j) => {
    if (y[i] === 1 && y[j] === 0) pairs += pi > pj ? 1 : pi === pj ? 0.5 : 0;
  }));
  return { accuracy: (tp + n0 - fp) / (n1 + n0), confusion: { truePositive: tp, falseNegative: n1 - tp, falsePositive: fp, trueNegative: n0 - fp }, auc: pairs / (n1 * n0) };
}

test('property (MPC): on random small tables with many ties, the scores of a model table equal plaintext pair counting with the same β', async () => {
  // A model uploaded with known standardised coefficients (plan/logit-model.ts): x integer in [0, 8] (centre 4, divisor 2^2).
  const schema = {
    version: 1 as const,
    columns: [
      { name: 'logit_model', nullable: false, type: 'integer' as const, min: '24', max: '24' },
      { name: 'x', nullable: false, type: 'integer' as const, min: '0', max: '8' },
      { name: 'beta_0', nullable: false, type: 'integer' as const, min: String(-(2 ** 33)), max: String(2 ** 33) },
      { name: 'beta_1', nullable: false, type: 'integer' as const, min: String(-(2 ** 33)), max: String(2 ** 33) },
    ],
  };
  let run = 0;
  await fc.assert(fc.asyncProperty(
    fc.integer({ min: -40, max: 40 }), fc.integer({ min: 1, max: 60 }), fc.boolean(),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 8 }), fc.boolean()), { minLength: 4, maxLength: 16 }),
    async (b0, b1, negative, cells) => {
      const y = cells.map(([, label]) => (label ? 1 : 0));
      fc.pre(y.includes(1) && y.includes(0));
      const beta = [b0 / 10, (negative ? -b1 : b1) / 10];
      const raw = beta.map((b) => Math.round(b * 2 ** 24));
      const name = `prop_${run++}`;
      await hospital.uploadTable(`${name}_model`, { columns: { logit_model: ['24'], x: ['4'], beta_0: [String(raw[0])], beta_1: [String(raw[1])] } }, { schema });
      await hospital.uploadTable(name, { columns: { x: cells.map(([x]) => String(x)), y: cells.map(([, l]) => String(l)) } }, { schema: { version: 1, columns: [{ name: 'x', nullable: false, type: 'integer', min: '0', max: '8' }, { name: 'y', nullable: false, type: 'boolean' }] } });
      const scores = await storedLogit(hospital.table(`${name}_model`)).score(hospital.table(name), { y: 'y', threshold: 0.4 }, to);
      const p = cells.map(([x]) => 1 / (1 + Math.exp(-((raw[0] + (raw[1] * (x - 4)) / 4) / 2 ** 24))));
      const want = plainScores(p, y, 0.4);
      assert.deepEqual(scores.confusion, want.confusion);
      assert.ok(Math.abs(scores.auc - want.auc) < 1e-12, `AUC ${scores.auc} vs ${want.auc}`);
    },
  ), { numRuns: 4 });
});

test('property: the scores from rank sums equal pair counting on random small tables', () => {
  fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.boolean()), { minLength: 2, maxLength: 30 }), (cells) => {
    const p = cells.map(([v]) => v / 6), y = cells.map(([, b]) => (b ? 1 : 0));
    if (!y.includes(1) || !y.includes(0)) return;
    const order = p.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
    const rank = new Array<number>(p.length);
    for (let k = 0; k < order.length;) {
      let e = k;
      while (e + 1 < order.length && order[e + 1].v === order[k].v) e++;
      for (let m = k; m <= e; m++) rank[order[m].i] = (k + e) / 2 + 1;
      k = e + 1;
    }
    const counts = (label: number) => ({ n: y.filter((v) => v === label).length, predicted: p.filter((v, i) => y[i] === label && v >= 0.5).length, rankSum: rank.filter((_, i) => y[i] === label).reduce((a, b) => a + b, 0) });
    const got = scoreFromCounts(counts(1), counts(0), 0.5);
    const want = plainScores(p, y, 0.5);
    assert.deepEqual(got.confusion, want.confusion);
    assert.ok(Math.abs(got.auc - want.auc) < 1e-12 && Math.abs(got.accuracy - want.accuracy) < 1e-12);
  }), { numRuns: 200 });
});
