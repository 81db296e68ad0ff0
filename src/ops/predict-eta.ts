/**
 * η = Σ_j z_j β_j for predict (ops/predict.ts), exact at 2^-40, with the model's standardisation
 * z_j = (x_j − c_j) 2^(16 − k_j) and the intercept's column z_0 = 2^16 folded into the
 * coefficients instead of applied to every row:
 *
 *   η = β'_0 + Σ_{j ≥ 1} x_j β'_j,   β'_j = 2^(16 − k_j) β_j,   β'_0 = 2^16 β_0 − Σ_j c_j β'_j,
 *
 * the same value mod 2^64 (a linear map with public integer coefficients, applied to each share
 * component of the d coefficients: local). The rows are then one inner product each, formed
 * column by column from the stored columns as they are: no standardised copies of the 10 columns
 * and no row-major copy of the design (an earlier version made both: ~4 passes over n d words
 * and their garbage before the product, about as much CPU as the product itself).
 *
 * Cost per row and party: one reshare (1 round, 8 bytes), as the matrix product it replaces.
 */

import type { Session } from '../mpc/session.js';
import { AShare } from '../mpc/shares.js';
import { LOGIT_DESIGN_BITS } from '../plan/check-logit.js';

export interface PredictTerm {
  /** The stored column's shares. */
  readonly values: AShare;
  /** The model's standardisation of this predictor: z = (x − center) / 2^shift. */
  readonly center: bigint;
  readonly shift: number;
}

/** η at 2^-(16 + 24) for every row: `beta` holds the intercept, then one coefficient per term. */
export async function linearPredictor(s: Session, terms: readonly PredictTerm[], beta: AShare, rows: number): Promise<AShare> {
  if (beta.length !== terms.length + 1) throw new RangeError(`${terms.length} predictors need ${terms.length + 1} coefficients, the model has ${beta.length}`);
  const folded = foldStandardisation(terms, beta);
  // This party's 3-out-of-3 share of η: the intercept's (a product with the public 1), then each column's cross terms.
  const z = s.zeroShare(rows);
  addConstant(z, folded.a[0]);
  terms.forEach((t, k) => {
    if (t.values.length !== rows) throw new RangeError(`predictor column of ${t.values.length} rows in a table of ${rows}`);
    addColumnTerms(z, t.values.a, t.values.b, folded.a[k + 1] + folded.b[k + 1], folded.a[k + 1]);
  });
  return new AShare(z, await s.reshare(z));
}

/** β' as above, component by component (mod 2^64). */
function foldStandardisation(terms: readonly PredictTerm[], beta: AShare): AShare {
  const folded = AShare.zeros(beta.length);
  for (const component of ['a', 'b'] as const) {
    const from = beta[component], to = folded[component];
    let intercept = from[0] << BigInt(LOGIT_DESIGN_BITS);
    terms.forEach((t, k) => {
      if (t.shift > LOGIT_DESIGN_BITS || t.shift < 0) throw new RangeError(`a predictor's shift ${t.shift} is outside 0..${LOGIT_DESIGN_BITS}`);
      const scaled = BigInt.asUintN(64, from[k + 1] << BigInt(LOGIT_DESIGN_BITS - t.shift));
      to[k + 1] = scaled;
      intercept -= t.center * scaled;
    });
    to[0] = BigInt.asUintN(64, intercept);
  }
  return folded;
}

/** Its own small loop, so that V8 compiles it on its own. */
function addConstant(z: BigUint64Array, c: bigint): void {
  for (let i = 0; i < z.length; i++) z[i] += c;
}

/** z += xa (ya + yb) + xb ya for one column and its coefficient's components (mod 2^64). */
function addColumnTerms(z: BigUint64Array, xa: BigUint64Array, xb: BigUint64Array, sum: bigint, ya: bigint): void {
  const both = BigInt.asUintN(64, sum);
  for (let i = 0; i < z.length; i++) z[i] += xa[i] * both + xb[i] * ya;
}
