/**
 * Ordinary (and weighted, and ridge) least squares on the recipient's side, from the exact
 * integer sums the nodes open: the augmented Gram matrix M = Zᵀ W Z of Z = [1, x₁ … x_k, y] in
 * stored units (a value × 10^scale), and the row count. Everything up to the last step is exact
 * integer arithmetic (exact-solve.ts): the coefficients, the residual sum of squares, the
 * diagonal of (XᵀWX)⁻¹, R² and F are exact rationals, and each is rounded to float64 once
 * (moments.ts `ratio`). So the results are the float64 nearest to the exact least-squares values
 * (standard errors within an ulp or two more, from the square root), however ill-conditioned the
 * raw predictors are; the 1e-6 contract of issue 10 holds with nine orders of magnitude to spare.
 * p-values and intervals come from stdlib's t and F distributions (distributions.ts).
 */

import { UsageError } from '../errors.js';
import { fisherUpper, studentQuantile, studentTwoSided } from './distributions.js';
import { SingularColumnError, solveExact } from './exact-solve.js';
import { ratio } from './moments.js';

/** What the nodes opened, arranged: the augmented Gram matrix of [1, x₁ … x_k, y]. */
export interface GramSums {
  /** Names of the design columns; the first is the intercept. */
  readonly terms: readonly string[];
  /** Decimal scale of each design column (0 for the intercept, integers, booleans and dummies). */
  readonly scales: readonly number[];
  readonly response: string;
  readonly responseScale: number;
  /** Scale of the weight column (0 without weights). */
  readonly weightScale: number;
  /** (terms + 1)² exact sums Σ w·zᵢ·zⱼ in stored units, symmetric; the last row and column are y's. */
  readonly gram: readonly (readonly bigint[])[];
  /** Rows used (complete cases). */
  readonly rows: number;
  readonly weighted: boolean;
}

export interface FitOptions {
  /** Ridge penalty λ on the non-intercept coefficients, in the data's units (0 for none). */
  readonly ridge?: number;
  /** Confidence level of the coefficients' intervals; 0.95 by default. */
  readonly level?: number;
}

export interface Coefficient {
  readonly term: string;
  readonly estimate: number;
  /** NaN (and t, p and the interval too) under a ridge penalty: a biased estimator has no such standard error. */
  readonly stdError: number;
  readonly t: number;
  readonly p: number;
  readonly lower: number;
  readonly upper: number;
}

export interface OlsFit {
  readonly response: string;
  readonly coefficients: readonly Coefficient[];
  readonly observations: number;
  readonly dfModel: number;
  readonly dfResidual: number;
  readonly rSquared: number;
  readonly adjustedRSquared: number;
  readonly residualStdError: number;
  readonly fStatistic: number;
  readonly fPValue: number;
  /** Residual and total (centred) sums of squares, weighted when weighted, in the response's units squared. */
  readonly rss: number;
  readonly tss: number;
  readonly weighted: boolean;
  readonly ridge: number;
  readonly level: number;
}

