/**
 * Whole-table quantiles by selection (mpc/protocols/order-statistics.ts) when the count of values
 * is public: every row is valid (no oblivious filter before) and the column is not nullable, so
 * n is the table's row count. Then h = (n − 1)·p is public, and so are the two ranks a type-7
 * quantile needs, ⌊h⌋ and ⌊h⌋ + 1 (only when h is not whole), and its weight
 * r = (h − ⌊h⌋)·10^6. All quantiles of all such columns are selected in one quickselect, every
 * level one batch of comparisons. A column with nulls or after a filter keeps the sort path
 * (ops/quantiles.ts): its count is secret, and a selection at a secret rank could not skip a part
 * of the rows without revealing where the rank lies.
 */

import { selectRanks, packsForSelection } from '../mpc/protocols/order-statistics.js';
import type { Session } from '../mpc/session.js';
import { publicA } from '../mpc/sharing.js';
import { FRACTION_UNIT } from '../plan/functions/quantile.js';
import { bitLength } from '../plan/sort-layout.js';
import type { ColumnFacts } from '../plan/types.js';
import type { SecretTable } from '../secret/secret-table.js';
import type { QuantileParts, QuantileRequest } from './quantiles.js';

/** Whether the column's quantiles can be selected: a public count, and (value, row) fits one word. */
export function selectable(table: SecretTable, column: ColumnFacts): boolean {
  return table.rows > 0 && table.validity.kind === 'all' && table.column(column.name).present === undefined && packsForSelection(bitLength(column.max - column.min), table.rows);
}

/** The parts of each request (all selectable), one element each. */
export async function quantilesBySelection(s: Session, table: SecretTable, requests: readonly QuantileRequest[]): Promise<QuantileParts[]> {
  const n = BigInt(table.rows);
  const positions = requests.map((r) => {
    const h = (n - 1n) * r.fraction;
    return { lower: Number(h / FRACTION_UNIT), weight: h % FRACTION_UNIT };
  });
  const names = [...new Set(requests.map((r) => r.column.name))];
  const ranksOf = names.map((name) => {
    const ranks = new Set<number>();
    requests.forEach((r, i) => {
      if (r.column.name !== name) return;
      ranks.add(positions[i].lower);
      if (positions[i].weight > 0n) ranks.add(positions[i].lower + 1);
    });
    return [...ranks].sort((a, b) => a - b);
  });
  const { values } = await selectRanks(
    s,
    names.map((name, j) => {
      const column = requests.find((r) => r.column.name === name)!.column;
      return { values: table.column(name).values, min: column.min, keyBits: bitLength(column.max - column.min), ranks: ranksOf[j] };
    }),
  );
  const constant = (v: bigint) => publicA(s.me, BigUint64Array.of(v));
  return requests.map((r, i) => {
    const j = names.indexOf(r.column.name);
    const at = (rank: number) => values[j].slice(ranksOf[j].indexOf(rank), ranksOf[j].indexOf(rank) + 1);
    const { lower, weight } = positions[i];
    return { lower: at(lower), upper: at(weight > 0n ? lower + 1 : lower), fraction: constant(weight), present: constant(1n) };
  });
}
