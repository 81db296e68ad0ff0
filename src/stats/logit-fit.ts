/**
 * The recipient's side of a logistic regression (ops/logit.ts ran the Newton iterations inside
 * MPC and opened their state): from the last iterate β and the gradient g and information H
 * there (standardised units, 2^-24 fixed point), one exact float64 Newton step β + H⁻¹g, then
 * the coefficients in the data's units, standard errors from H⁻¹, z, p, the log-likelihood (its
 * value at β, opened, plus ½ gᵀH⁻¹g, its second-order change over the step: the third-order rest
 * is below |Δ|³ n), deviance, AIC, BIC and McFadden's R².
 *
 * Refused, never answered wrongly (ModelFitError): Newton steps that did not settle (the MPC
 * convergence bit, and this step's size again in float64), usually separation; an H that is not
 * positive definite (collinear predictors, a category level without rows); too few rows.
 *
 * Units: z_j = (x_j − c_j) / 2^k_j with x_j in stored units (10^s_j per unit), so the coefficient
 * of x_j is b_j 10^s_j / 2^k_j and the intercept b_0 − Σ b_j c_j / 2^k_j: a linear map A, and the
 * covariance of the coefficients is A H⁻¹ Aᵀ.
 */

import { ModelFitError } from '../errors.js';
import { logLikelihoodErrorBound } from '../ops/logit-loglik.js';
import { LOGIT_FRACTION_BITS, LOGIT_TOLERANCE } from '../plan/check-logit.js';
import { chiSquareUpper, normalQuantileOf, normalTwoSided } from './distributions.js';
import { cholesky, inverseFromCholesky } from './cholesky.js';

/** What the nodes opened, decoded (β, g, H in standardised units). */
export interface LogitState {
  readonly rows: number;
  readonly positives: number;
  readonly beta: readonly number[];
  readonly gradient: readonly number[];
  readonly information: readonly (readonly number[])[];
  readonly twiceLogLikelihood: number;
  readonly converged: boolean;
  readonly iterations: number;
}

/** A design column other than the intercept and how it was standardised. */
export interface LogitTerm {
  readonly term: string;
  readonly center: bigint;
  readonly shift: number;
  /** Decimal digits of the stored column. */
  readonly scale: number;
}

export interface LogitCoefficient {
  readonly term: string;
  readonly estimate: number;
  readonly stdError: number;
  readonly z: number;
  readonly p: number;
  readonly lower: number;
  readonly upper: number;
}

export interface LogitFit {
  readonly response: string;
  readonly coefficients: readonly LogitCoefficient[];
  /** Covariance of the coefficients (data units), in the order of `coefficients`. */
  readonly covariance: readonly (readonly number[])[];
  /** The fitted coefficients in standardised units (what a stored model predicts with). */
  readonly standardised: readonly number[];
  readonly observations: number;
  readonly dfModel: number;
  readonly dfResidual: number;
  readonly logLikelihood: number;
  readonly nullLogLikelihood: number;
  /** Bound on |error| of both log-likelihoods' MPC part (ops/logit-loglik.ts). */
  readonly logLikelihoodErrorBound: number;
  readonly deviance: number;
  readonly nullDeviance: number;
  readonly aic: number;
  readonly bic: number;
  /** McFadden's pseudo R²: 1 − log L / log L₀. */
  readonly pseudoRSquared: number;
  readonly llrPValue: number;
  readonly converged: true;
  readonly iterations: number;
  /** Largest |step| of the float64 Newton step taken here (standardised units). */
  readonly lastStep: number;
  /**
   * A first-order bound on the relative error of the standard errors from the fixed point of the
   * opened H (its truncations, (n + 2)·2^-24 per entry, and the probabilities' 2^-17 relative):
   * above the contract's 1e-5 when the predictors vary little over their declared ranges.
   */
  readonly standardErrorBound: number;
  readonly level: number;
}

/** A fixed-point integer of 2^-24 units as a number. */
export function fromFixed(v: bigint): number {
  return Number(v) / 2 ** LOGIT_FRACTION_BITS;
}

/** Separation shows as coefficients running off: on standardised predictors (|z| ≤ 1) an odds ratio of e^12 is already extreme. */
const SEPARATION_COEFFICIENT = 12;

