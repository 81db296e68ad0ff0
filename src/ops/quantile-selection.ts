/**
 * Whole-table quantiles by selection when the count of values is public: every row is valid (no
 * oblivious filter before) and the column is not nullable, so n is the table's row count. Then
 * h = (n − 1)·p is public, and so are the two ranks a type-7 quantile needs, ⌊h⌋ and ⌊h⌋ + 1
 * (only when h is not whole), and its weight r = (h − ⌊h⌋)·10^6. Each column goes to the
 * selection plan/cost-quantile.ts chooses for its size, range and ranks: the oblivious radix
 * search (mpc/protocols/radix-select.ts) or the shuffle and quickselect
 * (mpc/protocols/order-statistics.ts); each method's columns run together, every round one batch. A column with nulls or after a filter keeps the sort path
 * (ops/quantiles.ts): its count is secret, and a selection at a secret rank could not skip a part
 * of the rows without revealing where the rank lies.
 */

import { selectRanks as quickselectRanks, type RankedColumn } from '../mpc/protocols/order-statistics.js';
import { selectRanks as radixRanks } from '../mpc/protocols/radix-select.js';
import type { Session } from '../mpc/session.js';
import { publicA } from '../mpc/sharing.js';
import { FRACTION_UNIT } from '../plan/functions/quantile.js';
import { bitLength } from '../plan/sort-layout.js';
import { radixFits, selectionMethods } from '../plan/cost-quantile.js';
import type { ColumnFacts } from '../plan/types.js';
import type { AShare } from '../mpc/shares.js';
import type { SecretTable } from '../secret/secret-table.js';
import type { QuantileParts, QuantileRequest } from './quantiles.js';

/** Whether the column's quantiles can be selected: a public count, and a range the radix search takes. */
export function selectable(table: SecretTable, column: ColumnFacts): boolean {
  return table.rows > 0 && table.validity.kind === 'all' && table.column(column.name).present === undefined && radixFits(bitLength(column.max - column.min), table.rows);
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
  const columns: RankedColumn[] = names.map((name, j) => {
    const column = requests.find((r) => r.column.name === name)!.column;
    return { values: table.column(name).values, min: column.min, keyBits: bitLength(column.max - column.min), ranks: ranksOf[j] };
  });
  const radix = selectionMethods(table.rows, columns.map((c) => ({ keyBits: c.keyBits, ranks: c.ranks.length }))).map((m) => m === 'radix');
  const values = new Array<AShare>(columns.length);
  for (const [method, select] of [[true, radixRanks], [false, quickselectRanks]] as const) {
    const mine = columns.map((c, j) => ({ c, j })).filter(({ j }) => radix[j] === method);
    if (mine.length === 0) continue;
    (await select(s, mine.map(({ c }) => c))).values.forEach((v, k) => (values[mine[k].j] = v));
  }
  const constant = (v: bigint) => publicA(s.me, BigUint64Array.of(v));
  return requests.map((r, i) => {
    const j = names.indexOf(r.column.name);
    const at = (rank: number) => values[j].slice(ranksOf[j].indexOf(rank), ranksOf[j].indexOf(rank) + 1);
    const { lower, weight } = positions[i];
    return { lower: at(lower), upper: at(weight > 0n ? lower + 1 : lower), fraction: constant(weight), present: constant(1n) };
  });
}
