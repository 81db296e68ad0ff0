/**
 * The privacy field of an open root (docs/statistics.md, "Differential privacy"):
 *   { "mechanism": "laplace", "epsilon": 0.5, "contributions": 1 }   pure ε-DP, discrete Laplace noise
 *   { "mechanism": "gaussian", "rho": 0.125, "contributions": 1 }    ρ-zCDP, discrete Gaussian noise
 * `contributions` (default 1) bounds the rows one individual adds to the aggregated input (an
 * individual with visits in two tables concatenated: 2). `suppress_below` (a group-by or
 * crosstab only) drops the groups whose NOISY count is below it, inside MPC before anything
 * opens (ops/noise.ts): a decision on the noisy count is post-processing, so it costs no budget.
 * It is part of the plan, so its hash, the script the representatives approve and explain() all
 * show it.
 */

import { PlanError } from '../errors.js';
import { MECHANISMS, type Mechanism } from './noise-tables.js';

export interface PrivacySpec {
  readonly mechanism: Mechanism;
  /** Laplace: the query's total privacy loss ε. */
  readonly epsilon?: number;
  /** Gaussian: the query's total zCDP parameter ρ. */
  readonly rho?: number;
  readonly contributions?: number;
  /** Groups (crosstab cells) whose noisy count is below this open as nothing. */
  readonly suppress_below?: number;
}

export const MAX_PRIVACY_PARAMETER = 100;
export const MAX_CONTRIBUTIONS = 1_000_000;

/** The amount a query spends: ε for Laplace, ρ for Gaussian. */
export function privacyCost(spec: PrivacySpec): number {
  return spec.mechanism === 'laplace' ? spec.epsilon! : spec.rho!;
}

/** "ε = 0.5" or "ρ = 0.125". */
export function describeCost(mechanism: Mechanism, amount: number): string {
  return mechanism === 'laplace' ? `ε = ${amount}` : `ρ = ${amount}`;
}

export function parsePrivacy(value: unknown, path: string): PrivacySpec {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new PlanError(path, "privacy is an object { mechanism: 'laplace', epsilon } or { mechanism: 'gaussian', rho }, with contributions? (rows per individual, default 1)");
  }
  const o = value as Record<string, unknown>;
  const mechanism = o.mechanism;
  if (!(MECHANISMS as readonly unknown[]).includes(mechanism)) throw new PlanError(`${path}/mechanism`, `the mechanism is 'laplace' (pure ε-DP) or 'gaussian' (ρ-zCDP), not ${JSON.stringify(mechanism)}`);
  const parameter = mechanism === 'laplace' ? 'epsilon' : 'rho';
  const allowed = ['mechanism', parameter, 'contributions', 'suppress_below'];
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) throw new PlanError(`${path}/${key}`, `unknown field "${key}" for the ${mechanism as string} mechanism (allowed: ${allowed.join(', ')})`);
  }
  const amount = o[parameter];
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0 || amount > MAX_PRIVACY_PARAMETER) {
    throw new PlanError(`${path}/${parameter}`, `${parameter} is a number in (0, ${MAX_PRIVACY_PARAMETER}], not ${JSON.stringify(amount)}`);
  }
  const contributions = o.contributions ?? 1;
  if (!Number.isSafeInteger(contributions) || (contributions as number) < 1 || (contributions as number) > MAX_CONTRIBUTIONS) {
    throw new PlanError(`${path}/contributions`, `contributions (the most rows one individual adds) is a whole number from 1 to ${MAX_CONTRIBUTIONS}, not ${JSON.stringify(o.contributions)}`);
  }
  const suppress = o.suppress_below;
  if (suppress !== undefined && (!Number.isSafeInteger(suppress) || (suppress as number) < 1)) {
    throw new PlanError(`${path}/suppress_below`, `suppress_below is a whole number of rows of at least 1 (groups whose noisy count is below it are suppressed inside MPC), not ${JSON.stringify(suppress)}`);
  }
  return {
    mechanism: mechanism as Mechanism,
    [parameter]: amount,
    ...(o.contributions !== undefined ? { contributions: contributions as number } : {}),
    ...(suppress !== undefined ? { suppress_below: suppress as number } : {}),
  };
}
