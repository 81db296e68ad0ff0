/**
 * Building plans in code (the SDK, the CLI, tests): small constructors that produce the plain
 * JSON of plan.ts. Nothing here checks against stored tables; the nodes do (check.ts).
 */

import type { PrivacySpec } from '../privacy/spec.js';
import { PLAN_VERSION, type AggregateNode, type AggregateSpec, type OpenNode, type Plan, type ScanNode, type TableNode } from './plan.js';

export function scanOf(table: string, columns?: readonly string[]): ScanNode {
  return columns === undefined ? { op: 'scan', table } : { op: 'scan', table, columns: [...columns] };
}

/** The tables' rows one after another; one table is just itself. */
export function concatOf(inputs: readonly TableNode[]): TableNode {
  return inputs.length === 1 ? inputs[0] : { op: 'concat', inputs: [...inputs] };
}

export function aggregateOf(input: TableNode, aggregates: readonly AggregateSpec[]): AggregateNode {
  return { op: 'aggregate', input, aggregates: aggregates.map((a) => ({ ...a })) };
}

export function openFor(input: TableNode, to: readonly string[], privacy?: PrivacySpec): Plan {
  const root: OpenNode = { op: 'open', input, to: [...to], ...(privacy ? { privacy: { ...privacy } } : {}) };
  return { version: PLAN_VERSION, root };
}

/**
 * One aggregate of one column (or of rows) over tables, opened to recipients: what
 * `t.count/sum/mean` and `tessera query` send. Each scan reads only the column it needs.
 */
export function aggregatePlan(fn: string, column: string | undefined, tables: readonly string[], to: readonly string[]): Plan {
  const scans = [...new Set(tables)].sort().map((t) => scanOf(t, column === undefined ? [] : [column]));
  return openFor(aggregateOf(concatOf(scans), [{ name: fn, fn, ...(column !== undefined ? { column } : {}) }]), to);
}
