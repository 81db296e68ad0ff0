/**
 * The recipient's side of the Cox model: from the opened last iterate b (standardised units),
 * score g and information H at b, one exact float64 Newton step b̂ = b + H⁻¹g (the iterations
 * inside MPC bring b close enough that this step lands on the float64 Breslow fit: the Newton
 * error squares), then back to the columns' units, standard errors sqrt(diag H⁻¹), hazard ratios
 * with their intervals, Wald z and p (a normal), the log partial likelihood at b̂ by its
 * quadratic expansion ℓ(b) + ½ gᵀH⁻¹g, and the likelihood-ratio and Wald tests (chi-square).
 * Never touches a share.
 */

import { UsageError } from '../errors.js';
import { chiSquareUpper, normalQuantileOf, normalTwoSided } from './distributions.js';
import { cholesky, inverseFromCholesky, solveCholesky } from './cholesky.js';

/** What the cox node opened, decoded to numbers (standardised units). */
export interface CoxOpened {
  readonly terms: readonly string[];
  /** Original units per standardised unit of each covariate (2^k / 10^scale). */
  readonly units: readonly number[];
  readonly beta: readonly number[];
  readonly score: readonly number[];
  readonly information: readonly (readonly number[])[];
  readonly logLikelihoodNull: number;
  readonly logLikelihood: number;
  readonly converged: boolean;
  readonly saturated: boolean;
  readonly events: number;
  readonly rows: number;
  readonly iterations: number;
}

export interface CoxCoefficient {
  readonly term: string;
  readonly estimate: number;
  readonly hazardRatio: number;
  readonly stdError: number;
  readonly z: number;
  readonly p: number;
  readonly lower: number;
  readonly upper: number;
}

export interface CoxFit {
  readonly coefficients: readonly CoxCoefficient[];
  /** The covariance matrix of the coefficients (columns' units). */
  readonly covariance: readonly (readonly number[])[];
  readonly rows: number;
  readonly events: number;
  readonly logLikelihoodNull: number;
  readonly logLikelihood: number;
  readonly likelihoodRatio: { readonly statistic: number; readonly df: number; readonly p: number };
  readonly wald: { readonly statistic: number; readonly df: number; readonly p: number };
  /** Size of the recipient's Newton step (max over coordinates, standardised units). */
  readonly finalStep: number;
  readonly level: number;
}

/** The final step is an exact Newton step from a converged iterate: a larger one means the iterations did not converge. */
export const FINAL_STEP_LIMIT = 1e-3;

export function fitCox(o: CoxOpened, level = 0.95): CoxFit {
  const d = o.terms.length;
  if (!(level > 0 && level < 1)) throw new UsageError(`the confidence level is a number in (0, 1), not ${level}`);
  if (o.events === 0) throw new UsageError('no events among these rows: a Cox model needs at least one event (every row is censored)');
  // A singular H (a constant covariate) first: it also derails the iterations, which the checks below would report less helpfully.
  const factor = factorInformation(o.information, o.terms, o.events);
  if (o.saturated) throw new UsageError("some row's log relative hazard reached the plan's max_log_hazard at the last iterate: the fit would be clamped; declare a larger max_log_hazard (or narrower column ranges)");
  const step = solveCholesky(factor, o.score);
  const finalStep = Math.max(...step.map(Math.abs));
  if (!o.converged || !(finalStep < FINAL_STEP_LIMIT)) {
    throw new UsageError(`the Newton iterations did not converge in ${o.iterations} iterations (last step ${finalStep.toExponential(2)} in standardised units): raise iterations, or check for a covariate that separates the events (an infinite coefficient)`);
  }
  const b = o.beta.map((v, j) => v + step[j]);
  const inverse = inverseFromCholesky(factor);
  const zq = normalQuantileOf(1 - (1 - level) / 2);
  const coefficients = o.terms.map((term, j): CoxCoefficient => {
    const estimate = b[j] / o.units[j];
    const stdError = Math.sqrt(inverse[j][j]) / o.units[j];
    const z = estimate / stdError;
    return { term, estimate, hazardRatio: Math.exp(estimate), stdError, z, p: normalTwoSided(z), lower: Math.exp(estimate - zq * stdError), upper: Math.exp(estimate + zq * stdError) };
  });
  const logLikelihood = o.logLikelihood + 0.5 * dotOf(o.score, step);
  const lr = 2 * (logLikelihood - o.logLikelihoodNull);
  const wald = b.reduce((t, bj, j) => t + bj * o.information[j].reduce((u, h, l) => u + h * b[l], 0), 0);
  return {
    coefficients,
    covariance: inverse.map((row, i) => row.map((v, j) => v / (o.units[i] * o.units[j]))),
    rows: o.rows,
    events: o.events,
    logLikelihoodNull: o.logLikelihoodNull,
    logLikelihood,
    likelihoodRatio: { statistic: lr, df: d, p: chiSquareUpper(Math.max(lr, 0), d) },
    wald: { statistic: wald, df: d, p: chiSquareUpper(wald, d) },
    finalStep,
    level,
  };
}

const dotOf = (x: readonly number[], y: readonly number[]): number => x.reduce((t, v, i) => t + v * y[i], 0);

/**
 * The opened H carries fixed-point noise of at most 2^-15 per event (docs/statistics.md, Cox): a
 * pivot below 8 times that cannot be told from 0, i.e. the covariate is constant (or a
 * combination of the others) on the rows, as far as 24 fraction bits can tell.
 */
export const INFORMATION_NOISE_PER_EVENT = 2 ** -15;

function factorInformation(h: readonly (readonly number[])[], terms: readonly string[], events: number): number[][] {
  const floor = 8 * INFORMATION_NOISE_PER_EVENT * events;
  const result = cholesky(h, () => floor);
  if ('singularAt' in result) {
    throw new UsageError(`the information matrix is singular at '${terms[result.singularAt]}': the covariate is constant (or a combination of the others) on the rows with events at risk; leave it out`);
  }
  return result.factor;
}
