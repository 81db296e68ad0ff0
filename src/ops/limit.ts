/**
 * limit: the first `count` rows after `offset`, a public slice of the shares (local).
 *
 * Over a secret validity the invalid rows could be anywhere, and a slice would take some of
 * them instead of valid rows. Unless the input comes from a sort (which puts invalid rows
 * last), the rows are first sorted stably by validity alone (ops/sort.ts with no keys: one
 * pass, valid rows first in their order). The slice keeps its secret validity: when fewer
 * valid rows than `count` exist, the rest of the slice is invalid, and nobody learns how many.
 *
 * Public: nothing beyond the plan's count and offset (the output has min(count, rows - offset)
 * rows, and the input's row count is already public).
 */

import type { Session } from '../mpc/session.js';
import type { CheckedLimit } from '../plan/check-limit.js';
import { SecretTable, type Validity } from '../secret/secret-table.js';
import { sortTable } from './sort.js';
import { mapColumnVectors } from '../secret/column-vectors.js';

export async function limit(s: Session, node: CheckedLimit, input: SecretTable): Promise<SecretTable> {
  let table = input;
  if (table.validity.kind === 'secret' && node.input.op !== 'sort') table = (await sortTable(s, [], table)).table;
  const from = Math.min(node.offset, table.rows);
  const to = Math.min(from + node.count, table.rows);
  const columns = table.columns.map((c) => mapColumnVectors(c, (v) => v.slice(from, to)));
  const validity: Validity = table.validity.kind === 'secret' ? { kind: 'secret', share: table.validity.share.slice(from, to) } : table.validity;
  return new SecretTable(to - from, columns, validity);
}
