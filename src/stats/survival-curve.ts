/**
 * The Kaplan–Meier estimate of one group's survival curve from its counts per distinct time (how
 * many rows end there, how many of them with the event), as R's survfit computes it (Therneau's
 * survival package, its defaults): the product-limit estimate, Greenwood's variance, confidence
 * intervals on the log scale (conf.type "log", R's default; "log-log" on request) and the median
 * survival time with its confidence limits (quantile.survfit's rule). Recipient side only: the
 * counts were opened already; nothing here sees a share.
 */

import { UsageError } from '../errors.js';
import { normalQuantileOf } from './distributions.js';

/** At one distinct time of a group: rows whose time it is, and how many of those had the event. */
export interface TimeCount {
  readonly time: number;
  readonly rows: number;
  readonly events: number;
}

export type ConfidenceType = 'log' | 'log-log';

/** One time of the curve (survfit keeps censoring-only times too; summary() prints the event times). */
export interface SurvivalStep {
  readonly time: number;
  readonly atRisk: number;
  readonly events: number;
  readonly censored: number;
  readonly survival: number;
  /** Greenwood's standard error of the survival (R's summary column std.err): S·√Σ d/(n(n − d)); NaN once S is 0. */
  readonly standardError: number;
  readonly lower: number;
  readonly upper: number;
}

export interface SurvivalCurve {
  readonly rows: number;
  readonly events: number;
  readonly steps: readonly SurvivalStep[];
  /** The median survival time and its confidence limits; NaN where the curve (or a limit) never reaches 0.5 (R's NA). */
  readonly median: number;
  readonly medianLower: number;
  readonly medianUpper: number;
}

/** R's quantile.survfit tolerance for a curve lying exactly on 0.5 (sqrt(.Machine$double.eps)). */
const FLAT_TOLERANCE = Math.sqrt(Number.EPSILON);

export function survivalCurve(counts: readonly TimeCount[], options: { readonly level?: number; readonly confidence?: ConfidenceType } = {}): SurvivalCurve {
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new UsageError(`a confidence level lies strictly between 0 and 1, not ${level}`);
  const confidence = options.confidence ?? 'log';
  if (confidence !== 'log' && confidence !== 'log-log') throw new UsageError(`the confidence interval type is 'log' (R's default) or 'log-log', not ${JSON.stringify(confidence)}`);
  const z = normalQuantileOf(1 - (1 - level) / 2);
  const sorted = checkCounts(counts);
  let atRisk = sorted.reduce((a, c) => a + c.rows, 0);
  const total = atRisk;
  let survival = 1, greenwood = 0;
  const steps: SurvivalStep[] = [];
  for (const c of sorted) {
    if (c.events > 0) {
      survival *= 1 - c.events / atRisk;
      // d/(n(n − d)) is infinite when every row at risk has the event: the curve is 0 and R's std.err NaN.
      greenwood += atRisk === c.events ? Number.POSITIVE_INFINITY : c.events / (atRisk * (atRisk - c.events));
    }
    const logSe = Math.sqrt(greenwood);
    const [lower, upper] = interval(survival, logSe, z, confidence);
    steps.push({ time: c.time, atRisk, events: c.events, censored: c.rows - c.events, survival, standardError: Number.isFinite(logSe) ? survival * logSe : Number.NaN, lower, upper });
    atRisk -= c.rows;
  }
  const times = steps.map((s) => s.time);
  return {
    rows: total,
    events: sorted.reduce((a, c) => a + c.events, 0),
    steps,
    median: halfwayTime(times, steps.map((s) => s.survival)),
    medianLower: halfwayTime(times, steps.map((s) => s.lower)),
    medianUpper: halfwayTime(times, steps.map((s) => s.upper)),
  };
}

