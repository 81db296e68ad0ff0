/**
 * kaplan_meier at 100K rows, two groups, with the log-rank test (issue 10: ≤ 15 s). Follow-up in
 * whole days up to five years (2 × 1,826 (group, day) combinations: the group-by sorts and opens
 * the counts per (group, day) with rows); exponential survival whose hazard differs by arm,
 * uniform censoring. Checked against a float64 Kaplan–Meier, Greenwood error and log-rank
 * statistic computed here from the generated rows (sorted by time, at risk = rows not yet passed).
 */

import { kaplanMeier } from '../../src/stats/kaplan-meier.js';
import { relativeDifference, uniform, type BenchTable, type StatsCase } from './case.js';

const ROWS = 100_000;
const HORIZON = 1825;

/** Row i: its arm (0 or 1), follow-up days and whether the event was seen before censoring. */
function row(i: number): { arm: number; days: number; event: 0 | 1 } {
  const arm = uniform(i, 20) < 0.5 ? 0 : 1;
  const hazard = arm === 0 ? 1 / 900 : 1 / 1300; // per day
  const survival = Math.ceil(-Math.log(1 - uniform(i, 21)) / hazard);
  const censored = 1 + Math.floor(uniform(i, 22) * HORIZON);
  return survival <= censored ? { arm, days: survival, event: 1 } : { arm, days: censored, event: 0 };
}

const cohort: BenchTable = {
  name: 'cohort',
  rows: ROWS,
  schema: {
    version: 1,
    columns: [
      { name: 'arm', nullable: false, type: 'category', dictionary: ['control', 'treated'] },
      { name: 'days', nullable: false, type: 'integer', min: '0', max: String(HORIZON) },
      { name: 'died', nullable: false, type: 'boolean' },
    ],
  },
  duckdb: ['VARCHAR', 'INTEGER', 'BOOLEAN'],
  row: (i) => {
    const r = row(i);
    return [r.arm === 0 ? 'control' : 'treated', String(r.days), r.event === 1 ? 'true' : 'false'];
  },
};

interface Reference {
  readonly survival: number[][];
  readonly standardError: number[][];
  readonly statistic: number;
}

/** Float64 Kaplan–Meier per arm and the two-group log-rank statistic (O − E)²/V, from the rows. */
function reference(): Reference {
  const rows = Array.from({ length: ROWS }, (_, i) => row(i)).sort((a, b) => a.days - b.days);
  const atRisk = [0, 0];
  for (const r of rows) atRisk[r.arm] += 1;
  const survival: number[][] = [[], []], standardError: number[][] = [[], []];
  const s = [1, 1], greenwood = [0, 0];
  let o = 0, e = 0, v = 0;
  for (let i = 0; i < rows.length; ) {
    const t = rows[i].days;
    const died = [0, 0], left = [0, 0];
    for (; i < rows.length && rows[i].days === t; i++) {
      died[rows[i].arm] += rows[i].event;
      left[rows[i].arm] += 1;
    }
    const n = atRisk[0] + atRisk[1], d = died[0] + died[1];
    if (d > 0) {
      o += died[0];
      e += (atRisk[0] * d) / n;
      if (n > 1) v += ((d * (n - d)) / (n - 1)) * (atRisk[0] / n) * (1 - atRisk[0] / n);
    }
    for (const g of [0, 1]) {
      if (died[g] > 0) {
        s[g] *= 1 - died[g] / atRisk[g];
        greenwood[g] += died[g] / (atRisk[g] * (atRisk[g] - died[g]));
        survival[g].push(s[g]);
        standardError[g].push(s[g] * Math.sqrt(greenwood[g]));
      }
      atRisk[g] -= left[g];
    }
  }
  return { survival, standardError, statistic: (o - e) ** 2 / v };
}

const kaplanMeierCase: StatsCase = {
  op: 'kaplan_meier',
  rows: ROWS,
  description: 'Kaplan–Meier per arm (2 groups, days up to 5 years) with Greenwood errors, medians and the log-rank test',
  target: 15,
  why: 'CPU: the group-by of (arm, day) sorts 100K rows (~1.02 n log2 n comparisons), then flags and a segmented scan; three parties share two cores',
  tables: () => [cohort],
  rounds: async (client, recipient) => (await kaplanMeier(client.table('cohort'), { time: 'days', event: 'died', by: 'arm' }).explain({ to: [recipient] })).cost.rounds,
  run: async (client, recipient) => {
    const km = await kaplanMeier(client.table('cohort'), { time: 'days', event: 'died', by: 'arm' }).open({ to: [recipient] });
    return {
      verify: () => {
        const ref = reference();
        if (km.groups.length !== 2) return `${km.groups.length} groups opened, the reference has 2`;
        for (const [g, group] of km.groups.entries()) {
          const steps = group.curve.steps.filter((s) => s.events > 0);
          if (steps.length !== ref.survival[g].length) return `${String(group.label)}: ${steps.length} event times, the reference ${ref.survival[g].length}`;
          for (const [i, s] of steps.entries()) {
            const difference = relativeDifference(`${String(group.label)} S(${s.time})`, s.survival, ref.survival[g][i], 1e-9) ?? relativeDifference(`${String(group.label)} std.err(${s.time})`, s.standardError, ref.standardError[g][i], 1e-9);
            if (difference !== undefined) return difference;
          }
        }
        if (km.logRank === undefined) return `no log-rank test: ${km.logRankRefused ?? ''}`;
        return relativeDifference('log-rank chi-square', km.logRank.statistic, ref.statistic, 1e-9);
      },
    };
  },
};

export const cases: readonly StatsCase[] = [kaplanMeierCase];
