/**
 * cox (plan/check-cox.ts): the Cox proportional hazards model, Breslow ties, by Newton–Raphson
 * inside MPC. The operator prepares the rows once and hands them to the iterations
 * (ops/cox-newton.ts):
 *
 * 1. weight = validity · the present bits of time, event and covariates (complete cases; one
 *    product tree, only when some are secret); δ = weight · event; z_j = weight · (x_j − c_j)
 *    2^(F − k_j), the public standardisation, exact.
 * 2. One stable sort by key = weight · (max − time): time descending (rows that do not count
 *    sort first, with weight 0: they add nothing to any sum).
 * 3. Tie groups: group flags of adjacent keys (9 rounds); D = last · (segmented sum of δ), the
 *    group's event count on its last row in descending order, where the prefix sums reach every
 *    row with time ≥ the group's time (the Breslow risk set). Nothing depends on β here, so no
 *    broadcast is needed per iteration.
 *
 * Output: one row (check-cox.ts coxOutputNames), raw fixed-point integers with F fraction bits
 * for β, g, H and the log-likelihoods, integers for the bits and counts.
 * Public: nothing but the opened outputs; the sort opens only comparisons of shuffled rows.
 */

import { mul } from '../mpc/protocols/arith.js';
import { productTree } from '../mpc/protocols/fixmath/ops.js';
import { sortByKey } from '../mpc/protocols/sort.js';
import { groupFlags } from '../mpc/oblivious/group-flags.js';
import { segmentedScan } from '../mpc/oblivious/segmented-scan.js';
import type { Session } from '../mpc/session.js';
import { AShare, concatA, scaleA, splitA, sumA } from '../mpc/shares.js';
import { addConstA, publicA } from '../mpc/sharing.js';
import type { CheckedCox } from '../plan/check-cox.js';
import { bitLength } from '../plan/sort-layout.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../secret/secret-table.js';
import { columnSchemaOf } from './column-schema.js';
import { coxNewton, upperPairs, type CoxNewtonResult } from './cox-newton.js';

export async function cox(s: Session, node: CheckedCox, table: SecretTable): Promise<SecretTable> {
  const n = table.rows, F = node.fractionBits, d = node.x.length;
  // No rows (a filter left none): no events, which the recipient refuses; nothing to compute.
  if (n === 0) return new SecretTable(1, node.type.columns.map((facts) => ({ schema: columnSchemaOf(facts), values: AShare.zeros(1) })), ALL_VALID);
  const time = table.column(node.time.name), event = table.column(node.event.name);
  const xs = node.x.map((c) => table.column(c.name));
  const factors = [...(table.validity.kind === 'secret' ? [table.validity.share] : []), ...[time, event, ...xs].flatMap((c) => (c.present ? [c.present] : []))];
  const weight = factors.length === 0 ? undefined : factors.length === 1 ? factors[0] : await productTree(s, factors);
  const standardised = xs.map((c, j) => {
    const { centre, shift } = node.standardisation[j];
    return scaleA(addConstA(s.me, c.values, -centre), 1n << BigInt(F - shift));
  });
  const keyBase = addConstA(s.me, scaleA(time.values, -1n), node.time.max);
  let key = keyBase, events = event.values, z = standardised;
  if (weight) {
    const products = await mul(s, concatA(Array.from({ length: d + 2 }, () => weight)), concatA([keyBase, event.values, ...standardised]));
    [key, events, ...z] = splitA(products, Array.from({ length: d + 2 }, () => n));
  }
  const sorted = await sortByKey(s, key, [events, ...z, ...(weight ? [weight] : [])], { keyBits: bitLength(node.time.max - node.time.min) });
  const [sortedEvents, ...rest] = sorted.payload;
  const sortedZ = rest.slice(0, d);
  const sortedWeight = weight ? rest[d] : undefined;
  const { continues, last } = await groupFlags(s, sorted.key);
  const [groupEvents] = await segmentedScan(s, continues, [{ values: sortedEvents, op: 'sum' }]);
  const tieEvents = await mul(s, last, groupEvents);
  const result = await coxNewton(s, { z: sortedZ, events: sortedEvents, tieEvents, ...(sortedWeight ? { weight: sortedWeight } : {}) }, {
    fractionBits: F,
    iterations: node.iterations,
    etaBound: node.etaBound,
    sumBits: node.sumBits,
    pivotMin: node.pivotMin,
    pivotMax: node.pivotMax,
    tolerance: node.tolerance,
  });
  const rows = sortedWeight ? sumA(sortedWeight) : publicA(s.me, BigUint64Array.of(BigInt(n)));
  return outputTable(node, result, rows);
}

function outputTable(node: CheckedCox, r: CoxNewtonResult, rows: AShare): SecretTable {
  const d = node.x.length;
  const upper = upperPairs(d).map(([j, l]) => r.information.slice(j * d + l, j * d + l + 1));
  const values = concatA([r.beta, r.score, ...upper, r.logLikelihood, r.converged, r.saturated, r.events, rows]);
  const columns = node.type.columns.map((facts, k): SecretColumn => ({ schema: columnSchemaOf(facts), values: values.slice(k, k + 1) }));
  return new SecretTable(1, columns, ALL_VALID);
}
