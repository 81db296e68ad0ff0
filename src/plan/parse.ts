/**
 * The shape of a plan, checked before anything else: every node is an object with exactly the
 * fields of its operator, names are names, lists have sensible lengths, and the version is the
 * one this build speaks. Each refusal names its place in the plan (a JSON pointer) and what to do.
 * Types, tables and ranges are checked afterwards (check.ts), against the stored tables.
 */

import { PlanError } from '../errors.js';
import { COLUMN_NAME_PATTERN } from '../table/schema.js';
import { PLAN_VERSION, type AggregateNode, type AggregateSpec, type ConcatNode, type CrosstabNode, type FilterNode, type OpenNode, type Plan, type RootNode, type ScanNode, type TableNode } from './plan.js';
import { parsePrivacy } from '../privacy/spec.js';
import { parseStore } from './parse-store.js';
import { parseExpr } from './parse-expr.js';
import { parseDerive, parseRename, parseSelect } from './parse-derive.js';
import { parseJoin } from './parse-join.js';
import { parseDistinct, parseLimit, parseSort } from './parse-order.js';
import { aggregateNames, findAggregate } from './registry.js';
import { fractionOf } from './check-fraction.js';
import { parseRank } from './parse-rank.js';
import { parseLogit } from './parse-logit.js';
import { parseCox } from './parse-cox.js';
import { parsePredict } from './parse-predict.js';

/** The same rule as stored table names (node/storage/names.ts). */
export const TABLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
export const MAX_PLAN_NODES = 1000;
export const MAX_PLAN_DEPTH = 32;
export const MAX_CONCAT_INPUTS = 100;
export const MAX_AGGREGATES = 256; // a regression opens (p + 1)(p + 2)/2 sums (stats/ols-design.ts)
export const MAX_RECIPIENTS = 100;
const MAX_SCAN_COLUMNS = 4096;
const OPS = ['scan', 'concat', 'filter', 'aggregate', 'crosstab', 'derive', 'select', 'rename', 'join', 'sort', 'limit', 'distinct', 'rank', 'logit', 'cox', 'predict'] as const;
export const MAX_GROUP_KEYS = 8;
const FILTER_MODES = ['reveal-count', 'oblivious'] as const;

export type Json = Record<string, unknown>;

export function object(value: unknown, path: string, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PlanError(path, `${what} must be a JSON object`);
  return value as Json;
}

export function onlyFields(o: Json, path: string, allowed: readonly string[], what: string): void {
  const extra = Object.keys(o).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw new PlanError(`${path}/${extra}`, `unknown field '${extra}' in ${what} (allowed: ${allowed.join(', ')})`);
}

export function list(value: unknown, path: string, what: string, min: number, max: number): unknown[] {
  if (!Array.isArray(value) || value.length < min || value.length > max) throw new PlanError(path, `${what} must be a list of ${min} to ${max} entries`);
  return value;
}

export function columnName(value: unknown, path: string): string {
  if (typeof value !== 'string' || !COLUMN_NAME_PATTERN.test(value)) throw new PlanError(path, `${JSON.stringify(value)} is not a column name: use letters, digits and _ (not starting with a digit, at most 63 characters)`);
  return value;
}

/** Parses untrusted JSON (already parsed from text) into a plan, or refuses it with its place. */
export function parsePlan(json: unknown): Plan {
  const o = object(json, '', 'a plan');
  if (o.version !== PLAN_VERSION) {
    const got = o.version === undefined ? 'no version' : `version ${JSON.stringify(o.version)}`;
    throw new PlanError('/version', `this node reads plan version ${PLAN_VERSION}, the plan has ${got}; build the plan with a client of the same release as the nodes`);
  }
  onlyFields(o, '', ['version', 'root'], 'a plan');
  const counter = { nodes: 0 };
  return { version: PLAN_VERSION, root: parseRoot(o.root, '/root', counter) };
}

function parseRoot(value: unknown, path: string, counter: { nodes: number }): RootNode {
  const o = object(value, path, 'the root');
  if (o.op === 'store') return parseStore(o, path, (input) => parseTable(input, `${path}/input`, counter, 1));
  if (o.op !== 'open') throw new PlanError(`${path}/op`, `the root of a plan is an 'open' node (who receives the result) or a 'store' node (a new stored table), not ${JSON.stringify(o.op)}`);
  return parseOpen(o, path, counter);
}

