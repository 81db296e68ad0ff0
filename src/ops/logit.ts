/**
 * logit (plan/check-logit.ts): logistic regression by Newton's method (IRLS) inside MPC, on the
 * whole table or, with `by`, one fit per declared group (G of them, ops/logit-groups.ts): ONE
 * path, a G-batched fit whose whole-table case is G = 1. Every iterate stays secret; each fit's
 * result row holds its last β, the gradient g and information matrix H there, twice the
 * log-likelihood there, n, Σy and a convergence bit, for the recipient to take one exact
 * float64 Newton step from (stats/logit-fit.ts).
 *
 * The rows of fit g: a 0/1 mask e_g (a group's indicator; the secret validity of a single fit;
 * none when every row is valid). X_g = e_g ⊙ X (G (d − 1) exact products once, the intercept
 * e_g 2^16 local), held by columns (Gd vectors of n), so η = Σ_g X_g β_g is one reshare per row
 * (protocols/column-combination.ts; a row's η uses its own group's β: the other terms are
 * exactly 0) and the G gradients X_gᵀ(y − p) one batch of inner products. H_g = Σ_r u_r w_g,r: with one fit the pairwise products u come
 * from the masked design (its mask then sits in every product for free) and w_g = w; with
 * G > 1 they come from the unmasked design and w_g = e_g·w (G n products, one round, per
 * iteration: G d² n products once would hold G times the products in memory). The small
 * solves and the convergence bits run for all G in one batch (fixmath/spd-solve.ts,
 * newton-schulz.ts with `groups`): the rounds of one fit, the per-output bytes G times.
 * Nothing in one group's computation reaches another's rows; a group with no rows, too few or
 * separated classes gets a meaningless state of its own that the recipient refuses.
 *
 * Design: z_j = (x_j − c_j) 2^(16 − k_j) (plan/check-logit.ts: exact, |z| ≤ 2^16), the intercept
 * 2^16, all times the mask (so a row outside a fit adds nothing to its g or H). Per iteration,
 * with β at F = 24 fraction bits (per fit g where it says g):
 *   η = Xβ                               one reshare per row (column by column), one truncation
 *   p = σ(η), q = σ(−η)                  logit-probabilities.ts (relative precision) in the last
 *                                        LOGIT_PRECISE_ITERATIONS; before them (but at β = 0) the
 *                                        rough p of the piecewise sigmoid, q = 1 − p (absolute
 *                                        2.4e-4: the iterates only need to come near the fit)
 *   y − p = y(p + q) − p                 exact in y (an integer)
 *   g = Xᵀ(y − p), H = Xᵀ diag(pq) X     inner products (one reshare per output; local terms in
 *                                        WebAssembly, protocols/inner-products.ts), one truncation;
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
 * Convergence bit: every |Δ_j| of the fit's last step below LOGIT_TOLERANCE (2Gd comparisons, a
 * count per fit, G more comparisons). After the last iteration: 2 log L and Σy per fit
 * (logit-loglik.ts), side by side with the convergence bits (fixmath/parallel.ts).
 *
 * Rounds per iteration: about 65 with the precise probabilities, 28 with the rough ones (η 3,
 * probabilities 55 or 20, g and H 4; only g and H at β = 0, where p = q = 1/2 are public, when
 * more iterations follow), plus d × 30 for the first solve and 2 × 6 + 3 = 15 for every later
 * step (measured in-thread at 2,000 × 10, test/ops/logit.test.ts: 846 rounds for ten iterations).
 * Bytes per party: once 8 per row and pair of predictors (the integer products; 21.3 split),
 * then per iteration about 355 n (precise) or 152 n (rough) + 8 (d + d²), plus 64 d² + 16 d per
 * later step (measured: 4.8 MB at 2,000 × 10, 226.8 MB at 100,000 × 10). With G groups add the
 * indicators (~10 rounds once), the masked design (1 round,
 * 8 G (d − 1) bytes per row once) and e_g·w (1 round and 8 G bytes per row per iteration after
 * β = 0); the per-output bytes G times (plan/cost-logit.ts).
 */

