/**
 * Estimated cost of sort, limit and distinct (ops/sort.ts, ops/limit.ts, ops/distinct.ts), per
 * party, from the protocols' headers:
 *
 *   one sort pass over n rows carrying w share vectors (columns, present bits, a secret
 *   validity, the chunks still to sort by): shuffle (3 rounds, 8 bytes per vector and row, plus
 *   the row index), a2b of the key (8 rounds, ~104 bytes per row), then quicksort: about
 *   1.02 n log2 n comparisons of (key, index) at ~36 bytes, in about 1.75 log2 n levels of two
 *   batches (pivot samples, partition), each 8 rounds plus 1 to open the bits.
 *   A sort is one pass per chunk of its key layout (plan/sort-layout.ts), plus one
 *   multiplication (1 round, 8 bytes per row) when the validity is secret.
 *   distinct: a sort, then the adjacent-equality of every chunk (7 rounds, ~16 bytes per row
 *   and chunk; chunks ANDed, 1 round each), bit injection (2 rounds, 8 bytes), the validity
 *   (1 round, 8 bytes), and compaction (4 rounds, 8 bytes per vector plus 16) in reveal-count mode.
 *   limit: local (a public slice), except over a secret validity not produced by a sort: one
 *   sort pass by validity first.
 */

import type { PlanCost } from './cost.js';
import { sortLayout, type SortKeyFacts } from './sort-layout.js';
import type { ColumnFacts, TableType } from './types.js';
import { textWordCount } from '../table/types/text.js';

/** Share vectors a table of this type carries: values (a text's words), present bits, and a secret validity. */
export function tableVectors(type: TableType, secretValidity: boolean): number {
  return type.columns.reduce((k, c) => k + columnVectors(c), 0) + (secretValidity ? 1 : 0);
}

/** A column's share vectors: its value (a text: its words) and its present bits when nullable. */
export function columnVectors(c: ColumnFacts): number {
  return (c.kind === 'text' ? textWordCount(c.maxBytes ?? 0) : 1) + (c.nullable ? 1 : 0);
}

export function sortPassCost(rows: number, vectors: number): PlanCost {
  if (rows < 2) return { rounds: 0, bytesPerParty: 0 };
  const log = Math.log2(rows);
  const levels = Math.ceil(1.75 * log);
  const comparisons = 1.02 * rows * log;
  return { rounds: 3 + 8 + levels * 18, bytesPerParty: Math.round(rows * 8 * (vectors + 2) + rows * 104 + comparisons * 36) };
}

export function sortCost(type: TableType, keys: readonly SortKeyFacts[], secretValidity: boolean): PlanCost {
  const { chunks } = sortLayout(keys, secretValidity);
  const base = tableVectors(type, secretValidity);
  let rounds = secretValidity ? 1 : 0;
  let bytes = secretValidity ? 8 * type.maxRows : 0;
  chunks.forEach((_, i) => {
    const pass = sortPassCost(type.maxRows, base + i);
    rounds += pass.rounds;
    bytes += pass.bytesPerParty;
  });
  return { rounds, bytesPerParty: bytes };
}

export function distinctCost(input: TableType, output: TableType, secretValidity: boolean, compacts: boolean): PlanCost {
  const keys = output.columns.map((column) => ({ column, descending: false, nullsFirst: false }));
  const sorted = sortCost({ columns: output.columns, maxRows: input.maxRows }, keys, secretValidity);
  const chunks = sortLayout(keys, secretValidity).chunks.length;
  const n = input.maxRows;
  let rounds = sorted.rounds + 7 + (chunks - 1) + 2 + 1;
  let bytes = sorted.bytesPerParty + n * (16 * chunks + (chunks - 1) + 8 + 8);
  if (compacts) {
    rounds += 4;
    bytes += n * (8 * tableVectors(output, false) + 16);
  }
  return { rounds, bytesPerParty: bytes };
}

/**
 * rank (ops/rank.ts): the weight (1 multiplication when the validity or the column's nulls are
 * secret), one sort pass carrying the table and the weight, the group flags (9 rounds, ~24 bytes
 * per row), one segmented sum scan over 2n rows (⌈log2 2n⌉ rounds of 16 bytes per row) and the
 * multiplications by the weight and for t² (2 rounds, 8 bytes per row each).
 */
export function rankCost(type: TableType, secretValidity: boolean, nullable: boolean): PlanCost {
  const n = type.maxRows;
  const weighted = secretValidity || nullable;
  const pass = sortPassCost(n, tableVectors(type, secretValidity) + (weighted ? 1 : 0));
  const levels = Math.max(1, Math.ceil(Math.log2(Math.max(2 * n, 2))));
  return { rounds: (weighted ? 1 : 0) + pass.rounds + 9 + levels + 2, bytesPerParty: Math.round((weighted ? 8 * n : 0) + pass.bytesPerParty + 24 * n + 16 * n * levels + 32 * n) };
}
