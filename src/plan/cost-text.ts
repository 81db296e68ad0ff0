/**
 * Estimated cost of ranking a text key (ops/text-rank.ts), which joins and group-bys on text
 * pay before their own kernels: a sort of n rows by the text (one pass per 56-bit word, plus the
 * null flag: plan/sort-layout.ts) carrying the text and the row index, the adjacent equalities of
 * every chunk (7 rounds, ~16 bytes per row and chunk; chunks ANDed, 1 round each; injection 2
 * rounds, 8 bytes), and a sort back by the row index (one pass, carrying the rank).
 */

import { sortCost, sortPassCost } from './cost-order.js';
import type { PlanCost } from './cost.js';
import { sortLayout } from './sort-layout.js';
import type { ColumnFacts } from './types.js';

export function textRankCost(rows: number, text: ColumnFacts): PlanCost {
  if (rows < 2) return { rounds: 0, bytesPerParty: 0 };
  const keys = [{ column: text, descending: false, nullsFirst: false }];
  const chunks = sortLayout(keys, false).chunks.length;
  const row: ColumnFacts = { name: '$row', kind: 'integer', scale: 0, min: 0n, max: BigInt(rows - 1), nullable: false };
  const sorted = sortCost({ columns: [text, row], maxRows: rows }, keys, false);
  const back = sortPassCost(rows, 1);
  return {
    rounds: sorted.rounds + 7 + (chunks - 1) + 2 + back.rounds,
    bytesPerParty: sorted.bytesPerParty + rows * (16 * chunks + (chunks - 1) + 8) + back.bytesPerParty,
  };
}
