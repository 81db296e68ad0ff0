/**
 * The shape of a store root (plan.ts StoreNode): `{ op: 'store', input, table, replace? }`.
 * Whether the name may be taken, and by whom, is checked against the stored tables (check-store.ts).
 */

import { PlanError } from '../errors.js';
import { onlyFields, TABLE_NAME } from './parse.js';
import type { StoreNode, TableNode } from './plan.js';

export function parseStore(o: Record<string, unknown>, path: string, parseInput: (input: unknown) => TableNode): StoreNode {
  onlyFields(o, path, ['op', 'input', 'table', 'replace'], 'a store node');
  if (typeof o.table !== 'string' || !TABLE_NAME.test(o.table)) {
    throw new PlanError(`${path}/table`, `${JSON.stringify(o.table)} is not a table name (1-128 letters, digits, _ or -, starting with a letter or digit)`);
  }
  if (o.replace !== undefined && typeof o.replace !== 'boolean') throw new PlanError(`${path}/replace`, "'replace' is true (store over a derived table of yours with that name) or false");
  const input = parseInput(o.input);
  return { op: 'store', input, table: o.table, ...(o.replace !== undefined ? { replace: o.replace } : {}) };
}
