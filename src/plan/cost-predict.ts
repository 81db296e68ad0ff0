/** Estimated rounds and bytes per party of a predict node (ops/predict.ts): η (4 rounds, 21.3 bytes per row), then the sigmoid and its conversion (66 rounds, ~393 bytes per row) or one comparison (10 rounds, ~40 bytes per row). */

import type { PlanCost } from './cost.js';
import type { CheckedPredict } from './check-predict.js';

export function predictCost(node: CheckedPredict): PlanCost {
  const n = node.input.type.maxRows;
  const tail = node.output === 'class' ? { rounds: 10, bytes: 40 } : { rounds: 66, bytes: 393 };
  return { rounds: 4 + tail.rounds, bytesPerParty: Math.round(n * (21.3 + tail.bytes)) };
}
