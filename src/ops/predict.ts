/**
 * predict (plan/check-predict.ts): a stored logistic model's coefficients (one secret row) applied
 * to every row of the input, inside MPC.
 *
 *   z_j = (x_j − c_j) 2^(16 − k_j)     the model's standardisation, exact
 *   η   = [2^16, z] · β                one inner product per row (one reshare), EXACT at 2^-40,
 *                                      the standardisation folded into β (predict-eta.ts)
 *   logit: η as it is (equal inputs, equal scores: ranks and ties are exact)
 *   probability: η truncated by 16 (to 2^-24), then σ(η) · 10^6 as decimal(6) by
 *        predict-probability.ts (within 2^-16 relative plus 1.6 units)
 *   class: [η ≥ logit(threshold)] on the exact η, one comparison (p ≥ threshold, no sigmoid)
 *
 * Cost per row and party: the product 8 bytes and 1 round, truncation 13.3 bytes and 3 rounds;
 * the probabilities about 252 bytes and 45 rounds (predict-probability.ts), or the comparison
 * about 40 bytes and 10 rounds. The validity and every input column pass through.
 */

import { ltz } from '../mpc/protocols/compare.js';
import { bitInject } from '../mpc/protocols/convert.js';
import { truncShare } from '../mpc/protocols/fixmath/ops.js';
import type { Session } from '../mpc/session.js';
import { concatA, scaleA, type AShare } from '../mpc/shares.js';
import { addConstA } from '../mpc/sharing.js';
import { LOGIT_DESIGN_BITS } from '../plan/check-logit.js';
import { logitModelBetaName } from '../plan/logit-model.js';
import { PREDICT_LOGIT_BITS, type CheckedPredict } from '../plan/check-predict.js';
import { SecretTable } from '../secret/secret-table.js';
import { columnSchemaOf } from './column-schema.js';
import { linearPredictor } from './predict-eta.js';
import { predictedProbabilities } from './predict-probability.js';

const FX = LOGIT_DESIGN_BITS;

export async function predict(s: Session, node: CheckedPredict, model: SecretTable, table: SecretTable): Promise<SecretTable> {
  if (model.rows !== 1) throw new RangeError(`a stored model holds one row, this one ${model.rows}`);
  const n = table.rows;
  const d = node.terms.length + 1;
  const beta = concatA(Array.from({ length: d }, (_, j) => model.column(logitModelBetaName(j)).values));
  const terms = node.terms.map((t) => ({ values: table.column(t.column.name).values, center: t.predictor.center, shift: t.predictor.shift }));
  const exact = await linearPredictor(s, terms, beta, n);
  const values = node.output === 'logit' ? exact : node.output === 'class' ? await atLeast(s, exact, node.threshold) : await predictedProbabilities(s, await truncShare(s, exact, FX));
  return new SecretTable(n, [...table.columns, { schema: columnSchemaOf(node.as), values }], table.validity);
}

/** [η ≥ log(t / (1 − t))] as 0/1 shares for η at 2^-40: σ is increasing, so this is [σ(η) ≥ t]. */
async function atLeast(s: Session, eta: AShare, threshold: number): Promise<AShare> {
  const cut = BigInt(Math.round(Math.log(threshold / (1 - threshold)) * 2 ** 24)) << BigInt(PREDICT_LOGIT_BITS - 24);
  const below = await bitInject(s, await ltz(s, addConstA(s.me, eta, -cut)));
  return addConstA(s.me, scaleA(below, -1n), 1n);
}
