/**
 * Type and range checking of a parsed plan against the stored tables, at every node on its own
 * and before any MPC: unknown tables and columns, columns of different types in a concat, an
 * aggregate on a column it does not take, a sum that could overflow the 64-bit ring for the
 * declared ranges and row bounds, recipients who may not receive results. Each refusal names its
 * place in the plan. The checked plan also lists what running it makes public and its estimated
 * cost, so `explain()` can show both.
 *
 * Pure: the stored tables and the collaboration's recipients come in as `CheckContext`.
 */

import { canonicalHash } from '../crypto/canonical-json.js';
import { checkPrivacy, describePrivacy, type CheckedPrivacy } from './check-privacy.js';
import { PlanError, TableNotFoundError } from '../errors.js';
import { columnTypeToJson } from '../table/column-type.js';
import { schemaToJson, type TableSchema } from '../table/schema.js';
import type { QueryOutputInfo } from '../wire/api.js';
import { estimateCost, type PlanCost } from './cost.js';
import { checkJoin, type CheckedJoin } from './check-join.js';
import { checkPredicate, type CheckedPredicate } from './check-predicate.js';
import { checkDistinct, type CheckedDistinct } from './check-distinct.js';
import { checkLimit, type CheckedLimit } from './check-limit.js';
import { checkRank, type CheckedRank } from './check-rank.js';
import { checkLogit, type CheckedLogit } from './check-logit.js';
import { checkCox, type CheckedCox } from './check-cox.js';
import { checkPredict, type CheckedPredict } from './check-predict.js';
import { checkSort, type CheckedSort } from './check-sort.js';
import { checkShaping, type CheckedShaping } from './check-derive.js';
import { checkGroupBy, needsGroupKernel, type CheckedGroupBy } from './check-group-by.js';
import { checkCrosstab, type CheckedCrosstab } from './check-crosstab.js';
import { sourceScale } from './aggregate-columns.js';
import { checkStore, type CheckedStore, type StoreCheckContext } from './check-store.js';
import { planHash, type AggregateNode, type AggregateSpec, type FilterMode, type Plan, type TableNode } from './plan.js';
import { findAggregate, type AggregateFunction, type LinearTerm } from './registry.js';
import { checkFraction } from './check-fraction.js';
import { checkOther } from './check-pair.js';
import { describeFacts, factsToType, RING_LIMIT, tableType, type ColumnFacts, type TableType } from './types.js';
import { textWordParts } from './text-parts.js';

/** A stored table as the checking node sees it (public metadata). */
export interface CatalogTable {
  readonly name: string;
  readonly kind: 'table' | 'append';
  readonly schema: TableSchema;
  /** Rows stored at this node (for append tables the query uses those present at all three). */
  readonly rows: number;
}

export interface CheckContext extends StoreCheckContext {
  /** The table, or undefined when there is none of that name. */
  table(name: string): CatalogTable | undefined;
  /** Why `name` may not receive results, or undefined when it may. */
  recipientRefusal(name: string): string | undefined;
}

interface CheckedBase {
  /** Where the node sits in the plan (JSON pointer). */
  readonly path: string;
  readonly type: TableType;
}

export interface CheckedScan extends CheckedBase {
  readonly op: 'scan';
  readonly table: CatalogTable;
  readonly columns: readonly string[];
}

export interface CheckedConcat extends CheckedBase {
  readonly op: 'concat';
  readonly inputs: readonly CheckedTable[];
}

export interface CheckedFilter extends CheckedBase {
  readonly op: 'filter';
  readonly input: CheckedTable;
  readonly predicate: CheckedPredicate;
  readonly mode: FilterMode;
}

export type CheckedTable = CheckedScan | CheckedConcat | CheckedFilter | CheckedAggregate | CheckedGroupBy | CheckedCrosstab | CheckedShaping | CheckedJoin | CheckedSort | CheckedLimit | CheckedDistinct | CheckedRank | CheckedLogit | CheckedCox | CheckedPredict;

