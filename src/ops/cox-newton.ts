/**
 * The Newton–Raphson iterations of the Cox model (Breslow ties) on secret rows sorted by time,
 * descending (ops/cox.ts prepares them; plan/check-cox.ts proves the bit budget). All values are
 * fixed point with F fraction bits unless said otherwise.
 *
 * Per iteration, with b the standardised coefficients (secret, b₀ = 0):
 *   η = Zb                          one sum of products per row, one truncation
 *   η ← clamp(η, −E, E)             one comparison batch (2n), one product batch: exp's declared
 *                                   range always holds; the rows clamped at the final iterate
 *                                   are counted and [count > 0] is opened (the recipient refuses)
 *   w = exp(η) (· validity)         fixmath exp on [−E, E]
 *   S0, S1_j, S2_jl                 w, w·z_j, w·z_j·z_l (products with truncation), then prefix
 *                                   sums: local on shares. In descending time order the prefix
 *                                   sum at the LAST row of a tie group is the Breslow risk-set sum
 *                                   {t ≥ t_i}; the tie-group event counts D sit on exactly those
 *                                   rows (0 elsewhere), so no broadcast is needed per iteration.
 *   normalise                       S0 by its leading one: v = 2^e exact, S·v < 2^l for every sum
 *                                   (|S1|, |S2| ≤ S0), truncated to F bits: S0' ∈ [1/2, 1)
 *   a = S1'/S0', c = S2'/S0'        one reciprocal on [1/4, 1], products with truncation
 *   g = Σ δz − Σ D·a                 C = Σ δz is computed once; D·a exact (D an integer)
 *   H = Σ D·c − Σ (D·a)aᵀ           inner products over rows: one reshare per entry
 *   Δ = H⁻¹g (solveSpd), b ← b + Δ, converged = [max |Δ_j| < tol]
 * The last iteration computes g and H only (no step): β, g, H are opened and the recipient
 * takes the final Newton step in float64 (stats/cox-fit.ts). The log partial likelihood
 * ℓ(b) = bᵀC − Σ D·log S0 is computed at b = 0 and at the final b, with
 * log S0 = log S0' + (l − F − e)·ln 2 and log S0' a polynomial on [1/2, 1).
 */

import { dot, mul } from '../mpc/protocols/arith.js';
import { ltz } from '../mpc/protocols/compare.js';
import { injectBits, injectLinear } from '../mpc/protocols/inject.js';
import { exp, solveSpd } from '../mpc/protocols/fixmath/index.js';
import { reciprocalOfHalfToOne } from '../mpc/protocols/fixmath/reciprocal.js';
import { parallel } from '../mpc/protocols/fixmath/parallel.js';
import { leadingOne } from '../mpc/protocols/fixmath/normalize.js';
import { fixedConstant, mulTruncMany, productTree, productTrees, sumOfProducts, truncShare } from '../mpc/protocols/fixmath/ops.js';
import { bitLength } from '../mpc/protocols/fixmath/params.js';
import type { Session } from '../mpc/session.js';
import { AShare, addA, concatA, prefixSumA, scaleA, splitA, subA, sumA } from '../mpc/shares.js';
import { addConstA, publicA } from '../mpc/sharing.js';

export interface CoxNewtonParams {
  /** Fraction bits of every fixed-point value. */
  readonly fractionBits: number;
  /** Newton iterations: iterations − 1 steps, then g and H at the last iterate. */
  readonly iterations: number;
  /** E: every row's η = zᵀb is clamped to [−E, E] (the plan's max_log_hazard). */
  readonly etaBound: number;
  /** Every risk-set sum (raw, F fraction bits) is below 2^sumBits. */
  readonly sumBits: number;
  /** Upper bound on H's diagonal (the events' count bound), for the solve's pivots. */
  readonly pivotMax: number;
  /** Lower bound on the solve's pivots. */
  readonly pivotMin: number;
  /** The convergence bit: every |Δ_j| of the last step below this (standardised units). */
  readonly tolerance: number;
}

export interface CoxRows {
  /** The standardised covariates, one share vector per covariate (F fraction bits), rows in descending time. */
  readonly z: readonly AShare[];
  /** δ: 1 on a (valid) event row, else 0 (integer). */
  readonly events: AShare;
  /** D: on the last row of each tie group (descending order), the group's events; 0 elsewhere (integer). */
  readonly tieEvents: AShare;
  /** 0/1 weight of rows that count (validity and complete cases); absent when all do. */
  readonly weight?: AShare;
}