export function fitLogit(state: LogitState, terms: readonly LogitTerm[], response: string, options: { readonly level?: number } = {}): LogitFit {
  const d = terms.length + 1;
  const n = state.rows;
  if (n === 0) throw new ModelFitError('too-few-rows', 'no rows are left to fit (after dropping rows with nulls): check the filters and the data');
  if (n <= d) throw new ModelFitError('too-few-rows', `${n} row${n === 1 ? '' : 's'} for ${d} coefficients: a logistic regression needs more rows than coefficients`);
  if (state.positives === 0 || state.positives === n) {
    throw new ModelFitError('separation', `every one of the ${n} rows has ${response} = ${state.positives === 0 ? 0 : 1}: there is nothing to separate, the maximum likelihood lies at infinity`);
  }
  const h = state.information;
  // A pivot lost in H's own rounding (2^-24 per entry, n terms) is no pivot.
  const chol = cholesky(h, (j) => 1e-9 * Math.max(1, h[j][j]));
  if ('singularAt' in chol) {
    throw new ModelFitError('singular', 'the information matrix is not positive definite on these rows: a predictor is constant there, predictors are collinear, or a category level has no rows; leave one out');
  }
  const inverse = inverseFromCholesky(chol.factor);
  const step = inverse.map((row) => row.reduce((s, v, j) => s + v * state.gradient[j], 0));
  const lastStep = Math.max(...step.map(Math.abs));
  const fitted = state.beta.map((b, j) => b + step[j]);
  if (!state.converged || !(lastStep <= LOGIT_TOLERANCE)) {
    const largest = Math.max(...fitted.slice(1).map(Math.abs), 0);
    const separated = largest >= SEPARATION_COEFFICIENT;
    throw new ModelFitError(
      separated ? 'separation' : 'not-converged',
      separated
        ? `the Newton steps did not settle in ${state.iterations} iterations and a standardised coefficient reached ${largest.toFixed(1)}: the classes look separated (a predictor, or a combination, splits ${response} = 0 from ${response} = 1 perfectly or nearly, so the maximum likelihood lies at infinity); find and leave out or merge that predictor`
        : `the Newton steps did not settle in ${state.iterations} iterations (the last step was ${lastStep.toExponential(2)} in standardised units, the tolerance ${LOGIT_TOLERANCE}); ask for more iterations (up to 25), or check the predictors for near-separation`,
    );
  }
  // |ΔH|₂ ≤ d · max|ΔH_ij|; |Δ(H⁻¹)_jj| ≤ |H⁻¹e_j|² |ΔH|₂; a standard error moves by half that, relatively.
  const entryError = (n + 2) * 2 ** -LOGIT_FRACTION_BITS + 2 ** -17 * Math.max(...h.flat().map(Math.abs));
  const standardErrorBound = Math.max(...inverse.map((row, j) => (0.5 * d * entryError * row.reduce((t, v) => t + v * v, 0)) / row[j]));
  // The linear map from standardised to data units.
  const a: number[][] = Array.from({ length: d }, (_, i) => new Array<number>(d).fill(0));
  a[0][0] = 1;
  terms.forEach((t, k) => {
    const j = k + 1;
    const unit = 10 ** t.scale / 2 ** t.shift;
    a[j][j] = unit;
    a[0][j] = -Number(t.center) / 2 ** t.shift;
  });
  const coefficients = a.map((row) => row.reduce((s, v, j) => s + v * fitted[j], 0));
  const covariance = a.map((row) => a.map((other) => row.reduce((s, v, i) => s + v * other.reduce((t, w, j) => t + inverse[i][j] * w, 0), 0)));
  const level = options.level ?? 0.95;
  const critical = normalQuantileOf(1 - (1 - level) / 2);
  const names = ['Intercept', ...terms.map((t) => t.term)];
  const logLikelihood = state.twiceLogLikelihood / 2 + step.reduce((s, v, j) => s + v * state.gradient[j], 0) / 2;
  const k = state.positives;
  const nullLogLikelihood = k * Math.log(k / n) + (n - k) * Math.log(1 - k / n);
  return {
    response,
    coefficients: coefficients.map((estimate, j) => {
      const stdError = Math.sqrt(covariance[j][j]);
      const z = estimate / stdError;
      return { term: names[j], estimate, stdError, z, p: normalTwoSided(z), lower: estimate - critical * stdError, upper: estimate + critical * stdError };
    }),
    covariance,
    standardised: fitted,
    observations: n,
    dfModel: d - 1,
    dfResidual: n - d,
    logLikelihood,
    nullLogLikelihood,
    logLikelihoodErrorBound: logLikelihoodErrorBound(n, LOGIT_FRACTION_BITS),
    deviance: -2 * logLikelihood,
    nullDeviance: -2 * nullLogLikelihood,
    aic: -2 * logLikelihood + 2 * d,
    bic: -2 * logLikelihood + Math.log(n) * d,
    pseudoRSquared: 1 - logLikelihood / nullLogLikelihood,
    llrPValue: chiSquareUpper(2 * (logLikelihood - nullLogLikelihood), d - 1),
    converged: true,
    iterations: state.iterations,
    lastStep,
    standardErrorBound,
    level,
  };
}
