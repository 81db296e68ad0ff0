/**
 * The shape of sort, limit and distinct nodes (plan.ts), checked like every other node in
 * parse.ts: exactly the fields of the operator, names are names, counts are whole numbers in
 * range. Each refusal names its place in the plan.
 */

import { PlanError } from '../errors.js';
import { columnName, list, onlyFields, parseTable, type Json } from './parse.js';
import type { DistinctNode, FilterMode, LimitNode, SortKey, SortNode } from './plan.js';

export const MAX_SORT_KEYS = 8;
export const MAX_LIMIT = 10_000_000;
const MAX_OFFSET = 2 ** 32;
const MAX_DISTINCT_COLUMNS = 64;
const MODES: readonly FilterMode[] = ['reveal-count', 'oblivious'];

type Counter = { nodes: number };

export function parseSort(o: Json, path: string, counter: Counter, depth: number): SortNode {
  onlyFields(o, path, ['op', 'input', 'by'], 'a sort');
  const by = list(o.by, `${path}/by`, "a sort's keys ('by')", 1, MAX_SORT_KEYS).map((k, i) => parseKey(k, `${path}/by/${i}`));
  const names = by.map((k) => k.column);
  const twice = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (twice >= 0) throw new PlanError(`${path}/by/${twice}/column`, `column '${names[twice]}' is a sort key twice; sort by it once`);
  return { op: 'sort', input: parseTable(o.input, `${path}/input`, counter, depth + 1), by };
}

function parseKey(value: unknown, path: string): SortKey {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PlanError(path, 'a sort key is an object: { "column": "age", "descending": true, "nulls": "first" }');
  const o = value as Json;
  onlyFields(o, path, ['column', 'descending', 'nulls'], 'a sort key');
  const column = columnName(o.column, `${path}/column`);
  if (o.descending !== undefined && typeof o.descending !== 'boolean') throw new PlanError(`${path}/descending`, `'descending' is true or false, not ${JSON.stringify(o.descending)}`);
  if (o.nulls !== undefined && o.nulls !== 'first' && o.nulls !== 'last') throw new PlanError(`${path}/nulls`, `'nulls' is "first" or "last", not ${JSON.stringify(o.nulls)}`);
  return {
    column,
    ...(o.descending !== undefined ? { descending: o.descending } : {}),
    ...(o.nulls !== undefined ? { nulls: o.nulls as 'first' | 'last' } : {}),
  };
}

export function parseLimit(o: Json, path: string, counter: Counter, depth: number): LimitNode {
  onlyFields(o, path, ['op', 'input', 'count', 'offset'], 'a limit');
  const count = wholeNumber(o.count, `${path}/count`, "a limit's count", 1, MAX_LIMIT);
  const input = parseTable(o.input, `${path}/input`, counter, depth + 1);
  if (o.offset === undefined) return { op: 'limit', input, count };
  return { op: 'limit', input, count, offset: wholeNumber(o.offset, `${path}/offset`, "a limit's offset", 0, MAX_OFFSET) };
}

export function parseDistinct(o: Json, path: string, counter: Counter, depth: number): DistinctNode {
  onlyFields(o, path, ['op', 'input', 'columns', 'mode'], 'a distinct');
  const input = parseTable(o.input, `${path}/input`, counter, depth + 1);
  let columns: string[] | undefined;
  if (o.columns !== undefined) {
    columns = list(o.columns, `${path}/columns`, "a distinct's columns", 1, MAX_DISTINCT_COLUMNS).map((c, i) => columnName(c, `${path}/columns/${i}`));
    const twice = columns.findIndex((c, i) => columns!.indexOf(c) !== i);
    if (twice >= 0) throw new PlanError(`${path}/columns/${twice}`, `column '${columns[twice]}' is listed twice`);
  }
  if (o.mode !== undefined && !MODES.includes(o.mode as FilterMode)) {
    throw new PlanError(`${path}/mode`, `a distinct's mode is 'reveal-count' (the default: how many distinct rows there are is opened) or 'oblivious' (nothing is opened), not ${JSON.stringify(o.mode)}`);
  }
  return { op: 'distinct', input, ...(columns ? { columns } : {}), ...(o.mode !== undefined ? { mode: o.mode as FilterMode } : {}) };
}

function wholeNumber(value: unknown, path: string, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new PlanError(path, `${what} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  return value;
}