export interface CoxNewtonResult {
  /** Standardised coefficients of the last iterate (F bits). */
  readonly beta: AShare;
  /** Score at beta (F bits). */
  readonly score: AShare;
  /** Information matrix at beta, d × d row-major (F bits). */
  readonly information: AShare;
  /** 1 when the last Newton step was below the tolerance in every coordinate (integer). */
  readonly converged: AShare;
  /** ℓ(0) and ℓ(beta) (F bits). */
  readonly logLikelihood: AShare;
  /** Σ δ (integer). */
  readonly events: AShare;
  /** 1 when some row's η reached ±E at the final iterate (integer). */
  readonly saturated: AShare;
}

/** Pairs (j, l), j ≤ l: the distinct entries of a symmetric d × d matrix. */
export function upperPairs(d: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let j = 0; j < d; j++) for (let l = j; l < d; l++) pairs.push([j, l]);
  return pairs;
}

const repeat = (x: AShare, times: number): AShare => concatA(Array.from({ length: times }, () => x));
const element = (x: AShare, i: number): AShare => x.slice(i, i + 1);

export async function coxNewton(s: Session, rows: CoxRows, p: CoxNewtonParams): Promise<CoxNewtonResult> {
  const F = p.fractionBits;
  const d = rows.z.length;
  const n = rows.events.length;
  const pairs = upperPairs(d);
  // Once: z_j z_l (F bits), C = Σ δ z (exact: δ is an integer), Σ δ and Σ D.
  const zz = await mulTruncMany(s, pairs.map(([j, l]) => [rows.z[j], rows.z[l]] as const), F);
  const constants = await dot(s, concatA([...rows.z, rows.events]), repeat(rows.events, d + 1), n);
  const [c, eventsTotal] = splitA(constants, [d, 1]);

  let beta = AShare.zeros(d);
  let converged = publicA(s.me, BigUint64Array.of(0n));
  let score = AShare.zeros(d), information = AShare.zeros(d * d), clampedRows = AShare.zeros(1);
  const logLikelihoods: AShare[] = [];
  for (let iteration = 0; iteration < p.iterations; iteration++) {
    const last = iteration === p.iterations - 1;
    const sums = await riskSetSums(s, rows, zz, beta, p);
    clampedRows = sums.clamped;
    const normalised = await normalisedRatios(s, sums, d, pairs.length, p, iteration === 0 || last);
    [score, information] = await scoreAndInformation(s, rows.tieEvents, c, normalised, d, pairs, F);
    const solve = (sub: Session): Promise<AShare> => solveSpd(sub, information, score, d, { fractionBits: F, pivotMin: p.pivotMin, pivotMax: p.pivotMax });
    const likelihood = (sub: Session): Promise<AShare> => logLikelihood(sub, beta, c, eventsTotal, rows.tieEvents, normalised, p);
    if (last) {
      logLikelihoods.push(await likelihood(s));
      break;
    }
    // ℓ(0) beside the first solve (independent work: its rounds overlap the solve's).
    let step: AShare;
    if (iteration === 0) {
      const [solved, atZero] = await parallel(s, solve, likelihood);
      step = solved;
      logLikelihoods.push(atZero);
    } else step = await solve(s);
    beta = addA(beta, step);
    // Only the last step's size is opened (as the convergence bit).
    if (iteration === p.iterations - 2) converged = await smallStep(s, step, p);
  }
  // [clamped rows > 0] = [−count < 0].
  const [saturated] = await injectBits(s, [await ltz(s, scaleA(clampedRows, -1n))]);
  return { beta, score, information, converged, logLikelihood: concatA(logLikelihoods), events: eventsTotal, saturated };
}

interface RiskSetSums {
  readonly s0: AShare;
  /** S1_j then S2 over `upperPairs`, each n long. */
  readonly others: AShare[];
  /** How many rows had η clamped (integer, one element). */
  readonly clamped: AShare;
}

