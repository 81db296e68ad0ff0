/**
 * A stored logistic model (a `logit` node with `model: true`, then a store root) is a one-row
 * derived table whose SCHEMA carries everything public about it, so it is listed, described and
 * deleted like any derived table, and `predict` (check-predict.ts) reads it back from the schema:
 *
 *   logit_model   integer declared [24, 24]: marks a model; the fraction bits of its coefficients
 *   <predictor>   one column per predictor, in order, with the predictor's kind, scale and the
 *                 DECLARED range it was fitted under, from which its standardisation
 *                 (centre, power-of-two divisor) follows (check-logit.ts logitStandardisation);
 *                 its one value is the centre (public anyway)
 *   beta_0 … beta_k   the secret coefficients (intercept first) in standardised units at 2^-24,
 *                 with Σ_j |β_j| < LOGIT_MODEL_BETA_LIMIT = 2^9 (each column declared within it):
 *                 ops/logit-model.ts refuses to store a model beyond it, and predict's bit budget
 *                 relies on it (|η| ≤ Σ|β_j| max(1, |z_j|))
 *
 * Only the coefficients are secret; nobody ever opens them. The bound on the sum holds for every
 * model a logit node stored; a table uploaded by hand with this schema is its uploader's claim.
 */

import { PlanError } from '../errors.js';
import { LOGIT_FRACTION_BITS, logitStandardisation, type LogitPredictor } from './check-logit.js';
import { describeFacts, type ColumnFacts, type TableType } from './types.js';

export const LOGIT_MODEL_MARKER = 'logit_model';
/** Σ_j |β_j| < 2^9 in standardised units for every stored model (beyond it the fit is near separation). */
export const LOGIT_MODEL_BETA_BITS = 9;
export const LOGIT_MODEL_BETA_LIMIT = 2 ** LOGIT_MODEL_BETA_BITS;

export function logitModelBetaName(j: number): string {
  return `beta_${j}`;
}

/** The model table's type for these predictors (check-logit.ts), or why they cannot be stored as a model. */
export function logitModelType(predictors: readonly LogitPredictor[], at: string): TableType {
  const d = predictors.length + 1;
  const reserved = new Set([LOGIT_MODEL_MARKER, ...Array.from({ length: d }, (_, j) => logitModelBetaName(j))]);
  predictors.forEach((p, i) => {
    if (reserved.has(p.facts.name)) throw new PlanError(`${at}/x/${i}`, `a stored model names its columns ${[...reserved].join(', ')}: rename the predictor '${p.facts.name}' first`);
  });
  const limit = BigInt(LOGIT_MODEL_BETA_LIMIT) << BigInt(LOGIT_FRACTION_BITS);
  const fraction = BigInt(LOGIT_FRACTION_BITS);
  return {
    columns: [
      { name: LOGIT_MODEL_MARKER, kind: 'integer', scale: 0, min: fraction, max: fraction, nullable: false },
      ...predictors.map((p): ColumnFacts => ({ name: p.facts.name, kind: p.facts.kind, scale: p.facts.scale, min: p.facts.min, max: p.facts.max, nullable: false })),
      ...Array.from({ length: d }, (_, j): ColumnFacts => ({ name: logitModelBetaName(j), kind: 'integer', scale: 0, min: -limit, max: limit, nullable: false })),
    ],
    maxRows: 1,
  };
}

export interface LogitModelFacts {
  readonly predictors: readonly LogitPredictor[];
  readonly fractionBits: number;
  /** Bound on Σ_j |β_j| (standardised units). */
  readonly betaLimit: number;
}

/** Reads a model table's type back (predict's `model` input), or refuses a table that is not one. */
export function readLogitModel(type: TableType, at: string): LogitModelFacts {
  const columns = type.columns;
  const notModel = (why: string): PlanError =>
    new PlanError(at, `this table is not a stored logistic model (${why}); store one with logit(frame, { y, x }).fit().store(name)`);
  const marker = columns[0];
  if (!marker || marker.name !== LOGIT_MODEL_MARKER || marker.kind !== 'integer' || marker.min !== marker.max) throw notModel(`its first column is not '${LOGIT_MODEL_MARKER}'`);
  const fractionBits = Number(marker.min);
  if (fractionBits !== LOGIT_FRACTION_BITS) throw notModel(`its coefficients have ${fractionBits} fraction bits, this release reads ${LOGIT_FRACTION_BITS}`);
  if (type.maxRows !== 1) throw notModel(`it may hold ${type.maxRows} rows, a model holds one`);
  const firstBeta = columns.findIndex((c) => c.name === logitModelBetaName(0));
  const k = firstBeta - 1;
  if (k < 1 || columns.length !== 1 + k + k + 1) throw notModel('its columns are not the marker, the predictors and beta_0 … beta_k');
  const limit = BigInt(LOGIT_MODEL_BETA_LIMIT) << BigInt(LOGIT_FRACTION_BITS);
  columns.slice(firstBeta).forEach((c, j) => {
    if (c.name !== logitModelBetaName(j) || c.kind !== 'integer' || c.nullable) throw notModel(`column '${c.name}' should be the integer ${logitModelBetaName(j)}`);
    if (c.min < -limit || c.max > limit) throw notModel(`'${c.name}' is declared beyond ±2^${LOGIT_MODEL_BETA_BITS} standardised units`);
  });
  const predictors = columns.slice(1, firstBeta).map((facts): LogitPredictor => {
    if (facts.kind !== 'integer' && facts.kind !== 'decimal' && facts.kind !== 'boolean') throw notModel(`its predictor '${facts.name}' is a ${describeFacts(facts)} column`);
    const s = logitStandardisation(facts.min, facts.max);
    if ('refusal' in s) throw notModel(`its predictor '${facts.name}' has no standardisation: ${s.refusal}`);
    return { facts, ...s };
  });
  return { predictors, fractionBits, betaLimit: LOGIT_MODEL_BETA_LIMIT };
}
