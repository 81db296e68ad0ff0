/**
 * Type checking of a predict node (plan.ts PredictNode): a stored logistic model (a scan of a
 * table plan/logit-model.ts describes) applied to the rows of `input`.
 *
 * Each of the model's predictors must be a column of the input of the same kind (and scale for a
 * decimal), not nullable (fill or filter nulls first). The input's column is standardised with
 * the MODEL's centre and divisor (never its own range), z = (x − c) / 2^k, exact at 16 fraction
 * bits; its declared range may be wider than the one the model was fitted under, within the bit
 * budget: with Σ_j |β_j| < 2^9 (plan/logit-model.ts), |η| ≤ 2^9 max(1, max_j |z_j|) must stay
 * within PREDICT_ETA_LIMIT = 1000, the range the precise sigmoid's exp is declared over
 * (ops/logit-probabilities.ts): each input column's declared range may reach up to 1.95 of the
 * model's half-ranges from its centre; a wider one is refused with the reach that fits.
 *
 * The output: the input's columns and `as`, a decimal(6) probability declared in [−4e-6, 1 + 4e-6] (the sigmoid's error) (`probability`,
 * the default), a boolean [p ≥ threshold] (`class`, threshold 0.5 by default), or the exact
 * log-odds η in units of 2^-40 (`logit`, an integer: equal inputs get equal scores, for ranking),
 * secret; the validity is the input's. Reveals nothing.
 */

import { PlanError } from '../errors.js';
import type { CheckedTable, Disclosure } from './check.js';
import type { LogitPredictor } from './check-logit.js';
import { readLogitModel } from './logit-model.js';
import type { PredictNode } from './plan.js';
import { describeFacts, type ColumnFacts, type TableType } from './types.js';

/** |η| the precise sigmoid is declared for (ops/logit-probabilities.ts LOGIT_EXP_MIN = −1000). */
export const PREDICT_ETA_LIMIT = 1000;
/** Decimal places of a predicted probability. */
export const PREDICT_PROBABILITY_SCALE = 6;
export const DEFAULT_PREDICT_THRESHOLD = 0.5;
/** Fraction bits of the exact log-odds (`output: 'logit'`): β's 24 and z's 16, before any truncation. */
export const PREDICT_LOGIT_BITS = 40;
/** Units of 10^-6 a probability may stray beyond [0, 1]: predict-probability.ts's 1.6 units (PREDICT_PROBABILITY_ERROR), with room. */
export const PREDICT_PROBABILITY_SLACK = 4n;

export interface PredictTerm {
  /** The input column standardised with the model's predictor's centre and divisor. */
  readonly column: ColumnFacts;
  readonly predictor: LogitPredictor;
}

export interface CheckedPredict {
  readonly op: 'predict';
  readonly path: string;
  readonly type: TableType;
  readonly model: CheckedTable;
  readonly input: CheckedTable;
  readonly terms: readonly PredictTerm[];
  readonly output: 'probability' | 'class' | 'logit';
  readonly threshold: number;
  readonly as: ColumnFacts;
}

export function checkPredict(node: PredictNode, path: string, model: CheckedTable, input: CheckedTable, disclosures: Disclosure[]): CheckedPredict {
  if (model.op !== 'scan') throw new PlanError(`${path}/model`, 'the model of a predict is a stored model table read as it is (a scan of all its columns)');
  const facts = readLogitModel(model.type, `${path}/model`);
  const columns = input.type.columns;
  const terms = facts.predictors.map((predictor): PredictTerm => {
    const name = predictor.facts.name;
    const column = columns.find((c) => c.name === name);
    if (!column) throw new PlanError(`${path}/input`, `the model needs the predictor '${name}', which the input lacks (it has ${columns.map((c) => c.name).join(', ') || 'no columns'}); rename or derive it`);
    if (column.kind !== predictor.facts.kind || column.scale !== predictor.facts.scale) {
      throw new PlanError(`${path}/input`, `the predictor '${name}' was fitted as a ${describeFacts(predictor.facts)} column, the input's is a ${describeFacts(column)}: cast it to the model's type first`);
    }
    if (column.nullable) throw new PlanError(`${path}/input`, `the predictor '${name}' is nullable: a prediction needs every predictor; filter or fill the nulls first`);
    return { column, predictor };
  });
  const reach = PREDICT_ETA_LIMIT / facts.betaLimit;
  const wide = terms.find((t) => spread(t.column, t.predictor) > reach);
  if (wide) {
    throw new PlanError(`${path}/input`, `the input's column '${wide.column.name}' is declared in [${wide.column.min}, ${wide.column.max}] (stored units), ${spread(wide.column, wide.predictor)} of the model's half-ranges from its centre ${wide.predictor.center}: beyond ${reach.toFixed(3)}, |η| could leave the sigmoid's bit budget (|η| ≤ ${PREDICT_ETA_LIMIT}); declare a range closer to the one the model was fitted under, or filter the rows`);
  }
  if (columns.some((c) => c.name === node.as)) throw new PlanError(`${path}/as`, `the input already has a column '${node.as}': name the prediction differently`);
  const output = node.output ?? 'probability';
  const logitLimit = BigInt(PREDICT_ETA_LIMIT) << BigInt(PREDICT_LOGIT_BITS);
  const as: ColumnFacts = output === 'probability'
    ? { name: node.as, kind: 'decimal', scale: PREDICT_PROBABILITY_SCALE, min: -PREDICT_PROBABILITY_SLACK, max: 10n ** BigInt(PREDICT_PROBABILITY_SCALE) + PREDICT_PROBABILITY_SLACK, nullable: false }
    : output === 'logit'
      ? { name: node.as, kind: 'integer', scale: 0, min: -logitLimit, max: logitLimit, nullable: false }
      : { name: node.as, kind: 'boolean', scale: 0, min: 0n, max: 1n, nullable: false };
  disclosures.push({ path, what: `nothing: the ${output === 'probability' ? 'probabilities' : output === 'class' ? 'classes' : 'log-odds'} of the model '${model.table.name}' stay secret in column '${node.as}'` });
  return {
    op: 'predict', path, model, input, terms, output, threshold: node.threshold ?? DEFAULT_PREDICT_THRESHOLD, as,
    type: { columns: [...columns, as], maxRows: input.type.maxRows },
  };
}

/** max |x − c| / 2^k over the column's declared range, in the model's standardised units. */
function spread(column: ColumnFacts, p: LogitPredictor): number {
  const below = p.center - column.min, above = column.max - p.center;
  const far = below > above ? below : above;
  return Number(far > 0n ? far : 0n) / 2 ** p.shift;
}