async function riskSetSums(s: Session, rows: CoxRows, zz: readonly AShare[], beta: AShare, p: CoxNewtonParams): Promise<RiskSetSums> {
  const F = p.fractionBits;
  const n = rows.events.length;
  const eta = await sumOfProducts(s, rows.z.map((z, j) => [z, repeat(element(beta, j), n)] as const), F);
  // high = [η > E] = [E − η < 0], low = [η < −E] = [η + E < 0]; η + high (E − η) + low (−E − η).
  const bound = fixedConstant(p.etaBound, F);
  const above = addConstA(s.me, scaleA(eta, -1n), bound), below = addConstA(s.me, eta, bound);
  const [flags] = await injectBits(s, [await ltz(s, concatA([above, below]))]);
  const [high, low] = splitA(flags, [n, n]);
  const correction = await mul(s, flags, concatA([above, scaleA(below, -1n)]));
  const [up, down] = splitA(correction, [n, n]);
  const clampedEta = addA(eta, addA(up, down));
  const e = await exp(s, clampedEta, { min: -p.etaBound, max: p.etaBound, fractionBits: F });
  const w = rows.weight ? await mul(s, rows.weight, e) : e;
  const weighted = await mulTruncMany(s, [...rows.z, ...zz].map((x) => [w, x] as const), F);
  return { s0: prefixSumA(w), others: weighted.map(prefixSumA), clamped: sumA(addA(high, low)) };
}

interface NormalisedRatios {
  /** a_j = S1_j/S0, then c_jl = S2_jl/S0 (F bits), each n long. */
  readonly ratios: AShare[];
  /** S0' = S0·2^(F+e−l) in [1/2, 1) (F bits) and e (integer), when asked for. */
  readonly scaled?: AShare;
  readonly exponent?: AShare;
}

async function normalisedRatios(s: Session, sums: RiskSetSums, d: number, pairCount: number, p: CoxNewtonParams, withLog: boolean): Promise<NormalisedRatios> {
  const F = p.fractionBits, l = p.sumBits;
  const eBits = bitLength(BigInt(l - 1));
  const lead = await leadingOne(s, sums.s0, l, false, [{ width: eBits, value: (i) => l - 1 - i }]);
  const factorCombinations = lead.values[0].map((_, j) => ({ terms: [[j, (1n << (1n << BigInt(j))) - 1n] as const], constant: 1n }));
  const exponentCombination = { terms: lead.values[0].map((_, j) => [j, 1n << BigInt(j)] as const) };
  const injected = await injectLinear(s, lead.values[0], [...factorCombinations, exponentCombination]);
  const exponent = injected.pop()!;
  const v = await productTree(s, injected);
  const scaled = await mulTruncMany(s, [sums.s0, ...sums.others].map((x) => [x, v] as const), l - F);
  const [s0, ...others] = scaled;
  const inverse = await inverseOfNormalised(s, s0, F);
  const ratios = await mulTruncMany(s, others.map((x) => [x, inverse] as const), F);
  if (ratios.length !== d + pairCount) throw new RangeError('cox: ratio count');
  return withLog ? { ratios, scaled: s0, exponent } : { ratios };
}

/** Extra fraction bits of the quadratic start's coefficients (10, not 12: F is 24 here). */
const START_BITS = 10;

/**
 * 1/b for b in [1/2, 1] (F bits), already normalised, so reciprocal.ts's own normalisation is
 * skipped: the quadratic minimax start (relative 1.01e-2, coefficients.ts) and two Goldschmidt
 * iterations (relative 1e-4, then 1.1e-8), 13 rounds instead of 36.
 */
function inverseOfNormalised(s: Session, b: AShare, F: number): Promise<AShare> {
  return reciprocalOfHalfToOne(s, b, F, 2, START_BITS);
}

