/**
 * Estimated rounds and bytes per party of a group-by and of a crosstab (plan/cost.ts adds them),
 * from the protocols' headers (docs/plan.md, "Group-by and crosstab"):
 *
 *   one-hot over d combinations, n rows, c summed columns (mpc/oblivious/one-hot.ts): the key's
 *     k = ⌈log2 d⌉ bits split into a low field of j bits (L = 2^j) and a high one (H = ⌈d/L⌉
 *     values), j chosen for the fewest words w = H + L + L·c; the key's bits and indicators once
 *     for the column (15 + max(j, k - j - 1) rounds), then per block of ~2^21/w rows the
 *     injection and inner products (3 rounds, one more with sums), ~112 + 8w bytes per row; min/max add
 *     a sort of the rows, a segmented scan (12 rounds per level) and a second one-hot pass
 *   sort (mpc/protocols/sort.ts and the segmented scan): ~1.02 n log2 n comparisons of 24 bytes
 *     (the group index and the row index in one word: 36 when they do not fit 64 bits) in about
 *     2 log2 n batches of 8 rounds, 9 rounds for the group flags; the segmented scan from 4096
 *     rows 2⌈log2 n⌉ - 1 levels and ~2 combines per row (below: ⌈log2 n⌉ levels of n), 1 round
 *     and 8 bytes per column and combine (12 rounds with min/max), 4 rounds to compact
 *   whole: sums as an aggregate; min/max a tournament of ⌈log2 n⌉ levels of 11 rounds
 *   count_distinct, per column: a sort of the rows (as above), the run starts (9 rounds, ~24
 *     bytes per row) and up to three multiplications (3 rounds, 24 bytes per row); one-hot adds
 *     a one-hot pass over the marks, sort one more scan column, whole nothing (a local sum); a
 *     text of more than one word is ranked first (cost-text.ts)
 *   present bits of min/max: one comparison per group (8 rounds, ~32 bytes) and a multiplication
 *   quantiles of a whole table with every row valid, of non-nullable columns: cost-quantile.ts
 *   quantiles (otherwise, whole or one-hot over d groups), per column: a sort of the rows, k·d·n comparisons and their injection
 *     (10 rounds, ~40 bytes each), one inner-product round, one comparison and two multiplications
 *     (ops/quantiles.ts)
 *   corr/covar_samp: one or two multiplication rounds, up to 8 products of 8 bytes per row and pair
 *   crosstab: one-hot over its cells; suppression one comparison per cell, its injection and a
 *     multiplication (11 rounds, ~48 bytes per cell); margins are local
 */

import type { CheckedGroupBy } from './check-group-by.js';
import { selectable, selectionCost } from './cost-quantile.js';
import type { CheckedCrosstab } from './check-crosstab.js';
import { columnVectors } from './cost-order.js';
import { textRankCost } from './cost-text.js';
import { textWordCount } from '../table/types/text.js';

export interface StepCost {
  readonly rounds: number;
  readonly bytes: number;
}

const ONE_HOT_BLOCK = 2 ** 21;

/** The same split of the key as mpc/oblivious/one-hot.ts levelSplit (fewest words, then rounds). */
function oneHot(n: number, d: number, sums: number): StepCost {
  const k = Math.max(1, Math.ceil(Math.log2(d)));
  let best = { words: Infinity, once: Infinity };
  for (let j = 0; j <= k; j++) {
    const low = 2 ** j;
    const words = Math.ceil(d / low) + low + low * sums;
    const once = 15 + Math.max(j, k - j - 1);
    if (words < best.words || (words === best.words && once < best.once)) best = { words, once };
  }
  const blocks = Math.max(1, Math.ceil((n * best.words) / ONE_HOT_BLOCK));
  return { rounds: best.once + blocks * (3 + (sums > 0 ? 1 : 0)), bytes: n * (112 + 8 * best.words) };
}

/** Bytes of one (group index, row index) comparison: one word when both fit 64 bits. */
function comparisonBytes(n: number, width: bigint): number {
  return width.toString(2).length + Math.max(1, Math.ceil(Math.log2(Math.max(n, 2)))) <= 64 ? 24 : 36;
}

function sortRows(n: number, width: bigint): StepCost {
  const levels = Math.max(1, Math.ceil(Math.log2(Math.max(n, 2))));
  return { rounds: 2 * levels * 8, bytes: 1.02 * n * levels * comparisonBytes(n, width) };
}

function sortAndScan(n: number, columns: number, extremes: boolean, width: bigint): StepCost {
  const levels = Math.max(1, Math.ceil(Math.log2(Math.max(n, 2))));
  // mpc/oblivious/segmented-scan.ts: work-efficient from 4096 rows.
  const [scanLevels, combines] = n >= 4096 ? [2 * levels - 1, 2] : [levels, levels];
  return {
    rounds: 2 * levels * 8 + 9 + scanLevels * (extremes ? 12 : 1) + 4,
    bytes: 1.02 * n * levels * comparisonBytes(n, width) + n * combines * 8 * (columns + 1) + n * 8 * columns,
  };
}

