/**
 * Estimated cost of whole-table quantiles by selection (ops/quantile-selection.ts), for columns
 * whose count is public (every row valid, not nullable), and the choice between the two
 * selections, made here for the executor and the plan alike (docs/statistics.md, "Selection";
 * figures in docs/benchmarks.md, "s8-radix").
 *
 * Radix (mpc/protocols/radix-select.ts), per column of w bits and R ranks over n rows: the
 * planes' conversion ((2w − 3)/8 bytes per row, w − 1 rounds); the bucket step of the top
 * b = min(4, w) bits for all ranks at once (radix-buckets.ts: 11 AND gates per row for the
 * one-hot at b = 4, 2^b − 1 counts of ~1 each, one reshare per rank; 2^b − 1 comparisons per
 * rank); then per rank and binary level below 2 AND gates per row and the popcount's ~1 (3/8
 * byte per row), its injection (the words its tree leaves, popcount-packed.ts treeShape: 64
 * bits of 8/3 bytes each) and a comparison of the count (~250 bytes each with its bit's
 * injection and product, fitted at 1,000 to 2^20 rows). Rounds per binary level: the
 * comparison (5–7) + 1 (masks) + 1 (zeros) + the popcount's layers (stopped by
 * RADIX_ROUND_BYTES: 9 for 40 counts of 2^20 bits) + 1 (the injection's first round; its
 * second is the comparison's, count-compare.ts; 2 past 32 bits of comparison); the rank's
 * update runs beside the masks and count (radix-select.ts).
 *
 * Quickselect (mpc/protocols/order-statistics.ts), when the key (value − min, row position)
 * fits 63 bits: one shuffle of the keys (3 rounds, 16 bytes per row from party 0); about
 * log2(n)/2 + 2 levels shared by all columns, each a sample batch and a partition batch of
 * comparisons (8 rounds and an opening each); ~1.4 + 0.22·R comparisons per row, ~26 bytes each
 * at 64 bits (16 for keys of 33–48 bits); 10 rounds to take the selected values out of their keys.
 *
 * The choice: the lower estimated CPU per party, bytes and rounds weighed by what each costs in
 * that protocol (measured in-thread at 2^14 … 2^20 rows, 5 columns: packed AND work costs less
 * CPU per byte than comparisons and shuffles; a radix level costs more fixed work per round).
 * Radix wins on large tables of narrow ranges (describe's 18 bits at 2^20 rows: 2×), quickselect
 * on small tables and wide ranges (48 bits: radix needs 47 levels).
 */

import type { ColumnFacts } from './types.js';
import type { StepCost } from './cost-group-by.js';
import { treeShape } from '../mpc/protocols/popcount-packed.js';
import { RADIX_ROUND_BYTES } from '../mpc/protocols/radix-select.js';
import { bucketBitsOf } from '../mpc/protocols/radix-buckets.js';

export type SelectionMethod = 'radix' | 'quickselect';

/**
 * CPU weights per party: seconds per byte sent and per round, fitted to in-thread runs of 5
 * columns with 8 ranks at 2^14 and 2^20 rows (docs/benchmarks.md, "s8-radix").
 */
const RADIX_SECONDS_PER_BYTE = 5.5e-9, RADIX_SECONDS_PER_ROUND = 1.65e-4;
const QUICKSELECT_SECONDS_PER_BYTE = 9e-9, QUICKSELECT_SECONDS_PER_ROUND = 7e-5;

export function bitLength(v: bigint): number {
  return v <= 0n ? 0 : v.toString(2).length;
}

function indexBits(n: number): number {
  return n <= 1 ? 1 : Math.ceil(Math.log2(n));
}

/** Whether quickselect's key (value − min, row position) fits 63 bits. */
export function quickselectFits(keyBits: number, rows: number): boolean {
  return rows <= 2 ** 32 && keyBits + indexBits(rows) <= 63;
}

/** Whether the radix selection takes the column: ranges of at most 64 bits, up to 2^46 rows. */
export function radixFits(keyBits: number, rows: number): boolean {
  return Number.isInteger(keyBits) && keyBits >= 0 && keyBits <= 64 && rows <= 2 ** 46;
}

export function selectable(column: ColumnFacts, rows: number): boolean {
  return !column.nullable && radixFits(bitLength(column.max - column.min), rows);
}

/** Bits of the comparisons of counts with ranks (radix-select.ts: bitLength(n) + 1). */
function countCompareBits(rows: number): number {
  return Math.floor(Math.log2(Math.max(1, rows))) + 2;
}

/** Rounds of a comparison of counts with ranks (compare-narrow.ts; count-compare.ts the same from its reshare on). */
function countCompareRounds(rows: number): number {
  const bits = countCompareBits(rows);
  return bits <= 8 ? 5 : bits <= 16 ? 6 : bits <= 32 ? 7 : 8;
}

/**
 * Rounds of a binary level's count injection before its comparison: up to 32 bits its first
 * round only (count-compare.ts: the second is the comparison's reshare), wider both
 * (inject-sum.ts, then compare-split.ts's own).
 */
function countInjectRounds(rows: number): number {
  return countCompareBits(rows) <= 32 ? 1 : 2;
}

/**
 * Per column: bytes per party; rounds are those of the whole batch (all columns together), whose
 * `batchColumns` columns and `batchRanks` ranks set where the popcounts stop (treeShape).
 */