function parseOpen(o: Json, path: string, counter: { nodes: number }): OpenNode {
  onlyFields(o, path, ['op', 'input', 'to', 'privacy'], 'an open node');
  const to = list(o.to, `${path}/to`, "'to' (the recipients who may open the result)", 1, MAX_RECIPIENTS).map((r, i) => {
    if (typeof r !== 'string' || r.length === 0 || r.length > 100) throw new PlanError(`${path}/to/${i}`, 'a recipient is the name of a party of the collaboration');
    return r;
  });
  const privacy = o.privacy === undefined ? undefined : parsePrivacy(o.privacy, `${path}/privacy`);
  return { op: 'open', input: parseTable(o.input, `${path}/input`, counter, 1), to: [...new Set(to)], ...(privacy ? { privacy } : {}) };
}

export function parseTable(value: unknown, path: string, counter: { nodes: number }, depth: number): TableNode {
  if (++counter.nodes > MAX_PLAN_NODES) throw new PlanError(path, `a plan has at most ${MAX_PLAN_NODES} operators; split the query`);
  if (depth > MAX_PLAN_DEPTH) throw new PlanError(path, `a plan nests at most ${MAX_PLAN_DEPTH} operators deep`);
  const o = object(value, path, 'an operator');
  switch (o.op) {
    case 'scan': return parseScan(o, path);
    case 'concat': return parseConcat(o, path, counter, depth);
    case 'filter': return parseFilter(o, path, counter, depth);
    case 'aggregate': return parseAggregate(o, path, counter, depth);
    case 'crosstab': return parseCrosstab(o, path, counter, depth);
    case 'derive': return parseDerive(o, path, (v, at) => parseTable(v, at, counter, depth + 1));
    case 'select': return parseSelect(o, path, (v, at) => parseTable(v, at, counter, depth + 1));
    case 'rename': return parseRename(o, path, (v, at) => parseTable(v, at, counter, depth + 1));
    case 'join': return parseJoin(o, path, (v, at) => parseTable(v, at, counter, depth + 1));
    case 'sort': return parseSort(o, path, counter, depth);
    case 'limit': return parseLimit(o, path, counter, depth);
    case 'distinct': return parseDistinct(o, path, counter, depth);
    case 'rank': return parseRank(o, path, (v, at) => parseTable(v, at, counter, depth + 1));
    case 'logit': return parseLogit(o, path, (v, at) => parseTable(v, at, counter, depth + 1));
    case 'cox': return parseCox(o, path, (v, at) => parseTable(v, at, counter, depth + 1));
    case 'predict': return parsePredict(o, path, (v, at) => parseTable(v, at, counter, depth + 1));
    default:
      throw new PlanError(`${path}/op`, `unknown operator ${JSON.stringify(o.op)} (this release knows ${OPS.join(', ')}; 'open' and 'store' only at the root)`);
  }
}

function parseScan(o: Json, path: string): ScanNode {
  onlyFields(o, path, ['op', 'table', 'columns'], 'a scan');
  if (typeof o.table !== 'string' || !TABLE_NAME.test(o.table)) throw new PlanError(`${path}/table`, `${JSON.stringify(o.table)} is not a table name (1-128 letters, digits, _ or -, starting with a letter or digit)`);
  if (o.columns === undefined) return { op: 'scan', table: o.table };
  const columns = list(o.columns, `${path}/columns`, "a scan's columns", 0, MAX_SCAN_COLUMNS).map((c, i) => columnName(c, `${path}/columns/${i}`));
  const twice = columns.findIndex((c, i) => columns.indexOf(c) !== i);
  if (twice >= 0) throw new PlanError(`${path}/columns/${twice}`, `column '${columns[twice]}' is listed twice`);
  return { op: 'scan', table: o.table, columns };
}

function parseConcat(o: Json, path: string, counter: { nodes: number }, depth: number): ConcatNode {
  onlyFields(o, path, ['op', 'inputs'], 'a concat');
  const inputs = list(o.inputs, `${path}/inputs`, "a concat's inputs", 2, MAX_CONCAT_INPUTS).map((v, i) => parseTable(v, `${path}/inputs/${i}`, counter, depth + 1));
  return { op: 'concat', inputs };
}

