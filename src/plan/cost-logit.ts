/**
 * Estimated rounds and bytes per party of a logit node (ops/logit.ts), from the protocols'
 * documented costs (docs/fixmath.md) and measured in one thread (test/ops/logit.test.ts): per
 * iteration the truncated product η = Xβ (3 rounds, 13.3 bytes per row), then the probabilities:
 * the rough ones in the early iterations (the piecewise sigmoid and w = p(1 − p): 20 rounds, ~140
 * bytes per row) or the precise ones in the last LOGIT_PRECISE_ITERATIONS (55 rounds, ~357 bytes
 * per row: comparison, injection, exp, the reciprocal on [1, 2], products; y(p + q) and pq), g and
 * H (1 round, 8 bytes per output) and their truncation (3 rounds, 13.3 bytes per output), H from
 * the design's pairwise products formed once (ops/logit-information.ts: 1 round and 8 bytes per
 * row and pair as integers, or 4 rounds and 21.3 bytes split); after the first iteration a
 * start for H⁻¹ by Gauss–Jordan on [H | I] (fixmath/spd-solve.ts roughInverseSpd: 30 rounds,
 * ~200 bytes per pivot and 16 bytes per product of its 2d³) and M g, after every later one but
 * the last two Newton–Schulz steps and M g
 * (15 rounds, 64 d² + 16 d bytes: fixmath/newton-schulz.ts); then the convergence bit (20 rounds)
 * and 2 log L (25 rounds, 128 bytes per row), side by side. A secret validity masks the design
 * first (1 round, 8 bytes per row and column).
 */

import type { PlanCost } from './cost.js';
import { logitGroupsCost } from './cost-logit-groups.js';
import { LOGIT_FRACTION_BITS, type CheckedLogit } from './check-logit.js';
import { integerProductBits } from '../ops/logit-information.js';
import { LOGIT_PRECISE_ITERATIONS } from '../ops/logit-probabilities.js';

export function logitCost(node: CheckedLogit, secretValidity: boolean): PlanCost {
  if (node.group) return logitGroupsCost(node);
  const n = node.input.type.maxRows;
  const d = node.predictors.length + 1;
  const I = node.iterations;
  const iteration = { rounds: 3 + 55 + 1 + 3, bytes: n * (13.3 + 357) + (8 + 13.3) * (d + d * d) };
  // At β = 0 (the first of several iterations) p = q = 1/2 are public: no η or probabilities.
  const atZero = I > 1 ? { rounds: 3 + 55, bytes: n * (13.3 + 357) } : { rounds: 0, bytes: 0 };
  // The early iterations (after β = 0, before the last LOGIT_PRECISE_ITERATIONS) take the rough probabilities.
  const rough = Math.max(0, I - 1 - LOGIT_PRECISE_ITERATIONS);
  const roughSaving = { rounds: rough * (55 - 20), bytes: rough * n * (357 - 140) };
  const integer = integerProductBits([0, ...node.predictors.map((x) => x.shift)], n, LOGIT_FRACTION_BITS) !== undefined;
  const products = { rounds: integer ? 1 : 4, bytes: (integer ? 8 : 21.3) * n * ((d - 1) * d) / 2 };
  // The first step: a start for H⁻¹ (fixmath/spd-solve.ts roughInverseSpd, 30 rounds per pivot), refined
  // first only when that step is already one of the precise iterations', then M g.
  const refineFirst = I <= LOGIT_PRECISE_ITERATIONS;
  const solve = { rounds: 30 * d + 3 + (refineFirst ? 12 : 0) + 3, bytes: 200 * d + 16 * d * d * 2 * d + (refineFirst ? 64 * d * d : 0) + 16 * d };
  const refine = { rounds: 2 * 6 + 3, bytes: 64 * d * d + 16 * d };
  // A model (ops/logit-model.ts) takes the last step too, then one bit from 4d comparisons, instead of 2 log L beside the convergence bit.
  const stepCount = node.model ? I : I - 1;
  const steps = stepCount > 0 ? { rounds: solve.rounds + (stepCount - 1) * refine.rounds, bytes: solve.bytes + (stepCount - 1) * refine.bytes } : { rounds: 0, bytes: 0 };
  const tail = node.model ? { rounds: 25, bytes: 160 * d } : { rounds: Math.max(20, 25), bytes: 80 * d + 128 * n + 8 };
  const rounds = products.rounds - atZero.rounds - roughSaving.rounds + I * iteration.rounds + steps.rounds + tail.rounds + (secretValidity ? 1 : 0);
  const bytes = products.bytes - atZero.bytes - roughSaving.bytes + I * iteration.bytes + steps.bytes + tail.bytes + (secretValidity ? 8 * (d + 1) * n : 0);
  return { rounds, bytesPerParty: Math.round(bytes) };
}
