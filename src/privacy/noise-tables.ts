/**
 * The public tables the MPC noise sampler (mpc/protocols/noise-sampler.ts) compares jointly random
 * uniform 64-bit words U against. A comparison [U < T] is a Bernoulli bit with P(1) = T / 2^64
 * exactly, so a table fixes the sampled distribution exactly; this module builds the tables and
 * bounds how far that distribution is from the ideal one (docs/statistics.md, "Differential
 * privacy", has the proof sketch).
 *
 * Discrete Laplace with parameter a = exp(−ε/Δ): the difference G − G' of two independent
 * geometric variables P(G = g) = (1 − a)·a^g. A geometric variable's binary digits are
 * independent Bernoulli bits: P(bit j = 1) = a^(2^j) / (1 + a^(2^j)) (the product over j of
 * those factors is (1 − a)·a^g for g = Σ 2^j·bit_j). So G = Σ_{j<L} 2^j·[U_j < T_j] with one
 * uniform word per bit; keeping L bits conditions G on G < 2^L, a total-variation change of
 * a^(2^L) ≤ 2^-42. 2L comparisons per cell, L ≈ log2(29·Δ/ε).
 *
 * Discrete Gaussian with variance parameter σ² (P(x) ∝ exp(−x²/2σ²)): |X| by inverse CDF on one
 * uniform word, |X| = #{k ≤ M : U < T_k} with T_k = ⌊2^64·P(|X| ≥ k)⌋ (decreasing, so
 * P(|X| ≥ k) = T_k / 2^64), and a sign from one more shared random bit. The zero point needs no
 * care: ±0 are the same value, so P(0) = P(|X| = 0) and P(±x) = P(|X| = x)/2, exactly the
 * symmetric pmf. M is the smallest with P(|X| > M) ≤ 2^-41. M ≈ 7.6σ comparisons per cell.
 *
 * Each threshold is ⌊2^64·p⌋ of a p computed with error far below 2^-64 (privacy/exact-real.ts),
 * so each differs from the exact floor by at most 1: 2^-63 per threshold in probability. The
 * bound `tv` adds the truncation and these errors; it is below 2^-40 per cell.
 */

import { divFixed, expNegFixed, fixedOf, FRACTION_BITS, mulFixed, ONE, toNumber } from './exact-real.js';

export const MECHANISMS = ['laplace', 'gaussian'] as const;
export type Mechanism = (typeof MECHANISMS)[number];

/** One uniform word per draw, compared with each threshold; the cell's noise is Σ coefficient·[U < T]. */
export interface NoiseDraw {
  readonly thresholds: readonly bigint[];
  readonly coefficients: readonly bigint[];
}

export interface NoiseTable {
  readonly mechanism: Mechanism;
  readonly draws: readonly NoiseDraw[];
  /** The noise is the draws' sum times a uniform sign (one more shared random bit per cell). */
  readonly signed: boolean;
  /** Every noise value lies in [−bound, bound]. */
  readonly bound: bigint;
  /** Comparisons per cell. */
  readonly comparisons: number;
  /** Upper bound of the total-variation distance between one cell's sampled noise and the ideal distribution. */
  readonly tv: number;
  /** The ideal distribution's standard deviation (stored units). */
  readonly standardDeviation: number;
}

/** The truncated tail stays below 2^-TAIL_BITS (2^-41 for the Gaussian, 2·2^-42 for Laplace's two geometrics). */
const TAIL_BITS = 41n;
/** A Gaussian table longer than this is refused (the plan checker says what to change). */
export const MAX_GAUSSIAN_THRESHOLDS = 1 << 16;

const TO_WORD = FRACTION_BITS - 64n;

/** ⌊2^64·p⌋ for a fixed-point probability p < 1. */
function threshold(p: bigint): bigint {
  const t = p >> TO_WORD;
  return t >= 1n << 64n ? (1n << 64n) - 1n : t;
}

/**
 * Discrete Laplace noise for sensitivity Δ at privacy loss ε = numerator/denominator:
 * a = exp(−ε/Δ) = exp(−numerator / (denominator·Δ)).
 */
export function laplaceTable(numerator: bigint, denominator: bigint): NoiseTable {
  const x = fixedOf(numerator, denominator);
  const a = expNegFixed(x);
  const negligible = ONE >> (TAIL_BITS + 1n);
  const plus: NoiseDraw[] = [];
  const minus: NoiseDraw[] = [];
  let power = a; // a^(2^j)
  let j = 0n;
  while (power > negligible) {
    const t = threshold(divFixed(power, ONE + power));
    if (t > 0n) {
      plus.push({ thresholds: [t], coefficients: [1n << j] });
      minus.push({ thresholds: [t], coefficients: [-(1n << j)] });
    }
    power = mulFixed(power, power);
    j += 1n;
  }
  const bits = Number(j);
  const ratio = toNumber(a);
  return {
    mechanism: 'laplace',
    draws: [...plus, ...minus],
    signed: false,
    bound: (1n << j) - 1n,
    comparisons: plus.length + minus.length,
    tv: 2 * (toNumber(power) + bits * 2 ** -63),
    standardDeviation: Math.sqrt(2 * ratio) / (1 - ratio),
  };
}

