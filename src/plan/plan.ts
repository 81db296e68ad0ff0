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

import type { PrivacySpec } from '../privacy/spec.js';
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
  /** quantile's fraction, in [0, 1] with at most 6 decimals (plan/check-fraction.ts). */
  readonly p?: number;
  /** The second column of a pair aggregate (corr, covar_samp). */
  readonly other?: string;
}

/**
 * Aggregates over all valid rows of its input: a table of one row; with `by` (1-8 key columns,
 * Polars' group_by().agg()), one row per group (plan/check-group-by.ts chooses the method).
 */
export interface AggregateNode {
  readonly op: 'aggregate';
  readonly input: TableNode;
  readonly aggregates: readonly AggregateSpec[];
  readonly by?: readonly string[];
}

/**
 * Counts per combination of two or more category/boolean columns, with margins and small-cell
 * suppression inside MPC (plan/check-crosstab.ts, ops/crosstab.ts).
 */
export interface CrosstabNode {
  readonly op: 'crosstab';
  readonly input: TableNode;
  readonly by: readonly string[];
  /** Cells (and margins) counting fewer rows than this open as null ("suppressed"). */
  readonly suppress_below?: number;
  /** Adds the margins: rows with null in the keys summed over (SQL's GROUP BY CUBE). */
  readonly margins?: boolean;
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
  | { readonly op: 'is_null'; readonly arg: Expr }
  // Value expressions (plan/expr-check.ts): arithmetic, functions, casts, date parts.
  | { readonly op: ArithmeticOp; readonly args: readonly [Expr, Expr]; readonly scale?: number }
  | { readonly op: UnaryFunction; readonly arg: Expr }
  | { readonly op: 'min' | 'max' | 'fill_null'; readonly args: readonly [Expr, Expr] }
  | { readonly op: 'if_else'; readonly args: readonly [Expr, Expr, Expr] }
  | { readonly op: 'cast'; readonly arg: Expr; readonly to: CastTarget; readonly scale?: number }
  | { readonly op: 'isin'; readonly arg: Expr; readonly values: readonly LiteralValue[] }
  // A text column's prefix (plan/check-text.ts): SQL's LIKE 'abc%'.
  | { readonly op: 'starts_with'; readonly arg: Expr; readonly prefix: string };

/** `/` takes an optional `scale`: the decimal digits of its result (default max(dividend's, 4)). */
export const ARITHMETIC_OPS = ['+', '-', '*', '/'] as const;
export type ArithmeticOp = (typeof ARITHMETIC_OPS)[number];
export const UNARY_FUNCTIONS = ['neg', 'abs', 'year', 'month', 'day', 'weekday'] as const;
export type UnaryFunction = (typeof UNARY_FUNCTIONS)[number];
export const CAST_TARGETS = ['integer', 'decimal'] as const;
export type CastTarget = (typeof CAST_TARGETS)[number];

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

/** One sort key: a column, ascending unless `descending`; nulls last unless `nulls: 'first'`. */
export interface SortKey {
  readonly column: string;
  readonly descending?: boolean;
  readonly nulls?: 'first' | 'last';
}

/** The rows ordered by `by` (1-8 keys, the first most significant), stably. Reveals nothing. */
export interface SortNode {
  readonly op: 'sort';
  readonly input: TableNode;
  readonly by: readonly SortKey[];
}

/**
 * The table with the average rank of `column` added as `as` (plan/check-rank.ts, ops/rank.ts):
 * 1 for the least non-null value, ties sharing the mean of their positions (SQL's and scipy's
 * average rank), null where the column is null; with `ties`, also t² − 1 for a row in a run of t
 * equal values (their sum is Σ(t³ − t), the tie correction of rank tests). Rows come out sorted
 * by the column. Reveals nothing.
 */
export interface RankNode {
  readonly op: 'rank';
  readonly input: TableNode;
  readonly column: string;
  readonly as: string;
  readonly ties?: string;
}

/**
 * Logistic regression of the 0/1 column `y` on the numeric columns `x` by IRLS inside MPC
 * (plan/check-logit.ts, ops/logit.ts): `iterations` Newton steps (default 10), predictors
 * standardised from their declared ranges. One row: the row count, Σy, the last iterate β, the
 * gradient g and information matrix H there, the log-likelihood there (fixed point, 2^-24
 * units) and whether the last step was below the tolerance.
 */
export interface LogitNode {
  readonly op: 'logit';
  readonly input: TableNode;
  readonly y: string;
  readonly x: readonly string[];
  readonly iterations?: number;
  /** Store-ready model instead of the Newton state (plan/logit-model.ts): one more Newton step inside MPC, β kept secret. */
  readonly model?: boolean;
  /** One fit per group of this column, all in the same Newton rounds (plan/check-logit-groups.ts); one output row per declared group. */
  readonly by?: string;
}

/**
 * Applies a stored logistic model (a table a `logit` node with `model` stored: plan/logit-model.ts)
 * to `input`: `as` is a secret probability (decimal, 6 places) or, with `output: 'class'`, the
 * secret boolean [p ≥ threshold], or with `output: 'logit'` the exact log-odds η (integer, units of
 * 2^-40: a ranking score); every input column is kept (plan/check-predict.ts, ops/predict.ts).
 */
export interface PredictNode {
  readonly op: 'predict';
  readonly model: TableNode;
  readonly input: TableNode;
  readonly as: string;
  readonly output?: 'probability' | 'class' | 'logit';
  readonly threshold?: number;
}

/**
 * The Cox proportional hazards model (Breslow ties) fitted by Newton–Raphson inside MPC
 * (plan/check-cox.ts, ops/cox.ts): a table of one row holding the last iterate, the score and
 * information matrix there, the log partial likelihoods at 0 and there, a convergence bit, the
 * event and row counts (all in the node's raw fixed-point units; stats/cox.ts decodes and fits).
 */
export interface CoxNode {
  readonly op: 'cox';
  readonly input: TableNode;
  readonly time: string;
  readonly event: string;
  readonly x: readonly string[];
  /** Newton iterations (default 6, at most 25). */
  readonly iterations?: number;
  /** Bound E on every row's |log relative hazard| against the ranges' centres (default 8). */
  readonly max_log_hazard?: number;
}

/** The first `count` rows after skipping `offset` (head; after a sort: top-k). Reveals nothing beyond the public count. */
export interface LimitNode {
  readonly op: 'limit';
  readonly input: TableNode;
  readonly count: number;
  readonly offset?: number;
}

/**
 * The distinct rows of `columns` (all columns when omitted; the output has exactly those
 * columns, as SQL's SELECT DISTINCT). `reveal-count` (the default) opens how many distinct rows
 * there are and compacts; `oblivious` keeps every row with a secret validity column.
 */
export interface DistinctNode {
  readonly op: 'distinct';
  readonly input: TableNode;
  readonly columns?: readonly string[];
  readonly mode?: FilterMode;
}


/** Adds (or replaces, keeping its position) one column per entry, computed row by row (plan/check-derive.ts). */
export interface DeriveNode {
  readonly op: 'derive';
  readonly input: TableNode;
  readonly columns: readonly { readonly name: string; readonly expr: Expr }[];
}

/** Keeps the named columns, in that order. */
export interface SelectNode {
  readonly op: 'select';
  readonly input: TableNode;
  readonly columns: readonly string[];
}

/** Renames columns: `names` maps an input column's name to its new name; the others keep theirs. */
export interface RenameNode {
  readonly op: 'rename';
  readonly input: TableNode;
  readonly names: Readonly<Record<string, string>>;
}

/** One pair of key columns of a join: `left` of the left input equals `right` of the right input. */
export interface JoinKey {
  readonly left: string;
  readonly right: string;
}

export type JoinHow = 'inner' | 'left';
/** Which side's key is unique: many-to-one (the default) says the right side's, one-to-many the left side's. */
export type JoinKind = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
export type JoinMode = 'reveal-count' | 'oblivious';

/**
 * The rows of `left` and `right` whose keys are equal (plan/check-join.ts): the left side's
 * columns, then the right side's columns other than its keys. A left join keeps every left row
 * (the right side's columns null where nothing matched). `reveal-count` (the default) opens the
 * output row count; `oblivious` reveals nothing but the bound. `max_rows` declares the output
 * bound of a many-to-many join.
 */
export interface JoinNode {
  readonly op: 'join';
  readonly left: TableNode;
  readonly right: TableNode;
  readonly on: readonly JoinKey[];
  readonly how: JoinHow;
  readonly kind?: JoinKind;
  readonly max_rows?: number;
  readonly mode?: JoinMode;
}

export type TableNode = ScanNode | ConcatNode | FilterNode | AggregateNode | CrosstabNode | DeriveNode | SelectNode | RenameNode | JoinNode | SortNode | LimitNode | DistinctNode | RankNode | LogitNode | CoxNode | PredictNode;

/** The root: opens its input for the named recipients only (each node seals its shares to each). */
export interface OpenNode {
  readonly op: 'open';
  readonly input: TableNode;
  readonly to: readonly string[];
  /** Differentially private noise on the opened aggregates (privacy/spec.ts, plan/check-privacy.ts). */
  readonly privacy?: PrivacySpec;
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
    case 'aggregate':
    case 'crosstab':
    case 'derive':
    case 'select':
    case 'rename':
    case 'sort':
    case 'limit':
    case 'rank':
    case 'logit':
    case 'cox':
    case 'distinct': return [n.input];
    case 'join': return [n.left, n.right];
    case 'predict': return [n.model, n.input];
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
