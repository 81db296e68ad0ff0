/**
 * Type and range checking of the column-shaping nodes: `derive` (columns computed row by row
 * from the input's columns, plan/expr-check.ts), `select` and `rename`. A derived column's
 * declared range is the one computed for its expression, so later operators (filters, sums)
 * check overflow against it as against a stored column. All expressions of a derive read the
 * input's columns (not each other), as Polars' with_columns does; a name that exists is
 * replaced in place, a new one is appended.
 */

import { PlanError } from '../errors.js';
import { circuitCost, schedule, type CircuitCost, type Gate, type Step } from './expr-circuit.js';
import { checkValue, storedValue } from './expr-check.js';
import type { CheckedTable } from './check.js';
import type { DeriveNode, RenameNode, SelectNode } from './plan.js';
import type { ColumnFacts, TableType } from './types.js';

export interface DerivedColumn {
  readonly facts: ColumnFacts;
  /** The value to store (0 where null) and, when nullable, the present bit. */
  readonly value: Gate;
  readonly present?: Gate;
}

export interface CheckedDerive {
  readonly op: 'derive';
  readonly path: string;
  readonly type: TableType;
  readonly input: CheckedTable;
  readonly columns: readonly DerivedColumn[];
  /** The circuit of all columns, in batched steps (ops/expression.ts runs exactly these). */
  readonly steps: readonly Step[];
  readonly cost: CircuitCost;
}

export interface CheckedSelect {
  readonly op: 'select';
  readonly path: string;
  readonly type: TableType;
  readonly input: CheckedTable;
  readonly columns: readonly string[];
}

export interface CheckedRename {
  readonly op: 'rename';
  readonly path: string;
  readonly type: TableType;
  readonly input: CheckedTable;
  /** Per input column, in order: its name in the output. */
  readonly names: readonly string[];
}

export type CheckedShaping = CheckedDerive | CheckedSelect | CheckedRename;

export function checkShaping(node: DeriveNode | SelectNode | RenameNode, path: string, input: CheckedTable): CheckedShaping {
  switch (node.op) {
    case 'derive': return checkDerive(node, path, input);
    case 'select': return checkSelect(node, path, input);
    case 'rename': return checkRename(node, path, input);
  }
}

function checkDerive(node: DeriveNode, path: string, input: CheckedTable): CheckedDerive {
  node.columns.forEach((c, i) => {
    const clash = input.type.columns.find((x) => x.name !== c.name && x.name.toLowerCase() === c.name.toLowerCase());
    if (clash) throw new PlanError(`${path}/columns/${i}/name`, `'${c.name}' differs from the input's column '${clash.name}' only in case; use its exact name to replace it, or another name`);
  });
  const columns = node.columns.map((c, i): DerivedColumn => {
    const v = checkValue(c.expr, input.type, `${path}/columns/${i}/expr`);
    const facts: ColumnFacts = { name: c.name, ...v.type };
    return { facts, value: storedValue(v), ...(v.present ? { present: v.present } : {}) };
  });
  const out: ColumnFacts[] = input.type.columns.map((c) => columns.find((d) => d.facts.name === c.name)?.facts ?? c);
  for (const d of columns) if (!input.type.columns.some((c) => c.name === d.facts.name)) out.push(d.facts);
  const steps = schedule(columns.flatMap((c) => (c.present ? [c.value, c.present] : [c.value])));
  return { op: 'derive', path, input, columns, steps, cost: circuitCost(steps), type: { columns: out, maxRows: input.type.maxRows } };
}

function checkSelect(node: SelectNode, path: string, input: CheckedTable): CheckedSelect {
  const columns = node.columns.map((name, i) => {
    const c = input.type.columns.find((x) => x.name === name);
    if (!c) throw new PlanError(`${path}/columns/${i}`, `the input has no column '${name}' (it has ${input.type.columns.map((x) => x.name).join(', ')})`);
    return c;
  });
  return { op: 'select', path, input, columns: node.columns, type: { columns, maxRows: input.type.maxRows } };
}

function checkRename(node: RenameNode, path: string, input: CheckedTable): CheckedRename {
  for (const from of Object.keys(node.names)) {
    if (!input.type.columns.some((c) => c.name === from)) throw new PlanError(`${path}/names/${from}`, `the input has no column '${from}' to rename (it has ${input.type.columns.map((x) => x.name).join(', ')})`);
  }
  const names = input.type.columns.map((c) => node.names[c.name] ?? c.name);
  const lower = names.map((n) => n.toLowerCase());
  const twice = lower.findIndex((n, i) => lower.indexOf(n) !== i);
  if (twice >= 0) throw new PlanError(`${path}/names`, `after renaming, two columns would be named '${names[twice]}' (names are unique regardless of case)`);
  const columns = input.type.columns.map((c, i) => ({ ...c, name: names[i] }));
  return { op: 'rename', path, input, names, type: { columns, maxRows: input.type.maxRows } };
}
