/**
 * Estimated rounds and bytes (sent per party) of a checked join (ops/join.ts over
 * mpc/oblivious/join.ts), for `explain()`; docs/plan.md lists the same figures. With
 * n = both inputs' rows, L = ceil(log2 n), P and F the primary and foreign side's carried vectors
 * (values and present bits):
 *   sort of n rows carrying 1 + P + F columns: shuffle (3 rounds), a2b (8), ~1.7 log2 n quicksort
 *     levels of two opened comparison batches (~9 rounds each); ~850 bytes per row plus 16 per
 *     carried column (docs/engine.md measured 0.81-0.85 KB per row)
 *   group flags: 9 rounds, 24 bytes per row; segmented sum: L rounds, 8 (1 + P) bytes per row
 *   each; the uniqueness check: 2 rounds; matched: 1 round, 8 bytes per row
 *   keeping the primary side of a left join: L more rounds (8 bytes per row), 9 (eq, injection,
 *     24 bytes per row), and 8 P bytes per row in the matched round
 *   reveal-count: compaction, 4 rounds, 8 bytes per output vector and row plus 16
 */

import type { CheckedJoin } from './check-join.js';
import type { PlanCost } from './cost.js';
import { joinManyCost } from './cost-join-many.js';

export function joinCost(node: CheckedJoin): PlanCost {
  if (node.kind === 'many-to-many') return joinManyCost(node);
  const n = node.left.type.maxRows + node.right.type.maxRows;
  if (n === 0) return { rounds: 0, bytesPerParty: 0 };
  const levels = Math.max(1, Math.ceil(Math.log2(n)));
  const vectors = (columns: CheckedJoin['type']['columns']): number => columns.reduce((k, c) => k + (c.nullable ? 2 : 1), 0);
  const leftVectors = vectors(node.left.type.columns), rightVectors = vectors(node.rightColumns);
  const [p, f] = node.primary === 'left' ? [leftVectors, rightVectors] : [rightVectors, leftVectors];
  const keepPrimary = node.how === 'left' && node.primary === 'left';
  const sortLevels = Math.ceil(1.7 * Math.log2(Math.max(n, 2)));
  let rounds = 3 + 8 + 2 * 9 * sortLevels + 9 + levels + 2 + 1;
  let perRow = 850 + 16 * (1 + p + f) + 24 + 8 * (1 + p) * levels + 8;
  if (keepPrimary) {
    rounds += levels + 9;
    perRow += 8 * levels + 24 + 8 * p;
  }
  if (node.mode === 'reveal-count') {
    rounds += 4;
    perRow += 8 * (2 + p + f) + 16;
  }
  return { rounds, bytesPerParty: n * perRow };
}
