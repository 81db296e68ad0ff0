/**
 * kaplanMeier() over three node processes linked by the mutual-TLS mesh: R's `aml` data uploaded
 * by the hospital as a secret table, the curves per group and the log-rank test opened to it,
 * equal to R's published figures and to the row-level float64 references; the same with time
 * coarsened into public intervals, without groups, with nulls (complete cases), explain()'s
 * account of what opens, and the plan-time refusals.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { KAPLAN_MEIER_REVEALS, kaplanMeier } from '../../src/stats/kaplan-meier.js';
import { runInProcess } from '../helpers/cli.js';
import { AML, referenceCurve, referenceLogRank, referenceMedian, type SurvivalRow } from '../helpers/survival-reference.js';
import { useNodeProcesses } from '../helpers/node-processes.js';

const HOSPITAL = 'St. Mary Hospital';
const PARTIES = [
  { name: HOSPITAL, roles: ['input', 'output', 'analyst'] as const },
  { name: 'Registry North', roles: ['input'] as const },
  { name: 'Analyst', roles: ['analyst'] as const },
];

const cluster = useNodeProcesses('tessera-km-procs-', PARTIES);
const connect = cluster.connect;
const to = { to: [HOSPITAL] };

const schema = (nullable: boolean) => ({
  version: 1 as const,
  columns: [
    { name: 'time', nullable, type: 'integer' as const, min: '0', max: '200' },
    { name: 'status', nullable: false, type: 'integer' as const, min: '0', max: '1' },
    { name: 'relapsed', nullable: false, type: 'boolean' as const },
    { name: 'x', nullable: false, type: 'category' as const, dictionary: ['Maintained', 'Nonmaintained', 'Unused'] },
    { name: 'weeks', nullable: false, type: 'decimal' as const, scale: 1, min: '0', max: '200' },
    { name: 'code', nullable: false, type: 'integer' as const, min: '0', max: '2' },
  ],
});

function columns(rows: readonly SurvivalRow[], blank: readonly number[] = []): Record<string, (string | null)[]> {
  return {
    time: rows.map((r, i) => (blank.includes(i) ? null : String(r.time))),
    status: rows.map((r) => String(r.event)),
    relapsed: rows.map((r) => (r.event === 1 ? 'true' : 'false')),
    x: rows.map((r) => r.group),
    weeks: rows.map((r) => r.time.toFixed(1)),
    code: rows.map((r) => String(r.event + 1)),
  };
}

function close(got: number, want: number, tolerance: number, what: string): void {
  if (Number.isNaN(want)) return assert.ok(Number.isNaN(got), `${what}: ${got}, want NaN`);
  assert.ok(Math.abs(got - want) <= tolerance * Math.max(1, Math.abs(want)), `${what}: ${got} vs ${want}`);
}

function checkAgainstReference(groups: readonly { label: unknown; curve: { steps: readonly { events: number; time: number; atRisk: number; survival: number; standardError: number; lower: number; upper: number }[]; median: number } }[], rows: readonly SurvivalRow[]): void {
  for (const g of groups) {
    const mine = rows.filter((r) => g.label === null || r.group === g.label);
    const ref = referenceCurve(mine);
    const steps = g.curve.steps.filter((s) => s.events > 0);
    assert.equal(steps.length, ref.length);
    steps.forEach((s, i) => {
      assert.deepEqual([s.time, s.atRisk], [ref[i].time, ref[i].atRisk]);
      close(s.survival, ref[i].survival, 1e-12, 'S');
      close(s.standardError, ref[i].standardError, 1e-12, 'se');
      close(s.lower, ref[i].lower, 1e-12, 'lower');
      close(s.upper, ref[i].upper, 1e-12, 'upper');
    });
    close(g.curve.median, referenceMedian(mine), 0, 'median');
  }
}

test('over three node processes with TLS: Kaplan–Meier per group and the log-rank test of aml, as R prints them', { timeout: 300_000 }, async () => {
  const hospital = await connect(HOSPITAL, 0);
  await hospital.uploadTable('aml', { columns: columns(AML) }, { schema: schema(false) });
  const blanks = [0, 12];
  await hospital.uploadTable('aml_gaps', { columns: columns(AML, blanks) }, { schema: schema(true) });

  const model = kaplanMeier(hospital.table('aml'), { time: 'time', event: 'status', by: 'x' });
  const explained = await model.explain(to);
  assert.equal(explained.reveals, KAPLAN_MEIER_REVEALS);
  // 3 levels × 201 times is more than the one-hot path's 256: the nodes learn the number of (group, time) pairs with rows.
  assert.match(explained.text(), /the survival curves: /);
  assert.ok(explained.disclosures.some((d) => /^the number of groups \(opened; sort/.test(d.what)), JSON.stringify(explained.disclosures));

  const km = await model.open(to);
  assert.deepEqual(km.groups.map((g) => [g.label, g.curve.rows, g.curve.events, g.curve.median, g.curve.medianLower]), [['Maintained', 11, 7, 31, 18], ['Nonmaintained', 12, 11, 23, 8]]);
  checkAgainstReference(km.groups, AML);
  assert.ok(km.logRank);
  assert.equal(km.logRank.df, 1);
  close(km.logRank.statistic, referenceLogRank(AML, ['Maintained', 'Nonmaintained']).statistic, 1e-12, 'chi-square');
  assert.match(km.text(), / Chisq= 3\.4 {2}on 1 degrees of freedom, p= 0\.07 /);
  assert.match(km.text(), /x=Maintained\s+11\s+7\s+31\s+18\s+NA/);
  assert.match(km.plan, /^[0-9a-f]{64}$/);

  // A boolean event gives the same; so does no group (one curve, no test).
  const boolean = await kaplanMeier(hospital.table('aml'), { time: 'time', event: 'relapsed', by: 'x' }).open(to);
  assert.equal(boolean.logRank?.statistic, km.logRank.statistic);
  const pooled = await kaplanMeier(hospital.table('aml'), { time: 'time', event: 'relapsed' }).open(to);
  assert.equal(pooled.groups.length, 1);
  assert.equal(pooled.logRank, undefined);
  checkAgainstReference(pooled.groups, AML);

  // Public intervals (one-hot: nothing revealed to the nodes): a time in (b_{k−1}, b_k] counts at b_k.
  const breaks = [0, 10, 20, 30, 40, 50, 200];
  const coarse = await kaplanMeier(hospital.table('aml'), { time: 'weeks', event: 'status', by: 'x', breaks }).open(to);
  const up = (t: number): number => breaks.find((b) => t <= b)!;
  const coarsened = AML.map((r) => ({ ...r, time: up(r.time) }));
  checkAgainstReference(coarse.groups, coarsened);
  close(coarse.logRank!.statistic, referenceLogRank(coarsened, ['Maintained', 'Nonmaintained']).statistic, 1e-12, 'coarse chi-square');
  const coarseExplained = await kaplanMeier(hospital.table('aml'), { time: 'weeks', event: 'status', by: 'x', breaks }).explain(to);
  // With breaks and a category: one aggregate of sums of products (kaplan-meier-intervals.ts), no group-by.
  // The nodes learn the table's row count (public metadata) and nothing else; the open lists the sums.
  assert.deepEqual(coarseExplained.disclosures.map((d) => d.what.replace(/ \(.*$/s, '')), ["row count of table 'aml'", '42 values'], JSON.stringify(coarseExplained.disclosures));

  // 41 breaks: the interval index is a sum of 41 comparisons, added as a balanced tree (a chain would nest beyond the plan's 32 levels).
  const fine = Array.from({ length: 41 }, (_, k) => k * 5);
  const fineKm = await kaplanMeier(hospital.table('aml'), { time: 'weeks', event: 'status', by: 'x', breaks: fine }).open(to);
  const fineRows = AML.map((r) => ({ ...r, time: fine.find((b) => r.time <= b)! }));
  checkAgainstReference(fineKm.groups, fineRows);
  close(fineKm.logRank!.statistic, referenceLogRank(fineRows, ['Maintained', 'Nonmaintained']).statistic, 1e-12, 'fine-interval chi-square');

  // 101 breaks: 2 × 3 levels × 101 sums exceed one aggregate, so the (group, interval) group-by is used (3 × 102 combinations: sorted).
  const finer = Array.from({ length: 101 }, (_, k) => k * 2);
  const finerRows = AML.map((r) => ({ ...r, time: finer.find((b) => r.time <= b)! }));
  const finerModel = kaplanMeier(hospital.table('aml'), { time: 'weeks', event: 'status', by: 'x', breaks: finer });
  assert.ok((await finerModel.explain(to)).disclosures.some((d) => /^the number of groups/.test(d.what)));
  const finerKm = await finerModel.open(to);
  checkAgainstReference(finerKm.groups, finerRows);
  close(finerKm.logRank!.statistic, referenceLogRank(finerRows, ['Maintained', 'Nonmaintained']).statistic, 1e-12, 'finer-interval chi-square');
  // A boolean group with breaks, on the table with nulls: complete cases, sums of products.
  const byEvent = await kaplanMeier(hospital.table('aml_gaps'), { time: 'time', event: 'status', by: 'relapsed', breaks }).open(to);
  const gapRows = AML.filter((_, i) => ![0, 12].includes(i)).map((r) => ({ ...r, time: up(r.time), group: String(r.event === 1) }));
  assert.deepEqual(byEvent.groups.map((g) => g.label), [false, true]);
  checkAgainstReference(byEvent.groups.map((g) => ({ ...g, label: String(g.label) })), gapRows);

  // Nulls in time: complete cases (R's Surv drops NA rows), inside MPC.
  const gaps = await kaplanMeier(hospital.table('aml_gaps'), { time: 'time', event: 'status', by: 'x' }).open(to);
  const complete = AML.filter((_, i) => !blanks.includes(i));
  checkAgainstReference(gaps.groups, complete);
  close(gaps.logRank!.statistic, referenceLogRank(complete, ['Maintained', 'Nonmaintained']).statistic, 1e-12, 'complete-case chi-square');

  // Refused at plan time, with what to do.
  await assert.rejects(kaplanMeier(hospital.table('aml'), { time: 'time', event: 'code', by: 'x' }).open(to), (e: unknown) => e instanceof UsageError && /declared in \[0, 2\].*0 \(false\) for censored/.test(e.message));
  await assert.rejects(kaplanMeier(hospital.table('aml'), { time: 'weeks', event: 'status' }).open(to), /give public breaks/);
  await assert.rejects(kaplanMeier(hospital.table('aml'), { time: 'time', event: 'status', breaks: [10, 100] }).open(to), /last break \(100\) lies below/);
  await assert.rejects(kaplanMeier(hospital.table('aml'), { time: 'x', event: 'status' }).open(to), /is a category column/);
  assert.throws(() => kaplanMeier(hospital.table('aml'), { time: 'time', event: 'time' }), /given twice/);

  // The CLI prints the same tables.
  const as = ['--cluster', cluster.root, '--as', HOSPITAL];
  const cli = await runInProcess(['stats', 'km', '--table', 'aml', '--time', 'time', '--event', 'status', '--by', 'x', '--to', HOSPITAL, ...as]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, / time n\.risk n\.event survival std\.err lower 95% CI upper 95% CI/);
  assert.match(cli.stdout, /x=Nonmaintained\s+12\s+11\s+7\.31\s+1\.86\s+3\.4/);
  assert.match(cli.stdout, / Chisq= 3\.4 {2}on 1 degrees of freedom, p= 0\.07 /);
  const cliExplain = await runInProcess(['stats', 'km', '--table', 'aml', '--time', 'weeks', '--event', 'status', '--breaks', '0,10,20,30,40,50,200', '--to', HOSPITAL, '--explain', ...as]);
  assert.equal(cliExplain.code, 0, cliExplain.stderr);
  assert.match(cliExplain.stdout, /the survival curves: the recipients learn/);
  const cliRefused = await runInProcess(['stats', 'km', '--table', 'aml', '--time', 'time', '--event', 'code', '--to', HOSPITAL, ...as]);
  assert.equal(cliRefused.code, 2, cliRefused.stderr);
  assert.match(cliRefused.stderr, /the event column 'code'/);
});
