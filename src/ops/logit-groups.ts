/**
 * logit with `by` (plan/check-logit-groups.ts): one logistic regression per declared group, all
 * G fits in the Newton rounds of one (ops/logit.ts describes the single fit this follows step by
 * step). Each group's fit sees only its rows: a row's contributions to group g's gradient and
 * information matrix are multiplied by its secret indicator e_g = [group = g]
 * (mpc/oblivious/group-indicators.ts; 0 for every g on a row that is not valid), so
 *
 *   masked design  X_g = e_g ⊙ X            G(d − 1) exact products once (e_g is 0/1), the
 *                                           intercept column e_g 2^16 local; by rows n × Gd
 *   η = Σ_g X_g β_g                         one matrix product: a row's η uses its own group's β
 *                                           (the other groups' terms are exactly 0)
 *   p, q, y − p, pq                         per row, as for one fit
 *   g_g = X_gᵀ(y − p)                       one matrix product for all groups
 *   H_g = Σ_r u_r (e_g pq)_r                the design's pairwise products u formed once, unmasked
 *                                           (ops/logit-information.ts), against the n × G matrix
 *                                           of e_g·pq: G n products per iteration (1 round)
 *   steps                                   the G small solves batched (ops/logit-group-solve.ts)
 *
 * then per group the convergence bit and 2 log L = Σ_r e_g (2yη − η + a − 2 log1p(e)) (the
 * terms of ops/logit-loglik.ts), n_g = Σ e_g and Σ_g y. Rounds: those of one fit plus one per
 * iteration (e_g·pq) and about 10 once (the indicators); bytes: the single fit's per-row costs
 * (η, probabilities) once, the per-output costs G times, plus 8 G n per iteration and about
 * 8 G d n once. A group with no or too few rows, or separated, gets a meaningless state of its
 * own that its opened n, Σy, H and convergence bit make the recipient refuse; nothing in one
 * group's computation reaches another's rows.
 *
 * Output: one row per declared group, its key as a public constant (as a one-hot group-by's),
 * then the single fit's columns.
 */

import { matmul, mul } from '../mpc/protocols/arith.js';
import { ltz } from '../mpc/protocols/compare.js';
import { bitInject } from '../mpc/protocols/convert.js';
import { innerProducts } from '../mpc/protocols/inner-products.js';
import { mulMany, mulTruncMany, truncShare } from '../mpc/protocols/fixmath/ops.js';
import { parallel } from '../mpc/protocols/fixmath/parallel.js';
import { groupIndicators } from '../mpc/oblivious/group-indicators.js';
import type { Session } from '../mpc/session.js';
import { AShare, addA, concatA, scaleA, splitA, subA, sumA, transposeA } from '../mpc/shares.js';
import { addConstA, publicA } from '../mpc/sharing.js';
import { LOGIT_DESIGN_BITS, LOGIT_FRACTION_BITS, LOGIT_TOLERANCE, type CheckedLogit } from '../plan/check-logit.js';
import { bitLength } from '../plan/sort-layout.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../secret/secret-table.js';
import { columnSchemaOf } from './column-schema.js';
import { groupIndex, keyValues } from './group-key.js';
import { LOGIT_INVERSE_REFINEMENTS, LOGIT_PIVOT_MIN } from './logit.js';
import { matVecTruncGroups, refineInverseGroups, solveSpdGroups } from './logit-group-solve.js';
import { designProducts, symmetricFromUpper, upperPairs } from './logit-information.js';
import { log1pUnit } from './logit-loglik.js';
import { probabilities } from './logit-probabilities.js';

const FX = LOGIT_DESIGN_BITS;
const F = LOGIT_FRACTION_BITS;

