/**
 * Type checking of a logit node (plan.ts LogitNode) and its bit budget, all from public facts:
 *
 *   y      a boolean column, or an integer column declared within [0, 1]; not nullable
 *   x      integer, decimal or boolean columns, not nullable (the SDK drops incomplete rows and
 *          dummy codes categories before this node), each with a declared range that is not a
 *          single value (a constant predictor has no coefficient)
 *
 * Standardisation from the DECLARED range [lo, hi] (never from the data): centre
 * c = floor((lo + hi) / 2) and the least power of two 2^k with |x − c| ≤ 2^k, so z = (x − c) / 2^k
 * lies in [−1, 1] and is EXACT at LOGIT_DESIGN_BITS fraction bits when k ≤ LOGIT_DESIGN_BITS
 * (a range wider than 2^17 stored units is refused: declare a narrower one, or round the column).
 * The recipient undoes it exactly (stats/logit-fit.ts uses the same `logitStandardisation`).
 *
 * Ring budget: with |z| ≤ 1, |y − p| ≤ 1 and p(1 − p) ≤ 1/4, the gradient's inner products are
 * at most n 2^(16+24) and must stay below 2^62: n ≤ 2^22 rows (LOGIT_MAX_ROWS), refused above.
 *
 * The output: one row of `n` (valid rows), `y_sum` (Σy), `beta_j`, `g_j` (j = 0 the intercept,
 * then the predictors in order), `h_i_j` (i ≤ j, H symmetric), `twice_loglik` (twice the
 * log-likelihood at β: a share cannot be halved exactly), all integers in units of 2^-24, and `converged` (the last Newton step was below 2^-10 in
 * every standardised coordinate).
 */

import { PlanError } from '../errors.js';
import type { CheckedTable, Disclosure } from './check.js';
import { DEFAULT_LOGIT_ITERATIONS } from './parse-logit.js';
import type { LogitNode } from './plan.js';
import { logitModelType } from './logit-model.js';
import { checkLogitGroups, type LogitGroups } from './check-logit-groups.js';
import { describeFacts, type ColumnFacts, type TableType } from './types.js';

/** The fixed-point outputs' declared range: what an exact truncation leaves (|v| < 2^62) and what a column can declare. */
const FIXED_LIMIT = (1n << 62n) - 1n;

/** Fraction bits of the standardised design. */
export const LOGIT_DESIGN_BITS = 16;
/** Fraction bits of β, the probabilities, g and H (and of the opened values). */
export const LOGIT_FRACTION_BITS = 24;
export const LOGIT_MAX_ROWS = 2 ** 22;
/** A Newton step below this in every standardised coordinate sets the convergence bit. */
export const LOGIT_TOLERANCE = 2 ** -10;

export interface LogitPredictor {
  readonly facts: ColumnFacts;
  /** z = (x − center) / 2^shift, x in stored units. */
  readonly center: bigint;
  readonly shift: number;
}

export interface CheckedLogit {
  readonly op: 'logit';
  readonly path: string;
  readonly type: TableType;
  readonly input: CheckedTable;
  readonly response: ColumnFacts;
  readonly predictors: readonly LogitPredictor[];
  readonly iterations: number;
  /** A store-ready model (plan/logit-model.ts) instead of the Newton state. */
  readonly model: boolean;
  /** Per group of `by`: the state of each group's fit, one row per declared group after the key (ops/logit-groups.ts). */
  readonly group?: LogitGroups;
}

/** The centre and power-of-two half-width of a declared range (stored units), or why there is none. */
export function logitStandardisation(min: bigint, max: bigint): { center: bigint; shift: number } | { refusal: string } {
  if (min === max) return { refusal: `it is declared constant (every value is ${min} stored units): a constant predictor has no coefficient, leave it out` };
  const sum = min + max;
  const center = sum >= 0n ? sum / 2n : -((-sum + 1n) / 2n);
  const half = max - center > center - min ? max - center : center - min;
  let shift = 0;
  while (1n << BigInt(shift) < half) shift++;
  if (shift > LOGIT_DESIGN_BITS) {
    return { refusal: `its declared range [${min}, ${max}] spans more than 2^${LOGIT_DESIGN_BITS + 1} stored units, beyond the ${LOGIT_DESIGN_BITS}-bit exact standardisation; declare a narrower range, or round the column to fewer decimals` };
  }
  return { center, shift };
}

/** The names of the output columns, in order, for d = k + 1 coefficients. */
export function logitOutputNames(d: number): { beta: string[]; g: string[]; h: string[][] } {
  const h = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (__, j) => (i <= j ? `h_${i}_${j}` : `h_${j}_${i}`)));
  return { beta: Array.from({ length: d }, (_, j) => `beta_${j}`), g: Array.from({ length: d }, (_, j) => `g_${j}`), h };
}

