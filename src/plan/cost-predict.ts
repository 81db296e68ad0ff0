/** Estimated rounds and bytes per party of a predict node (ops/predict.ts): the exact η (1 round, 8 bytes per row), then its truncation and the decimal probabilities (ops/predict-probability.ts; 48 rounds, ~265 bytes per row, measured), or one comparison (10 rounds, ~40 bytes per row), or nothing (log-odds). */

import type { PlanCost } from './cost.js';
import type { CheckedPredict } from './check-predict.js';

export function predictCost(node: CheckedPredict): PlanCost {
  const n = node.input.type.maxRows;
  const tail = node.output === 'logit' ? { rounds: 0, bytes: 0 } : node.output === 'class' ? { rounds: 10, bytes: 40 } : { rounds: 48, bytes: 265 };
  return { rounds: 1 + tail.rounds, bytesPerParty: Math.round(n * (8 + tail.bytes)) };
}
