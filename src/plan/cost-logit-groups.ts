/**
 * Estimated rounds and bytes per party of a per-group logit (ops/logit-groups.ts) with G
 * groups: the single fit's costs (cost-logit.ts) with every per-output cost G times (g and H,
 * the solves, the refinements, the convergence bits), plus the group indicators once (about 10
 * rounds: narrow bit decomposition, the indicator tree, injection; ~3 + 8G bytes per row), the
 * masked design once (1 round, 8 G (d − 1) bytes per row), e_g·pq per iteration (1 round, 8 G
 * bytes per row) and the per-group log-likelihood's extra product and inner products (1 round
 * each). No secret validity step: the indicators are 0 on rows that are not valid.
 */

import type { PlanCost } from './cost.js';
import type { CheckedLogit } from './check-logit.js';

export function logitGroupsCost(node: CheckedLogit): PlanCost {
  const G = node.group!.width;
  const n = node.input.type.maxRows;
  const d = node.predictors.length + 1;
  const I = node.iterations;
  const outputs = G * (d + d * d);
  const iteration = { rounds: 3 + 53 + 4 + 1 + 1 + 3, bytes: n * (13.3 + 240 + 24 + 8 * G) + (8 + 13.3) * outputs };
  const atZero = I > 1 ? { rounds: 3 + 53 + 4 + 1, bytes: n * (13.3 + 240 + 24 + 8 * G) } : { rounds: 0, bytes: 0 };
  const once = { rounds: 10 + 1 + 4, bytes: n * (3 + 8 * G + 8 * G * (d - 1) + (21.3 * (d - 1) * d) / 2) };
  const solve = { rounds: 44 * d, bytes: G * (240 * d + 24 * d * d * (2 * d + 1)) };
  const refine = { rounds: 2 * 6 + 3, bytes: G * (64 * d * d + 16 * d) };
  const stepCount = I - 1;
  const steps = stepCount > 0 ? { rounds: solve.rounds + (stepCount - 1) * refine.rounds, bytes: solve.bytes + (stepCount - 1) * refine.bytes } : { rounds: 0, bytes: 0 };
  const tail = { rounds: 25 + 1, bytes: G * 80 * d + n * (128 + 8) + 16 * G };
  return {
    rounds: once.rounds - atZero.rounds + I * iteration.rounds + steps.rounds + tail.rounds,
    bytesPerParty: Math.round(once.bytes - atZero.bytes + I * iteration.bytes + steps.bytes + tail.bytes),
  };
}