async function scoreAndInformation(s: Session, tieEvents: AShare, c: AShare, r: NormalisedRatios, d: number, pairs: readonly [number, number][], F: number): Promise<[AShare, AShare]> {
  const n = tieEvents.length;
  const a = r.ratios.slice(0, d), second = r.ratios.slice(d);
  // D·a_j exactly (D is an integer count).
  const da = splitA(await mul(s, repeat(tieEvents, d), concatA(a)), a.map(() => n));
  // Σ D·a_j and Σ D·c_jl need no truncation; Σ (D a_j) a_l does.
  const exact = await dot(s, concatA([...da, ...second.map(() => tieEvents)]), concatA([...a.map(() => publicA(s.me, new BigUint64Array(n).fill(1n))), ...second]), n);
  const [sumDa, sumDc] = splitA(exact, [d, pairs.length]);
  const outer = await truncShare(s, await dot(s, concatA(pairs.map(([j]) => da[j])), concatA(pairs.map(([, l]) => a[l])), n), F);
  const score = subA(c, sumDa);
  const upper = subA(sumDc, outer);
  const full = AShare.zeros(d * d);
  pairs.forEach(([j, l], k) => {
    for (const [x, y] of [[j, l], [l, j]]) {
      full.a[x * d + y] = upper.a[k];
      full.b[x * d + y] = upper.b[k];
    }
  });
  return [score, full];
}

/** [every |Δ_j| < tol] as an integer 0/1. */
async function smallStep(s: Session, step: AShare, p: CoxNewtonParams): Promise<AShare> {
  const d = step.length, tol = fixedConstant(p.tolerance, p.fractionBits);
  const tests = concatA([addConstA(s.me, step, -tol), addConstA(s.me, scaleA(step, -1n), -tol)]);
  const [bits] = await injectBits(s, [await ltz(s, tests)]);
  const [all] = await productTrees(s, [splitA(bits, Array.from({ length: 2 * d }, () => 1))]);
  return all;
}

/** Guard bits of ln 2 beyond F (fewer when K = (l − F)ΣD − ΣD·e could be large: K ≤ n·l). */
const LN2_GUARD_MAX = 20;
/** Taylor coefficients of log(1 + y), |y| ≤ 1/3 (degree 14: remainder below 5e-9). */
const LOG_DEGREE = 14;

/** ℓ(b) = bᵀC − Σ D (log S0' + (l − F − e) ln 2). */
async function logLikelihood(s: Session, beta: AShare, c: AShare, eventsTotal: AShare, tieEvents: AShare, r: NormalisedRatios, p: CoxNewtonParams): Promise<AShare> {
  const F = p.fractionBits, n = tieEvents.length;
  const logScaled = await logHalfToOne(s, r.scaled!, F);
  const [linear] = await mulTruncMany(s, [[beta, c]], F);
  const sums = await dot(s, concatA([tieEvents, tieEvents]), concatA([logScaled, r.exponent!]), n);
  const [sumLog, sumExponent] = splitA(sums, [1, 1]);
  // K = (l − F) Σ D − Σ D e, an integer of at most log2(n l) bits; K ln 2 at F bits.
  const k = subA(scaleA(eventsTotal, BigInt(p.sumBits - F)), sumExponent);
  // K·ln 2·2^(F+G) < 2^60: G = 60 − F − bits(n·l), at least 4 (plan/check-cox.ts refuses fewer).
  const guard = Math.min(LN2_GUARD_MAX, 60 - F - bitLength(BigInt(Math.max(n, 1) * p.sumBits)));
  const kLn2 = await truncShare(s, scaleA(k, fixedConstant(Math.LN2, F + guard)), guard);
  return subA(sumA(linear), addA(sumLog, kLn2));
}

/** log u for u in [1/2, 1) (F bits; u slightly outside by rounding is fine): log(3/4) + log(1 + y), y = (4u − 3)/3. */
async function logHalfToOne(s: Session, u: AShare, F: number): Promise<AShare> {
  const n = u.length;
  const y = await truncShare(s, addConstA(s.me, scaleA(u, fixedConstant(4 / 3, F)), -fixedConstant(1, 2 * F)), F);
  // Horner: acc = c_K; acc = c_k + y·acc, k = K−1 … 1; log(1+y) = y·acc.
  let acc = publicA(s.me, new BigUint64Array(n).fill(BigInt.asUintN(64, fixedConstant(taylor(LOG_DEGREE), F))));
  for (let k = LOG_DEGREE - 1; k >= 1; k--) {
    const [product] = await mulTruncMany(s, [[y, acc]], F);
    acc = addConstA(s.me, product, fixedConstant(taylor(k), F));
  }
  const [log1p] = await mulTruncMany(s, [[y, acc]], F);
  return addConstA(s.me, log1p, fixedConstant(Math.log(0.75), F));
}

function taylor(k: number): number {
  return (k % 2 === 1 ? 1 : -1) / k;
}