import { ModelFitError } from '../errors.js';
import { mul } from '../mpc/protocols/arith.js';
import { combineColumns } from '../mpc/protocols/column-combination.js';
import { innerProducts } from '../mpc/protocols/inner-products.js';
import { ltz } from '../mpc/protocols/compare.js';
import { bitInject } from '../mpc/protocols/convert.js';
import { matVecTrunc, refineInverse, roughInverseSpd } from '../mpc/protocols/fixmath/index.js';
import { mulMany, mulTruncMany, truncShare } from '../mpc/protocols/fixmath/ops.js';
import { parallel } from '../mpc/protocols/fixmath/parallel.js';
import type { Session } from '../mpc/session.js';
import { AShare, addA, concatA, scaleA, splitA, subA, sumA } from '../mpc/shares.js';
import { addConstA, publicA } from '../mpc/sharing.js';
import { LOGIT_DESIGN_BITS, LOGIT_FRACTION_BITS, LOGIT_TOLERANCE, type CheckedLogit } from '../plan/check-logit.js';
import { SecretTable, ALL_VALID, type SecretColumn } from '../secret/secret-table.js';
import { columnSchemaOf } from './column-schema.js';
import { groupMasks, groupsOutput } from './logit-groups.js';
import { designProducts, information, integerProductBits, symmetricFromUpper, upperPairs } from './logit-information.js';
import { twiceLogLikelihoods } from './logit-loglik.js';
import { logitModelTable } from './logit-model.js';
import { LOGIT_PRECISE_ITERATIONS, LOGIT_ROUGH_BITS, probabilities, roughResidualAndWeight } from './logit-probabilities.js';

const FX = LOGIT_DESIGN_BITS;
const F = LOGIT_FRACTION_BITS;
/** Smallest Newton pivot declared to the solve: H's Schur complements below it stop the fit converging (the recipient reports it). */
export const LOGIT_PIVOT_MIN = 2 ** -12;
/** Newton–Schulz steps that carry the previous iteration's H⁻¹ over to the current H (residual E → E^(2^k)). */
export const LOGIT_INVERSE_REFINEMENTS = 2;

export async function logit(s: Session, node: CheckedLogit, table: SecretTable): Promise<SecretTable> {
  const n = table.rows;
  const d = node.predictors.length + 1;
  const G = node.group?.width ?? 1;
  if (n === 0 && node.model) throw new ModelFitError('too-few-rows', 'the input of this logistic model has no rows: there is nothing to fit, and nothing was stored');
  if (n === 0) return output(s, node, new Array(node.type.columns.length - (node.group ? 1 : 0)).fill(null).map(() => AShare.zeros(G)));
  // The rows of each fit: a group's indicators (0 where not valid), a single fit's secret validity, or every row.
  const masks = node.group ? await groupMasks(s, node, table) : table.validity.kind === 'secret' ? [table.validity.share] : undefined;
  // The design as integers x − c (stored units, |x − c| ≤ 2^k), then X_g = e_g ⊙ X, the intercept e_g itself.
  const shifts = [0, ...node.predictors.map((x) => x.shift)];
  const integers: AShare[] = [publicA(s.me, new BigUint64Array(n).fill(1n)), ...node.predictors.map((x) => addConstA(s.me, table.column(x.facts.name).values, -x.center))];
  const masked = masks ? await maskDesign(s, masks, integers) : [integers];
  const scaled = (columns: readonly AShare[]): AShare[] => columns.map((x, j) => scaleA(x, 1n << BigInt(FX - shifts[j])));
  const columns = masked.flatMap(scaled); // G d columns of n rows: X_g by columns, fit by fit
  const y = table.column(node.response.name).values;
  const pivotMax = Math.max(1, node.input.type.maxRows / 4);
  // One fit's products come from its masked design, G fits' from the unmasked one with masked weights (the header).
  const productColumns = G === 1 ? masked[0] : integers;
  const products = await designProducts(s, { scaled: G === 1 ? columns : scaled(productColumns), integers: productColumns, shifts, fx: FX }, integerProductBits(shifts, Math.max(n, node.input.type.maxRows), F));
  const weightsOf = async (w: AShare): Promise<AShare[]> => (G === 1 ? [w] : mulMany(s, masks!.map((e) => [e, w] as const)));

  let beta = AShare.zeros(G * d);
  let step: AShare | undefined;
  let g = AShare.zeros(G * d), upper = AShare.zeros(G * upperPairs(d).length);
  let last: { eta: AShare; minusSign: AShare; e: AShare } | undefined;
  let inverse: AShare | undefined;
  for (let it = 0; it < node.iterations; it++) {
    let residual: AShare, weights: AShare[];
    if (it === 0 && node.iterations > 1) {
      // β = 0 is public, and so are p = q = σ(0) = 1/2 and pq = 1/4, exactly: no probabilities
      // (a row outside a fit has z = 0 there and adds nothing whatever its residual).
      residual = addConstA(s.me, scaleA(y, 1n << BigInt(F)), -(1n << BigInt(F - 1)));
      weights = G === 1 ? [publicA(s.me, new BigUint64Array(n).fill(1n << BigInt(F - 2)))] : masks!.map((e) => scaleA(e, 1n << BigInt(F - 2)));
    } else if (it < node.iterations - LOGIT_PRECISE_ITERATIONS) {
      // η at LOGIT_ROUGH_BITS (F − 12) fraction bits for the rough sigmoid: the same one truncation, by 12 bits more.
      const eta = await truncShare(s, await combineColumns(s, columns, beta, n), FX + F - LOGIT_ROUGH_BITS);
      const rough = await roughResidualAndWeight(s, y, eta);
      [residual, weights] = [rough.residual, await weightsOf(rough.w)];
    } else {
      const eta = await truncShare(s, await combineColumns(s, columns, beta, n), FX);
      const { p, q, minusSign, e } = await probabilities(s, eta, F);
      const [yp, [pq]] = await parallel(s, (t) => mul(t, y, addA(p, q)), (t) => mulTruncMany(t, [[p, q]], F));
      [residual, weights] = [subA(yp, p), await weightsOf(pq)];
      last = { eta, minusSign, e };
    }
    ({ alongside: g, upper } = await information(s, products, weights, innerProducts(s, columns, [residual]), d, FX));
    if (it < node.iterations - 1 || node.model) {
      const h = symmetricFromUpper(upper, d, G);
      if (!inverse) {
        // A start for H⁻¹ (residual ~1e-2), kept and refined at every later step; refined here
        // too when this step is already one of the precise iterations' (few iterations in all).
        inverse = await roughInverseSpd(s, h, d, { fractionBits: F, pivotMin: LOGIT_PIVOT_MIN, pivotMax }, G);
        if (it >= node.iterations - LOGIT_PRECISE_ITERATIONS) inverse = await refineInverse(s, h, inverse, d, LOGIT_INVERSE_REFINEMENTS, F, G);
      } else {
        inverse = await refineInverse(s, h, inverse, d, LOGIT_INVERSE_REFINEMENTS, F, G);
      }
      step = await matVecTrunc(s, inverse, g, d, F, G);
      beta = addA(beta, step);
    }
  }
  if (node.model) return logitModelTable(s, node, beta, step!);
  // The convergence bits (20 rounds) and the log-likelihoods (25) are independent: side by side.
  const lastStep = step;
  const [converged, sums] = await parallel(
    s,
    (t) => (lastStep ? smallSteps(t, lastStep, G, d) : Promise.resolve(AShare.zeros(G))),
    (t) => twiceLogLikelihoods(t, masks, y, last!, F),
  );
  const [loglik, positives] = splitA(sums, [G, G]);
  const counts = masks ? concatA(masks.map((e) => sumA(e))) : publicA(s.me, BigUint64Array.of(BigInt(n)));
  /** Entry `at` of every fit's block of `size` (one output column, G entries). */
  const each = (x: AShare, size: number, at: number): AShare => concatA(Array.from({ length: G }, (_, k) => x.slice(k * size + at, k * size + at + 1)));
  const m = upperPairs(d).length;
  return output(s, node, [
    counts,
    positives,
    ...Array.from({ length: d }, (_, j) => each(beta, d, j)),
    ...Array.from({ length: d }, (_, j) => each(g, d, j)),
    ...Array.from({ length: m }, (_, t) => each(upper, m, t)),
    loglik,
    converged,
  ]);
}

