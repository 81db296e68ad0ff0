/**
 * The shape of the column-shaping nodes (plan.ts): `derive` (computed columns), `select` (keep
 * columns, in order), `rename`. Types are checked afterwards (check-derive.ts). Each refusal
 * names its place.
 */

import { PlanError } from '../errors.js';
import { COLUMN_NAME_PATTERN } from '../table/schema.js';
import { parseExpr } from './parse-expr.js';
import type { DeriveNode, RenameNode, SelectNode, TableNode } from './plan.js';

export const MAX_DERIVED_COLUMNS = 256;
const MAX_COLUMNS = 4096;

type Json = Record<string, unknown>;
type ParseInput = (value: unknown, path: string) => TableNode;

function onlyFields(o: Json, path: string, allowed: readonly string[], what: string): void {
  const extra = Object.keys(o).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw new PlanError(`${path}/${extra}`, `unknown field '${extra}' in ${what} (allowed: ${allowed.join(', ')})`);
}

function name(value: unknown, path: string): string {
  if (typeof value !== 'string' || !COLUMN_NAME_PATTERN.test(value)) throw new PlanError(path, `${JSON.stringify(value)} is not a column name: use letters, digits and _ (not starting with a digit, at most 63 characters)`);
  return value;
}

function unique(names: readonly string[], path: (i: number) => string): void {
  const twice = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (twice >= 0) throw new PlanError(path(twice), `column '${names[twice]}' is named twice`);
}

export function parseDerive(o: Json, path: string, input: ParseInput): DeriveNode {
  onlyFields(o, path, ['op', 'input', 'columns'], 'a derive');
  if (!Array.isArray(o.columns) || o.columns.length < 1 || o.columns.length > MAX_DERIVED_COLUMNS) throw new PlanError(`${path}/columns`, `a derive's columns must be a list of 1 to ${MAX_DERIVED_COLUMNS} { name, expr } entries`);
  const columns = o.columns.map((c, i) => {
    const at = `${path}/columns/${i}`;
    if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new PlanError(at, 'a derived column is { "name": …, "expr": … }');
    onlyFields(c as Json, at, ['name', 'expr'], 'a derived column');
    return { name: name((c as Json).name, `${at}/name`), expr: parseExpr((c as Json).expr, `${at}/expr`) };
  });
  unique(columns.map((c) => c.name), (i) => `${path}/columns/${i}/name`);
  return { op: 'derive', input: input(o.input, `${path}/input`), columns };
}

export function parseSelect(o: Json, path: string, input: ParseInput): SelectNode {
  onlyFields(o, path, ['op', 'input', 'columns'], 'a select');
  if (!Array.isArray(o.columns) || o.columns.length < 1 || o.columns.length > MAX_COLUMNS) throw new PlanError(`${path}/columns`, `a select's columns must be a list of 1 to ${MAX_COLUMNS} names`);
  const columns = o.columns.map((c, i) => name(c, `${path}/columns/${i}`));
  unique(columns, (i) => `${path}/columns/${i}`);
  return { op: 'select', input: input(o.input, `${path}/input`), columns };
}

export function parseRename(o: Json, path: string, input: ParseInput): RenameNode {
  onlyFields(o, path, ['op', 'input', 'names'], 'a rename');
  const names = o.names;
  if (typeof names !== 'object' || names === null || Array.isArray(names) || Object.keys(names).length === 0) throw new PlanError(`${path}/names`, 'a rename\'s names map old column names to new ones: { "old": "new" }');
  const out: Record<string, string> = {};
  for (const [from, to] of Object.entries(names as Json)) out[name(from, `${path}/names`)] = name(to, `${path}/names/${from}`);
  return { op: 'rename', input: input(o.input, `${path}/input`), names: out };
}