export interface CheckedOutput {
  readonly name: string;
  readonly fn: AggregateFunction;
  readonly column?: ColumnFacts;
  readonly terms: readonly LinearTerm[];
  /** A quantile's p in millionths (plan/check-fraction.ts). */
  readonly fraction?: bigint;
  /** A pair aggregate's second column (plan/check-pair.ts). */
  readonly other?: ColumnFacts;
}

/** Aggregates over all valid rows: a table of one row whose columns are the outputs' parts (types.ts ColumnFacts.aggregate). */
export interface CheckedAggregate extends CheckedBase {
  readonly op: 'aggregate';
  readonly input: CheckedTable;
  readonly outputs: readonly CheckedOutput[];
}

/** The operators whose tables a node reads. */
export function inputsOf(n: CheckedTable): readonly CheckedTable[] {
  switch (n.op) {
    case 'scan': return [];
    case 'concat': return n.inputs;
    case 'filter':
    case 'aggregate':
    case 'group-by':
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

/** Something running the plan makes public, and where. */
export interface Disclosure {
  readonly path: string;
  readonly what: string;
}

export interface CheckedPlan {
  readonly plan: Plan;
  /** The plan's id (planHash). */
  readonly hash: string;
  /** Hash of the plan and of the table metadata it was checked against: the three nodes compare it before computing. */
  readonly digest: string;
  /** An open root's recipients (`to`), or a store root's checked target (`store`; `to` is then empty). */
  readonly root: { readonly path: '/root'; readonly op: 'open' | 'store'; readonly input: CheckedTable; readonly to: readonly string[]; readonly store?: CheckedStore };
  /** Stored tables read, sorted by name. */
  readonly tables: readonly CatalogTable[];
  readonly outputs: readonly QueryOutputInfo[];
  readonly disclosures: readonly Disclosure[];
  readonly cost: PlanCost;
  /** The differentially private noise an open root asks for (plan/check-privacy.ts). */
  readonly privacy?: CheckedPrivacy;
}

export function checkPlan(plan: Plan, context: CheckContext): CheckedPlan {
  const to = plan.root.op === 'open' ? plan.root.to : [];
  to.forEach((r, i) => {
    const refusal = context.recipientRefusal(r);
    if (refusal !== undefined) throw new PlanError(`/root/to/${i}`, refusal);
  });
  const tables = new Map<string, CatalogTable>();
  const disclosures: Disclosure[] = [];
  const input = checkTable(plan.root.input, '/root/input', context, tables, disclosures);
  const store = plan.root.op === 'store' ? checkStore(plan.root, input.type, context, '/root') : undefined;
  const root = { path: '/root' as const, op: plan.root.op, input, to, ...(store ? { store } : {}) };
  const outputs = store ? [] : resultOutputs(root.input.type, '/root/input');
  const privacy = plan.root.op === 'open' && plan.root.privacy ? checkPrivacy(plan.root.privacy, input, '/root') : undefined;
  if (privacy) disclosures.push({ path: '/root/privacy', what: describePrivacy(privacy) });
  const rows = root.input.type.maxRows;
  if (store) {
    disclosures.push({
      path: '/root',
      what: `the rows of the stored table '${store.table}' (up to ${rows}; public metadata like an uploaded table's row count), its schema and lineage; no value is opened to anyone`,
    });
  } else {
    const cells = outputs.reduce((n, o) => n + o.parts.length, 0);
    const what = rows === 1 && (root.input.op === 'aggregate' || (root.input.op === 'group-by' && root.input.group.method === 'whole'))
      ? `${cells} value${cells === 1 ? '' : 's'} (${outputs.map((o) => o.name).join(', ')})`
      : `a table of up to ${rows} row${rows === 1 ? '' : 's'} (${outputs.map((o) => o.name).join(', ')})`;
    disclosures.push({ path: '/root', what: `${what} opened to ${root.to.join(', ')} only; each node seals its shares to each recipient` });
  }
  const sorted = [...tables.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const hash = planHash(plan);
  const digest = canonicalHash({
    plan: hash,
    tables: sorted.map((t) => ({ name: t.name, kind: t.kind, schema: schemaToJson(t.schema), rows: t.kind === 'table' ? t.rows : null })),
    // A store root: the nodes also agree on whether it replaces a table, and on the stored schema.
    ...(store ? { store: { table: store.table, replaces: store.replaces, schema: schemaToJson(store.schema) } } : {}),
  });
  return { plan, hash, digest, root, tables: sorted, outputs, disclosures, cost: estimateCost(root.input), ...(privacy ? { privacy } : {}) };
}

function checkAggregate(node: AggregateNode, path: string, context: CheckContext, tables: Map<string, CatalogTable>, disclosures: Disclosure[]): CheckedAggregate {
  const input = checkTable(node.input, `${path}/input`, context, tables, disclosures);
  const outputs = node.aggregates.map((spec, i) => checkOutput(spec, input.type, `${path}/aggregates/${i}`));
  return { op: 'aggregate', path, input, outputs, type: { columns: aggregateColumns(outputs, input.type.maxRows), maxRows: 1 } };
}

/** One aggregate of the registry over a column of `input` (or none): its type rule and the ring range of each of its terms. */
export function checkOutput(spec: AggregateSpec, input: TableType, at: string): CheckedOutput {
  const fn = findAggregate(spec.fn);
  if (!fn) throw new PlanError(`${at}/fn`, `unknown aggregate '${spec.fn}'`);
  if (fn.column === 'required' && spec.column === undefined) throw new PlanError(`${at}/column`, `${fn.name} needs a column`);
  if (fn.column === 'none' && spec.column !== undefined) throw new PlanError(`${at}/column`, `${fn.name} takes no column`);
  let column: ColumnFacts | undefined;
  if (spec.column !== undefined) {
    column = input.columns.find((c) => c.name === spec.column);
    if (!column) throw new PlanError(`${at}/column`, `the input of this aggregate has no column '${spec.column}' (it has ${listColumns(input)})`);
    const refusal = fn.typeRule(column);
    if (refusal !== undefined) throw new PlanError(`${at}/column`, refusal);
  }
  const fraction = checkFraction(fn, spec, at);
  const other = checkOther(fn, spec, input.columns, at);
  const terms = fn.terms(column);
  for (const t of terms) checkTermRange(t, column, input.maxRows, at, fn.name);
  return { name: spec.name, fn, ...(column ? { column } : {}), terms, ...(fraction !== undefined ? { fraction } : {}), ...(other ? { other } : {}) };
}

/**
 * The columns aggregates make (types.ts ColumnFacts.aggregate): one per term, named like the
 * output when it has one term, else "<output>.<part>". A count of rows or present values is an
 * integer in [0, rows]; a sum of values has the column's kind (booleans sum to integers) and scale,
 * in [rows * min(lo, 0), rows * max(hi, 0)].
 */
export function aggregateColumns(outputs: readonly CheckedOutput[], maxRows: number): ColumnFacts[] {
  const rows = BigInt(maxRows);
  return outputs.flatMap((o) =>
    o.terms.map((t): ColumnFacts => {
      const name = o.terms.length === 1 ? o.name : `${o.name}.${t.part}`;
      const aggregate = { output: o.name, fn: o.fn.name, part: t.part, ...(o.column ? { column: o.column.name } : {}) };
      if (t.of !== 'values') return { name, kind: 'integer', scale: 0, min: 0n, max: rows, nullable: false, aggregate };
      const c = o.column!;
      return {
        name,
        kind: c.kind === 'decimal' ? 'decimal' : 'integer',
        scale: c.scale,
        min: rows * (c.min < 0n ? c.min : 0n),
        max: rows * (c.max > 0n ? c.max : 0n),
        nullable: false,
        aggregate,
      };
    }),
  );
}

/**
 * What the open root hands the recipients, output by output: each aggregate (its parts decode
 * together through the registry) and each plain column (decoded by its type; a nullable column
 * opens its present bits too). Identifier columns are refused: a keyed hash means nothing to a
 * recipient, and opening it would let them link rows across queries.
 */
export function resultOutputs(type: TableType, path: string): QueryOutputInfo[] {
  const outputs: QueryOutputInfo[] = [];
  for (const c of type.columns) {
    const a = c.aggregate;
    if (a) {
      const last = outputs[outputs.length - 1];
      // A nullable aggregate column (min/max: no non-null value in its group) opens its present bits as part 'present'.
      const parts = [{ column: c.name, part: a.part }, ...(c.nullable ? [{ column: `${c.name}.present`, part: 'present' }] : [])];
      if (last && last.fn === a.fn && last.name === a.output) {
        outputs[outputs.length - 1] = { ...last, scale: Math.max(last.scale, sourceScale(c)), parts: [...last.parts, ...parts] };
      } else {
        outputs.push({ name: a.output, fn: a.fn, ...(a.column !== undefined ? { column: a.column } : {}), scale: sourceScale(c), parts });
      }
      continue;
    }
    if (c.kind === 'identifier') {
      throw new PlanError(path, `column '${c.name}' is an identifier (a keyed hash) and cannot be opened: use it to join, group or count, and open other columns`);
    }
    const parts = [{ column: c.name, part: 'value' }, ...textWordParts(c), ...(c.nullable ? [{ column: `${c.name}.present`, part: 'present' }] : [])];
    outputs.push({ name: c.name, fn: 'column', column: c.name, scale: c.scale, type: columnTypeToJson(factsToType(c)), parts });
  }
  const names = outputs.map((o) => o.name);
  const twice = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (twice >= 0) throw new PlanError(path, `two outputs are named '${names[twice]}'; rename one`);
  return outputs;
}

/** A term's value lies in [maxRows * min(lo, 0), maxRows * max(hi, 0)]; both ends must fit the signed ring. */
function checkTermRange(t: LinearTerm, column: ColumnFacts | undefined, maxRows: number, at: string, fn: string): void {
  const rows = BigInt(maxRows);
  const [lo, hi] = t.of === 'values' ? [column!.min, column!.max] : [0n, 1n];
  const low = rows * (lo < 0n ? lo : 0n);
  const high = rows * (hi > 0n ? hi : 0n);
  if (low < -RING_LIMIT || high > RING_LIMIT) {
    throw new PlanError(
      `${at}/column`,
      `the ${fn} of '${column?.name ?? '*'}' could exceed the 64-bit range for the declared ranges and row counts (up to ${maxRows} rows in [${lo}, ${hi}] stored units); declare narrower ranges or query fewer rows at a time`,
    );
  }
}

function checkTable(node: TableNode, path: string, context: CheckContext, tables: Map<string, CatalogTable>, disclosures: Disclosure[]): CheckedTable {
  if (node.op === 'scan') {
    const table = context.table(node.table);
    if (!table) throw new TableNotFoundError(node.table, `plan ${path}/table: no table named '${node.table}'; list the tables to see what exists`);
    tables.set(table.name, table);
    const full = tableType(table.schema, table.rows);
    const names = node.columns ?? full.columns.map((c) => c.name);
    const columns = names.map((name, i) => {
      const c = full.columns.find((x) => x.name === name);
      if (!c) throw new PlanError(`${path}/columns/${i}`, `table '${table.name}' has no column '${name}' (it has ${listColumns(full)})`);
      return c;
    });
    if (table.kind === 'table') {
      disclosures.push({ path, what: `row count of table '${table.name}' (${table.rows}, public metadata)` });
    } else {
      disclosures.push({ path, what: `how many rows of append table '${table.name}' all three nodes hold identically` });
      disclosures.push({ path, what: `how many rows of append table '${table.name}' the range check excludes (every column of a row against its declared range)` });
    }
    return { op: 'scan', path, table, columns: names, type: { columns, maxRows: table.rows } };
  }
  if (node.op === 'aggregate') {
    // Keys, or functions beyond sums (min, max, var, std): the group kernels (plan/check-group-by.ts).
    if (needsGroupKernel(node)) return checkGroupBy(node, checkTable(node.input, `${path}/input`, context, tables, disclosures), path, disclosures);
    return checkAggregate(node, path, context, tables, disclosures);
  }
  if (node.op === 'crosstab') return checkCrosstab(node, checkTable(node.input, `${path}/input`, context, tables, disclosures), path, disclosures);
  if (node.op === 'concat') {
    const inputs = node.inputs.map((n, i) => checkTable(n, `${path}/inputs/${i}`, context, tables, disclosures));
    return { op: 'concat', path, inputs, type: concatType(inputs, path) };
  }
  if (node.op === 'filter') {
    const input = checkTable(node.input, `${path}/input`, context, tables, disclosures);
    const predicate = checkPredicate(node.predicate, input.type, `${path}/predicate`);
    const mode = node.mode ?? 'reveal-count';
    disclosures.push({
      path,
      what: mode === 'reveal-count'
        ? 'how many rows remain after this filter (opened; the rows kept are shuffled, so which rows they were stays secret)'
        : 'nothing (oblivious filter: every row stays, a secret validity column marks those that match)',
    });
    // Rows that remain keep their columns' declared ranges; the bound on rows stays the input's.
    return { op: 'filter', path, input, predicate, mode, type: input.type };
  }
  if (node.op === 'derive' || node.op === 'select' || node.op === 'rename') {
    return checkShaping(node, path, checkTable(node.input, `${path}/input`, context, tables, disclosures));
  }
  if (node.op === 'join') return checkJoin(node, path, (input, at) => checkTable(input, at, context, tables, disclosures), disclosures);
  if (node.op === 'predict') return checkPredict(node, path, checkTable(node.model, `${path}/model`, context, tables, disclosures), checkTable(node.input, `${path}/input`, context, tables, disclosures), disclosures);
  if (node.op === 'logit') return checkLogit(node, path, checkTable(node.input, `${path}/input`, context, tables, disclosures), disclosures);
  if (node.op === 'cox') return checkCox(node, path, checkTable(node.input, `${path}/input`, context, tables, disclosures), disclosures);
  if (node.op === 'rank') return checkRank(node, path, checkTable(node.input, `${path}/input`, context, tables, disclosures), disclosures);
  if (node.op === 'sort' || node.op === 'limit' || node.op === 'distinct') {
    const input = checkTable(node.input, `${path}/input`, context, tables, disclosures);
    if (node.op === 'sort') return checkSort(node, path, input, disclosures);
    if (node.op === 'limit') return checkLimit(node, path, input, disclosures);
    return checkDistinct(node, path, input, disclosures);
  }
  return unknownNode(node, path);
}

function unknownNode(node: never, path: string): never {
  throw new PlanError(`${path}/op`, `unknown operator ${JSON.stringify((node as { op?: unknown }).op)}`);
}

/** Same columns, in the same order, of the same kind (and scale, and dictionary); ranges are joined. */
function concatType(inputs: readonly CheckedTable[], path: string): TableType {
  const first = inputs[0].type;
  let maxRows = 0;
  const columns = first.columns.map((c) => ({ ...c }));
  inputs.forEach((input, i) => {
    maxRows += input.type.maxRows;
    if (i === 0) return;
    const names = input.type.columns.map((c) => c.name);
    if (names.length !== columns.length || names.some((n, k) => n !== columns[k].name)) {
      throw new PlanError(`${path}/inputs/${i}`, `concatenated tables need the same columns in the same order: input 0 has (${listColumns(first)}), input ${i} has (${listColumns(input.type)}); select the same columns in each scan`);
    }
    input.type.columns.forEach((c, k) => {
      const into = columns[k];
      const same = c.kind === into.kind && c.scale === into.scale && JSON.stringify(c.dictionary ?? null) === JSON.stringify(into.dictionary ?? null);
      if (!same) {
        throw new PlanError(`${path}/inputs/${i}`, `column '${c.name}' is ${describeFacts(into)} in input 0 and ${describeFacts(c)} in input ${i}; query them separately or upload them with the same type`);
      }
      columns[k] = { ...into, min: c.min < into.min ? c.min : into.min, max: c.max > into.max ? c.max : into.max, nullable: into.nullable || c.nullable };
    });
  });
  return { columns, maxRows };
}

function listColumns(t: TableType): string {
  return t.columns.length === 0 ? 'no columns' : t.columns.map((c) => c.name).join(', ');
}
