/** Parsing a rank node (plan.ts RankNode): the column ranked, the rank column's name, and optionally the ties column's. */

import { PlanError } from '../errors.js';
import { columnName, onlyFields, type Json } from './parse.js';
import type { RankNode, TableNode } from './plan.js';

export function parseRank(o: Json, path: string, input: (value: unknown, path: string) => TableNode): RankNode {
  onlyFields(o, path, ['op', 'input', 'column', 'as', 'ties'], 'a rank');
  const column = columnName(o.column, `${path}/column`);
  const as = columnName(o.as, `${path}/as`);
  const ties = o.ties === undefined ? undefined : columnName(o.ties, `${path}/ties`);
  if (ties !== undefined && ties === as) throw new PlanError(`${path}/ties`, `the rank and ties columns are both named '${as}'; name them differently`);
  return { op: 'rank', input: input(o.input, `${path}/input`), column, as, ...(ties !== undefined ? { ties } : {}) };
}
