/**
 * Estimated cost of sort, limit and distinct (ops/sort.ts, ops/limit.ts, ops/distinct.ts), per
 * party, from the protocols' headers:
 *
 *   one sort pass over n rows carrying w share vectors (columns, present bits, a secret
 *   validity, the chunks still to sort by): shuffle (3 rounds, 16 bytes per vector and row for party 0,
 *   plus the key and the row index), the key's bit decomposition, then quicksort: about n log2 n comparisons
 *   of (key, index), in about 1.5 log2 n levels of two batches (pivot samples, partition), each
 *   its comparison's rounds plus 1 to open the bits, and the carry trees' padding (a batch pads
 *   to 1,024 words: about one short batch per level). The comparator and the decomposition are those protocols/sort.ts picks for
 *   the key's declared width b (cost-comparisons.ts): (key, index) packed into one word of 32,
 *   40, 48 or 64 bits (~12, ~15, ~18, ~24 bytes, 7 or 8 rounds with the opening) and decomposed
 *   on lanes (b ≤ 32: ~6 to ~41 bytes per row) when b + log2 n ≤ 64, else key and index apart
 *   (~36 bytes, 9 rounds) and a 64-bit a2b (~99 bytes). Checked against measured sorts
 *   (test/plan/cost-measured.test.ts, cost-narrow.test.ts: within 20-25%).
 *   A sort is one pass per chunk of its key layout (plan/sort-layout.ts), plus one
 *   multiplication (1 round, 8 bytes per row) when the validity is secret.
 *   distinct: a sort, then the adjacent-equality of every chunk (7 rounds, ~16 bytes per row
 *   and chunk; chunks ANDed, 1 round each), bit injection (2 rounds, 8 bytes), the validity
 *   (1 round, 8 bytes), and compaction (4 rounds, 8 bytes per vector plus 16) in reveal-count mode.
 *   limit: local (a public slice), except over a secret validity not produced by a sort: one
 *   sort pass by validity first.
 */

import type { PlanCost } from './cost.js';
import { comparisonBatch, keyDecomposition, sortComparator } from './cost-comparisons.js';
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

/** One pass sorting `rows` rows carrying `vectors` share vectors by a key of `keyBits` bits (unknown: 64, compared apart from the index). */
export function sortPassCost(rows: number, vectors: number, keyBits?: number): PlanCost {
  if (rows < 2) return { rounds: 0, bytesPerParty: 0 };
  const log = Math.log2(rows);
  const levels = Math.ceil(1.5 * log);
  const comparisons = rows * log;
  // The comparator and the key's decomposition at the widths protocols/sort.ts picks (cost-comparisons.ts).
  const comparator = sortComparator(rows, keyBits);
  const batch = comparisonBatch(comparisons, comparator);
  const decomposition = keyDecomposition(rows, comparator, keyBits);
  return {
    rounds: 3 + decomposition.rounds + 2 * levels * batch.rounds,
    // Party 0 sends 16 bytes per shuffled vector and row (the key, the vectors, the row index), the others 8.
    bytesPerParty: Math.round(rows * 16 * (vectors + 2) + decomposition.bytes + batch.bytes + levels * comparisonBatch(1, comparator).bytes),
  };
}

export function sortCost(type: TableType, keys: readonly SortKeyFacts[], secretValidity: boolean): PlanCost {
  const { chunks } = sortLayout(keys, secretValidity);
  const base = tableVectors(type, secretValidity);
  let rounds = secretValidity ? 1 : 0;
  let bytes = secretValidity ? 8 * type.maxRows : 0;
  chunks.forEach((chunk, i) => {
    const pass = sortPassCost(type.maxRows, base + i, chunk.width);
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
