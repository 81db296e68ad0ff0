/**
 * The lazy data-frame API, in the spirit of Polars' lazy frames and crandas: each call adds to a
 * query plan (plan/plan.ts) and nothing is sent until `explain()` or `open()`.
 *
 *   const q = t.table('visits').concat(t.table('admissions')).agg({ n: count(), avg_age: mean('age') });
 *   console.log((await q.explain({ to: ['St. Mary Hospital'] })).text());
 *   const { outputs } = await (await q.open({ to: ['St. Mary Hospital'] })).result();
 *
 * Every frame is a table (a stored table, a concat, a filter, the one row of an aggregate, ...)
 * and any frame can be explained and opened. Column names are a type parameter
 * (`t.table<'age' | 'visits'>('visits')`, string by default), which `select` narrows and `agg`
 * and the result's `outputs` follow.
 *
 * A new plan operator is a method here returning a frame over its node (and, for SQL, one clause
 * mapping in client/sql/statement-to-frame.ts). Before a plan leaves this machine it is checked
 * by the same parser the nodes run (plan/parse.ts), so a malformed plan is refused here.
 */

import { UsageError } from '../errors.js';
import { aggregateOf, concatOf, openFor } from '../plan/build.js';
import type { PrivacySpec } from '../privacy/spec.js';
import { parsePlan } from '../plan/parse.js';
import { planHash, type CoxNode, type FilterMode, type Plan, type TableNode } from '../plan/plan.js';
import { distinctNode, limitNode, orderedInput, sortNode, type SortBy } from './frame-order.js';
import { COLUMN_NAME_PATTERN } from '../table/schema.js';
import type { PlanCheckResponse } from '../wire/api.js';
import { count, type AggregateExpr } from './aggregates.js';
import { Condition, exprColumns, type Expression } from './expr.js';
import { columnsBelow, deriveNode, renameNode } from './derive-columns.js';
import { correlation, covariance, type CorrelationOptions, type Matrix } from '../stats/correlation.js';
import { joinNode, type JoinOptions } from './join-options.js';
import { explanationText, type Explanation } from './explain.js';
import { checkCrosstabOptions, checkGroupKeys, GroupedFrame, type CrosstabOptions } from './grouped-frame.js';
import type { DecodedOutput, QueryResult } from './result.js';
import type { QueryHandle } from './tessera.js';
import { storePlan, type StoreHandle, type StoreOptions } from './store-handle.js';

/** `{ mode: 'oblivious' }`: keep every row with a secret validity instead of opening the number of distinct rows. */
export interface DistinctOptions {
  readonly mode?: FilterMode;
}

/** A distinct's frame: the named columns, or all of the input's when none are named. */
export type DistinctFrame<C extends string, A extends readonly unknown[]> = [Extract<A[number], C>] extends [never] ? LazyFrame<C> : LazyFrame<Extract<A[number], C>>;

/** What a frame needs from the client to run or check its plan (the Tessera client). */
export interface FrameRunner {
  run(plan: Plan): Promise<QueryHandle>;
  runStore(plan: Plan): Promise<StoreHandle>;
  checkPlan(plan: Plan): Promise<PlanCheckResponse>;
}

export interface OpenOptions {
  /** Parties (with the output role) who may open the result. */
  readonly to: readonly string[];
  /**
   * Differentially private noise on the opened aggregates, sampled inside MPC:
   * `{ mechanism: 'laplace', epsilon: 0.5 }` or `{ mechanism: 'gaussian', rho: 0.125 }`, with
   * `contributions` (rows per individual, default 1). docs/statistics.md, "Differential privacy".
   */
  readonly privacy?: PrivacySpec;
}

/** A result whose outputs are typed by the names given to `agg`. */
export type FrameResult<N extends string> = QueryResult & { readonly outputs: Readonly<Record<N, DecodedOutput>> };

export interface FrameHandle<N extends string> extends QueryHandle {
  result(): Promise<FrameResult<N>>;
}

const TABLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** A frame over a stored table; `runner` is absent for frames built only for their plan (tests, SQL mapping). */
export function scanFrame<C extends string = string>(table: string, runner?: FrameRunner): LazyFrame<C> {
  if (typeof table !== 'string' || !TABLE_NAME.test(table)) throw new UsageError(`${JSON.stringify(table)} is not a table name (1-128 letters, digits, _ or -, starting with a letter or digit)`);
  return new LazyFrame<C>({ op: 'scan', table }, runner);
}

