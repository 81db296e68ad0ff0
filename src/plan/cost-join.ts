/**
 * Estimated rounds and bytes (sent per party) of a checked join (ops/join.ts over
 * mpc/oblivious/join.ts), for `explain()`; docs/plan.md lists the same figures. With
 * n = both inputs' rows, L = ceil(log2 n), P and F the primary and foreign side's carried vectors
 * (values and present bits):
 *   sort of n rows carrying 1 + P + F columns (cost-order.ts sortPassCost with the key's
 *     declared bits, join-key-bits.ts): shuffle, the key's decomposition, ~1.5 log2 n quicksort
 *     levels of two opened comparison batches and ~log2 n comparisons per row, at the
 *     comparator width the executor picks (cost-comparisons.ts: a 21-bit key and a 21-bit
 *     index are one 48-bit word, ~18 bytes per comparison)
 *   group flags: 9 rounds, 24 bytes per row; segmented sum (segmented-scan.ts): from 4096 rows
 *     2L - 1 rounds and ~2 combines per row, 8 bytes per column each (below: L rounds, L
 *     combines); the uniqueness check: 2 rounds; matched: 1 round, 8 bytes per row
 *   keeping the primary side of a left join: one more scan of one column, 9 rounds (eq,
 *     injection, 24 bytes per row), and 8 P bytes per row in the matched round
 *   reveal-count: compaction, 4 rounds, 16 bytes (party 0) per output vector and the predicate,
 *     8 to open it
 */

import type { CheckedJoin } from './check-join.js';
import type { PlanCost } from './cost.js';
import { columnVectors, sortPassCost } from './cost-order.js';
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
  const vectors = (columns: CheckedJoin['type']['columns']): number => columns.reduce((k, c) => k + columnVectors(c), 0);
  const leftVectors = vectors(node.left.type.columns), rightVectors = vectors(node.rightColumns);
  const [p, f] = node.primary === 'left' ? [leftVectors, rightVectors] : [rightVectors, leftVectors];
  const keepPrimary = node.how === 'left' && node.primary === 'left';
  // The sort carries the origin, the payloads and the row index (cost-order.ts: at the comparator
  // width and key decomposition the key's declared bits give, cost-comparisons.ts).
  const sorted = sortPassCost(n, 1 + p + f, joinKeyBits(node));
  let rounds = sorted.rounds + 9 + levels + 2 + 1;
  let perRow = sorted.bytesPerParty / n + 24 + 8 * (2 + p) * combines + 8;
  if (keepPrimary) {
    rounds += levels + 9;
    perRow += 16 * combines + 24 + 8 * p;
  }
  if (node.mode === 'reveal-count') {
    rounds += 4;
    // The key and the payloads, and the predicate word: 16 bytes each for party 0; 8 to open it.
    perRow += 16 * (2 + p + f) + 8;
  }
  // A text key pair is ranked over both sides first (cost-text.ts).
  const ranks = node.keys.filter((_, i) => node.packing[i].rank === true).map((k) => textRankCost(n, k.left.maxBytes! >= k.right.maxBytes! ? k.left : k.right));
  return { rounds: rounds + ranks.reduce((r, c) => r + c.rounds, 0), bytesPerParty: n * perRow + ranks.reduce((b, c) => b + c.bytesPerParty, 0) };
}
