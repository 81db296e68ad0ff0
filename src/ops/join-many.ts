/**
 * A many-to-many join (plan/check-join-many.ts) over the kernel of mpc/oblivious/join-many.ts,
 * from the sides ops/join.ts prepared (packed keys, carried columns, matchable and existence
 * bits). The output has the left side's columns, then the right side's other than its keys; a
 * left join makes the right side's columns null where no right row matched. An output beyond
 * the declared bound stops the query with a QueryError that says only that it exceeds the bound.
 */

import { QueryError } from '../errors.js';
import { manyToManyJoin } from '../mpc/oblivious/join-many.js';
import type { JoinSide } from '../mpc/oblivious/join.js';
import type { Session } from '../mpc/session.js';
import type { CheckedJoin } from '../plan/check-join.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../secret/secret-table.js';
import { columnsFrom, type JoinResult } from './join.js';

export async function joinManyToMany(s: Session, node: CheckedJoin, left: JoinSide, right: JoinSide, leftColumns: readonly SecretColumn[], rightColumns: readonly SecretColumn[]): Promise<JoinResult> {
  const bound = node.type.maxRows;
  const exceeds = (): QueryError => new QueryError(`plan ${node.path}: this many-to-many join outputs more than its max_rows = ${bound} rows; declare a larger max_rows (the count beyond it is not revealed), or filter its inputs first`);
  const joined = await manyToManyJoin(s, left, right, node.how, node.mode, bound, exceeds);
  const rightPresent = node.how === 'left' ? joined.matched : undefined;
  const out = [...columnsFrom(leftColumns, joined.left, undefined), ...columnsFrom(rightColumns, joined.right, rightPresent)];
  if (node.mode === 'oblivious') return { table: new SecretTable(bound, out, { kind: 'secret', share: joined.valid! }) };
  return { table: new SecretTable(joined.count!, out, ALL_VALID), rows: joined.count! };
}