/** A table-valued frame: a stored table, several concatenated, a selection of columns. */
export class LazyFrame<C extends string = string> {
  constructor(
    /** The plan node this frame stands for. */
    readonly node: TableNode,
    private readonly runner?: FrameRunner,
  ) {}

  /** These rows, then the other frames' rows (horizontally partitioned data: same columns, same types). */
  concat(...others: readonly LazyFrame<C>[]): LazyFrame<C> {
    if (others.length === 0) throw new UsageError('concat needs at least one other frame');
    const inputs = [this, ...others].flatMap((f) => {
      if (!(f instanceof LazyFrame)) throw new UsageError('concat takes frames (t.table(...)), not other values');
      return f.node.op === 'concat' ? f.node.inputs : [f.node];
    });
    return new LazyFrame<C>(concatOf(inputs), this.runner);
  }

  /** Only these columns, in this order (each scan reads only them). */
  select<K extends C>(...columns: readonly K[]): LazyFrame<K> {
    if (columns.length === 0) throw new UsageError('select needs at least one column');
    columns.forEach((c, i) => {
      checkColumnName(c);
      if (columns.indexOf(c) !== i) throw new UsageError(`column '${c}' is selected twice`);
    });
    return new LazyFrame<K>(selectColumns(this.node, columns), this.runner);
  }

  /**
   * The rows where `condition` holds (a null compared is not true, as in SQL's WHERE):
   * `filter(col('age').ge(18).and(col('sex').eq('F')))`. By default how many rows remain is
   * opened (and the rows are compacted); `{ mode: 'oblivious' }` opens nothing and keeps every
   * row with a secret validity column (later operators then work on all rows).
   */
  filter<K extends C>(condition: Condition<K>, options: { readonly mode?: FilterMode } = {}): LazyFrame<C> {
    if (!(condition instanceof Condition)) throw new UsageError("filter takes a condition such as col('age').ge(18)");
    const mode = options?.mode;
    if (mode !== undefined && mode !== 'reveal-count' && mode !== 'oblivious') throw new UsageError(`a filter's mode is 'reveal-count' or 'oblivious', not ${JSON.stringify(mode)}`);
    const node: TableNode = { op: 'filter', input: this.node, predicate: condition.node, ...(mode !== undefined ? { mode } : {}) };
    return new LazyFrame<C>(node, this.runner);
  }

  /**
   * The rows ordered by the keys, the first most significant, stably: `sort('age', { column:
   * 'cost', descending: true, nulls: 'first' })`. Ascending and nulls last unless said. Opens
   * nothing.
   */
  sort<K extends C>(...keys: readonly SortBy<K>[]): LazyFrame<C> {
    keys.forEach((k) => checkColumnName(typeof k === 'string' ? k : k?.column));
    return new LazyFrame<C>(sortNode(this.node, keys), this.runner);
  }

  /**
   * The average rank of `column` as a new column `as` (1 for the least non-null value, ties
   * sharing the mean of their positions, null for nulls), and with `ties` also t² − 1 per row of
   * a run of t equal values: `rank('age', { as: 'age_rank' })`. The rows come out sorted by
   * `column`. Opens nothing (docs/statistics.md, ranks).
   */
  rank<K extends C, A extends string, T extends string = never>(column: K, options: { readonly as: A; readonly ties?: T }): LazyFrame<C | A | T> {
    checkColumnName(column);
    checkColumnName(options?.as);
    if (options.ties !== undefined) checkColumnName(options.ties);
    const node: TableNode = { op: 'rank', input: this.node, column, as: options.as, ...(options.ties !== undefined ? { ties: options.ties } : {}) };
    return new LazyFrame<C | A | T>(node, this.runner);
  }

  /** The one-row frame of a logistic regression's Newton state (plan.ts LogitNode); stats/logit.ts fits from it. */
  logitState(y: string, x: readonly string[], iterations?: number, model?: boolean, by?: string): LazyFrame<string> {
    return new LazyFrame<string>({ op: 'logit', input: this.node, y, x: [...x], ...(iterations !== undefined ? { iterations } : {}), ...(model === true ? { model } : {}), ...(by !== undefined ? { by } : {}) }, this.runner);
  }

  /** This frame with a stored logistic model's prediction as the secret column `as` (plan.ts PredictNode; stats/logit-predict.ts). */
  withPrediction<A extends string>(model: LazyFrame<string>, as: A, output?: { readonly output?: 'probability' | 'class' | 'logit'; readonly threshold?: number }): LazyFrame<C | A> {
    return new LazyFrame<C | A>({ op: 'predict', model: model.node, input: this.node, as, ...output }, this.runner);
  }

