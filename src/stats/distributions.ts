/**
 * The probability distributions the tests need, from stdlib's distribution packages
 * (@stdlib/stats-base-dists-*): well kept, typed, and accurate to a few ulps in the tails (their
 * incomplete beta and gamma functions follow Boost's), which p-values like 3e-7 need. They run
 * on the recipient's side only, on statistics already opened: nothing here sees a share.
 */

import chiSquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import fCdf from '@stdlib/stats-base-dists-f-cdf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** P(|T| ≥ |t|) for Student's t with `df` degrees of freedom. */
export function studentTwoSided(t: number, df: number): number {
  return Math.min(1, 2 * tCdf(-Math.abs(t), df));
}

/** The t value below which a fraction `p` of Student's t with `df` degrees of freedom lies. */
export function studentQuantile(p: number, df: number): number {
  return tQuantile(p, df);
}

/** P(|Z| ≥ |z|) for the standard normal. */
export function normalTwoSided(z: number): number {
  return Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1));
}

/** P(Z ≥ z) for the standard normal (accurate in the upper tail: the lower cdf of −z). */
export function normalUpper(z: number): number {
  return normalCdf(-z, 0, 1);
}

export function normalQuantileOf(p: number): number {
  return normalQuantile(p, 0, 1);
}

/** P(X ≥ x) for chi-square with `df` degrees of freedom. */
export function chiSquareUpper(x: number, df: number): number {
  return 1 - chiSquareCdf(x, df);
}

/** P(F ≥ f) for Fisher's F with (d1, d2) degrees of freedom. */
export function fisherUpper(f: number, d1: number, d2: number): number {
  return 1 - fCdf(f, d1, d2);
}
