/**
 * logit (plan/check-logit.ts): logistic regression by Newton's method (IRLS) inside MPC. Every
 * iterate stays secret; the one-row result holds the last β, the gradient g and information
 * matrix H there, twice the log-likelihood there, n, Σy and a convergence bit, for the recipient
 * to take one exact float64 Newton step from (stats/logit-fit.ts).
 *
 * Design: z_j = (x_j − c_j) 2^(16 − k_j) (plan/check-logit.ts: exact, |z| ≤ 2^16), the intercept
 * 2^16, all times the validity v when it is secret (so a row that is not valid adds nothing to g
 * or H), held both by rows (n × d) and by columns (d × n), a local rearrangement. Per iteration,
 * with β at F = 24 fraction bits:
 *   η = Xβ                               one matrix product, one truncation
 *   p = σ(η), q = σ(−η)                  logit-probabilities.ts (relative precision) in the last
 *                                        LOGIT_PRECISE_ITERATIONS; before them (but at β = 0) the
 *                                        rough p of the piecewise sigmoid, q = 1 − p (absolute
 *                                        2.4e-4: the iterates only need to come near the fit)
 *   y − p = y(p + q) − p                 exact in y (an integer)
 *   g = Xᵀ(y − p), H = Xᵀ diag(pq) X     inner products (one reshare per output), one truncation;
 *                                        H from the design's pairwise products formed once,
 *                                        as exact integers (x_j − c_j)(x_k − c_k) when their sums
 *                                        fit (logit-information.ts), never from x·pq per row
 *   Δ = M g, β += Δ                      not after the last iteration, with M ≈ H⁻¹:
 *     first step: M = H⁻¹ by one Gauss–Jordan elimination of [H | I | g] (fixmath/spd-solve.ts,
 *     d reciprocals in sequence), which also gives the exact Newton step H⁻¹g;
 *     later steps: M carried over from the previous iteration's H to this one by
 *     LOGIT_INVERSE_REFINEMENTS Newton–Schulz steps M ← M(2I − HM) (fixmath/newton-schulz.ts):
 *     the residual I − HM squares at each, so Δ is a Newton step up to a factor I − E with E the
 *     previous change of H to the fourth power (an inexact Newton step: still quadratic near the
 *     fit, where H barely moves). A change of H the refinement cannot follow (H more than doubling
 *     between two iterates) gives steps that do not settle: the convergence bit is 0 and the
 *     recipient refuses the fit (ModelFitError), never a wrong answer, since the recipient's
 *     exact last step is taken from g and H at the opened β whatever path led there.
 * Convergence bit: every |Δ_j| of the last step taken below LOGIT_TOLERANCE (2d comparisons, a
 * count, one more comparison). After the last iteration: 2 log L at β (logit-loglik.ts), side by
 * side with the convergence bit (fixmath/parallel.ts).
 *
 * Rounds per iteration: about 70 with the precise probabilities, 28 with the rough ones (η 3,
 * probabilities 58 or 20, g and H 4; only g and H at β = 0, where p = q = 1/2 are public, when
 * more iterations follow), plus d × 44 for the first solve and 2 × 6 + 3 = 15 for every later
 * step (measured in-thread at 2,000 × 10, test/ops/logit.test.ts: 988 rounds for ten iterations,
 * 1,247 with the precise probabilities throughout). Bytes per party: once 8 per row and pair of
 * predictors (the integer products; 21.3 split), then per iteration about 385 n (precise) or
 * 172 n (rough) + 8 (d + d²), plus 64 d² + 16 d per later step (measured: 5.7 MB at 2,000 × 10,
 * was 9.7 MB).
 */

