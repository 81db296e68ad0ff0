/**
 * Estimated rounds and bytes (sent per party) of a many-to-many join (ops/join-many.ts over
 * mpc/oblivious/join-many.ts and expand.ts), for `explain()`; docs/plan.md lists the same steps.
 * With n = both inputs' rows, M = max_rows, L = ceil(log2 n), L' = ceil(log2(n + 2M + 2)),
 * P = max(left, right carried vectors), R = the right side's carried vectors:
 *   sort of n rows carrying 3 (+1 left join) + P columns (cost-order.ts sortPassCost)
 *   group flags: 9 rounds, 24 bytes per row; two scans (forward two columns, backward one):
 *     2L rounds, 8·3 + 8·2 bytes per row and level
 *   multiplicities: 1 round (24 bytes per row); eq with 0 and injection: 9 rounds (~40 bytes per
 *     row); a left join 1 round (8); the bound check 11 rounds; starts 1 round (24)
 *   expansion: a sort of n + 2M + 2 rows carrying 7 + P columns, L' scan levels of 8·(5 + P)
 *     bytes per row, a compaction (4 rounds, 8·(6 + P) + 16 per row), one opening (1 round),
 *     an lt of 2M rows with injection (10 rounds, 40 bytes)
 *   routing: 2 multiplications (8 + 8 R for a left join, per output row), a shuffle (3 rounds,
 *     8·(2 + R)) and an opening (1 round, 8)
 *   reveal-count: a compaction of the M output rows (4 rounds, 8·(vectors + 1) + 16 per row)
 */

import type { CheckedJoin } from './check-join.js';
import { sortPassCost } from './cost-order.js';
import type { PlanCost } from './cost.js';

export function joinManyCost(node: CheckedJoin): PlanCost {
  const n = node.left.type.maxRows + node.right.type.maxRows;
  const m = node.type.maxRows;
  const vectors = (columns: CheckedJoin['type']['columns']): number => columns.reduce((k, c) => k + (c.nullable ? 2 : 1), 0);
  const l = vectors(node.left.type.columns), r = vectors(node.rightColumns);
  const p = Math.max(l, r);
  const keepsLeft = node.how === 'left';
  const levels = Math.max(1, Math.ceil(Math.log2(Math.max(n, 2))));
  const expanded = n + 2 * m + 2;
  const levels2 = Math.max(1, Math.ceil(Math.log2(expanded)));
  const first = sortPassCost(n, 3 + (keepsLeft ? 1 : 0) + p);
  const second = sortPassCost(expanded, 7 + p);
  let rounds = first.rounds + 9 + 2 * levels + 1 + 9 + (keepsLeft ? 1 : 0) + 11 + 1;
  let bytes = first.bytesPerParty + n * (24 + 40 * levels + 24 + 40 + (keepsLeft ? 8 : 0) + 24);
  rounds += second.rounds + levels2 + 4 + 1 + 10;
  bytes += second.bytesPerParty + expanded * (8 * (5 + p) * levels2 + 8 * (6 + p) + 16) + 2 * m * 40;
  rounds += 2 + 3 + 1;
  bytes += m * (8 + (keepsLeft ? 8 * r : 0) + 8 + 8 * (2 + r) + 8);
  if (node.mode === 'reveal-count') {
    rounds += 4;
    bytes += m * (8 * (l + r + 1) + 16);
  }
  return { rounds, bytesPerParty: Math.round(bytes) };
}
