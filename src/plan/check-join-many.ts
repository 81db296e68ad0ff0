/**
 * The part of a join's check (check-join.ts) particular to many-to-many joins: neither side's
 * key is unique, so the output bound is the declared `max_rows` (parse-join.ts requires it). The
 * kernel (mpc/oblivious/join-many.ts) opens one bit, whether the output exceeds the bound (then
 * the query stops, and nothing more is learned about the count), then, in reveal-count mode,
 * the output row count; in oblivious mode the output holds exactly `max_rows` rows with a secret
 * validity column, so nothing but the bound is known.
 */

import { PlanError } from '../errors.js';
import type { CheckedTable, Disclosure } from './check.js';
import type { CheckedJoin, KeyPacking } from './check-join.js';
import type { JoinNode } from './plan.js';
import type { ColumnFacts } from './types.js';

export function checkedManyToMany(
  node: JoinNode,
  path: string,
  left: CheckedTable,
  right: CheckedTable,
  keys: CheckedJoin['keys'],
  packing: readonly KeyPacking[],
  rightColumns: readonly ColumnFacts[],
  disclosures: Disclosure[],
): CheckedJoin {
  const bound = node.max_rows;
  // parse-join.ts refuses this already; a plan built in code reaches here unparsed.
  if (bound === undefined || !Number.isSafeInteger(bound) || bound < 1) throw new PlanError(`${path}/max_rows`, 'a many-to-many join needs max_rows: the declared bound on its output rows (a whole number, at least 1)');
  const mode = node.mode ?? 'reveal-count';
  disclosures.push({ path, what: `whether the output exceeds max_rows = ${bound} (then the query is refused, without its row count)` });
  disclosures.push({
    path,
    what: mode === 'reveal-count'
      ? 'how many rows this join outputs (opened on shuffled rows, so which rows matched stays secret)'
      : `nothing but its bound: the output holds ${bound} rows (max_rows) with a secret validity column`,
  });
  return { op: 'join', path, type: { columns: [...left.type.columns, ...rightColumns], maxRows: bound }, left, right, keys, packing, how: node.how, kind: 'many-to-many', mode, primary: 'right', rightColumns };
}