import { ModelFitError } from '../errors.js';
import { matmul, mul } from '../mpc/protocols/arith.js';
import { ltz } from '../mpc/protocols/compare.js';
import { bitInject } from '../mpc/protocols/convert.js';
import { matVecTrunc, refineInverse, roughInverseSpd } from '../mpc/protocols/fixmath/index.js';
import { mulTruncMany, truncShare } from '../mpc/protocols/fixmath/ops.js';
import { parallel } from '../mpc/protocols/fixmath/parallel.js';
import type { Session } from '../mpc/session.js';
import { AShare, addA, concatA, scaleA, splitA, subA, sumA, transposeA } from '../mpc/shares.js';
import { addConstA, publicA } from '../mpc/sharing.js';
import { LOGIT_DESIGN_BITS, LOGIT_FRACTION_BITS, LOGIT_TOLERANCE, type CheckedLogit } from '../plan/check-logit.js';
import { SecretTable, ALL_VALID, type SecretColumn } from '../secret/secret-table.js';
import { columnSchemaOf } from './column-schema.js';
import { designProducts, information, integerProductBits, symmetricFromUpper } from './logit-information.js';
import { twiceLogLikelihood } from './logit-loglik.js';
import { logitModelTable } from './logit-model.js';
import { LOGIT_PRECISE_ITERATIONS, probabilities, roughResidualAndWeight } from './logit-probabilities.js';

const FX = LOGIT_DESIGN_BITS;
const F = LOGIT_FRACTION_BITS;
/** Smallest Newton pivot declared to the solve: H's Schur complements below it stop the fit converging (the recipient reports it). */
export const LOGIT_PIVOT_MIN = 2 ** -12;
/** Newton–Schulz steps that carry the previous iteration's H⁻¹ over to the current H (residual E → E^(2^k)). */
export const LOGIT_INVERSE_REFINEMENTS = 2;

