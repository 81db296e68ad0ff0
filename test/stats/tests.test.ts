/**
 * The recipient-side statistics against float64 references on real public data (R's `sleep` and
 * `PlantGrowth` data sets and the chisq.test example; reference values from scipy 1.17, which
 * agree with R's t.test, aov and chisq.test to the digits R prints).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { oneWayAnova } from '../../src/stats/anova.js';
import { chiSquareGoodnessOfFit, chiSquareIndependence } from '../../src/stats/chi-square.js';
import { summaryOf } from '../../src/stats/moments.js';
import { oneSampleT, pairedT, twoSampleT } from '../../src/stats/t-test.js';

const SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
const PLANT = {
  ctrl: [4.17, 5.58, 5.18, 6.11, 4.5, 4.61, 5.17, 4.53, 5.33, 5.14],
  trt1: [4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69],
  trt2: [6.31, 5.12, 5.54, 5.5, 5.37, 5.29, 4.92, 6.15, 5.8, 5.26],
};

function close(actual: number, expected: number, relative = 1e-9, what = ''): void {
  assert.ok(Math.abs(actual - expected) <= relative * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

test('t-tests on the sleep data match the reference: Welch, pooled, paired, one-sample', () => {
  const a = summaryOf(SLEEP_1), b = summaryOf(SLEEP_2);
  const welch = twoSampleT(a, b);
  close(welch.t, -1.8608134674868526, 1e-12, 'Welch t');
  close(welch.df, 17.776473516178488, 1e-12, 'Welch df');
  close(welch.p, 0.0793941401873583, 1e-9, 'Welch p');
  close(welch.ci[0], -3.3654832307117104, 1e-9, 'Welch ci low');
  close(welch.ci[1], 0.20548323071171137, 1e-9, 'Welch ci high');
  const pooled = twoSampleT(a, b, { equalVariance: true });
  assert.equal(pooled.df, 18);
  close(pooled.p, 0.07918671421593822, 1e-9, 'pooled p');
  close(pooled.ci[0], -3.3638740322875984, 1e-9, 'pooled ci');
  const paired = pairedT(summaryOf(SLEEP_1.map((x, i) => x - SLEEP_2[i])));
  close(paired.t, -4.062127683382037, 1e-12, 'paired t');
  close(paired.p, 0.002832890197384273, 1e-9, 'paired p');
  close(paired.ci[1], -0.7001142367230175, 1e-9, 'paired ci');
  const one = oneSampleT(a);
  close(one.t, 1.3257101407138212, 1e-12, 'one-sample t');
  close(one.p, 0.21759778006844888, 1e-9, 'one-sample p');
  close(one.ci[0], -0.5297804135262321, 1e-9, 'one-sample ci');
  assert.equal(oneSampleT(a, { mu: 0.75 }).t, 0);
});

test('one-way ANOVA on PlantGrowth and chi-square tests match the reference', () => {
  const anova = oneWayAnova([summaryOf(PLANT.ctrl), summaryOf(PLANT.trt1), summaryOf(PLANT.trt2)]);
  close(anova.f, 4.846087862380136, 1e-9, 'F');
  close(anova.p, 0.015909958325622912, 1e-9, 'ANOVA p');
  assert.deepEqual([anova.dfBetween, anova.dfWithin], [2, 27]);
  const independence = chiSquareIndependence([[762, 327, 468], [484, 239, 477]]);
  close(independence.statistic, 30.070149095754672, 1e-12, 'chi-square');
  close(independence.p, 2.9535891832117595e-7, 1e-6, 'chi-square p');
  assert.equal(independence.df, 2);
  close(independence.minExpected, 246.35473340587595, 1e-12, 'min expected');
  const fit = chiSquareGoodnessOfFit([89, 37, 30, 28, 2], [40, 20, 20, 15, 5]);
  close(fit.statistic, 9.990143369175627, 1e-12, 'goodness of fit');
  close(fit.p, 0.040594043344781214, 1e-9, 'goodness of fit p');
  assert.equal(chiSquareIndependence([[1, 2], [3, 4]]).smallExpected, 4, 'small expected counts are reported');
});

test('degenerate input is refused with what to do, never answered with NaN', () => {
  assert.throws(() => oneSampleT(summaryOf([3])), (e: unknown) => e instanceof UsageError && /at least 2 values/.test(e.message));
  assert.throws(() => oneSampleT(summaryOf([3, 3, 3])), (e: unknown) => e instanceof UsageError && /standard error is 0/.test(e.message));
  assert.throws(() => oneWayAnova([summaryOf([1, 2])]), /two non-empty groups/);
  assert.throws(() => chiSquareIndependence([[1, 0], [2, 0]]), /row or column of the table is empty/);
  assert.throws(() => oneSampleT(summaryOf([1, 2]), { level: 1 }), /strictly between 0 and 1/);
});
