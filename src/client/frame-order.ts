/**
 * Column pruning through sort, limit and distinct (frame.ts pushes the columns a plan needs
 * down into its scans; a `select` above them is an explicit select node): a sort's input also
 * reads its keys; a limit passes the columns through; a distinct's output is its own columns,
 * so what is needed above it must be among them.
 */

import { UsageError } from '../errors.js';
import type { DistinctNode, FilterMode, LimitNode, SortNode, TableNode } from '../plan/plan.js';

type Prune = (node: TableNode, columns: readonly string[]) => TableNode;

export function orderedInput(node: SortNode | LimitNode | DistinctNode, columns: readonly string[], prune: Prune): TableNode {
  if (node.op === 'sort') return { ...node, input: prune(node.input, [...new Set([...columns, ...node.by.map((k) => k.column)])]) };
  if (node.op === 'limit') return { ...node, input: prune(node.input, columns) };
  // Distinct over all columns: every column of the input decides, so nothing is pruned below it.
  if (node.columns === undefined) return node;
  const missing = columns.find((c) => !node.columns!.includes(c));
  if (missing !== undefined) throw new UsageError(`column '${missing}' is not among the distinct columns (${node.columns.join(', ')}); add it to distinct(...)`);
  return { ...node, input: prune(node.input, node.columns) };
}

/** A sort key in the SDK: a column name (ascending, nulls last) or an object. */
export type SortBy<C extends string> = C | { readonly column: C; readonly descending?: boolean; readonly nulls?: 'first' | 'last' };

const MAX_KEYS = 8;
const MAX_COUNT = 10_000_000;

export function sortNode<C extends string>(input: TableNode, keys: readonly SortBy<C>[]): SortNode {
  if (keys.length === 0 || keys.length > MAX_KEYS) throw new UsageError(`sort takes 1 to ${MAX_KEYS} keys: sort('age', { column: 'cost', descending: true })`);
  const by = keys.map((k) => {
    if (typeof k === 'string') return { column: k };
    if (typeof k !== 'object' || k === null || typeof k.column !== 'string') throw new UsageError(`a sort key is a column name or { column, descending?, nulls? }, not ${JSON.stringify(k)}`);
    if (k.descending !== undefined && typeof k.descending !== 'boolean') throw new UsageError(`'descending' of sort key '${k.column}' is true or false`);
    if (k.nulls !== undefined && k.nulls !== 'first' && k.nulls !== 'last') throw new UsageError(`'nulls' of sort key '${k.column}' is 'first' or 'last'`);
    return { column: k.column, ...(k.descending !== undefined ? { descending: k.descending } : {}), ...(k.nulls !== undefined ? { nulls: k.nulls } : {}) };
  });
  return { op: 'sort', input, by };
}

export function limitNode(input: TableNode, count: number, offset = 0): LimitNode {
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) throw new UsageError(`head takes a whole number of rows from 1 to ${MAX_COUNT}, not ${JSON.stringify(count)}`);
  if (!Number.isInteger(offset) || offset < 0) throw new UsageError(`an offset is a whole number of rows (0 or more), not ${JSON.stringify(offset)}`);
  return { op: 'limit', input, count, ...(offset > 0 ? { offset } : {}) };
}

export function distinctNode(input: TableNode, columns: readonly string[], mode?: FilterMode): DistinctNode {
  columns.forEach((c, i) => {
    if (columns.indexOf(c) !== i) throw new UsageError(`column '${c}' is listed twice in distinct`);
  });
  if (mode !== undefined && mode !== 'reveal-count' && mode !== 'oblivious') throw new UsageError(`a distinct's mode is 'reveal-count' or 'oblivious', not ${JSON.stringify(mode)}`);
  return { op: 'distinct', input, ...(columns.length > 0 ? { columns: [...columns] } : {}), ...(mode !== undefined ? { mode } : {}) };
}
