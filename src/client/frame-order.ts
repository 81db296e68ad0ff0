/**
 * Column pruning through sort, limit and distinct (frame.ts pushes the columns a plan needs
 * down into its scans): a sort's input also reads its keys; a limit passes the columns through;
 * a distinct's output is its own columns, so what is needed above it must be among them.
 */

import { UsageError } from '../errors.js';
import type { DistinctNode, LimitNode, SortNode, TableNode } from '../plan/plan.js';

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
