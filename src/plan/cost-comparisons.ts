/**
 * What the executor's comparisons cost (bytes sent per party, rounds), at the widths it really
 * runs them: the same width rules as the executor, imported from it, so that the estimate
 * follows a change of rule.
 *
 *   - a filter's less-thans (ops/predicate.ts): one batch on lanes of 8, 16 or 32 bits when the
 *     declared ranges bound every difference within 32 bits (ops/comparison-width.ts,
 *     compare-narrow.ts), else the 64-bit lt;
 *   - a sort's (key, row index) comparisons (protocols/sort.ts): packed into one word of 32, 40,
 *     48 or 64 bits when the key's declared bits and the index fit 64 (compare-words.ts
 *     narrowWidth), else a 64-bit key beside the index;
 *   - a sort key's bit decomposition: on lanes for keys of at most 32 bits (convert-narrow.ts),
 *     else the 64-bit a2b.
 *
 * The byte figures are per padded word of each carry tree (carry-tree.ts paddedWords: a batch
 * pads to 1,024 words, so a short batch costs as much as ~1,000 to ~8,000 comparisons), measured
 * by counting one party's bytes around each primitive at 1, 4,096 and 65,536 elements (three
 * in-thread parties; the same at every size once padding is accounted for).
 */

import { paddedWords } from '../mpc/protocols/carry-tree.js';
import { narrowWidth } from '../mpc/protocols/compare-words.js';
import { NARROW_MAX_BITS } from '../mpc/protocols/compare-narrow.js';
import { NARROW_A2B_MAX_BITS } from '../mpc/protocols/convert-narrow.js';
import { laneWidth } from '../mpc/protocols/lanes.js';
import { indexBits } from '../mpc/protocols/sort.js';
import { comparisonBits } from '../ops/comparison-width.js';
import { COMPARISON_BLOCK_ROWS } from '../ops/predicate.js';
import type { CheckedPredicate } from './check-predicate.js';

export interface StepCost {
  readonly rounds: number;
  readonly bytes: number;
}

/** Bytes per padded word of a lane comparison (addend split, AND, lane carry tree), by lane width. */
const LANE_WORD_BYTES = { 8: 24.67, 16: 25.67, 32: 26.17 } as const;
/** Rounds of a lane comparison, by lane width. */
const LANE_ROUNDS = { 8: 5, 16: 6, 32: 7 } as const;

/**
 * One batch of `elements` less-thans whose differences need `bits` bits (comparison-width.ts):
 * on lanes up to 32 bits, else the 64-bit lt (10.67 bytes per element and 15.75 per padded word
 * of its 64-bit tree, 8 rounds).
 */
export function lessThanBatch(elements: number, bits: number): StepCost {
  if (elements === 0) return { rounds: 0, bytes: 0 };
  if (bits <= NARROW_MAX_BITS) {
    const lane = laneWidth(bits);
    return { rounds: LANE_ROUNDS[lane], bytes: LANE_WORD_BYTES[lane] * paddedWords(elements, lane) };
  }
  return { rounds: 8, bytes: 10.67 * elements + 15.75 * paddedWords(elements, 64) };
}

/** The comparator a sort of `rows` rows uses for a key of `keyBits` bits (undefined: a 64-bit key). */
export type SortComparator = 32 | 40 | 48 | 64 | 'apart';

export function sortComparator(rows: number, keyBits: number | undefined): SortComparator {
  return keyBits === undefined || keyBits + indexBits(rows) > 64 ? 'apart' : narrowWidth(keyBits + indexBits(rows));
}

/**
 * One batch of m (key, index) comparisons with the opening of their bits (1 round, m / 8
 * bytes). Width 32: two elements per word of one 32-bit tree (23.5 bytes per word, AND
 * included); 40 and 48: a 32-bit tree beside one of 8 or 16 bits (8 bytes per word of both for
 * the AND, 15.5 per 32-bit word, 14 or 15 per narrow word, one AND of the two results); 64: one
 * word per element (8 bytes) and a 64-bit tree (15.75 per padded word); apart: a 64-bit key and
 * a 32-bit index (35.63 bytes per element, ~40 KB at least).
 */
export function comparisonBatch(m: number, comparator: SortComparator): StepCost {
  if (m === 0) return { rounds: 0, bytes: 0 };
  const open = m / 8;
  switch (comparator) {
    case 32:
      return { rounds: 6 + 1, bytes: 23.5 * paddedWords(m, 32) + open };
    case 40:
    case 48: {
      const W = paddedWords(m, 32), H = paddedWords(m, comparator === 40 ? 8 : 16);
      return { rounds: 7 + 1, bytes: 8 * (W + H) + 15.5 * W + (comparator === 40 ? 14 : 15) * H + m / 8 + open };
    }
    case 64:
      return { rounds: 7 + 1, bytes: 8 * m + 15.75 * paddedWords(m, 64) + open };
    case 'apart':
      return { rounds: 8 + 1, bytes: Math.max(35.63 * m, 40_208) + open };
  }
}

/**
 * The key's decomposition into bits before the quicksort (protocols/sort.ts): on lanes for a
 * packed key of at most 32 bits (6.33, 16.67 or 41.33 bytes per row for keys of up to 8, 16 and
 * 32 bits; 5 to 7 rounds), else the 64-bit a2b (98.67 bytes, 8 rounds).
 */
export function keyDecomposition(rows: number, comparator: SortComparator, keyBits: number | undefined): StepCost {
  if (comparator !== 'apart' && keyBits !== undefined && keyBits <= NARROW_A2B_MAX_BITS) {
    const [rounds, perRow] = keyBits <= 8 ? [5, 6.33] : keyBits <= 16 ? [6, 16.67] : [7, 41.33];
    return { rounds, bytes: perRow * rows };
  }
  return { rounds: 8, bytes: 98.67 * rows };
}

/** A filter predicate's less-thans over `rows` rows: one batch at the width their declared ranges need (ops/predicate.ts). */
export function predicateLessThans(p: CheckedPredicate, rows: number): StepCost {
  const lts: (CheckedPredicate & { kind: 'compare' })[] = [];
  const collect = (q: CheckedPredicate): void => {
    if (q.kind === 'compare' && q.test === 'lt') lts.push(q);
    else if (q.kind === 'and' || q.kind === 'or') q.args.forEach(collect);
  };
  collect(p);
  if (lts.length === 0) return { rounds: 0, bytes: 0 };
  const bits = comparisonBits(lts);
  if (bits > NARROW_MAX_BITS || rows <= COMPARISON_BLOCK_ROWS) return lessThanBatch(rows * lts.length, bits);
  // Narrow comparisons run in row blocks (ops/predicate.ts narrowComparisonBits): each block's rounds in turn.
  const blocks = Math.ceil(rows / COMPARISON_BLOCK_ROWS);
  const block = lessThanBatch(COMPARISON_BLOCK_ROWS * lts.length, bits);
  const last = lessThanBatch((rows - (blocks - 1) * COMPARISON_BLOCK_ROWS) * lts.length, bits);
  return { rounds: block.rounds * (blocks - 1) + last.rounds, bytes: block.bytes * (blocks - 1) + last.bytes };
}
