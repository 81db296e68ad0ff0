/**
 * The log-rank test of k survival curves (Mantel–Haenszel; R's survdiff with rho = 0) from each
 * group's counts per distinct time. At every time with an event, over the pooled groups with n at
 * risk and d events, group g expects n_g·d/n events, and the hypergeometric covariance is
 * V_gh = d(n − d)/(n − 1) · (n_g/n)(δ_gh − n_h/n). The statistic is (O − E)ᵀ V⁻ (O − E) over the
 * groups with an expected count above 0, the first left out (as survdiff does), on (those groups − 1)
 * degrees of freedom; p from the chi-square distribution. Recipient side only.
 */

import { UsageError } from '../errors.js';
import { chiSquareUpper } from './distributions.js';
import type { TimeCount } from './survival-curve.js';

export interface LogRankGroup {
  readonly rows: number;
  readonly observed: number;
  readonly expected: number;
  /** The diagonal of V: the group's own variance (survdiff's (O−E)^2/V column divides by it). */
  readonly variance: number;
}

export interface LogRankResult {
  readonly groups: readonly LogRankGroup[];
  readonly statistic: number;
  readonly df: number;
  readonly p: number;
}

export function logRank(groups: readonly (readonly TimeCount[])[]): LogRankResult {
  const k = groups.length;
  if (k < 2) throw new UsageError(`the log-rank test compares at least two groups, not ${k}`);
  const times = [...new Set(groups.flatMap((g) => g.map((c) => c.time)))].sort((a, b) => a - b);
  // Rows at risk per group at each pooled time: everyone whose time is at least it.
  const atTime = groups.map((g) => new Map(g.map((c) => [c.time, c])));
  const atRisk = groups.map((g) => g.reduce((a, c) => a + c.rows, 0));
  const rows = [...atRisk];
  const observed = new Array<number>(k).fill(0), expected = new Array<number>(k).fill(0);
  const v: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const t of times) {
    const d = groups.reduce((a, _, g) => a + (atTime[g].get(t)?.events ?? 0), 0);
    const n = atRisk.reduce((a, b) => a + b, 0);
    if (d > 0) {
      const spread = n > 1 ? (d * (n - d)) / (n - 1) : 0;
      for (let g = 0; g < k; g++) {
        observed[g] += atTime[g].get(t)?.events ?? 0;
        expected[g] += (atRisk[g] * d) / n;
        for (let h = 0; h < k; h++) v[g][h] += (spread * (atRisk[g] / n)) * ((g === h ? 1 : 0) - atRisk[h] / n);
      }
    }
    for (let g = 0; g < k; g++) atRisk[g] -= atTime[g].get(t)?.rows ?? 0;
  }
  const used = expected.map((e, g) => (e > 0 ? g : -1)).filter((g) => g >= 0);
  if (used.length < 2) {
    throw new UsageError(`the log-rank test needs events expected in at least two groups; ${used.length === 0 ? 'no group has' : 'only one group has'} rows at risk at an event time (every row censored, or one group only)`);
  }
  const kept = used.slice(1);
  const difference = kept.map((g) => observed[g] - expected[g]);
  const solved = solve(kept.map((g) => kept.map((h) => v[g][h])), difference);
  const statistic = solved.reduce((a, x, i) => a + x * difference[i], 0);
  const df = used.length - 1;
  return {
    groups: groups.map((_, g) => ({ rows: rows[g], observed: observed[g], expected: expected[g], variance: v[g][g] })),
    statistic,
    df,
    p: chiSquareUpper(statistic, df),
  };
}

/** Gaussian elimination with partial pivoting on a small symmetric system; a singular one is refused. */
function solve(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  // Relative to the largest entry: a singular matrix leaves a pivot of rounding noise, not exactly 0.
  const scale = Math.max(...a.map((row) => Math.max(...row.map(Math.abs))));
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    if (!(Math.abs(m[pivot][c]) > 1e-12 * scale)) {
      throw new UsageError('the log-rank variance matrix is singular (a group has no variance: every one of its rows at risk had the event at once, or none was at risk with others): compare groups that overlap in time');
    }
    [m[c], m[pivot]] = [m[pivot], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let j = c; j <= n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}