function parseFilter(o: Json, path: string, counter: { nodes: number }, depth: number): FilterNode {
  onlyFields(o, path, ['op', 'input', 'predicate', 'mode'], 'a filter');
  const predicate = parseExpr(o.predicate, `${path}/predicate`);
  const input = parseTable(o.input, `${path}/input`, counter, depth + 1);
  if (o.mode === undefined) return { op: 'filter', input, predicate };
  if (!FILTER_MODES.includes(o.mode as FilterNode['mode'] & string)) {
    throw new PlanError(`${path}/mode`, `a filter's mode is 'reveal-count' (the default: how many rows remain is opened) or 'oblivious' (nothing is opened), not ${JSON.stringify(o.mode)}`);
  }
  return { op: 'filter', input, predicate, mode: o.mode as FilterNode['mode'] };
}

function parseAggregate(o: Json, path: string, counter: { nodes: number }, depth: number): AggregateNode {
  onlyFields(o, path, ['op', 'input', 'aggregates', 'by'], 'an aggregate');
  const aggregates = list(o.aggregates, `${path}/aggregates`, 'aggregates', 1, MAX_AGGREGATES).map((v, i) => parseSpec(v, `${path}/aggregates/${i}`));
  const names = aggregates.map((a) => a.name);
  const twice = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (twice >= 0) throw new PlanError(`${path}/aggregates/${twice}/name`, `two aggregates are named '${names[twice]}'; give each output its own name`);
  const input = parseTable(o.input, `${path}/input`, counter, depth + 1);
  if (o.by === undefined) return { op: 'aggregate', input, aggregates };
  return { op: 'aggregate', input, aggregates, by: groupKeys(o.by, `${path}/by`, 1) };
}

/** Key columns of a group-by or crosstab: distinct column names, `min` to MAX_GROUP_KEYS of them. */
function groupKeys(value: unknown, path: string, min: number): string[] {
  const by = list(value, path, 'the key columns (by)', min, MAX_GROUP_KEYS).map((c, i) => columnName(c, `${path}/${i}`));
  const twice = by.findIndex((c, i) => by.indexOf(c) !== i);
  if (twice >= 0) throw new PlanError(`${path}/${twice}`, `key column '${by[twice]}' is listed twice`);
  return by;
}

function parseCrosstab(o: Json, path: string, counter: { nodes: number }, depth: number): CrosstabNode {
  onlyFields(o, path, ['op', 'input', 'by', 'suppress_below', 'margins'], 'a crosstab');
  const by = groupKeys(o.by, `${path}/by`, 2);
  const k = o.suppress_below;
  if (k !== undefined && (typeof k !== 'number' || !Number.isSafeInteger(k) || k < 1)) {
    throw new PlanError(`${path}/suppress_below`, `suppress_below is a whole number of rows of at least 1 (cells counting fewer rows open as suppressed), not ${JSON.stringify(k)}`);
  }
  if (o.margins !== undefined && typeof o.margins !== 'boolean') throw new PlanError(`${path}/margins`, 'margins is true or false');
  const input = parseTable(o.input, `${path}/input`, counter, depth + 1);
  return { op: 'crosstab', input, by, ...(k !== undefined ? { suppress_below: k } : {}), ...(o.margins !== undefined ? { margins: o.margins } : {}) };
}

function parseSpec(value: unknown, path: string): AggregateSpec {
  const o = object(value, path, 'an aggregate');
  onlyFields(o, path, ['name', 'fn', 'column', 'p', 'other'], 'an aggregate');
  const name = columnName(o.name, `${path}/name`);
  if (typeof o.fn !== 'string' || findAggregate(o.fn) === undefined) {
    throw new PlanError(`${path}/fn`, `unknown aggregate ${JSON.stringify(o.fn)} (this release knows ${aggregateNames().join(', ')})`);
  }
  const p = { ...(o.p === undefined ? {} : { p: Number(fractionOf(o.p, `${path}/p`)) / 1e6 }), ...(o.other === undefined ? {} : { other: columnName(o.other, `${path}/other`) }) };
  if (o.column === undefined) return { name, fn: o.fn, ...p };
  return { name, fn: o.fn, column: columnName(o.column, `${path}/column`), ...p };
}