export function groupByCost(node: CheckedGroupBy, secretValidity: boolean): StepCost {
  const n = node.input.type.maxRows;
  const terms = node.outputs.flatMap((o) => o.terms);
  const extremes = terms.filter((t) => t.of === 'min' || t.of === 'max').length;
  const squares = terms.some((t) => t.of === 'squares');
  const distinct = terms.filter((t) => t.of === 'distinct').length;
  let rounds = squares ? 1 : 0;
  // A whole table of all-valid rows sums x² by one inner product (a word per column, ops/group-by.ts squaredColumns).
  let bytes = squares ? (node.group.method === 'whole' && !secretValidity ? 8 * terms.filter((t) => t.of === 'squares').length : 8 * n) : 0;
  // Pairs (ops/pair-sums.ts): up to six products per row in one batch, two masked squares in a second.
  const pairs = node.outputs.filter((o) => o.other !== undefined).length;
  if (pairs > 0) {
    rounds += 2;
    bytes += 8 * 8 * n * pairs;
  }
  const add = (c: StepCost): void => {
    rounds += c.rounds;
    bytes += c.bytes;
  };
  const groups = node.type.maxRows;
  if (node.group.method === 'whole') {
    if (secretValidity) add({ rounds: 1, bytes: 8 * terms.length });
    if (extremes > 0) add({ rounds: 11 * Math.max(1, Math.ceil(Math.log2(Math.max(n, 2)))), bytes: 48 * n * extremes });
  } else if (node.group.method === 'one-hot') {
    // Two levels or one, every row valid: the key is its own indicator (one inner-product round).
    add(!secretValidity && node.group.width <= 2n ? { rounds: 1, bytes: 8 * terms.length } : oneHot(n, Number(node.group.width), terms.length));
    if (extremes > 0) {
      add(sortAndScan(n, extremes, true, node.group.width));
      add(oneHot(n, Number(node.group.width), extremes));
    }
  } else {
    for (const k of node.group.keys) {
      if (k.ranked !== true) continue;
      const rank = textRankCost(n, k.column); // a text key is ranked first (cost-text.ts)
      add({ rounds: rank.rounds, bytes: rank.bytesPerParty });
    }
    add(sortAndScan(n, node.group.keys.reduce((v, k) => v + (k.column.kind === 'text' ? columnVectors(k.column) : 1), 0) + terms.length + 1, extremes > 0, node.group.width));
  }
  for (let k = 0; k < distinct; k++) {
    // distinct-marks.ts sorts by value spans the plan does not size here: priced as unpacked.
    add(sortRows(n, 1n << 63n));
    add({ rounds: 12, bytes: 48 * n });
  }
  for (const o of node.outputs) {
    // A text of more than one word is counted by its dense rank (ops/distinct-marks.ts), ranked first.
    if (!o.terms.some((t) => t.of === 'distinct') || o.column?.kind !== 'text' || textWordCount(o.column.maxBytes ?? 0) <= 1) continue;
    const rank = textRankCost(n, o.column);
    add({ rounds: rank.rounds, bytes: rank.bytesPerParty });
  }
  if (distinct > 0 && node.group.method === 'one-hot') add(oneHot(n, Number(node.group.width), distinct));
  if (extremes > 0) add({ rounds: 11, bytes: 48 * groups * extremes });
  const quantiles = node.outputs.filter((o) => o.fraction !== undefined);
  const d = node.group.method === 'one-hot' ? Number(node.group.width) : 1;
  // A public count: selected together, not sorted (cost-quantile.ts).
  const selected = quantiles.filter((o) => node.group.method === 'whole' && !secretValidity && selectable(o.column!, n));
  if (selected.length > 0) add(selectionCost(n, selected.map((o) => o.column!)));
  for (const column of new Set(quantiles.filter((o) => !selected.includes(o)).map((o) => o.column!.name))) {
    const k = quantiles.filter((o) => o.column!.name === column).length;
    add(sortRows(n, 1n << 63n)); // sorted by value spans the plan does not size here: priced as unpacked
    // Per group: the (group, value) key's multiplications and the counts' one-hot pass.
    if (d > 1) add({ rounds: 2, bytes: 16 * n });
    if (d > 1) add(oneHot(n, d, 1));
    add({ rounds: 10 + 1 + 10 + 2, bytes: 40 * k * d * n + 8 * 2 * k * d + 48 * k * d });
  }
  return { rounds, bytes: Math.round(bytes) };
}

export function crosstabCost(node: CheckedCrosstab): StepCost {
  const base = oneHot(node.input.type.maxRows, node.cells, 0);
  if (node.suppressBelow === undefined) return base;
  return { rounds: base.rounds + 11, bytes: base.bytes + 48 * node.cells };
}
