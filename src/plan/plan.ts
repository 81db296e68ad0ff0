/**
 * A query plan: a tree of operators over stored tables, as plain JSON, identified by the hash of
 * its canonical form (RFC 8785, crypto/canonical-json.ts), so the same plan has the same id at
 * the client and at every node, and can later be signed, logged and replayed.
 *
 *   { "version": 1, "root": { "op": "open", "to": ["St. Mary Hospital"], "input":
 *       { "op": "aggregate", "aggregates": [{ "name": "total", "fn": "sum", "column": "age" }], "input":
 *         { "op": "concat", "inputs": [{ "op": "scan", "table": "visits", "columns": ["age"] },
 *                                       { "op": "scan", "table": "admissions", "columns": ["age"] }] } } } }
 *
 * docs/plan.md describes every node, the checks and what a plan makes public.
 */

import { canonicalHash } from '../crypto/canonical-json.js';

export const PLAN_VERSION = 1;

/** Reads a stored table (either layout); `columns` selects and orders columns (all when omitted). */
export interface ScanNode {
  readonly op: 'scan';
  readonly table: string;
  readonly columns?: readonly string[];
}

/** Rows of tables with the same columns, one after another (horizontally partitioned data). */
export interface ConcatNode {
  readonly op: 'concat';
  readonly inputs: readonly TableNode[];
}

/** One aggregate: `fn` from the registry (plan/registry.ts), over `column` where it needs one. */
export interface AggregateSpec {
  /** The output's name (a column-name-like identifier, unique in its aggregate node). */
  readonly name: string;
  readonly fn: string;
  readonly column?: string;
}

/** Aggregates over all valid rows of its input: a table of one row. */
export interface AggregateNode {
  readonly op: 'aggregate';
  readonly input: TableNode;
  readonly aggregates: readonly AggregateSpec[];
}

/** A literal, read with the type of the column it is compared with (plan/check-predicate.ts). */
export type LiteralValue = number | string | boolean;

/**
 * A predicate: column references, literals, comparisons, and/or/not, is_null. Literals are
 * written as people write the values (18, "12.50", "2024-01-31", "F", true) and converted to
 * the stored units of the column they meet, so a plan does not depend on the stored encoding.
 */
export type Expr =
  | { readonly op: 'col'; readonly name: string }
  | { readonly op: 'lit'; readonly value: LiteralValue }
  | { readonly op: ComparisonOp; readonly args: readonly [Expr, Expr] }
  | { readonly op: 'and' | 'or'; readonly args: readonly Expr[] }
  | { readonly op: 'not'; readonly arg: Expr }
  | { readonly op: 'is_null'; readonly arg: Expr };

export const COMPARISON_OPS = ['=', '!=', '<', '<=', '>', '>='] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

/**
 * The rows where `predicate` is true (a null compared is not true, as in SQL). `reveal-count`
 * (the default) opens how many rows remain and compacts the table; `oblivious` keeps every row
 * with a secret validity column and reveals nothing.
 */
export interface FilterNode {
  readonly op: 'filter';
  readonly input: TableNode;
  readonly predicate: Expr;
  readonly mode?: FilterMode;
}

export type FilterMode = 'reveal-count' | 'oblivious';

export type TableNode = ScanNode | ConcatNode | FilterNode | AggregateNode;

/** The root: opens its input for the named recipients only (each node seals its shares to each). */
export interface OpenNode {
  readonly op: 'open';
  readonly input: TableNode;
  readonly to: readonly string[];
}

/**
 * The other root: keeps its input as a new secret table at the nodes, named `table`, with its
 * lineage (plan hash, input tables, creator); later plans scan it like an uploaded table.
 * `replace` lets the analyst who stored a derived table of that name store it anew (plan/check-store.ts).
 */
export interface StoreNode {
  readonly op: 'store';
  readonly input: TableNode;
  readonly table: string;
  readonly replace?: boolean;
}

export type RootNode = OpenNode | StoreNode;

export interface Plan {
  readonly version: typeof PLAN_VERSION;
  readonly root: RootNode;
}

/** Who may open the plan's result: the open root's recipients; nobody for a store root. */
export function planRecipients(plan: Plan): readonly string[] {
  return plan.root.op === 'open' ? plan.root.to : [];
}

/** The plan's id: SHA-256 (hex) of its canonical JSON. Key order and whitespace do not matter. */
export function planHash(plan: Plan): string {
  return canonicalHash(plan);
}

/** The operators a node takes its rows from. */
export function planInputs(n: TableNode): readonly TableNode[] {
  switch (n.op) {
    case 'scan': return [];
    case 'concat': return n.inputs;
    case 'filter':
    case 'aggregate': return [n.input];
  }
}

/** Names of the stored tables a plan reads, sorted and without repeats. */
export function scannedTables(plan: Plan): string[] {
  const names = new Set<string>();
  const visit = (n: TableNode): void => {
    if (n.op === 'scan') names.add(n.table);
    else planInputs(n).forEach(visit);
  };
  visit(plan.root.input);
  return [...names].sort();
}
