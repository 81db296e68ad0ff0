/**
 * The SDK's statistics on secret tables end to end on three in-process nodes (src/stats/
 * frame-tests.ts, describe.ts): R's sleep data (two groups) and PlantGrowth (three), and the
 * chisq.test example table, uploaded as secret tables; each test runs one plan, opens it to the
 * recipient and must match the scipy/R references of test/stats/tests.test.ts. Refusals: a `by`
 * with three groups, a suppressed crosstab cell.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { col } from '../../src/client/expr.js';
import type { Tessera } from '../../src/client/tessera.js';
import { UsageError } from '../../src/errors.js';
import { describe } from '../../src/stats/describe.js';
import { anova, chiSquare, pairedTTest, tTest } from '../../src/stats/frame-tests.js';
import { summaryOf } from '../../src/stats/moments.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

const SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
const PLANT = {
  ctrl: [4.17, 5.58, 5.18, 6.11, 4.5, 4.61, 5.17, 4.53, 5.33, 5.14],
  trt1: [4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69],
  trt2: [6.31, 5.12, 5.54, 5.5, 5.37, 5.29, 4.92, 6.15, 5.8, 5.26],
};
/** chisq.test's example (Agresti 2007): gender × party. */
const PARTY = { F: [762, 327, 468], M: [484, 239, 477] };
const PARTIES = ['Democrat', 'Independent', 'Republican'];

let cluster: TestCluster;
let hospital: Tessera;
const to = { to: ['St. Mary Hospital'] };

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  await hospital.uploadTable(
    'sleep',
    { columns: { extra: [...SLEEP_1, ...SLEEP_2].map(String), group: [...SLEEP_1.map(() => '1'), ...SLEEP_2.map(() => '2')] } },
    {
      schema: {
        version: 1,
        columns: [
          { name: 'extra', nullable: false, type: 'decimal', scale: 1, min: '-10', max: '10' },
          // A declared level no row has ('3'): an empty group, which the tests leave out.
          { name: 'group', nullable: false, type: 'category', dictionary: ['1', '2', '3'] },
        ],
      },
    },
  );
  // The same data as R's sleep in wide form: one row per patient, a column per drug.
  await hospital.uploadTable(
    'sleep_wide',
    { columns: { drug1: SLEEP_1.map(String), drug2: SLEEP_2.map(String) } },
    {
      schema: {
        version: 1,
        columns: [
          { name: 'drug1', nullable: false, type: 'decimal', scale: 1, min: '-10', max: '10' },
          { name: 'drug2', nullable: false, type: 'decimal', scale: 1, min: '-10', max: '10' },
        ],
      },
    },
  );
  const plant = Object.entries(PLANT).flatMap(([g, values]) => values.map((v) => ({ g, v })));
  await hospital.uploadTable(
    'plants',
    { columns: { weight: plant.map((p) => p.v.toFixed(2)), group: plant.map((p) => p.g) } },
    {
      schema: {
        version: 1,
        columns: [
          { name: 'weight', nullable: false, type: 'decimal', scale: 2, min: '0', max: '10' },
          { name: 'group', nullable: false, type: 'category', dictionary: ['ctrl', 'trt1', 'trt2'] },
        ],
      },
    },
  );
  const gender: string[] = [], party: string[] = [];
  for (const [g, counts] of Object.entries(PARTY)) {
    counts.forEach((n, j) => {
      for (let i = 0; i < n; i++) {
        gender.push(g);
        party.push(PARTIES[j]);
      }
    });
  }
  await hospital.uploadTable(
    'voters',
    { columns: { gender, party } },
    {
      schema: {
        version: 1,
        columns: [
          { name: 'gender', nullable: false, type: 'category', dictionary: ['F', 'M'] },
          { name: 'party', nullable: false, type: 'category', dictionary: [...PARTIES, 'Other'] },
        ],
      },
    },
  );
});

after(async () => {
  await cluster.close();
});