/**
 * Discrete Gaussian noise with 1/(2σ²) = numerator/denominator (P(x) ∝ exp(−x²·numerator/denominator)).
 * Refused (RangeError with the length) beyond MAX_GAUSSIAN_THRESHOLDS thresholds per cell.
 */
export function gaussianTable(numerator: bigint, denominator: bigint): NoiseTable {
  const sigma = Math.sqrt(Number(denominator) / Number(numerator) / 2);
  const estimate = Math.ceil(7.6 * sigma) + 2;
  if (estimate > MAX_GAUSSIAN_THRESHOLDS) throw new RangeError(`a discrete Gaussian of σ ≈ ${sigma.toPrecision(4)} needs about ${estimate} comparisons per cell (at most ${MAX_GAUSSIAN_THRESHOLDS})`);
  const q = expNegFixed(fixedOf(numerator, denominator));
  const q2 = mulFixed(q, q);
  // w_x = exp(−x²/2σ²) by w_{x+1} = w_x·q^(2x+1): one multiplication of each kind per step.
  const weights: bigint[] = [ONE];
  let step = q;
  for (let w = mulFixed(ONE, step); w > 0n; w = mulFixed(w, step)) {
    weights.push(w);
    step = mulFixed(step, q2);
  }
  // tails[k] = Σ_{x ≥ k} w_x; P(|X| ≥ k) = 2·tails[k] / Z for k ≥ 1, Z = w_0 + 2·tails[1].
  const tails = new Array<bigint>(weights.length + 1).fill(0n);
  for (let x = weights.length - 1; x >= 0; x--) tails[x] = tails[x + 1] + weights[x];
  const z = weights[0] + 2n * (tails[1] ?? 0n);
  const survival = (k: number): bigint => divFixed(2n * (tails[k] ?? 0n), z);
  const negligible = ONE >> TAIL_BITS;
  const thresholds: bigint[] = [];
  let m = 0;
  while (survival(m + 1) > negligible) {
    m += 1;
    thresholds.push(threshold(survival(m)));
  }
  const kept = thresholds.filter((t) => t > 0n);
  return {
    mechanism: 'gaussian',
    draws: [{ thresholds: kept, coefficients: kept.map(() => 1n) }],
    signed: true,
    bound: BigInt(m),
    comparisons: kept.length,
    tv: toNumber(survival(m + 1)) + (m + 1) * 2 ** -63,
    standardDeviation: sigma,
  };
}

/** The pmf of the noise a table samples, value → probability (in doubles: for tests and reports). */
export function sampledPmf(table: NoiseTable): Map<number, number> {
  let pmf = new Map<number, number>([[0, 1]]);
  for (const draw of table.draws) {
    // One uniform word: the sum of coefficients of thresholds above U; thresholds are decreasing within a draw.
    const outcomes = new Map<number, number>();
    const sorted = draw.thresholds.map((t, i) => ({ t, c: draw.coefficients[i] })).sort((x, y) => (x.t > y.t ? -1 : x.t < y.t ? 1 : 0));
    let previous = 1n << 64n;
    let value = 0n;
    // Thresholds sorted down, t_1 ≥ t_2 ≥ …: U in [t_(k+1), t_k) is below t_1..t_k, so the draw is c_1 + … + c_k.
    const levels: { p: number; v: bigint }[] = [];
    for (const { t, c } of sorted) {
      levels.push({ p: Number(previous - t) / 2 ** 64, v: value });
      value += c;
      previous = t;
    }
    levels.push({ p: Number(previous) / 2 ** 64, v: value });
    for (const { p, v } of levels) if (p > 0) outcomes.set(Number(v), (outcomes.get(Number(v)) ?? 0) + p);
    const next = new Map<number, number>();
    for (const [x, px] of pmf) for (const [y, py] of outcomes) next.set(x + y, (next.get(x + y) ?? 0) + px * py);
    pmf = next;
  }
  if (table.signed) {
    const symmetric = new Map<number, number>();
    for (const [x, p] of pmf) {
      if (x === 0) symmetric.set(0, (symmetric.get(0) ?? 0) + p);
      else {
        symmetric.set(x, (symmetric.get(x) ?? 0) + p / 2);
        symmetric.set(-x, (symmetric.get(-x) ?? 0) + p / 2);
      }
    }
    pmf = symmetric;
  }
  return pmf;
}