export async function logitGroups(s: Session, node: CheckedLogit, table: SecretTable): Promise<SecretTable> {
  const group = node.group!;
  const G = group.width;
  const n = table.rows;
  const d = node.predictors.length + 1;
  const m = (d * (d + 1)) / 2;
  if (n === 0) return outputTable(s, node, new Array(node.type.columns.length - 1).fill(null).map(() => AShare.zeros(G)));
  const indicators = await groupIndicators(s, await groupIndex(s, [group.key], table, BigInt(G)), G, bitLength(BigInt(G)));
  const columns = [publicA(s.me, new BigUint64Array(n).fill(1n << BigInt(FX))), ...node.predictors.map((x) => scaleA(addConstA(s.me, table.column(x.facts.name).values, -x.center), 1n << BigInt(FX - x.shift)))];
  const y = table.column(node.response.name).values;
  // X_g = e_g ⊙ X by columns (group by group), exact: the intercept's e_g 2^FX is local.
  const masked = await mulMany(s, indicators.flatMap((e) => columns.slice(1).map((z) => [e, z] as const)));
  const byColumns = concatA(indicators.flatMap((e, g) => [scaleA(e, 1n << BigInt(FX)), ...masked.slice(g * (d - 1), (g + 1) * (d - 1))]));
  const byRows = transposeA(byColumns, G * d, n);
  // The split form (logit-information.ts): the integer form's single-product sums would need their own
  // per-group truncation path here; the split form's bound holds for every row count the plan admits.
  const products = await designProducts(s, { scaled: columns, integers: [], shifts: [], fx: FX }, undefined);
  if (products.kind !== 'split') throw new Error('unreachable: designProducts without integer bits is split');
  const pivotMax = Math.max(1, node.input.type.maxRows / 4);
  const identity = BigUint64Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? 1n << BigInt(F) : 0n));

  let beta = AShare.zeros(G * d);
  let step: AShare | undefined;
  let gradient = AShare.zeros(G * d), h = AShare.zeros(G * d * d);
  let last: { eta: AShare; a: AShare; e: AShare } | undefined;
  let inverse: AShare | undefined;
  for (let it = 0; it < node.iterations; it++) {
    let residual: AShare, weights: AShare[];
    if (it === 0 && node.iterations > 1) {
      // β = 0: p = q = 1/2 and pq = 1/4 are public, so e_g·pq is local.
      residual = addConstA(s.me, scaleA(y, 1n << BigInt(F)), -(1n << BigInt(F - 1)));
      weights = indicators.map((e) => scaleA(e, 1n << BigInt(F - 2)));
    } else {
      const eta = await truncShare(s, await matmul(s, byRows, beta, n, G * d, 1), FX);
      const { p, q, a, e } = await probabilities(s, eta, F);
      const [yp, [pq]] = [await mul(s, y, addA(p, q)), await mulTruncMany(s, [[p, q]], F)];
      residual = subA(yp, p);
      weights = splitA(await mul(s, concatA(indicators), concatA(indicators.map(() => pq))), indicators.map(() => n));
      last = { eta, a, e };
    }
    [gradient, h] = await groupInformation(s, products, weights, matmul(s, byColumns, residual, G * d, n, 1), G, d, m);
    if (it < node.iterations - 1) {
      if (!inverse) {
        // [H_g | I | g_g] per group: H_g⁻¹ and the first Newton step, all groups in one elimination.
        const rhs = concatA(Array.from({ length: G * d }, (_, r) => concatA([publicA(s.me, identity.subarray((r % d) * d, (r % d) * d + d)), gradient.slice(r, r + 1)])));
        const solved = await solveSpdGroups(s, h, rhs, G, d, d + 1, { fractionBits: F, pivotMin: LOGIT_PIVOT_MIN, pivotMax });
        const pieces = Array.from({ length: G * d }, (_, r) => solved.slice(r * (d + 1), (r + 1) * (d + 1)));
        inverse = concatA(pieces.map((row) => row.slice(0, d)));
        step = concatA(pieces.map((row) => row.slice(d, d + 1)));
      } else {
        inverse = await refineInverseGroups(s, h, inverse, G, d, LOGIT_INVERSE_REFINEMENTS, F);
        step = await matVecTruncGroups(s, inverse, gradient, G, d, F);
      }
      beta = addA(beta, step);
    }
  }
  const lastStep = step;
  const [converged, loglik] = await parallel(
    s,
    (t) => (lastStep ? smallSteps(t, lastStep, G, d) : Promise.resolve(AShare.zeros(G))),
    (t) => groupLogLikelihoods(t, indicators, y, last!),
  );
  const [twiceLoglik, positives] = [loglik.slice(0, G), loglik.slice(G, 2 * G)];
  const counts = concatA(indicators.map((e) => sumA(e)));
  const perGroup = (x: AShare, at: (g: number) => number): AShare => concatA(Array.from({ length: G }, (_, g) => x.slice(at(g), at(g) + 1)));
  const pairs = upperPairs(d);
  return outputTable(s, node, [
    counts,
    positives,
    ...Array.from({ length: d }, (_, j) => perGroup(beta, (g) => g * d + j)),
    ...Array.from({ length: d }, (_, j) => perGroup(gradient, (g) => g * d + j)),
    ...pairs.map(([i, j]) => perGroup(h, (g) => g * d * d + i * d + j)),
    twiceLoglik,
    converged,
  ]);
}