function close(actual: number, expected: number, relative: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= relative * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

test('two-sample t-tests on the secret sleep table match the reference (Welch and pooled), with the plan and query they ran', async () => {
  const sleep = hospital.table('sleep');
  const welch = await tTest(sleep, { value: 'extra', by: 'group' }, to);
  assert.equal(welch.test, 'two-sample Welch');
  assert.deepEqual(welch.groups.map((g) => [g.label, g.n]), [['1', 10], ['2', 10]]);
  close(welch.t, -1.8608134674868526, 1e-9, 'Welch t');
  close(welch.df, 17.776473516178488, 1e-9, 'Welch df');
  close(welch.p, 0.0793941401873583, 1e-9, 'Welch p');
  close(welch.ci[0], -3.3654832307117104, 1e-9, 'Welch ci low');
  close(welch.ci[1], 0.20548323071171137, 1e-9, 'Welch ci high');
  assert.match(welch.plan, /^[0-9a-f]{64}$/);
  assert.equal(welch.plan, sleep.groupBy('group').agg({ n: { fn: 'count', column: 'extra' }, m: { fn: 'mean', column: 'extra' }, v: { fn: 'var', column: 'extra' } }).planHash(to));
  assert.ok(welch.query.length > 0);
  const pooled = await tTest(sleep, { value: 'extra', by: 'group', equalVariance: true }, to);
  assert.equal(pooled.df, 18);
  close(pooled.p, 0.07918671421593822, 1e-9, 'pooled p');
  close(pooled.ci[0], -3.3638740322875984, 1e-9, 'pooled ci');
});

test('a one-sample t-test on a filtered frame matches the reference', async () => {
  const one = await tTest(hospital.table('sleep').filter(col('group').eq('1')), { value: 'extra' }, to);
  assert.equal(one.test, 'one-sample');
  close(one.t, 1.3257101407138212, 1e-9, 'one-sample t');
  close(one.p, 0.21759778006844888, 1e-9, 'one-sample p');
  close(one.ci[0], -0.5297804135262321, 1e-9, 'one-sample ci');
  const shifted = await tTest(hospital.table('sleep').filter(col('group').eq('1')), { value: 'extra', mu: 0.75 }, to);
  close(shifted.t, 0, 1e-12, 't at the sample mean');
});

test('a paired t-test of two columns (their difference derived inside MPC) matches the reference', async () => {
  const paired = await pairedTTest(hospital.table('sleep_wide'), { first: 'drug1', second: 'drug2' }, to);
  assert.equal(paired.test, 'paired');
  close(paired.t, -4.062127683382037, 1e-9, 'paired t');
  close(paired.p, 0.002832890197384273, 1e-9, 'paired p');
  close(paired.ci[1], -0.7001142367230175, 1e-9, 'paired ci');
  await assert.rejects(pairedTTest(hospital.table('sleep_wide'), { first: 'drug1', second: 'drug1' }, to), /not 'drug1' with itself/);
});

test('one-way ANOVA on the secret PlantGrowth table matches the reference', async () => {
  const result = await anova(hospital.table('plants'), { value: 'weight', by: 'group' }, to);
  close(result.f, 4.846087862380136, 1e-9, 'F');
  close(result.p, 0.015909958325622912, 1e-9, 'ANOVA p');
  assert.deepEqual([result.dfBetween, result.dfWithin], [2, 27]);
  assert.deepEqual(result.groupSummaries.map((g) => g.label), ['ctrl', 'trt1', 'trt2']);
});

test('chi-square independence on a secret crosstab matches the reference; the unused level is left out', async () => {
  const result = await chiSquare(hospital.table('voters'), { rows: 'gender', columns: 'party' }, to);
  close(result.statistic, 30.070149095754672, 1e-9, 'chi-square');
  close(result.p, 2.9535891832117595e-7, 1e-9, 'chi-square p');
  assert.equal(result.df, 2);
  assert.deepEqual(result.columnLabels, PARTIES);
  assert.deepEqual(result.counts, [PARTY.F, PARTY.M]);
  close(result.minExpected, 246.35473340587595, 1e-9, 'min expected');
});

test('describe gives count, mean, std, min, the quartiles and max per column as pandas does (R summary(PlantGrowth))', async () => {
  const d = await describe(hospital.table('plants'), ['weight'], to);
  const all = [...PLANT.ctrl, ...PLANT.trt1, ...PLANT.trt2];
  const s = summaryOf(all);
  assert.equal(d.statistics.weight.count, 30);
  close(d.statistics.weight.mean, s.mean, 1e-12, 'mean');
  close(d.statistics.weight.std, Math.sqrt(s.variance), 1e-12, 'std');
  assert.equal(d.statistics.weight.min, 3.59);
  assert.equal(d.statistics.weight.max, 6.31);
  // R: summary(PlantGrowth$weight): 1st Qu. 4.550, Median 5.155, 3rd Qu. 5.530 (type 7, as pandas).
  assert.deepEqual([d.statistics.weight['25%'], d.statistics.weight['50%'], d.statistics.weight['75%']], [4.55, 5.155, 5.53]);
  assert.match(d.plan, /^[0-9a-f]{64}$/);
  assert.equal(d.text().split('\n')[0].trim(), 'weight');
  assert.match(d.text(), /^mean +5\.073000$/m);
  assert.deepEqual(d.text().split('\n').map((l) => l.split(/ +/)[0]), ['', 'count', 'mean', 'std', 'min', '25%', '50%', '75%', 'max']);
  const quick = await describe(hospital.table('plants'), ['weight'], { ...to, quartiles: false });
  assert.ok(Number.isNaN(quick.statistics.weight['50%']));
  assert.doesNotMatch(quick.text(), /%/);
});

test('refusals: a by with three groups, a suppressed crosstab cell (named), a by equal to the value', async () => {
  await assert.rejects(
    tTest(hospital.table('plants'), { value: 'weight', by: 'group' }, to),
    (e: unknown) => e instanceof UsageError && /exactly two non-empty groups of 'group', it has 3 \("ctrl", "trt1", "trt2"\)/.test(e.message),
  );
  await assert.rejects(
    chiSquare(hospital.table('voters'), { rows: 'gender', columns: 'party', suppressBelow: 300 }, to),
    (e: unknown) => e instanceof UsageError && /3 crosstab cells were suppressed \(fewer than 300 rows\): gender = "F", party = "Other"; gender = "M", party = "Independent"; gender = "M", party = "Other"\./.test(e.message),
  );
  await assert.rejects(
    tTest(hospital.table('sleep').filter(col('group').eq('2')), { value: 'extra', by: 'group' }, to),
    /exactly two non-empty groups of 'group', it has 1 \("2"\)/,
  );
  await assert.rejects(tTest(hospital.table('sleep'), { value: 'extra', by: 'extra' }, to), /both 'extra'/);
  await assert.rejects(tTest(hospital.table('sleep'), { value: 'extra', equalVariance: true }, to), /two-sample test/);
});
