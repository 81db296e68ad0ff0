/**
 * Estimated rounds and bytes (sent per party) of a checked join (ops/join.ts over
 * mpc/oblivious/join.ts), for `explain()`; docs/plan.md lists the same figures. With
 * n = both inputs' rows, L = ceil(log2 n), P and F the primary and foreign side's carried vectors
 * (values and present bits):
 *   sort of n rows carrying 1 + P + F columns: shuffle (3 rounds, 16 bytes per carried column
 *     and row), a2b (8 rounds, 104 bytes), ~1.7 log2 n quicksort levels of two opened comparison
 *     batches (~9 rounds each) and ~1.02 log2 n comparisons per row of 24 bytes when the key's
 *     declared range and the row index fit one word (join-key-bits.ts), 36 otherwise
 *   group flags: 9 rounds, 24 bytes per row; segmented sum (segmented-scan.ts): from 4096 rows
 *     2L - 1 rounds and ~2 combines per row, 8 bytes per column each (below: L rounds, L
 *     combines); the uniqueness check: 2 rounds; matched: 1 round, 8 bytes per row
 *   keeping the primary side of a left join: one more scan of one column, 9 rounds (eq,
 *     injection, 24 bytes per row), and 8 P bytes per row in the matched round
 *   reveal-count: compaction, 4 rounds, 8 bytes per output vector and row plus 16
 */

import type { CheckedJoin } from './check-join.js';
import type { PlanCost } from './cost.js';
import { columnVectors } from './cost-order.js';
import { textRankCost } from './cost-text.js';
import { joinKeyBits } from './join-key-bits.js';
import { joinManyCost } from './cost-join-many.js';

export function joinCost(node: CheckedJoin): PlanCost {
  if (node.kind === 'many-to-many') return joinManyCost(node);
  const n = node.left.type.maxRows + node.right.type.maxRows;
  if (n === 0) return { rounds: 0, bytesPerParty: 0 };
  const L = Math.max(1, Math.ceil(Math.log2(n)));
  // The segmented scan's rounds and combines per row (mpc/oblivious/segmented-scan.ts).
  const [levels, combines] = n >= 4096 ? [2 * L - 1, 2] : [L, L];
  const comparisonBytes = joinKeyBits(node) + L <= 64 ? 24 : 36;
  const vectors = (columns: CheckedJoin['type']['columns']): number => columns.reduce((k, c) => k + columnVectors(c), 0);
  const leftVectors = vectors(node.left.type.columns), rightVectors = vectors(node.rightColumns);
  const [p, f] = node.primary === 'left' ? [leftVectors, rightVectors] : [rightVectors, leftVectors];
  const keepPrimary = node.how === 'left' && node.primary === 'left';
  const sortLevels = Math.ceil(1.7 * Math.log2(Math.max(n, 2)));
  let rounds = 3 + 8 + 2 * 9 * sortLevels + 9 + levels + 2 + 1;
  let perRow = 104 + 1.02 * Math.log2(n) * comparisonBytes + 16 * (3 + p + f) + 24 + 8 * (2 + p) * combines + 8;
  if (keepPrimary) {
    rounds += levels + 9;
    perRow += 16 * combines + 24 + 8 * p;
  }
  if (node.mode === 'reveal-count') {
    rounds += 4;
    perRow += 8 * (2 + p + f) + 16;
  }
  // A text key pair is ranked over both sides first (cost-text.ts).
  const ranks = node.keys.filter((_, i) => node.packing[i].rank === true).map((k) => textRankCost(n, k.left.maxBytes! >= k.right.maxBytes! ? k.left : k.right));
  return { rounds: rounds + ranks.reduce((r, c) => r + c.rounds, 0), bytesPerParty: n * perRow + ranks.reduce((b, c) => b + c.bytesPerParty, 0) };
}