/**
 * g_g (alongside, fx + f bits) and H_g for every group from the unmasked design products and the
 * masked weights: Σ high·w_g truncated by fx, Σ rest·w_g by 2fx, side by side (as
 * logit-information.ts `information`, with G weight columns instead of one).
 */
async function groupInformation(s: Session, products: { high: AShare; rest: AShare }, weights: readonly AShare[], alongside: Promise<AShare>, G: number, d: number, m: number): Promise<[AShare, AShare]> {
  const n = weights[0].length;
  const w = transposeA(concatA(weights), G, n); // n × G
  const high = matmul(s, products.high, w, m, n, G);
  const rest = matmul(s, products.rest, w, m - d, n, G);
  const [alongsideRaw, highRaw, restRaw] = [await alongside, await high, await rest];
  const [first, second] = await parallel(
    s,
    (t) => truncShare(t, concatA([alongsideRaw, highRaw]), FX),
    (t) => truncShare(t, restRaw, 2 * FX),
  );
  const [gradient, highPart] = splitA(first, [alongsideRaw.length, m * G]);
  // highPart and second are pair-major (pair t, group g at t·G + g); the rest belongs to the pairs after the first d.
  const upper = (g: number): AShare => {
    const out = AShare.zeros(m);
    for (let t = 0; t < m; t++) {
      out.a[t] = highPart.a[t * G + g] + (t >= d ? second.a[(t - d) * G + g] : 0n);
      out.b[t] = highPart.b[t * G + g] + (t >= d ? second.b[(t - d) * G + g] : 0n);
    }
    return out;
  };
  return [gradient, concatA(Array.from({ length: G }, (_, g) => symmetricFromUpper(upper(g), d)))];
}

/** Per group, 1 when every |Δ_j| < LOGIT_TOLERANCE, else 0. */
async function smallSteps(s: Session, step: AShare, G: number, d: number): Promise<AShare> {
  const tol = BigInt(Math.round(LOGIT_TOLERANCE * 2 ** F));
  const outside = await bitInject(s, await ltz(s, concatA([addConstA(s.me, scaleA(step, -1n), tol), addConstA(s.me, step, tol)])));
  const counts = concatA(Array.from({ length: G }, (_, g) => addA(sumA(outside.slice(g * d, (g + 1) * d)), sumA(outside.slice(G * d + g * d, G * d + (g + 1) * d)))));
  return bitInject(s, await ltz(s, addConstA(s.me, counts, -1n)));
}

/** Per group 2 log L (f bits), then per group Σ y: the first G and the last G entries. */
async function groupLogLikelihoods(s: Session, indicators: readonly AShare[], y: AShare, last: { eta: AShare; a: AShare; e: AShare }): Promise<AShare> {
  const [yEta, log1p] = await parallel(s, (t) => mul(t, y, last.eta), (t) => log1pUnit(t, last.e, F));
  // Per row 2 log L_r = 2yη − η + a − 2 log1p(e) (ops/logit-loglik.ts); y·η is exact (y is 0/1).
  const terms = subA(addA(subA(scaleA(yEta, 2n), last.eta), last.a), scaleA(log1p, 2n));
  const sums = await innerProducts(s, indicators, [terms, y]); // group g: [2 log L_g, Σ_g y] at g·2
  const pick = (r: number): AShare => concatA(indicators.map((_, g) => sums.slice(g * 2 + r, g * 2 + r + 1)));
  return concatA([pick(0), pick(1)]);
}

/** G rows: the key as public constants, then `values` (one vector of G per output column). */
function outputTable(s: Session, node: CheckedLogit, values: readonly AShare[]): SecretTable {
  const group = node.group!;
  const keys = Array.from({ length: group.width }, (_, g) => keyValues([group.key], BigInt(g))[0]);
  const keyFacts = node.type.columns[0];
  const key: SecretColumn = {
    schema: columnSchemaOf(keyFacts),
    values: publicA(s.me, BigUint64Array.from(keys, (v) => BigInt.asUintN(64, v ?? 0n))),
    ...(keyFacts.nullable ? { present: publicA(s.me, BigUint64Array.from(keys, (v) => (v === null ? 0n : 1n))) } : {}),
  };
  const columns = node.type.columns.slice(1).map((facts, k): SecretColumn => ({ schema: columnSchemaOf(facts), values: values[k] }));
  return new SecretTable(group.width, [key, ...columns], ALL_VALID);
}

