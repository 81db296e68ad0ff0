/**
 * The Kaplan–Meier and log-rank recipient side (src/stats/survival-curve.ts, log-rank.ts) from
 * counts per (group, time), against R's published output for the `aml` data set and against
 * float64 references written from the rows (test/helpers/survival-reference.ts); fast-check
 * properties on random data with ties, censoring, empty groups, a single row, everything censored.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../src/errors.js';
import { logRank } from '../../src/stats/log-rank.js';
import { halfwayTime, survivalAt, survivalCurve } from '../../src/stats/survival-curve.js';
import { kaplanMeierText } from '../../src/stats/survival-text.js';
import { AML, AML_MAINTAINED_SUMMARY, countsPerTime, referenceCurve, referenceLogRank, referenceMedian, type SurvivalRow } from '../helpers/survival-reference.js';

function close(got: number, want: number, tolerance: number, what: string): void {
  if (Number.isNaN(want)) return assert.ok(Number.isNaN(got), `${what}: ${got}, want NaN`);
  assert.ok(Math.abs(got - want) <= tolerance * Math.max(1, Math.abs(want)), `${what}: ${got} vs ${want}`);
}

test("aml: summary(survfit) of the Maintained group as R prints it, and the medians with their limits", () => {
  const counts = countsPerTime(AML);
  const maintained = survivalCurve(counts.get('Maintained')!);
  const events = maintained.steps.filter((s) => s.events > 0);
  assert.equal(events.length, AML_MAINTAINED_SUMMARY.length);
  events.forEach((s, i) => {
    const [time, atRisk, d, survival, se, lower, upper] = AML_MAINTAINED_SUMMARY[i];
    assert.deepEqual([s.time, s.atRisk, s.events], [time, atRisk, d]);
    // R prints 3 significant digits (4 decimals for std.err and the limits)
    close(s.survival, survival, 6e-4, `S(${time})`);
    close(s.standardError, se, 6e-4, `std.err(${time})`);
    close(s.lower, lower, 6e-4, `lower(${time})`);
    close(s.upper, upper, 6e-4, `upper(${time})`);
  });
  assert.deepEqual([maintained.rows, maintained.events, maintained.median, maintained.medianLower], [11, 7, 31, 18]);
  assert.ok(Number.isNaN(maintained.medianUpper));
  const other = survivalCurve(counts.get('Nonmaintained')!);
  assert.deepEqual([other.rows, other.events, other.median, other.medianLower], [12, 11, 23, 8]);
  assert.ok(Number.isNaN(other.medianUpper));
  // The last Nonmaintained row has the event with one at risk: S = 0 and R's std.err NaN.
  const last = other.steps[other.steps.length - 1];
  assert.equal(last.survival, 0);
  assert.ok(Number.isNaN(last.standardError) && Number.isNaN(last.lower) && Number.isNaN(last.upper));
});

test('aml: survdiff gives Chisq = 3.4 on 1 df, p = 0.07 (R), and the exact reference to 1e-12', () => {
  const counts = countsPerTime(AML);
  const t = logRank([...counts.values()]);
  assert.equal(t.df, 1);
  assert.equal(Number(t.statistic.toFixed(1)), 3.4);
  assert.equal(Number(t.p.toPrecision(1)), 0.07);
  assert.deepEqual(t.groups.map((g) => [g.rows, g.observed]), [[11, 7], [12, 11]]);
  assert.deepEqual(t.groups.map((g) => Number(g.expected.toFixed(2))), [10.69, 7.31]);
  const ref = referenceLogRank(AML, ['Maintained', 'Nonmaintained']);
  close(t.statistic, ref.statistic, 1e-12, 'chi-square');
  close(t.statistic, 3.396389, 1e-6, 'chi-square (survdiff, 7 digits)');
  const text = kaplanMeierText({ by: 'x', groups: [...counts.entries()].map(([label, c]) => ({ label, curve: survivalCurve(c) })), logRank: t, level: 0.95, confidence: 'log' });
  assert.match(text, /x=Maintained\s+11\s+7\s+10\.69\s+1\.27\s+3\.4/);
  assert.match(text, /x=Nonmaintained\s+12\s+11\s+7\.31\s+1\.86\s+3\.4/);
  assert.match(text, / Chisq= 3\.4 {2}on 1 degrees of freedom, p= 0\.07 /);
  assert.match(text, /x=Maintained\s+11\s+7\s+31\s+18\s+NA/);
  assert.match(text, / {4}9 {5}11 {7}1 {4}0\.909 {2}0\.0867 {7}0\.7541 {8}1\.000/);
  assert.match(text, / {3}45 {6}1 {7}1 {3}0\.0000 {5}NaN {10}NaN {10}NaN/);
});

test("summary(fit, times = c(5, 10, 20, 40, 200)): at risk at t, events since the previous time, the step function's value; past the end left out", () => {
  const curve = survivalCurve(countsPerTime(AML).get('Maintained')!);
  const at = survivalAt(curve, [40, 10, 20, 5, 200]);
  assert.deepEqual(at.map((a) => [a.time, a.atRisk, a.events, Number(a.survival.toFixed(3))]), [[5, 11, 0, 1], [10, 10, 1, 0.909], [20, 7, 2, 0.716], [40, 3, 3, 0.368]]);
  assert.deepEqual([at[0].lower, at[0].upper], [1, 1]);
  const s18 = curve.steps.find((s) => s.time === 18)!;
  assert.deepEqual([at[2].standardError, at[2].lower, at[2].upper], [s18.standardError, s18.lower, s18.upper]);
});

test('log-log intervals: exp(−exp(log(−log S) ± z·se/|log S|)), inside (0, 1) around S', () => {
  const c = survivalCurve(countsPerTime(AML).get('Maintained')!, { confidence: 'log-log' });
  for (const s of c.steps.filter((x) => x.events > 0)) {
    const se = s.standardError / s.survival, spread = (1.959963984540054 * se) / Math.abs(Math.log(s.survival));
    close(s.lower, Math.exp(-Math.exp(Math.log(-Math.log(s.survival)) + spread)), 1e-12, 'lower');
    close(s.upper, Math.exp(-Math.exp(Math.log(-Math.log(s.survival)) - spread)), 1e-12, 'upper');
    assert.ok(s.lower < s.survival && s.survival < s.upper && s.upper < 1);
  }
});

test('the median on a flat at exactly 0.5 is the midpoint to the next drop, or to the last time (quantile.survfit)', () => {
  // 4 rows, events at 1 and 2: S = 0.75, 0.5 at 2, then 0.25 at 5.
  assert.equal(survivalCurve([{ time: 1, rows: 1, events: 1 }, { time: 2, rows: 1, events: 1 }, { time: 5, rows: 1, events: 1 }, { time: 9, rows: 1, events: 0 }]).median, 3.5);
  // S reaches 0.5 at 2 and never drops again: midpoint of 2 and the last time 8.
  assert.equal(survivalCurve([{ time: 1, rows: 1, events: 1 }, { time: 2, rows: 1, events: 1 }, { time: 8, rows: 2, events: 0 }]).median, 5);
  assert.ok(Number.isNaN(halfwayTime([1, 2], [0.9, 0.8])));
});

test('refusals: bad counts, repeated times, one group for the log-rank test, a singular variance', () => {
  assert.throws(() => survivalCurve([{ time: -1, rows: 1, events: 0 }]), UsageError);
  assert.throws(() => survivalCurve([{ time: 1, rows: 1, events: 2 }]), UsageError);
  assert.throws(() => survivalCurve([{ time: 1, rows: 1, events: 0 }, { time: 1, rows: 2, events: 1 }]), /listed twice/);
  assert.throws(() => survivalCurve([{ time: 1, rows: 1, events: 0 }], { level: 1 }), UsageError);
  assert.throws(() => logRank([[{ time: 1, rows: 2, events: 1 }]]), /at least two groups/);
  assert.throws(() => logRank([[{ time: 1, rows: 2, events: 0 }], [{ time: 3, rows: 1, events: 0 }]]), /needs events expected/);
});

const rowsArbitrary = (groups: readonly string[]): fc.Arbitrary<SurvivalRow[]> =>
  fc.array(fc.record({ time: fc.integer({ min: 0, max: 12 }), event: fc.constantFrom<0 | 1>(0, 1, 1), group: fc.constantFrom(...groups) }), { minLength: 1, maxLength: 60 });

test('property: every curve equals the row-level float64 reference (ties, censoring, a single row, all censored)', () => {
  fc.assert(
    fc.property(rowsArbitrary(['a', 'b', 'c']), fc.boolean(), (rows, censorAll) => {
      const data = censorAll ? rows.map((r) => ({ ...r, event: 0 as const })) : rows;
      for (const [group, counts] of countsPerTime(data)) {
        const mine = data.filter((r) => r.group === group);
        const curve = survivalCurve(counts);
        const steps = curve.steps.filter((s) => s.events > 0);
        const ref = referenceCurve(mine);
        assert.equal(steps.length, ref.length);
        assert.equal(curve.rows, mine.length);
        steps.forEach((s, i) => {
          assert.deepEqual([s.time, s.atRisk, s.events], [ref[i].time, ref[i].atRisk, ref[i].events]);
          close(s.survival, ref[i].survival, 1e-12, 'survival');
          close(s.standardError, ref[i].standardError, 1e-12, 'std.err');
          close(s.lower, ref[i].lower, 1e-12, 'lower');
          close(s.upper, ref[i].upper, 1e-12, 'upper');
        });
        close(curve.median, referenceMedian(mine), 0, 'median');
        // The curve never rises, stays in [0, 1], and at-risk counts fall by each time's rows.
        curve.steps.forEach((s, i) => {
          assert.ok(s.survival >= 0 && s.survival <= 1);
          if (i > 0) assert.ok(s.survival <= curve.steps[i - 1].survival && s.atRisk === curve.steps[i - 1].atRisk - curve.steps[i - 1].events - curve.steps[i - 1].censored);
        });
      }
    }),
    { numRuns: 300 },
  );
});

test('property: the log-rank statistic equals the reference (Cholesky of the same variance), or is refused for a reason', () => {
  fc.assert(
    fc.property(rowsArbitrary(['a', 'b', 'c']), (rows) => {
      const counts = countsPerTime(rows);
      const labels = [...counts.keys()];
      let t;
      try {
        t = logRank([...counts.values()]);
      } catch (error) {
        // Refused only when fewer than two groups have events expected, or the variance is singular.
        assert.ok(error instanceof UsageError);
        const ref = referenceLogRank(rows, labels);
        const expecting = ref.expected.filter((e) => e > 0).length;
        assert.ok(expecting < 2 || !Number.isFinite(ref.statistic) || /singular/.test(error.message), error.message);
        return;
      }
      const ref = referenceLogRank(rows, labels);
      close(t.statistic, ref.statistic, 1e-9, 'chi-square');
      assert.deepEqual(t.groups.map((g) => g.observed), ref.observed);
      t.groups.forEach((g, i) => close(g.expected, ref.expected[i], 1e-12, 'expected'));
      // Σ O = Σ E: every event is expected somewhere.
      close(t.groups.reduce((a, g) => a + g.expected, 0), t.groups.reduce((a, g) => a + g.observed, 0), 1e-12, 'Σ E');
      assert.ok(t.p >= 0 && t.p <= 1 && t.statistic >= -1e-12);
    }),
    { numRuns: 300 },
  );
});

test('property: an empty group changes nothing (its counts are all zero rows)', () => {
  fc.assert(
    fc.property(rowsArbitrary(['a', 'b']), (rows) => {
      const counts = [...countsPerTime(rows).values()];
      const withEmpty = survivalCurve([...(counts[0] ?? []), { time: 99, rows: 0, events: 0 }]);
      assert.deepEqual(withEmpty.steps, survivalCurve(counts[0] ?? []).steps);
    }),
    { numRuns: 100 },
  );
});
