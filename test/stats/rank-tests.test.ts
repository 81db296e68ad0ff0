/**
 * The rank tests' recipient side (src/stats/rank-tests.ts) against scipy 1.17 on R's data, from
 * rank sums and tie sums computed here in plaintext (scipy.stats.rankdata's average ranks):
 * mannwhitneyu(method='asymptotic') on sleep (R's wilcox.test: W = 25.5, p = 0.06933) and
 * kruskal on PlantGrowth (R's kruskal.test: 7.9882, p = 0.01842); degenerate input refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { kruskalWallis, mannWhitneyU } from '../../src/stats/rank-tests.js';

const SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
const PLANT = [
  [4.17, 5.58, 5.18, 6.11, 4.5, 4.61, 5.17, 4.53, 5.33, 5.14],
  [4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69],
  [6.31, 5.12, 5.54, 5.5, 5.37, 5.29, 4.92, 6.15, 5.8, 5.26],
];

/** Rank sums per group and Σ(t³ − t), over all groups together. */
function rankSums(groups: readonly (readonly number[])[]): { sums: { n: number; rankSum: number }[]; ties: number } {
  const all = groups.flat();
  const rank = (v: number) => all.filter((w) => w < v).length + (all.filter((w) => w === v).length + 1) / 2;
  const runs = [...new Set(all)].map((v) => all.filter((w) => w === v).length);
  return { sums: groups.map((g) => ({ n: g.length, rankSum: g.reduce((a, v) => a + rank(v), 0) })), ties: runs.reduce((a, t) => a + t ** 3 - t, 0) };
}

function close(got: number, want: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(got - want) <= tolerance * Math.abs(want), `${what}: ${got} vs ${want}`);
}

test('Mann–Whitney U, tie-corrected normal approximation with continuity correction, as scipy', () => {
  const { sums, ties } = rankSums([SLEEP_1, SLEEP_2]);
  const r = mannWhitneyU(sums[0], sums[1], ties);
  assert.equal(r.u, 25.5);
  close(r.p, 0.06932757543362658, 1e-12, 'p');
  const swapped = mannWhitneyU(sums[1], sums[0], ties);
  assert.equal(swapped.u, 100 - 25.5, 'U of the first group');
  close(swapped.p, r.p, 1e-15, 'two-sided p is symmetric');
  const plants = rankSums([PLANT[0], PLANT[1]]);
  const q = mannWhitneyU(plants.sums[0], plants.sums[1], plants.ties);
  assert.equal(q.u, 67.5);
  close(q.p, 0.1985957586332152, 1e-12, 'ctrl vs trt1');
});

test('Kruskal–Wallis H with the tie correction, as scipy', () => {
  const { sums, ties } = rankSums(PLANT);
  const r = kruskalWallis(sums, ties);
  close(r.h, 7.988228749443715, 1e-13, 'H');
  close(r.p, 0.018423755731471966, 1e-12, 'p');
  assert.equal(r.df, 2);
  assert.deepEqual(kruskalWallis([...sums, { n: 0, rankSum: 0 }], ties), r, 'empty groups are left out');
});

test('degenerate input is refused, never answered with NaN', () => {
  assert.throws(() => mannWhitneyU({ n: 0, rankSum: 0 }, { n: 3, rankSum: 6 }, 0), UsageError);
  assert.throws(() => mannWhitneyU({ n: 2, rankSum: 5 }, { n: 2, rankSum: 5 }, 60), /every value is tied/);
  assert.throws(() => kruskalWallis([{ n: 3, rankSum: 6 }], 0), /at least two non-empty groups/);
  assert.throws(() => kruskalWallis([{ n: 2, rankSum: 5 }, { n: 2, rankSum: 5 }], 60), /every value is tied/);
});