export function checkLogit(node: LogitNode, path: string, input: CheckedTable, disclosures: Disclosure[]): CheckedLogit {
  const columns = input.type.columns;
  const find = (name: string, at: string): ColumnFacts => {
    const c = columns.find((x) => x.name === name);
    if (!c) throw new PlanError(at, `the input of this logit has no column '${name}' (it has ${columns.map((x) => x.name).join(', ') || 'no columns'})`);
    if (c.nullable) throw new PlanError(at, `column '${name}' is nullable: a logit needs complete rows; filter the nulls out (obliviously) and fill them first, as the SDK's logit() does`);
    return c;
  };
  const response = find(node.y, `${path}/y`);
  if (!(response.kind === 'boolean' || (response.kind === 'integer' && response.min >= 0n && response.max <= 1n))) {
    throw new PlanError(`${path}/y`, `the response '${node.y}' is ${describeFacts(response)} declared in [${response.min}, ${response.max}]: a logistic regression's response is 0/1 (a boolean, or an integer declared within [0, 1]); derive one, e.g. col('${node.y}').eq(...)`);
  }
  const predictors = node.x.map((name, i): LogitPredictor => {
    const facts = find(name, `${path}/x/${i}`);
    if (facts.kind !== 'integer' && facts.kind !== 'decimal' && facts.kind !== 'boolean') {
      throw new PlanError(`${path}/x/${i}`, `the predictor '${name}' is a ${describeFacts(facts)} column: predictors are integer, decimal or boolean columns (the SDK dummy codes a category)`);
    }
    const s = logitStandardisation(facts.min, facts.max);
    if ('refusal' in s) throw new PlanError(`${path}/x/${i}`, `the predictor '${name}' cannot enter: ${s.refusal}`);
    return { facts, ...s };
  });
  const rows = input.type.maxRows;
  const d = predictors.length + 1;
  if (rows === 0) throw new PlanError(`${path}/input`, 'the input of this logit has no rows: there is nothing to fit');
  if (rows <= d) throw new PlanError(`${path}/input`, `the input has at most ${rows} row${rows === 1 ? '' : 's'} for ${d} coefficients: a logistic regression needs more rows than coefficients`);
  if (rows > LOGIT_MAX_ROWS) throw new PlanError(`${path}/input`, `a logit fits at most ${LOGIT_MAX_ROWS} rows at a time (the gradient's sums must fit the 64-bit ring at 2^-40 resolution), the input may have ${rows}; fit a sample or filter first`);
  const fixed = (name: string): ColumnFacts => ({ name, kind: 'integer', scale: 0, min: -FIXED_LIMIT, max: FIXED_LIMIT, nullable: false });
  const names = logitOutputNames(d);
  const upper = names.h.flatMap((row, i) => row.slice(i));
  const group = node.by !== undefined ? checkLogitGroups(node.by, input, d, path) : undefined;
  if (node.by !== undefined && ['n', 'y_sum', 'twice_loglik', 'converged', ...names.beta, ...names.g, ...upper].includes(node.by)) {
    throw new PlanError(`${path}/by`, `the group column '${node.by}' has the name of an output of the logit; rename it first`);
  }
  const state: TableType = {
    columns: [
      ...(group ? [group.key.column] : []),
      { name: 'n', kind: 'integer', scale: 0, min: 0n, max: BigInt(rows), nullable: false },
      { name: 'y_sum', kind: 'integer', scale: 0, min: 0n, max: BigInt(rows), nullable: false },
      ...names.beta.map(fixed),
      ...names.g.map(fixed),
      ...upper.map(fixed),
      fixed('twice_loglik'),
      { name: 'converged', kind: 'boolean', scale: 0, min: 0n, max: 1n, nullable: false },
    ],
    maxRows: group ? group.width : 1,
  };
  const model = node.model === true;
  const type = model ? logitModelType(predictors, path) : state;
  if (model) {
    disclosures.push({ path, what: `one bit: whether the fit converged with Σ|β_j| below 2^9 in standardised units (else the plan fails and nothing is stored); the ${d} coefficients stay secret in a one-row model table (plan/logit-model.ts)` });
  } else disclosures.push({
    path,
    what: `nothing while it runs (${node.iterations ?? DEFAULT_LOGIT_ITERATIONS} Newton steps inside MPC, iterates secret); ${group ? `one row per declared group of '${node.by}' (${group.width}, empty ones included), each fitted on its rows alone; each row holds` : 'its row holds'} the final β, gradient g and information matrix H (standardised units, 2^-24 fixed point), the log-likelihood, the row count, Σ${node.y}, and the convergence bit`,
  });
  return { op: 'logit', path, input, response, predictors, iterations: node.iterations ?? DEFAULT_LOGIT_ITERATIONS, model, type, ...(group ? { group } : {}) };
}
