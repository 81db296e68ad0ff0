/**
 * Type checking of a distinct node (plan.ts DistinctNode): its columns exist in the input; the
 * output has exactly those columns (all when omitted), with their ranges, and at most the
 * input's rows. Nulls are equal to each other here, as in SQL's SELECT DISTINCT.
 *
 * reveal-count (the default) opens how many distinct rows there are (ops/distinct.ts compacts
 * the first row of every group after shuffling); oblivious keeps every row with a secret
 * validity column that marks one row per distinct value, and reveals nothing.
 */

import type { CheckedTable, Disclosure } from './check.js';
import { findInputColumn } from './check-columns.js';
import type { DistinctNode, FilterMode } from './plan.js';
import type { ColumnFacts, TableType } from './types.js';

export interface CheckedDistinct {
  readonly op: 'distinct';
  readonly path: string;
  readonly type: TableType;
  readonly input: CheckedTable;
  readonly columns: readonly ColumnFacts[];
  readonly mode: FilterMode;
}

export function checkDistinct(node: DistinctNode, path: string, input: CheckedTable, disclosures: Disclosure[]): CheckedDistinct {
  const columns = node.columns === undefined ? input.type.columns : node.columns.map((name, i) => findInputColumn(input.type, name, `${path}/columns/${i}`, 'this distinct'));
  const mode = node.mode ?? 'reveal-count';
  disclosures.push({
    path,
    what: mode === 'reveal-count'
      ? 'how many distinct rows there are (opened; the rows kept are shuffled, so which rows they were stays secret)'
      : 'nothing (oblivious distinct: every row stays, a secret validity column marks one row per distinct value)',
  });
  return { op: 'distinct', path, type: { columns, maxRows: input.type.maxRows }, input, columns, mode };
}
