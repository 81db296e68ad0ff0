/**
 * Survival data and float64 references for the Kaplan–Meier and log-rank tests, written from the
 * rows (not from counts per time, as src/stats does): at each distinct event time, the rows at risk
 * are those whose time is at least it.
 *
 * AML: R survival's `aml` data set (Embury et al., maintenance chemotherapy for acute myelogenous
 * leukemia; weeks to relapse, status 1 = relapse, 0 = censored), 23 rows, as printed by R.
 * R's published output for it (survival package 3.x):
 *   survdiff(Surv(time, status) ~ x, data = aml): Maintained N 11, O 7, E 10.69, (O-E)^2/E 1.27,
 *   (O-E)^2/V 3.4; Nonmaintained N 12, O 11, E 7.31, 1.86, 3.4; Chisq = 3.4 on 1 df, p = 0.07.
 *   print(survfit(...)): Maintained n 11 events 7 median 31 LCL 18 UCL NA;
 *   Nonmaintained n 12 events 11 median 23 LCL 8 UCL NA.
 *   summary(survfit(...)), Maintained: the AML_MAINTAINED_SUMMARY rows below (R's digits).
 */

export interface SurvivalRow {
  readonly time: number;
  readonly event: 0 | 1;
  readonly group: string;
}

const row = (group: string) => (time: number, event: 0 | 1): SurvivalRow => ({ time, event, group });
const m = row('Maintained'), n = row('Nonmaintained');

export const AML: readonly SurvivalRow[] = [
  m(9, 1), m(13, 1), m(13, 0), m(18, 1), m(23, 1), m(28, 0), m(31, 1), m(34, 1), m(45, 0), m(48, 1), m(161, 0),
  n(5, 1), n(5, 1), n(8, 1), n(8, 1), n(12, 1), n(16, 0), n(23, 1), n(27, 1), n(30, 1), n(33, 1), n(43, 1), n(45, 1),
];

/** summary(survfit(Surv(time, status) ~ x, data = aml)), x=Maintained, as R prints it: time, n.risk, n.event, survival, std.err, lower, upper. */
export const AML_MAINTAINED_SUMMARY = [
  [9, 11, 1, 0.909, 0.0867, 0.7541, 1.0],
  [13, 10, 1, 0.818, 0.1163, 0.6192, 1.0],
  [18, 8, 1, 0.716, 0.1397, 0.4884, 1.0],
  [23, 7, 1, 0.614, 0.1526, 0.3769, 0.999],
  [31, 5, 1, 0.491, 0.1642, 0.2549, 0.946],
  [34, 4, 1, 0.368, 0.1627, 0.1549, 0.875],
  [48, 2, 1, 0.184, 0.1535, 0.0359, 0.944],
] as const;

export interface ReferenceStep {
  readonly time: number;
  readonly atRisk: number;
  readonly events: number;
  readonly survival: number;
  readonly standardError: number;
  readonly lower: number;
  readonly upper: number;
}

/** Kaplan–Meier at each event time of `rows`, Greenwood's standard error, log-scale 95% limits (upper capped at 1). */
export function referenceCurve(rows: readonly SurvivalRow[]): ReferenceStep[] {
  const z = 1.959963984540054;
  const eventTimes = [...new Set(rows.filter((r) => r.event === 1).map((r) => r.time))].sort((a, b) => a - b);
  let s = 1, v = 0;
  return eventTimes.map((t) => {
    const atRisk = rows.filter((r) => r.time >= t).length;
    const events = rows.filter((r) => r.time === t && r.event === 1).length;
    s = s * (atRisk - events) / atRisk;
    v = atRisk === events ? Infinity : v + events / (atRisk * (atRisk - events));
    const se = Math.sqrt(v);
    const ok = Number.isFinite(se) && s > 0;
    return { time: t, atRisk, events, survival: s, standardError: ok ? s * se : NaN, lower: ok ? s * Math.exp(-z * se) : NaN, upper: ok ? Math.min(1, s * Math.exp(z * se)) : NaN };
  });
}

/** The median: the first event time where S ≤ 0.5; exactly 0.5 (to 1.5e-8): the midpoint to the next event time, or to the last time of the group. */
export function referenceMedian(rows: readonly SurvivalRow[]): number {
  const steps = referenceCurve(rows);
  const i = steps.findIndex((s) => s.survival <= 0.5 + 1.49e-8);
  if (i < 0) return NaN;
  if (Math.abs(steps[i].survival - 0.5) >= 1.49e-8) return steps[i].time;
  const next = steps.slice(i + 1).find((s) => s.survival < steps[i].survival);
  return (steps[i].time + (next?.time ?? Math.max(...rows.map((r) => r.time)))) / 2;
}

/** survdiff's chi-square over the groups (in `labels` order): O, E, and the statistic via the full variance matrix without the first group. */
export function referenceLogRank(rows: readonly SurvivalRow[], labels: readonly string[]): { observed: number[]; expected: number[]; statistic: number } {
  const k = labels.length;
  const o = new Array<number>(k).fill(0), e = new Array<number>(k).fill(0);
  const v = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const t of [...new Set(rows.filter((r) => r.event === 1).map((r) => r.time))]) {
    const risk = labels.map((g) => rows.filter((r) => r.group === g && r.time >= t).length);
    const died = labels.map((g) => rows.filter((r) => r.group === g && r.time === t && r.event === 1).length);
    const nt = risk.reduce((a, b) => a + b, 0), dt = died.reduce((a, b) => a + b, 0);
    for (let g = 0; g < k; g++) {
      o[g] += died[g];
      e[g] += (dt * risk[g]) / nt;
      for (let h = 0; h < k; h++) v[g][h] += nt > 1 ? ((dt * (nt - dt)) / (nt - 1)) * (risk[g] / nt) * ((g === h ? 1 : 0) - risk[h] / nt) : 0;
    }
  }
  const used = labels.map((_, g) => g).filter((g) => e[g] > 0).slice(1);
  const a = used.map((g) => used.map((h) => v[g][h]));
  const b = used.map((g) => o[g] - e[g]);
  return { observed: o, expected: e, statistic: quadraticForm(a, b) };
}

/** bᵀ A⁻¹ b by Cholesky (A is symmetric positive definite when the test is defined). */
function quadraticForm(a: readonly (readonly number[])[], b: readonly number[]): number {
  const n = b.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      l[i][j] = i === j ? Math.sqrt(s) : s / l[j][j];
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * y[k];
    y[i] = s / l[i][i];
  }
  return y.reduce((acc, x) => acc + x * x, 0);
}

/** Per group (sorted labels), the rows and events at each distinct time: what the plan opens. */
export function countsPerTime(rows: readonly SurvivalRow[]): Map<string, { time: number; rows: number; events: number }[]> {
  const out = new Map<string, Map<number, { time: number; rows: number; events: number }>>();
  for (const r of rows) {
    const g = out.get(r.group) ?? new Map();
    const c = g.get(r.time) ?? { time: r.time, rows: 0, events: 0 };
    c.rows += 1;
    c.events += r.event;
    g.set(r.time, c);
    out.set(r.group, g);
  }
  return new Map([...out.keys()].sort().map((k) => [k, [...out.get(k)!.values()]]));
}
