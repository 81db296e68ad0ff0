/**
 * Type checking of a cox node (plan.ts CoxNode) and its bit budget (docs/statistics.md, Cox).
 *
 * Columns: `time` an integer, decimal or date column; `event` boolean or an integer in [0, 1];
 * each covariate integer, decimal or boolean with a declared range of more than one value (a
 * constant covariate has no coefficient). Nullable columns are allowed: rows with a null in any
 * of them leave the fit (complete cases).
 *
 * Standardisation (public, from the declared ranges): z = (x − c) / 2^k in stored units, c the
 * range's integer centre, 2^k the least power of two at least its half-width, so |z| ≤ 1 and z is
 * EXACT with F = 24 fraction bits when k ≤ 24 (wider ranges are refused: declare a narrower one).
 *
 * Bit budget, with E = max_log_hazard (every row's η = zᵀb is clamped to [−E, E]) and n the
 * row bound: exp's range needs E < 9.7 at 24 fraction bits (fixmath/exp.ts); a risk-set sum is
 * at most n e^E, so n e^E 2^24 < 2^sumBits ≤ 2^61; the solve's pivots (H's diagonal ≤ n) need
 * n 2^24 < 2^47; the log-likelihood's integer term K ≤ n·sumBits keeps ≥ 4 guard bits of ln 2.
 * A plan outside any of these is refused with the limit.
 */

import { PlanError, UsageError } from '../errors.js';
import { expErrorBound } from '../mpc/protocols/fixmath/exp.js';
import { reciprocalErrorBound } from '../mpc/protocols/fixmath/reciprocal.js';
import { bitLength } from '../mpc/protocols/fixmath/params.js';
import type { CheckedTable, Disclosure } from './check.js';
import { EXTREME_LIMIT } from './functions/extreme.js';
import { MAX_COX_ITERATIONS } from './parse-cox.js';
import type { CoxNode } from './plan.js';
import { describeFacts, type ColumnFacts, type TableType } from './types.js';

export const COX_FRACTION_BITS = 24;
export const DEFAULT_COX_ITERATIONS = 6;
export const DEFAULT_MAX_LOG_HAZARD = 8;
/** The convergence bit: every coordinate of the last step below this (standardised units). */
export const COX_TOLERANCE = 1e-4;
/** Smallest pivot of the solve: H's smallest eigenvalue must be at least this (standardised units). */
export const COX_PIVOT_MIN = 2 ** -10;

/** A covariate's public standardisation z = (x − centre) / 2^shift (stored units). */
export interface CoxStandardisation {
  readonly centre: bigint;
  readonly shift: number;
  /** max |z| over the declared range. */
  readonly reach: number;
}

export interface CheckedCox {
  readonly op: 'cox';
  readonly path: string;
  readonly type: TableType;
  readonly input: CheckedTable;
  readonly time: ColumnFacts;
  readonly event: ColumnFacts;
  readonly x: readonly ColumnFacts[];
  readonly standardisation: readonly CoxStandardisation[];
  readonly iterations: number;
  readonly etaBound: number;
  readonly fractionBits: number;
  readonly sumBits: number;
  readonly pivotMin: number;
  readonly pivotMax: number;
  readonly tolerance: number;
}

const TIMES = ['integer', 'decimal', 'date'];
const COVARIATES = ['integer', 'decimal', 'boolean'];
const RAW = (1n << 61n) - 1n;

/** The output columns of a model with d covariates, in order (stats/cox.ts reads them by these names). */
export function coxOutputNames(d: number): string[] {
  const names: string[] = [];
  for (let j = 1; j <= d; j++) names.push(`beta_${j}`);
  for (let j = 1; j <= d; j++) names.push(`score_${j}`);
  for (let j = 1; j <= d; j++) for (let l = j; l <= d; l++) names.push(`information_${j}_${l}`);
  return [...names, 'loglik_null', 'loglik', 'converged', 'saturated', 'events', 'rows'];
}

