/**
 * Estimated rounds and bytes per party of a group-by and of a crosstab (plan/cost.ts adds them),
 * from the protocols' headers (docs/plan.md, "Group-by and crosstab"):
 *
 *   one-hot over d combinations, n rows (mpc/oblivious/one-hot.ts): per block of ~2^21/d rows
 *     k + 17 rounds (k = ⌈log2 d⌉), ~112 + 8d bytes per row plus 8 per sum; min/max add a sort
 *     of the rows, a segmented scan (12 rounds per level) and a second one-hot pass
 *   sort (mpc/protocols/sort.ts and the segmented scan): ~1.02 n log2 n comparisons of ~36 bytes
 *     in about 2 log2 n batches of 8 rounds, 9 rounds for the group flags, ⌈log2 n⌉ scan levels
 *     (1 round and 8 bytes per column each; 12 rounds with min/max), 4 rounds to compact
 *   whole: sums as an aggregate; min/max a tournament of ⌈log2 n⌉ levels of 11 rounds
 *   count_distinct, per column: a sort of the rows (as above), the run starts (9 rounds, ~24
 *     bytes per row) and up to three multiplications (3 rounds, 24 bytes per row); one-hot adds
 *     a one-hot pass over the marks, sort one more scan column, whole nothing (a local sum)
 *   present bits of min/max: one comparison per group (8 rounds, ~32 bytes) and a multiplication
 *   quantiles (whole, or one-hot over d groups), per column: a sort of the rows, k·d·n comparisons and their injection
 *     (10 rounds, ~40 bytes each), one inner-product round, one comparison and two multiplications
 *     (ops/quantiles.ts)
 *   corr/covar_samp: one or two multiplication rounds, up to 8 products of 8 bytes per row and pair
 *   crosstab: one-hot over its cells; suppression one comparison per cell, its injection and a
 *     multiplication (11 rounds, ~48 bytes per cell); margins are local
 */

import type { CheckedGroupBy } from './check-group-by.js';
import type { CheckedCrosstab } from './check-crosstab.js';

export interface StepCost {
  readonly rounds: number;
  readonly bytes: number;
}

const ONE_HOT_BLOCK = 2 ** 21;

function oneHot(n: number, d: number, sums: number): StepCost {
  const k = Math.max(1, Math.ceil(Math.log2(Math.max(d, 2))));
  const blocks = Math.max(1, Math.ceil((n * d) / ONE_HOT_BLOCK));
  return { rounds: blocks * (k + 17), bytes: n * (112 + 8 * d + 8 * sums) };
}

function sortRows(n: number): StepCost {
  const levels = Math.max(1, Math.ceil(Math.log2(Math.max(n, 2))));
  return { rounds: 2 * levels * 8, bytes: 1.02 * n * levels * 36 };
}

function sortAndScan(n: number, columns: number, extremes: boolean): StepCost {
  const levels = Math.max(1, Math.ceil(Math.log2(Math.max(n, 2))));
  return {
    rounds: 2 * levels * 8 + 9 + levels * (extremes ? 12 : 1) + 4,
    bytes: 1.02 * n * levels * 36 + n * levels * 8 * columns + n * 8 * columns,
  };
}

export function groupByCost(node: CheckedGroupBy, secretValidity: boolean): StepCost {
  const n = node.input.type.maxRows;
  const terms = node.outputs.flatMap((o) => o.terms);
  const extremes = terms.filter((t) => t.of === 'min' || t.of === 'max').length;
  const squares = terms.some((t) => t.of === 'squares');
  const distinct = terms.filter((t) => t.of === 'distinct').length;
  let rounds = squares ? 1 : 0;
  let bytes = squares ? 8 * n : 0;
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
    add(oneHot(n, Number(node.group.width), terms.length));
    if (extremes > 0) {
      add(sortAndScan(n, extremes, true));
      add(oneHot(n, Number(node.group.width), extremes));
    }
  } else {
    add(sortAndScan(n, node.group.keys.length + terms.length + 1, extremes > 0));
  }
  for (let k = 0; k < distinct; k++) {
    add(sortRows(n));
    add({ rounds: 12, bytes: 48 * n });
  }
  if (distinct > 0 && node.group.method === 'one-hot') add(oneHot(n, Number(node.group.width), distinct));
  if (extremes > 0) add({ rounds: 11, bytes: 48 * groups * extremes });
  const quantiles = node.outputs.filter((o) => o.fraction !== undefined);
  const d = node.group.method === 'one-hot' ? Number(node.group.width) : 1;
  for (const column of new Set(quantiles.map((o) => o.column!.name))) {
    const k = quantiles.filter((o) => o.column!.name === column).length;
    add(sortRows(n));
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
