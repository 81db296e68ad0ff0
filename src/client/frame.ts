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
import { parsePlan } from '../plan/parse.js';
import { planHash, type FilterMode, type Plan, type TableNode } from '../plan/plan.js';
import { COLUMN_NAME_PATTERN } from '../table/schema.js';
import type { PlanCheckResponse } from '../wire/api.js';
import type { AggregateExpr } from './aggregates.js';
import { Condition, exprColumns } from './expr.js';
import { explanationText, type Explanation } from './explain.js';
import type { DecodedOutput, QueryResult } from './result.js';
import type { QueryHandle } from './tessera.js';
import { storePlan, type StoreHandle, type StoreOptions } from './store-handle.js';

/** What a frame needs from the client to run or check its plan (the Tessera client). */
export interface FrameRunner {
  run(plan: Plan): Promise<QueryHandle>;
  runStore(plan: Plan): Promise<StoreHandle>;
  checkPlan(plan: Plan): Promise<PlanCheckResponse>;
}

export interface OpenOptions {
  /** Parties (with the output role) who may open the result. */
  readonly to: readonly string[];
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
   * One row of named aggregates over all rows: `{ n: count(), avg_age: mean('age') }`. Scans
   * without a selection read only the columns the aggregates need.
   */
  agg<A extends Record<string, AggregateExpr<C>>>(aggregates: A): LazyFrame<keyof A & string> {
    if (typeof aggregates !== 'object' || aggregates === null) throw new UsageError('agg takes an object of named aggregates, e.g. { n: count(), avg_age: mean(\'age\') }');
    const specs = Object.entries(aggregates).map(([name, expr]) => {
      if (!COLUMN_NAME_PATTERN.test(name)) throw new UsageError(`'${name}' cannot name an output: use letters, digits and _ (not starting with a digit, at most 63 characters)`);
      if (typeof expr !== 'object' || expr === null || typeof expr.fn !== 'string') throw new UsageError(`output '${name}' is not an aggregate: use count(), sum('column'), mean('column'), ...`);
      return { name, fn: expr.fn, ...(expr.column !== undefined ? { column: expr.column } : {}) };
    });
    if (specs.length === 0) throw new UsageError('agg needs at least one aggregate');
    const needed = [...new Set(specs.flatMap((s) => (s.column === undefined ? [] : [s.column])))];
    return new LazyFrame<keyof A & string>(aggregateOf(readColumns(this.node, needed), specs), this.runner);
  }

  /** The plan that opens this frame for the recipients, checked by the nodes' own parser. */
  toPlan(options: OpenOptions): Plan {
    const to = recipients(options);
    return parsePlan(openFor(this.node, to));
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
      missingFrom('the aggregate', node.aggregates.map((a) => a.name), columns);
      throw new UsageError('selecting some outputs of an aggregate is not supported yet: name only the outputs you want in agg()');
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
    case 'aggregate':
      // Its outputs are its columns; the nodes check that the needed ones are among them.
      return node;
  }
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

function missingFrom(table: string, selected: readonly string[], wanted: readonly string[]): void {
  const missing = wanted.find((c) => !selected.includes(c));
  if (missing !== undefined) throw new UsageError(`column '${missing}' of table '${table}' is not among the selected columns (${selected.join(', ') || 'none'}); select it too`);
}