  /**
   * The cox node over this frame: a one-row table of the Cox model's opened statistics in raw
   * fixed-point units (plan/check-cox.ts). Fit it with stats/cox.ts `cox(frame, spec)`.
   */
  coxStatistics(spec: Omit<CoxNode, 'op' | 'input'>): LazyFrame<string> {
    return new LazyFrame<string>({ op: 'cox', input: this.node, ...spec }, this.runner);
  }

  /** pandas' DataFrame.corr() of these numeric columns (Pearson, or `method: 'spearman'`), opened to `to`: stats/correlation.ts. */
  corr<K extends C>(columns: readonly K[], options: CorrelationOptions): Promise<Matrix> {
    return correlation(this, columns, options);
  }

  /** pandas' DataFrame.cov() of these numeric columns (sample covariances), opened to `to`: stats/correlation.ts. */
  cov<K extends C>(columns: readonly K[], options: OpenOptions): Promise<Matrix> {
    return covariance(this, columns, options);
  }

  /** The first `count` rows (after a sort: the top k), skipping `offset` rows first. Opens nothing beyond the count. */
  head(count: number, options: { readonly offset?: number } = {}): LazyFrame<C> {
    return new LazyFrame<C>(limitNode(this.node, count, options?.offset ?? 0), this.runner);
  }

  /**
   * One row per distinct combination of these columns (all columns when none are named); the
   * frame then has exactly these columns. Opens how many distinct rows there are, unless the
   * last argument is `{ mode: 'oblivious' }` (every row kept, a secret validity marks one per value).
   */
  distinct<const A extends readonly (C | DistinctOptions)[]>(...args: A): DistinctFrame<C, A> {
    const last: unknown = args[args.length - 1];
    const options = typeof last === 'object' && last !== null ? (last as DistinctOptions) : undefined;
    const columns = (options || last === undefined ? args.slice(0, -1) : args) as string[];
    columns.forEach(checkColumnName);
    return new LazyFrame(distinctNode(this.node, columns, options?.mode), this.runner) as DistinctFrame<C, A>;
  }

  /**
   * Adds (or replaces, in place) columns computed row by row:
   * `withColumns({ total: col('cost').mul(1.1).add(col('fee')), adult: col('age').ge(18) })`.
   * Every expression reads this frame's columns (not each other's).
   */
  withColumns<A extends Record<string, Expression<C>>>(columns: A): LazyFrame<C | (keyof A & string)> {
    return new LazyFrame<C | (keyof A & string)>(deriveNode(this.node, columns), this.runner);
  }

  /** Renames columns: `rename({ old: 'new' })`. */
  rename<M extends Partial<Record<C, string>>>(names: M): LazyFrame<Exclude<C, keyof M> | (M[keyof M] & string)> {
    return new LazyFrame<Exclude<C, keyof M> | (M[keyof M] & string)>(renameNode(this.node, names as Record<string, string>), this.runner);
  }

  /**
   * The rows of this frame and `other` whose keys are equal (client/join-options.ts):
   * `visits.join(claims, { on: 'patient_id', how: 'left' })`. The output has this frame's
   * columns, then `other`'s except its keys; select the columns of each side first (a column on
   * both sides is refused, and every column is carried through the join's sort).
   */
  join<D extends string>(other: LazyFrame<D>, options: JoinOptions<C, NoInfer<D>>): LazyFrame<C | D> {
    if (!(other instanceof LazyFrame)) throw new UsageError('join takes a frame (t.table(...)), not other values');
    return new LazyFrame<C | D>(joinNode(this.node, other.node, options), this.runner);
  }

  /**
   * One row of named aggregates over all rows: `{ n: count(), avg_age: mean('age') }`. Scans
   * without a selection read only the columns the aggregates need.
   */
  agg<A extends Record<string, AggregateExpr<C>>>(aggregates: A): LazyFrame<keyof A & string> {
    return this.aggregateBy(aggregates, []);
  }

  /**
   * Groups by 1-8 key columns (category, boolean, integer, date, identifier):
   * `groupBy('region', 'sex').agg({ n: count(), cost: mean('amount') })` is a frame of one row per
   * group, the keys then the outputs. Keys whose declared values combine to at most 256 groups
   * run one-hot (every combination comes out, empty groups with count 0; nothing revealed);
   * more run by sorting (the number of groups is revealed; rows come in a random order).
   */
  groupBy<K extends C>(...keys: readonly K[]): GroupedFrame<C, K> {
    checkGroupKeys(keys);
    return new GroupedFrame<C, K>(keys, (aggregates) => this.aggregateBy(aggregates, keys));
  }

