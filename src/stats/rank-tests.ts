/**
 * Rank tests from opened rank sums (recipient side; the ranks are computed in MPC, ops/rank.ts):
 * per group its count n and rank sum R (average ranks over all groups together, ties sharing
 * their mean rank), and the tie sum Σ(t³ − t) over runs of t equal values.
 *
 * Mann–Whitney U (scipy.stats.mannwhitneyu, method='asymptotic', use_continuity=True, two-sided):
 *   U1 = R1 − n1(n1 + 1)/2 (the statistic reported, of the first group), U2 = n1·n2 − U1,
 *   σ = √(n1·n2/12 · ((N + 1) − Σ(t³ − t)/(N(N − 1)))),
 *   z = (max(U1, U2) − n1·n2/2 − 0.5)/σ,   p = min(1, 2·P(Z ≥ z)).
 * Kruskal–Wallis H (scipy.stats.kruskal):
 *   H = (12/(N(N + 1)) · Σ R_g²/n_g − 3(N + 1)) / (1 − Σ(t³ − t)/(N³ − N)),  p = P(χ²_{k−1} ≥ H).
 */

import { UsageError } from '../errors.js';
import { chiSquareUpper, normalUpper } from './distributions.js';

export interface RankGroup {
  readonly n: number;
  /** The sum of the group's average ranks (whole or half numbers). */
  readonly rankSum: number;
}

export interface MannWhitneyResult {
  /** U of the first group (scipy's statistic). */
  readonly u: number;
  readonly z: number;
  readonly p: number;
  readonly n1: number;
  readonly n2: number;
}

export interface KruskalWallisResult {
  readonly h: number;
  readonly df: number;
  readonly p: number;
  readonly n: number;
}

export function mannWhitneyU(first: RankGroup, second: RankGroup, tieSum: number): MannWhitneyResult {
  const n1 = first.n, n2 = second.n;
  if (n1 < 1 || n2 < 1) throw new UsageError(`a Mann–Whitney test needs values in both groups (it has ${n1} and ${n2})`);
  const n = n1 + n2;
  const u1 = first.rankSum - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieSum / (n * (n - 1)));
  if (!(variance > 0)) throw new UsageError('every value is tied: the Mann–Whitney statistic has no spread, the test is undefined');
  const z = (Math.max(u1, u2) - (n1 * n2) / 2 - 0.5) / Math.sqrt(variance);
  return { u: u1, z, p: Math.min(1, 2 * normalUpper(z)), n1, n2 };
}

export function kruskalWallis(groups: readonly RankGroup[], tieSum: number): KruskalWallisResult {
  const used = groups.filter((g) => g.n > 0);
  if (used.length < 2) throw new UsageError(`a Kruskal–Wallis test needs at least two non-empty groups, it has ${used.length}`);
  const n = used.reduce((a, g) => a + g.n, 0);
  const correction = 1 - tieSum / (n ** 3 - n);
  if (!(correction > 0)) throw new UsageError('every value is tied: the Kruskal–Wallis statistic is undefined');
  const h = ((12 / (n * (n + 1))) * used.reduce((a, g) => a + g.rankSum ** 2 / g.n, 0) - 3 * (n + 1)) / correction;
  const df = used.length - 1;
  return { h, df, p: chiSquareUpper(h, df), n };
}
