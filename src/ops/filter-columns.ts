/**
 * The columns a reveal-count filter must carry through its compaction: those its consumer reads.
 * Compaction shuffles every carried column (8 bytes per row and column, 16 for party 0, plus the
 * permutations and masks), so a column that nothing after the filter reads is dropped before it
 * instead of being shuffled for nothing (a projection pushed below the filter, as Polars' and
 * DuckDB's optimisers do). `SELECT count(*) … WHERE …` carries none: the predicate alone is
 * shuffled and opened. What is opened does not change: the remaining row count.
 *
 * Only consumers whose reads are known exactly narrow the columns: a plain aggregate (its
 * outputs' columns). Every other consumer, and a filter at the plan's root, keeps them all.
 */

import type { CheckedFilter, CheckedTable } from '../plan/check.js';
import { inputsOf } from '../plan/check.js';

/** For each filter below a consumer that reads only some of its columns: those columns. */
export function filterCarriedColumns(root: CheckedTable): Map<CheckedFilter, ReadonlySet<string>> {
  const carried = new Map<CheckedFilter, ReadonlySet<string>>();
  const visit = (node: CheckedTable): void => {
    if (node.op === 'aggregate' && node.input.op === 'filter') {
      const read = new Set<string>();
      for (const out of node.outputs) {
        if (out.column) read.add(out.column.name);
        if (out.other) read.add(out.other.name);
      }
      carried.set(node.input, read);
    }
    inputsOf(node).forEach(visit);
  };
  visit(root);
  return carried;
}
