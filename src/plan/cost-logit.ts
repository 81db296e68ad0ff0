/**
 * Estimated rounds and bytes per party of a logit node (ops/logit.ts), on the whole table or one
 * fit per group of `by` (G fits in the rounds of one: see the end of this comment), from the protocols'
 * documented costs (docs/fixmath.md) and measured in one thread (test/ops/logit.test.ts): per
 * iteration the truncated product η = Xβ (3 rounds, 13.3 bytes per row), then the probabilities:
 * the rough ones in the early iterations (the piecewise sigmoid at 12 fraction bits and w = p(1 − p),
 * one exact product: 17 rounds, ~127 bytes per row) or the precise ones in the last LOGIT_PRECISE_ITERATIONS (54 rounds, ~343 bytes
 * per row: 36-bit comparison, injection, exp, the reciprocal on [1, 2], products; y(p + q) and pq), g and
 * H (1 round, 8 bytes per output) and their truncation (3 rounds, 13.3 bytes per output), H from
 * the design's pairwise products formed once (ops/logit-information.ts: 1 round and 8 bytes per
 * row and pair as integers, or 4 rounds and 21.3 bytes split); after the first iteration a
 * start for H⁻¹ by Gauss–Jordan on [H | I] (fixmath/spd-solve.ts roughInverseSpd: 30 rounds,
 * ~200 bytes per pivot and 16 bytes per product of its 2d³) and M g, after every later one but
 * the last two Newton–Schulz steps and M g
 * (15 rounds, 64 d² + 16 d bytes: fixmath/newton-schulz.ts); then the convergence bit (20 rounds)
 * and 2 log L (25 rounds, 128 bytes per row), side by side. A secret validity masks the design
 * first (1 round, 8 bytes per row and predictor).
 *
 * With G groups: the group indicators once (about 10 rounds: narrow bit decomposition, the
 * indicator tree, injection; ~3 + 8G bytes per row), the design masked by them (1 round,
 * 8 G (d − 1) bytes per row), e_g·w per iteration after β = 0 (1 round, 8 G bytes per row), every
 * per-output cost (g and H, the solves, the refinements, the convergence bits) G times, and the
 * log-likelihoods' per-row product and inner products (8 bytes per row, one round). The rounds
 * do not depend on G.
 */

import type { PlanCost } from './cost.js';
import { LOGIT_FRACTION_BITS, type CheckedLogit } from './check-logit.js';
import { integerProductBits } from '../ops/logit-information.js';
import { LOGIT_PRECISE_ITERATIONS } from '../ops/logit-probabilities.js';

/** Rounds and bytes per row of the precise probabilities and what follows them in an iteration (logit-probabilities.ts). */
const PRECISE = { rounds: 54, bytes: 343 } as const;
/** The same for the rough probabilities (logit-probabilities.ts roughResidualAndWeight). */
const ROUGH = { rounds: 17, bytes: 127 } as const;

export function logitCost(node: CheckedLogit, secretValidity: boolean): PlanCost {
  const n = node.input.type.maxRows;
  const d = node.predictors.length + 1;
  const I = node.iterations;
  const G = node.group?.width ?? 1;
  const grouped = node.group !== undefined;
  // The rows of each fit: the group indicators, or the secret validity of one fit (ops/logit.ts `masks`).
  const masked = grouped || secretValidity;
  const masks = grouped ? { rounds: 10 + 1, bytes: n * (3 + 8 * G + 8 * G * (d - 1)) } : secretValidity ? { rounds: 1, bytes: 8 * (d - 1) * n } : { rounds: 0, bytes: 0 };
  // e_g·w per iteration with G > 1 (not at β = 0, where w is public).
  const weights = G > 1 ? { rounds: 1, bytes: 8 * G * n } : { rounds: 0, bytes: 0 };
  const outputs = G * (d + d * d);
  const iteration = { rounds: 3 + PRECISE.rounds + weights.rounds + 1 + 3, bytes: n * (13.3 + PRECISE.bytes) + weights.bytes + (8 + 13.3) * outputs };
  // At β = 0 (the first of several iterations) p = q = 1/2 are public: no η, probabilities or masked weights.
  const atZero = I > 1 ? { rounds: 3 + PRECISE.rounds + weights.rounds, bytes: n * (13.3 + PRECISE.bytes) + weights.bytes } : { rounds: 0, bytes: 0 };
  // The early iterations (after β = 0, before the last LOGIT_PRECISE_ITERATIONS) take the rough probabilities.
  const rough = Math.max(0, I - 1 - LOGIT_PRECISE_ITERATIONS);
  const roughSaving = { rounds: rough * (PRECISE.rounds - ROUGH.rounds), bytes: rough * n * (PRECISE.bytes - ROUGH.bytes) };
  const integer = integerProductBits([0, ...node.predictors.map((x) => x.shift)], n, LOGIT_FRACTION_BITS) !== undefined;
  const products = { rounds: integer ? 1 : 4, bytes: (integer ? 8 : 21.3) * n * ((d - 1) * d) / 2 };
  // The first step: a start for H⁻¹ (fixmath/spd-solve.ts roughInverseSpd, 30 rounds per pivot), refined
  // first only when that step is already one of the precise iterations', then M g.
  const refineFirst = I <= LOGIT_PRECISE_ITERATIONS;
  const solve = { rounds: 30 * d + 3 + (refineFirst ? 12 : 0) + 3, bytes: G * (200 * d + 16 * d * d * 2 * d + (refineFirst ? 64 * d * d : 0) + 16 * d) };
  const refine = { rounds: 2 * 6 + 3, bytes: G * (64 * d * d + 16 * d) };
  // A model (ops/logit-model.ts) takes the last step too, then one bit from 4d comparisons, instead of 2 log L beside the convergence bits.
  const stepCount = node.model ? I : I - 1;
  const steps = stepCount > 0 ? { rounds: solve.rounds + (stepCount - 1) * refine.rounds, bytes: solve.bytes + (stepCount - 1) * refine.bytes } : { rounds: 0, bytes: 0 };
  const tail = node.model ? { rounds: 25, bytes: 160 * d } : { rounds: 25 + (masked ? 1 : 0), bytes: G * 80 * d + n * (128 + (masked ? 8 : 0)) + 16 * G };
  const rounds = masks.rounds + products.rounds - atZero.rounds - roughSaving.rounds + I * iteration.rounds + steps.rounds + tail.rounds;
  const bytes = masks.bytes + products.bytes - atZero.bytes - roughSaving.bytes + I * iteration.bytes + steps.bytes + tail.bytes;
  return { rounds, bytesPerParty: Math.round(bytes) };
}
