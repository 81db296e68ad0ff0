/**
 * The stored form of a logistic model (plan/logit-model.ts): after the last in-MPC Newton step
 * has been APPLIED (ops/logit.ts with `model`), the final iterate β is kept secret in a one-row
 * table beside its public standardisation. Nothing is opened but one bit, computed inside MPC:
 * the last step Δ was below LOGIT_TOLERANCE in every standardised coordinate AND Σ_j |β_j| is
 * below 2^9 (the bound predict's bit budget relies on). When it is 0 the plan fails at all three
 * nodes alike with ModelFitError, so no model is stored.
 *
 * Cost: 3d comparisons and their injections in one batch, one product, two more comparisons and
 * an opening (about 35 rounds, 140 bytes per coefficient).
 */

import { ModelFitError } from '../errors.js';
import { ltz } from '../mpc/protocols/compare.js';
import { bitInject } from '../mpc/protocols/convert.js';
import { open } from '../mpc/protocols/io.js';
import type { Session } from '../mpc/session.js';
import { mul } from '../mpc/protocols/arith.js';
import { AShare, addA, concatA, scaleA, splitA, subA, sumA } from '../mpc/shares.js';
import { addConstA, publicA } from '../mpc/sharing.js';
import { LOGIT_FRACTION_BITS, LOGIT_TOLERANCE, type CheckedLogit } from '../plan/check-logit.js';
import { LOGIT_MODEL_BETA_LIMIT } from '../plan/logit-model.js';
import { SecretTable, ALL_VALID, type SecretColumn } from '../secret/secret-table.js';
import { columnSchemaOf } from './column-schema.js';

export async function logitModelTable(s: Session, node: CheckedLogit, beta: AShare, lastStep: AShare): Promise<SecretTable> {
  const F = LOGIT_FRACTION_BITS;
  const tolerance = BigInt(Math.round(LOGIT_TOLERANCE * 2 ** F));
  const limit = BigInt(LOGIT_MODEL_BETA_LIMIT) << BigInt(F);
  const d = beta.length;
  // tol ∓ Δ_j < 0 exactly when a step was too large; [β_j < 0] gives |β_j| = β_j − 2 [β_j < 0] β_j.
  const bits = await bitInject(s, await ltz(s, concatA([addConstA(s.me, scaleA(lastStep, -1n), tolerance), addConstA(s.me, lastStep, tolerance), beta])));
  const [outside, negative] = splitA(bits, [2 * d, d]);
  const l1 = sumA(subA(beta, scaleA(await mul(s, negative, beta), 2n)));
  const tooLarge = await bitInject(s, await ltz(s, addConstA(s.me, scaleA(l1, -1n), limit - 1n)));
  const broken = addA(sumA(outside), tooLarge);
  const fine = await bitInject(s, await ltz(s, addConstA(s.me, broken, -1n)));
  const [ok] = await open(s, fine);
  if (ok !== 1n) {
    throw new ModelFitError('not-converged', `the logistic regression did not converge within ${node.iterations} Newton steps to a model whose standardised coefficients sum below ${LOGIT_MODEL_BETA_LIMIT} in absolute value (near separation, or too few iterations): nothing was stored; fit it with .open() to see the state, or raise iterations`);
  }
  const constant = (v: bigint): AShare => publicA(s.me, BigUint64Array.of(BigInt.asUintN(64, v)));
  const values: AShare[] = [constant(BigInt(F)), ...node.predictors.map((p) => constant(p.center)), ...Array.from({ length: node.predictors.length + 1 }, (_, j) => beta.slice(j, j + 1))];
  const columns = node.type.columns.map((facts, k): SecretColumn => ({ schema: columnSchemaOf(facts), values: values[k] }));
  return new SecretTable(1, columns, ALL_VALID);
}