export function checkCox(node: CoxNode, path: string, input: CheckedTable, disclosures: Disclosure[]): CheckedCox {
  const columns = input.type.columns;
  const find = (name: string, at: string): ColumnFacts => {
    const c = columns.find((x) => x.name === name);
    if (!c) throw new PlanError(at, `the input of this cox model has no column '${name}' (it has ${columns.map((x) => x.name).join(', ') || 'no columns'})`);
    return c;
  };
  const time = find(node.time, `${path}/time`);
  if (!TIMES.includes(time.kind)) throw new PlanError(`${path}/time`, `the survival time '${time.name}' is a ${describeFacts(time)} column; it must be an integer, decimal or date column`);
  if (time.min < -EXTREME_LIMIT || time.max >= EXTREME_LIMIT) throw new PlanError(`${path}/time`, `the declared range of '${time.name}' exceeds [-2^62, 2^62 - 1]; declare a narrower range`);
  const event = find(node.event, `${path}/event`);
  if (!(event.kind === 'boolean' || (event.kind === 'integer' && event.min >= 0n && event.max <= 1n))) {
    throw new PlanError(`${path}/event`, `the event indicator '${event.name}' must be a boolean column or an integer column declared in [0, 1] (1 = event, 0 = censored), not ${describeFacts(event)} [${event.min}, ${event.max}]`);
  }
  const F = COX_FRACTION_BITS;
  const x = node.x.map((name, i) => find(name, `${path}/x/${i}`));
  const standardisation = x.map((c, i): CoxStandardisation => {
    const at = `${path}/x/${i}`;
    if (!COVARIATES.includes(c.kind)) throw new PlanError(at, `the covariate '${c.name}' is a ${describeFacts(c)} column; covariates are integer, decimal or boolean columns (code a category as 0/1 columns)`);
    if (c.min === c.max) throw new PlanError(at, `the covariate '${c.name}' is declared constant (${c.min}): it has no coefficient; leave it out`);
    const centre = (c.min + c.max) >> 1n; // floor
    const half = c.max - centre > centre - c.min ? c.max - centre : centre - c.min;
    const shift = bitLength(half - 1n); // least k with 2^k >= half
    if (shift > F) throw new PlanError(at, `the covariate '${c.name}' spans ${c.max - c.min} stored units; at most 2^${F + 1} are standardised exactly: declare a narrower range (or fewer decimals)`);
    return { centre, shift, reach: Number(half) / 2 ** shift };
  });
  const iterations = node.iterations ?? DEFAULT_COX_ITERATIONS;
  if (iterations > MAX_COX_ITERATIONS) throw new PlanError(`${path}/iterations`, `at most ${MAX_COX_ITERATIONS} iterations`);
  const etaBound = node.max_log_hazard ?? DEFAULT_MAX_LOG_HAZARD;
  const n = input.type.maxRows;
  try {
    expErrorBound({ min: -etaBound, max: etaBound, fractionBits: F });
  } catch (e) {
    if (e instanceof UsageError) throw new PlanError(`${path}/max_log_hazard`, `max_log_hazard ${etaBound} is beyond exp's bit budget at ${F} fraction bits (it must stay below 9.7): declare a smaller one`);
    throw e;
  }
  // A risk-set sum is at most n e^E (with exp's relative error), in raw units with F fraction bits.
  const sumBits = bitLength(BigInt(Math.ceil(Math.max(n, 1) * Math.exp(etaBound) * (1 + 2 ** -10) * 2 ** F))) + 1;
  if (sumBits > 61) throw new PlanError(`${path}/max_log_hazard`, `${n} rows times exp(${etaBound}) exceed the bit budget of the risk-set sums (2^61 at ${F} fraction bits): declare a smaller max_log_hazard or fit fewer rows`);
  const pivotMax = Math.max(n, 1);
  try {
    reciprocalErrorBound({ min: COX_PIVOT_MIN, max: pivotMax, fractionBits: F });
  } catch (e) {
    if (e instanceof UsageError) throw new PlanError(path, `${n} rows are more than the Newton solve's pivots allow at ${F} fraction bits (at most 2^22): fit fewer rows`);
    throw e;
  }
  if (60 - F - bitLength(BigInt(Math.max(n, 1) * sumBits)) < 4) throw new PlanError(path, `${n} rows leave too few guard bits for the log partial likelihood: fit fewer rows`);
  const type: TableType = {
    columns: coxOutputNames(x.length).map((name): ColumnFacts => {
      const bit = name === 'converged' || name === 'saturated';
      const count = name === 'events' || name === 'rows';
      return { name, kind: 'integer', scale: 0, min: bit || count ? 0n : -RAW, max: bit ? 1n : count ? BigInt(n) : RAW, nullable: false };
    }),
    maxRows: 1,
  };
  const d = x.length;
  disclosures.push({
    path,
    what:
      `the Cox model's last Newton iterate (${d} coefficients), the score (${d}) and information matrix (${(d * (d + 1)) / 2} entries) there, ` +
      'the log partial likelihoods at 0 and there, whether the iterations converged and whether a row reached max_log_hazard, and the numbers of events and of rows ' +
      '(the iterates before the last stay secret)',
  });
  return { op: 'cox', path, type, input, time, event, x, standardisation, iterations, etaBound, fractionBits: F, sumBits, pivotMin: COX_PIVOT_MIN, pivotMax, tolerance: COX_TOLERANCE };
}
