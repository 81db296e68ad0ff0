/**
 * Type checking of a sort node (plan.ts SortNode) against its checked input: every key is a
 * column of the input with an order (identifiers are keyed hashes: their order means nothing,
 * so sorting by one is refused). The output has the input's columns, ranges and row bound.
 * A sort makes nothing public: the comparisons it opens are of shuffled rows made distinct by
 * their row index, i.e. the order of a uniformly random permutation.
 */

import { PlanError } from '../errors.js';
import type { CheckedTable, Disclosure } from './check.js';
import type { SortNode } from './plan.js';
import type { SortKeyFacts } from './sort-layout.js';
import { findInputColumn } from './check-columns.js';
import type { TableType } from './types.js';

export interface CheckedSort {
  readonly op: 'sort';
  readonly path: string;
  readonly type: TableType;
  readonly input: CheckedTable;
  readonly keys: readonly SortKeyFacts[];
}

export function checkSort(node: SortNode, path: string, input: CheckedTable, disclosures: Disclosure[]): CheckedSort {
  const keys = node.by.map((k, i): SortKeyFacts => {
    const column = findInputColumn(input.type, k.column, `${path}/by/${i}/column`, 'this sort');
    if (column.kind === 'identifier') {
      throw new PlanError(`${path}/by/${i}/column`, `column '${column.name}' is an identifier (a keyed hash): its order means nothing; sort by another column (distinct and joins take identifiers)`);
    }
    return { column, descending: k.descending === true, nullsFirst: k.nulls === 'first' };
  });
  disclosures.push({ path, what: 'nothing (the comparisons a sort opens are of shuffled rows with distinct keys: the order of a random permutation)' });
  return { op: 'sort', path, type: input.type, input, keys };
}
