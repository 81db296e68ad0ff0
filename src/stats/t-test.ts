/**
 * Student's t-tests from group summaries (moments.ts): one-sample, two-sample with pooled
 * variance or Welch's (Satterthwaite's degrees of freedom), and paired (a one-sample test of the
 * differences). The textbook formulas (e.g. Welch 1947; as R's t.test computes them), two-sided,
 * with a confidence interval of the mean or of the difference of means.
 */

import { UsageError } from '../errors.js';
import { studentQuantile, studentTwoSided } from './distributions.js';
import type { Summary } from './moments.js';

export interface TTestResult {
  readonly test: 'one-sample' | 'two-sample pooled' | 'two-sample Welch' | 'paired';
  /** The estimate: the mean (minus mu), or the difference of the means (first − second). */
  readonly estimate: number;
  readonly standardError: number;
  readonly t: number;
  readonly df: number;
  /** Two-sided. */
  readonly p: number;
  /** Confidence interval of the estimate at `level` (default 0.95). */
  readonly ci: readonly [number, number];
  readonly level: number;
}

export interface TTestOptions {
  /** Mean under the null hypothesis (one-sample, paired), or difference of means (two-sample); 0 by default. */
  readonly mu?: number;
  readonly level?: number;
}

export function oneSampleT(x: Summary, options: TTestOptions = {}): TTestResult {
  needValues(x, 2, 'the sample');
  const mu = options.mu ?? 0;
  const se = Math.sqrt(x.variance / x.n);
  return result('one-sample', x.mean - mu, mu, se, x.n - 1, options.level);
}

/** The differences of paired observations (x − y per pair) summarised: a one-sample test of them. */
export function pairedT(differences: Summary, options: TTestOptions = {}): TTestResult {
  return { ...oneSampleT(differences, options), test: 'paired' };
}

export function twoSampleT(x: Summary, y: Summary, options: TTestOptions & { readonly equalVariance?: boolean } = {}): TTestResult {
  needValues(x, 2, 'the first group');
  needValues(y, 2, 'the second group');
  const mu = options.mu ?? 0;
  const difference = x.mean - y.mean;
  if (options.equalVariance) {
    const df = x.n + y.n - 2;
    const pooled = ((x.n - 1) * x.variance + (y.n - 1) * y.variance) / df;
    return result('two-sample pooled', difference - mu, mu, Math.sqrt(pooled * (1 / x.n + 1 / y.n)), df, options.level);
  }
  const vx = x.variance / x.n, vy = y.variance / y.n;
  const df = (vx + vy) ** 2 / (vx ** 2 / (x.n - 1) + vy ** 2 / (y.n - 1));
  return result('two-sample Welch', difference - mu, mu, Math.sqrt(vx + vy), df, options.level);
}

function result(test: TTestResult['test'], shifted: number, mu: number, se: number, df: number, level = 0.95): TTestResult {
  if (!(level > 0 && level < 1)) throw new UsageError(`a confidence level lies strictly between 0 and 1, not ${level}`);
  if (!(se > 0)) throw new UsageError('the standard error is 0 (every value is the same): the t statistic is undefined');
  const t = shifted / se;
  const half = studentQuantile(1 - (1 - level) / 2, df) * se;
  const estimate = shifted + mu;
  return { test, estimate, standardError: se, t, df, p: studentTwoSided(t, df), ci: [estimate - half, estimate + half], level };
}

function needValues(s: Summary, min: number, what: string): void {
  if (!(s.n >= min)) throw new UsageError(`a t-test needs at least ${min} values in ${what}, it has ${s.n}`);
}
