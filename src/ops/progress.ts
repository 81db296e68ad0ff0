/**
 * Progress of one execution, as steps known before it starts: reading the stored tables, each
 * operator, and each batched protocol round of an append table's range check (the long part of
 * most plans). The node is told at the start of every step; it may pause or stop the
 * computation there (a listener that throws stops it). ops/ reports, node/ decides what to do.
 */

import { inputsOf, type CheckedPlan, type CheckedTable } from '../plan/check.js';
import type { TableSchema } from '../table/schema.js';

/** Step `step` of `steps` (1-based) is starting: `operator` at `path` in the plan. */
export interface ExecutionProgress {
  readonly operator: string;
  readonly path: string;
  readonly step: number;
  readonly steps: number;
}

export type ProgressListener = (progress: ExecutionProgress) => void | Promise<void>;

/** Batched rounds of the range check of a table with this schema (check-ranges.ts, in order). */
export function rangeCheckSteps(schema: TableSchema): number {
  const nullable = schema.columns.filter((c) => c.nullable).length;
  const terms = schema.columns.length + nullable;
  const andLevels = terms > 1 ? Math.ceil(Math.log2(terms)) : 0;
  // msb, and of the two bounds, [present and value-in-range], the AND tree, bit injection, opening the count, [zeroing nulls]
  return 2 + (nullable > 0 ? 1 : 0) + andLevels + 2 + (nullable > 0 ? 1 : 0);
}

/** Every step of `plan`: the read, each operator, the range checks and the opening. */
export function planSteps(plan: CheckedPlan): number {
  const checked = new Set<string>();
  // One step per operator; a scan of an append table adds its range check's rounds, once per table.
  const count = (node: CheckedTable): number => {
    if (node.op !== 'scan') return 1 + inputsOf(node).reduce((n, input) => n + count(input), 0);
    if (node.table.kind !== 'append' || checked.has(node.table.name)) return 1;
    checked.add(node.table.name);
    return 1 + rangeCheckSteps(node.table.schema);
  };
  return 1 + count(plan.root.input) + 1;
}

export class ProgressTracker {
  private done = 0;

  constructor(
    readonly steps: number,
    private readonly listener: ProgressListener | undefined,
  ) {}

  /** The next step starts. */
  async enter(operator: string, path: string): Promise<void> {
    this.done = Math.min(this.done + 1, this.steps);
    await this.listener?.({ operator, path, step: this.done, steps: this.steps });
  }

  /** Steps an operator planned but did not need (an empty table's range check): counted as done. */
  skip(count: number): void {
    this.done = Math.min(this.done + Math.max(0, count), this.steps);
  }
}