/** X_g = e_g ⊙ X for every mask, by fit: the intercept (column 0, the constant 1) is e_g itself, the others one product each. */
async function maskDesign(s: Session, masks: readonly AShare[], integers: readonly AShare[]): Promise<AShare[][]> {
  const d = integers.length;
  const products = await mulMany(s, masks.flatMap((e) => integers.slice(1).map((x) => [e, x] as const)));
  return masks.map((e, g) => [e, ...products.slice(g * (d - 1), (g + 1) * (d - 1))]);
}

/** Per fit, 1 when every |Δ_j| of its step is below LOGIT_TOLERANCE, else 0 (arithmetic shares of one bit each). */
async function smallSteps(s: Session, step: AShare, G: number, d: number): Promise<AShare> {
  const tol = BigInt(Math.round(LOGIT_TOLERANCE * 2 ** F));
  // [tol − Δ < 0] or [tol + Δ < 0]: Δ_j outside (−tol, tol).
  const outside = await bitInject(s, await ltz(s, concatA([addConstA(s.me, scaleA(step, -1n), tol), addConstA(s.me, step, tol)])));
  const counts = concatA(Array.from({ length: G }, (_, k) => addA(sumA(outside.slice(k * d, (k + 1) * d)), sumA(outside.slice((G + k) * d, (G + k + 1) * d)))));
  return bitInject(s, await ltz(s, addConstA(s.me, counts, -1n)));
}

/** The whole table's one row, or one row per group after its key (ops/logit-groups.ts). */
function output(s: Session, node: CheckedLogit, values: readonly AShare[]): SecretTable {
  if (node.group) return groupsOutput(s, node, values);
  const columns = node.type.columns.map((facts, k): SecretColumn => ({ schema: columnSchemaOf(facts), values: values[k] }));
  return new SecretTable(1, columns, ALL_VALID);
}
