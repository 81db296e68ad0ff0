/** Looking up an operator's column in its input's type, with the refusal every checker gives. */

import { PlanError } from '../errors.js';
import type { ColumnFacts, TableType } from './types.js';

export function findInputColumn(type: TableType, name: string, path: string, what: string): ColumnFacts {
  const c = type.columns.find((x) => x.name === name);
  if (!c) {
    const has = type.columns.length === 0 ? 'no columns' : type.columns.map((x) => x.name).join(', ');
    throw new PlanError(path, `the input of ${what} has no column '${name}' (it has ${has}); scan it first`);
  }
  return c;
}