export function radixCost(rows: number, keyBits: number, ranks: number, batchColumns = 1, batchRanks = ranks): StepCost {
  if (keyBits === 0 || ranks === 0) return { rounds: 0, bytes: 0 };
  const w = keyBits, b = bucketBitsOf(w), levels = w - b, buckets = 2 ** b;
  const words = Math.max(1, Math.ceil(rows / 64));
  const counted = treeShape(words, batchColumns * (buckets - 1), RADIX_ROUND_BYTES), below = treeShape(words, batchRanks, RADIX_ROUND_BYTES);
  // Each count leaves its tree's words to inject: 64 bits of 8/3 bytes each.
  const injected = (shape: { injectedWords: number }, vectors: number): number => (shape.injectedWords / vectors) * 64 * (8 / 3);
  // Per row: the conversion, the bucket step (one-hot, its counts, a mask per rank), then per
  // rank and binary level 2 AND gates and the count's ~1.
  const perRow = Math.max(0, 2 * w - 3) / 8 + (ONE_HOT_GATES[b] + buckets - 1 + ranks) / 8 + (levels * ranks * 3) / 8;
  // Per rank, the bucket step's 2^b − 1 comparisons and a comparison per binary level, each bit
  // injected and multiplied by its count (8 bytes each).
  const perRank = (buckets - 1 + levels) * (RADIX_COMPARE_BYTES + 16);
  const bytes = rows * perRow + (buckets - 1) * injected(counted, batchColumns * (buckets - 1)) + levels * ranks * injected(below, batchRanks) + ranks * perRank;
  // The conversion; the bucket step: one-hot, counts, comparison, then beside the rank's update
  // (3 rounds) the masks (1) and the first level's zeros (1) and count; per binary level the
  // comparison and, beside the rank's update, the next masks, zeros and count.
  const compare = countCompareRounds(rows), inject = countInjectRounds(rows);
  const bucketStep = ONE_HOT_ROUNDS[b] + counted.layers + 2 + compare;
  const rounds = w - 1 + bucketStep + (levels === 0 ? 3 : levels * (2 + below.layers + inject + compare) + 3);
  return { rounds, bytes: Math.round(bytes) };
}

/** AND gates per row and rounds of the one-hot of b top bits (radix-buckets.ts). */
const ONE_HOT_GATES = [0, 0, 1, 4, 11], ONE_HOT_ROUNDS = [0, 0, 1, 2, 2];

/** Bytes per party of one comparison of a count with a rank (compare-narrow.ts on ~22 bits, lanes padded). */
const RADIX_COMPARE_BYTES = 250;

export function quickselectCost(rows: number, keyBits: number, ranks: number): StepCost {
  const bits = keyBits + indexBits(rows);
  const perComparison = bits + 1 <= 32 ? 12 : bits + 1 <= 48 ? 16 : 26;
  const levels = Math.ceil(Math.log2(Math.max(rows, 2)) / 2) + 2;
  return { rounds: 3 + levels * 2 * 9 + 10, bytes: Math.round(16 * rows + perComparison * rows * (1.4 + 0.22 * ranks)) };
}

export interface SelectionColumn {
  readonly keyBits: number;
  readonly ranks: number;
}

/** Each method's cost for a batch of columns of `rows` rows: bytes summed, rounds shared. */
function batchCost(rows: number, columns: readonly SelectionColumn[], method: SelectionMethod): StepCost {
  if (columns.length === 0) return { rounds: 0, bytes: 0 };
  const ranks = columns.reduce((acc, c) => acc + c.ranks, 0);
  const costs = columns.map((c) => (method === 'radix' ? radixCost(rows, c.keyBits, c.ranks, columns.length, ranks) : quickselectCost(rows, c.keyBits, c.ranks)));
  return { rounds: Math.max(...costs.map((c) => c.rounds)), bytes: Math.round(costs.reduce((acc, c) => acc + c.bytes, 0)) };
}

function seconds(cost: StepCost, method: SelectionMethod): number {
  return method === 'radix' ? cost.bytes * RADIX_SECONDS_PER_BYTE + cost.rounds * RADIX_SECONDS_PER_ROUND : cost.bytes * QUICKSELECT_SECONDS_PER_BYTE + cost.rounds * QUICKSELECT_SECONDS_PER_ROUND;
}

/**
 * The selection of each column of one table (`rows` values each): columns whose quickselect key
 * does not fit go to radix; the others all go to the method with the lower estimated CPU for
 * them together (the columns of a method share its rounds).
 */
export function selectionMethods(rows: number, columns: readonly SelectionColumn[]): SelectionMethod[] {
  const fits = columns.filter((c) => quickselectFits(c.keyBits, rows));
  const quick = seconds(batchCost(rows, fits, 'quickselect'), 'quickselect');
  const radix = seconds(batchCost(rows, fits, 'radix'), 'radix');
  return columns.map((c) => (quickselectFits(c.keyBits, rows) && quick < radix ? 'quickselect' : 'radix'));
}

/** `columns`: the column of each selected quantile (two ranks each, at most). */
export function selectionCost(rows: number, columns: readonly ColumnFacts[]): StepCost {
  const byName = new Map<string, SelectionColumn>();
  for (const c of columns) byName.set(c.name, { keyBits: bitLength(c.max - c.min), ranks: (byName.get(c.name)?.ranks ?? 0) + 2 });
  const all = [...byName.values()];
  const methods = selectionMethods(rows, all);
  // The two methods run one after the other.
  const radix = batchCost(rows, all.filter((_, j) => methods[j] === 'radix'), 'radix');
  const quick = batchCost(rows, all.filter((_, j) => methods[j] === 'quickselect'), 'quickselect');
  return { rounds: radix.rounds + quick.rounds, bytes: radix.bytes + quick.bytes };
}