  /**
   * How often each value (combination of values) of the key columns occurs, most frequent first
   * (pandas' value_counts): `valueCounts('sex')` is `groupBy('sex').agg({ count: count() })`
   * sorted by `count` descending, so it runs and reveals what that group-by does (one-hot: every
   * declared value, with count 0 too; sort: the number of values). Nulls form one group.
   */
  valueCounts<K extends C>(...keys: readonly K[]): LazyFrame<K | 'count'> {
    if ((keys as readonly string[]).includes('count')) throw new UsageError("valueCounts names its output 'count': rename the key column 'count' first (rename({ count: 'n' }))");
    return this.groupBy(...keys).agg({ count: count() }).sort({ column: 'count', descending: true });
  }

  /**
   * Counts per combination of two or more category/boolean columns, in a `count` column:
   * `crosstab(['a', 'b'], { suppressBelow: 5, margins: true })`. Suppressed cells open as null.
   */
  crosstab<K extends C>(keys: readonly K[], options: CrosstabOptions = {}): LazyFrame<K | 'count'> {
    checkCrosstabOptions(keys, options);
    const node: TableNode = {
      op: 'crosstab',
      input: readColumns(this.node, keys),
      by: [...keys],
      ...(options.suppressBelow !== undefined ? { suppress_below: options.suppressBelow } : {}),
      ...(options.margins !== undefined ? { margins: options.margins } : {}),
    };
    return new LazyFrame<K | 'count'>(node, this.runner);
  }

  private aggregateBy<A extends Record<string, AggregateExpr<C>>, K extends C>(aggregates: A, by: readonly K[]): LazyFrame<K | (keyof A & string)> {
    if (typeof aggregates !== 'object' || aggregates === null) throw new UsageError('agg takes an object of named aggregates, e.g. { n: count(), avg_age: mean(\'age\') }');
    const specs = Object.entries(aggregates).map(([name, expr]) => {
      if (!COLUMN_NAME_PATTERN.test(name)) throw new UsageError(`'${name}' cannot name an output: use letters, digits and _ (not starting with a digit, at most 63 characters)`);
      if (typeof expr !== 'object' || expr === null || typeof expr.fn !== 'string') throw new UsageError(`output '${name}' is not an aggregate: use count(), sum('column'), mean('column'), ...`);
      return { name, fn: expr.fn, ...(expr.column !== undefined ? { column: expr.column } : {}), ...(expr.p !== undefined ? { p: expr.p } : {}), ...(expr.other !== undefined ? { other: expr.other } : {}) };
    });
    if (specs.length === 0) throw new UsageError('agg needs at least one aggregate');
    const needed = [...new Set([...by, ...specs.flatMap((s) => [...(s.column === undefined ? [] : [s.column]), ...(s.other === undefined ? [] : [s.other])])])];
    const node = aggregateOf(readColumns(this.node, needed), specs);
    return new LazyFrame<K | (keyof A & string)>(by.length === 0 ? node : { ...node, by: [...by] }, this.runner);
  }

  /** The plan that opens this frame for the recipients, checked by the nodes' own parser. */
  toPlan(options: OpenOptions): Plan {
    const to = recipients(options);
    return parsePlan(openFor(this.node, to, options.privacy));
  }

  /** The plan's id, as every node computes it. */
  planHash(options: OpenOptions): string {
    return planHash(this.toPlan(options));
  }

  /**
   * Has the connected node check the plan without running it: what running it would make public
   * (with the place in the plan), the tables and outputs, and estimated rounds and bytes.
   */
  async explain(options: OpenOptions): Promise<Explanation> {
    const checked = await this.connected('explain').checkPlan(this.toPlan(options));
    return { ...checked, text: () => explanationText(checked) };
  }

  /**
   * Runs the query; only the recipients can open its result (`handle.result()`): a table
   * (`result.table`), which for a one-row aggregate also reads as scalars (`result.outputs`).
   */
  async open(options: OpenOptions): Promise<FrameHandle<C>> {
    return (await this.connected('open').run(this.toPlan(options))) as FrameHandle<C>;
  }

  /** The plan that stores this frame as table `name` at the nodes (checked by the nodes' own parser). */
  toStorePlan(name: string, options: StoreOptions = {}): Plan {
    return parsePlan(storePlan(this.node, name, options));
  }