/** survfit_confint: "log" is S·exp(±z·se) with the upper limit capped at 1; "log-log" transforms log(−log S). */
function interval(s: number, logSe: number, z: number, type: ConfidenceType): [number, number] {
  if (!Number.isFinite(logSe) || s === 0) return [Number.NaN, Number.NaN];
  if (type === 'log') return [s * Math.exp(-z * logSe), Math.min(1, s * Math.exp(z * logSe))];
  if (s === 1) return [Number.NaN, Number.NaN];
  const c = Math.log(-Math.log(s)), spread = (z * logSe) / Math.abs(Math.log(s));
  return [Math.exp(-Math.exp(c + spread)), Math.exp(-Math.exp(c - spread))];
}

/**
 * quantile.survfit at p = 0.5 (findq): the first time the curve is at or below 0.5; where it lies
 * on 0.5 (within the tolerance), the midpoint of that time and the next time it drops (or the
 * curve's last time, when it never drops again). NaN when it never reaches 0.5. Censoring-only
 * times repeat the value before them and are skipped, as findq drops duplicated values.
 */
export function halfwayTime(times: readonly number[], curve: readonly number[]): number {
  const last = times[times.length - 1];
  const x: number[] = [], y: number[] = [];
  let previous = 1;
  curve.forEach((v, i) => {
    if (Number.isNaN(v) || v === previous) return;
    x.push(times[i]);
    y.push(v);
    previous = v;
  });
  const at = y.findIndex((v) => v <= 0.5 + FLAT_TOLERANCE);
  if (at < 0) return Number.NaN;
  if (Math.abs(y[at] - 0.5) >= FLAT_TOLERANCE) return x[at];
  return at + 1 < x.length ? (x[at] + x[at + 1]) / 2 : (x[at] + last) / 2;
}

function checkCounts(counts: readonly TimeCount[]): TimeCount[] {
  for (const c of counts) {
    if (!Number.isFinite(c.time) || c.time < 0) throw new UsageError(`survival times are non-negative numbers, not ${c.time}`);
    if (!Number.isSafeInteger(c.rows) || !Number.isSafeInteger(c.events) || c.events < 0 || c.events > c.rows) {
      throw new UsageError(`at time ${c.time}: ${c.events} events among ${c.rows} rows is not a count of rows and events`);
    }
  }
  const sorted = counts.filter((c) => c.rows > 0).sort((a, b) => a.time - b.time);
  sorted.forEach((c, i) => {
    if (i > 0 && c.time === sorted[i - 1].time) throw new UsageError(`time ${c.time} is listed twice: give one count per distinct time`);
  });
  return sorted;
}

/** The curve at chosen times, as R's summary(fit, times = …): at risk at t, events in (previous t, t], and the step function's value at t. */
export interface SurvivalAt {
  readonly time: number;
  readonly atRisk: number;
  readonly events: number;
  readonly survival: number;
  readonly standardError: number;
  readonly lower: number;
  readonly upper: number;
}

/** Times after the curve's last time are left out (R's default, extend = FALSE); before its first, S = 1 with no error. */
export function survivalAt(curve: SurvivalCurve, times: readonly number[]): SurvivalAt[] {
  const sorted = [...times].sort((a, b) => a - b);
  if (sorted.some((t) => !Number.isFinite(t) || t < 0)) throw new UsageError('summary times are non-negative numbers');
  const last = curve.steps[curve.steps.length - 1]?.time ?? -1;
  const out: SurvivalAt[] = [];
  let previous = -Infinity;
  for (const t of sorted.filter((x) => x <= last)) {
    const before = curve.steps.filter((s) => s.time <= t);
    const at = before[before.length - 1];
    const gone = curve.steps.filter((s) => s.time < t).reduce((a, s) => a + s.events + s.censored, 0);
    const events = curve.steps.filter((s) => s.time > previous && s.time <= t).reduce((a, s) => a + s.events, 0);
    out.push(at === undefined
      ? { time: t, atRisk: curve.rows, events, survival: 1, standardError: 0, lower: 1, upper: 1 }
      : { time: t, atRisk: curve.rows - gone, events, survival: at.survival, standardError: at.standardError, lower: at.lower, upper: at.upper });
    previous = t;
  }
  return out;
}