export function fitOls(sums: GramSums, options: FitOptions = {}): OlsFit {
  const p = sums.terms.length;
  const level = options.level ?? 0.95;
  const ridge = options.ridge ?? 0;
  if (!(level > 0 && level < 1)) throw new UsageError(`the confidence level is a fraction between 0 and 1, not ${level}`);
  if (!Number.isFinite(ridge) || ridge < 0) throw new UsageError(`the ridge penalty is a finite number ≥ 0, not ${ridge}`);
  if (sums.gram.length !== p + 1 || sums.scales.length !== p) throw new RangeError('the Gram matrix does not match the terms');
  const n = sums.rows;
  const dfResidual = n - p;
  if (dfResidual < 1) {
    throw new UsageError(`a regression with ${p} coefficients needs more than ${p} rows; it has ${n}: use fewer predictors, or more rows`);
  }
  const a = sums.gram.slice(0, p).map((row) => row.slice(0, p));
  const b = sums.gram.slice(0, p).map((row) => row[p]);
  const yy = sums.gram[p][p];
  const sw = sums.weightScale, sy = sums.responseScale;

  // The ridge system (Q·A + L·10^(sw + 2sⱼ) on the diagonal) u = Q·b, with λ = L/Q exactly.
  const [lNum, lDen] = exactFraction(ridge);
  const system = a.map((row, i) => row.map((v, j) => v * lDen + (i === j && i > 0 ? lNum * 10n ** BigInt(sw + 2 * sums.scales[i]) : 0n)));
  let solution;
  try {
    solution = solveExact(system, b.map((v) => v * lDen));
  } catch (e) {
    if (!(e instanceof SingularColumnError)) throw e;
    const term = sums.terms[e.column];
    throw new UsageError(
      e.column === 0
        ? 'no rows to fit (the sum of weights is 0)'
        : `'${term}' is a linear combination of the intercept${e.column > 1 ? ` and ${sums.terms.slice(1, e.column).map((t) => `'${t}'`).join(', ')}` : ''} on these rows (a constant or collinear predictor): leave it out`,
    );
  }
  const det = solution.determinant, u = solution.scaledSolution;
  // RSS in stored units: (det²·yy − 2·det·uᵀb + uᵀAu) / det², exact for any u (also the ridge one).
  const au = a.map((row) => row.reduce((s, v, j) => s + v * u[j], 0n));
  const rssNumerator = det * det * yy - 2n * det * dot(u, b) + dot(u, au);
  const rssDenominator = det * det;
  // Centred total sum of squares: yy − b₀²/S₀, S₀ = Σw (or n).
  const s0 = a[0][0], b0 = b[0];
  const tssNumerator = s0 * yy - b0 * b0;
  const responseUnits = 10n ** BigInt(sw + 2 * sy);
  const rss = ratio(rssNumerator, rssDenominator * responseUnits);
  const tss = ratio(tssNumerator, s0 * responseUnits);
  // R² = 1 − RSS/TSS = (det²·tssN − rssN·S₀) / (det²·tssN), exactly.
  const explainedNumerator = rssDenominator * tssNumerator - rssNumerator * s0;
  const rSquared = tssNumerator === 0n ? Number.NaN : ratio(explainedNumerator, rssDenominator * tssNumerator);
  const dfModel = p - 1;
  const adjustedRSquared = tssNumerator === 0n ? Number.NaN : 1 - ratio((rssNumerator * s0) * BigInt(n - 1), rssDenominator * tssNumerator * BigInt(dfResidual));
  const sigma2 = ratio(rssNumerator, rssDenominator * responseUnits * BigInt(dfResidual));
  const fStatistic = dfModel === 0 || rssNumerator === 0n ? Number.NaN : ratio(explainedNumerator * BigInt(dfResidual), rssNumerator * s0 * BigInt(dfModel));
  const fPValue = Number.isNaN(fStatistic) ? Number.NaN : fisherUpper(fStatistic, dfModel, dfResidual);
  const quantile = studentQuantile(1 - (1 - level) / 2, dfResidual);

  const coefficients = sums.terms.map((term, j): Coefficient => {
    const sj = sums.scales[j];
    // β̃ⱼ = uⱼ·10^sⱼ / (det·10^sy).
    const estimate = scaledRatio(u[j], det, sj - sy);
    if (ridge > 0) return { term, estimate, stdError: Number.NaN, t: Number.NaN, p: Number.NaN, lower: Number.NaN, upper: Number.NaN };
    // Var(β̃ⱼ) = RSS·(A⁻¹)ⱼⱼ·10^(2sⱼ − 2sy)/(n − p), with RSS = rssN/det², (A⁻¹)ⱼⱼ = adjⱼⱼ/det (and lDen = 1).
    const variance = scaledRatio(rssNumerator * solution.adjugate[j][j], rssDenominator * det * BigInt(dfResidual), 2 * sj - 2 * sy);
    const stdError = Math.sqrt(variance);
    const t = estimate / stdError;
    return { term, estimate, stdError, t, p: studentTwoSided(t, dfResidual), lower: estimate - quantile * stdError, upper: estimate + quantile * stdError };
  });
  return {
    response: sums.response,
    coefficients,
    observations: n,
    dfModel,
    dfResidual,
    rSquared,
    adjustedRSquared,
    residualStdError: Math.sqrt(sigma2),
    fStatistic,
    fPValue,
    rss,
    tss,
    weighted: sums.weighted,
    ridge,
    level,
  };
}

function dot(x: readonly bigint[], y: readonly bigint[]): bigint {
  return x.reduce((s, v, i) => s + v * y[i], 0n);
}

/** (p / q)·10^e as the float64 nearest to it (one rounding). */
function scaledRatio(p: bigint, q: bigint, e: number): number {
  const sign = q < 0n ? -1n : 1n;
  return e >= 0 ? ratio(sign * p * 10n ** BigInt(e), sign * q) : ratio(sign * p, sign * q * 10n ** BigInt(-e));
}

/** A finite float64 ≥ 0 as an exact fraction L/Q (Q a power of two). */
export function exactFraction(x: number): [bigint, bigint] {
  if (x === 0) return [0n, 1n];
  let q = 1n, v = x;
  while (!Number.isInteger(v)) {
    v *= 2;
    q *= 2n;
  }
  return [BigInt(v), q];
}