  /**
   * Stores this frame as a new secret table `name` at the nodes, with its lineage (docs/plan.md,
   * "Stored tables"); later plans read it with t.table(name). Nothing is opened; its row count
   * becomes public like an uploaded table's. `handle.result()` waits and gives the table's info.
   */
  async store(name: string, options: StoreOptions = {}): Promise<StoreHandle> {
    return this.connected('store').runStore(this.toStorePlan(name, options));
  }

  private connected(action: string): FrameRunner {
    if (!this.runner) throw new UsageError(`this frame was built without a client, so it cannot ${action}: start it with t.table(...) of a connected Tessera client`);
    return this.runner;
  }
}

function recipients(options: OpenOptions): string[] {
  const to = options?.to;
  if (!Array.isArray(to) || to.length === 0 || to.some((r) => typeof r !== 'string' || r.length === 0)) {
    throw new UsageError('name at least one recipient (a party with the output role) who may open the result: { to: [\'St. Mary Hospital\'] }');
  }
  return [...to];
}

function checkColumnName(c: unknown): void {
  if (typeof c !== 'string' || !COLUMN_NAME_PATTERN.test(c)) throw new UsageError(`${JSON.stringify(c)} is not a column name: use letters, digits and _ (not starting with a digit)`);
}

/** Selection pushed into every scan; a scan already narrowed must hold the columns. */
function selectColumns(node: TableNode, columns: readonly string[]): TableNode {
  switch (node.op) {
    case 'scan':
      if (node.columns !== undefined) missingFrom(node.table, node.columns, columns);
      return { op: 'scan', table: node.table, columns: [...columns] };
    case 'concat':
      return { op: 'concat', inputs: node.inputs.map((n) => selectColumns(n, columns)) };
    case 'filter':
      // The scans below also read the predicate's columns.
      return { ...node, input: selectColumns(node.input, union(columns, exprColumns(node.predicate))) };
    case 'aggregate':
    case 'cox':
    case 'join':
    case 'crosstab':
    case 'logit':
    case 'predict':
      // Its outputs are its columns (for a join, which side holds one is known to the nodes): an
      // explicit select node keeps the named ones.
      return { op: 'select', input: node, columns: [...columns] };
    default:
      // derive, select, rename (client/derive-columns.ts): an explicit select node after them.
      return { op: 'select', input: readColumns(node, columns), columns: [...columns] };
  }
}

/**
 * The input of an aggregate: scans without a selection read only the `needed` columns (so
 * tables that share those columns concatenate whatever else they hold); a selection is kept
 * and must hold them. A filter adds the columns its predicate reads (join will add its keys).
 */
function readColumns(node: TableNode, needed: readonly string[]): TableNode {
  switch (node.op) {
    case 'scan':
      if (node.columns === undefined) return { op: 'scan', table: node.table, columns: [...needed] };
      missingFrom(node.table, node.columns, needed);
      return node;
    case 'concat':
      return { op: 'concat', inputs: node.inputs.map((n) => readColumns(n, needed)) };
    case 'filter':
      return { ...node, input: readColumns(node.input, union(needed, exprColumns(node.predicate))) };
    case 'sort':
    case 'limit':
    case 'distinct':
      return orderedInput(node, needed, readColumns);
    case 'rank':
      // The rank columns are made here; below, the ranked column is needed.
      return { ...node, input: readColumns(node.input, union(needed.filter((c) => c !== node.as && c !== node.ties), [node.column])) };
    case 'logit':
      return { ...node, input: readColumns(node.input, [node.y, ...node.x]) };
    case 'cox':
      // Its outputs are its own; below, the time, event and covariates are needed.
      return { ...node, input: readColumns(node.input, [node.time, node.event, ...node.x]) };
    case 'aggregate':
    case 'join':
    case 'crosstab':
    case 'predict':
      // Its outputs are its columns (for a join, which side holds one is known only to the
      // nodes: each side keeps its own selection); the nodes check that the needed ones are there.
      return node;
    default:
      return { ...node, input: readColumns(node.input, columnsBelow(node, needed)) } as TableNode;
  }
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

function missingFrom(table: string, selected: readonly string[], wanted: readonly string[]): void {
  const missing = wanted.find((c) => !selected.includes(c));
  if (missing !== undefined) throw new UsageError(`column '${missing}' of table '${table}' is not among the selected columns (${selected.join(', ') || 'none'}); select it too`);
}