export async function logit(s: Session, node: CheckedLogit, table: SecretTable): Promise<SecretTable> {
  const n = table.rows;
  const d = node.predictors.length + 1;
  if (n === 0 && node.model) throw new ModelFitError('too-few-rows', 'the input of this logistic model has no rows: there is nothing to fit, and nothing was stored');
  if (n === 0) return outputTable(node, new Array(node.type.columns.length).fill(null).map(() => AShare.zeros(1)));
  const valid = table.validity.kind === 'secret' ? table.validity.share : undefined;
  // The design as integers x − c (stored units, |x − c| ≤ 2^k), times v when the validity is secret.
  const shifts = [0, ...node.predictors.map((x) => x.shift)];
  let integers: AShare[] = [publicA(s.me, new BigUint64Array(n).fill(1n)), ...node.predictors.map((x) => addConstA(s.me, table.column(x.facts.name).values, -x.center))];
  let y = table.column(node.response.name).values;
  if (valid) {
    const masked = splitA(await mul(s, concatA([...integers, y]), concatA(Array.from({ length: d + 1 }, () => valid))), Array.from({ length: d + 1 }, () => n));
    integers = masked.slice(0, d);
    y = masked[d];
  }
  const columns = integers.map((x, j) => scaleA(x, 1n << BigInt(FX - shifts[j])));
  const byColumns = concatA(columns);
  const byRows = transposeA(byColumns, d, n);
  const pivotMax = Math.max(1, node.input.type.maxRows / 4);

  let beta = AShare.zeros(d);
  let step: AShare | undefined;
  let g = AShare.zeros(d), h = AShare.zeros(d * d);
  let last: { eta: AShare; a: AShare; e: AShare } | undefined;
  const products = await designProducts(s, { scaled: columns, integers, shifts, fx: FX }, integerProductBits(shifts, Math.max(n, node.input.type.maxRows), F));
  let inverse: AShare | undefined;
  for (let it = 0; it < node.iterations; it++) {
    let residual: AShare, w: AShare;
    if (it === 0 && node.iterations > 1) {
      // β = 0 is public, and so are p = q = σ(0) = 1/2 and pq = 1/4, exactly: no probabilities
      // (a row that is not valid has z = 0 and adds nothing whatever its residual).
      residual = addConstA(s.me, scaleA(y, 1n << BigInt(F)), -(1n << BigInt(F - 1)));
      w = publicA(s.me, new BigUint64Array(n).fill(1n << BigInt(F - 2)));
    } else if (it < node.iterations - LOGIT_PRECISE_ITERATIONS) {
      const eta = await truncShare(s, await matmul(s, byRows, beta, n, d, 1), FX);
      ({ residual, w } = await roughResidualAndWeight(s, y, eta, F));
    } else {
      const eta = await truncShare(s, await matmul(s, byRows, beta, n, d, 1), FX);
      const { p, q, a, e } = await probabilities(s, eta, F);
      const [yp, [pq]] = await parallel(s, (t) => mul(t, y, addA(p, q)), (t) => mulTruncMany(t, [[p, q]], F));
      [residual, w] = [subA(yp, p), pq];
      last = { eta, a, e };
    }
    const { alongside, upper } = await information(s, products, w, matmul(s, byColumns, residual, d, n, 1), d, FX);
    [g, h] = [alongside, symmetricFromUpper(upper, d)];
    if (it < node.iterations - 1 || node.model) {
      if (!inverse) {
        // A start for H⁻¹ (residual ~1e-2), kept and refined at every later step; refined here
        // too when this step is already one of the precise iterations' (few iterations in all).
        inverse = await roughInverseSpd(s, h, d, { fractionBits: F, pivotMin: LOGIT_PIVOT_MIN, pivotMax });
        if (it >= node.iterations - LOGIT_PRECISE_ITERATIONS) inverse = await refineInverse(s, h, inverse, d, LOGIT_INVERSE_REFINEMENTS, F);
        step = await matVecTrunc(s, inverse, g, d, F);
      } else {
        inverse = await refineInverse(s, h, inverse, d, LOGIT_INVERSE_REFINEMENTS, F);
        step = await matVecTrunc(s, inverse, g, d, F);
      }
      beta = addA(beta, step);
    }
  }
  if (node.model) return logitModelTable(s, node, beta, step!);
  // The convergence bit (20 rounds) and the log-likelihood (25) are independent: side by side.
  const lastStep = step;
  const [converged, loglik] = await parallel(
    s,
    (t) => (lastStep ? smallStep(t, lastStep) : Promise.resolve(AShare.zeros(1))),
    (t) => twiceLogLikelihood(t, y, last!.eta, last!.a, last!.e, valid, F),
  );
  const count = valid ? sumA(valid) : publicA(s.me, BigUint64Array.of(BigInt(n)));
  const upper: AShare[] = [];
  for (let i = 0; i < d; i++) for (let j = i; j < d; j++) upper.push(h.slice(i * d + j, i * d + j + 1));
  const single = (x: AShare, j: number): AShare => x.slice(j, j + 1);
  return outputTable(node, [count, sumA(y), ...Array.from({ length: d }, (_, j) => single(beta, j)), ...Array.from({ length: d }, (_, j) => single(g, j)), ...upper, loglik, converged]);
}

/** 1 when every |Δ_j| < LOGIT_TOLERANCE, else 0 (arithmetic shares of one bit). */
async function smallStep(s: Session, step: AShare): Promise<AShare> {
  const tol = BigInt(Math.round(LOGIT_TOLERANCE * 2 ** F));
  // [tol − Δ < 0] or [tol + Δ < 0]: Δ_j outside (−tol, tol).
  const outside = await bitInject(s, await ltz(s, concatA([addConstA(s.me, scaleA(step, -1n), tol), addConstA(s.me, step, tol)])));
  return bitInject(s, await ltz(s, addConstA(s.me, sumA(outside), -1n)));
}

function outputTable(node: CheckedLogit, values: readonly AShare[]): SecretTable {
  const columns = node.type.columns.map((facts, k): SecretColumn => ({ schema: columnSchemaOf(facts), values: values[k] }));
  return new SecretTable(1, columns, ALL_VALID);
}

