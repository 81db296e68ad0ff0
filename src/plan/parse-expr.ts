/**
 * The shape of a filter's predicate (plan.ts `Expr`): every node an object with exactly its
 * fields, at most MAX_EXPR_NODES nodes and MAX_EXPR_DEPTH levels. Types and literals are
 * checked against the columns afterwards (check-predicate.ts). Each refusal names its place.
 */

import { PlanError } from '../errors.js';
import { COLUMN_NAME_PATTERN } from '../table/schema.js';
import { COMPARISON_OPS, type ComparisonOp, type Expr } from './plan.js';

export const MAX_EXPR_NODES = 1000;
export const MAX_EXPR_DEPTH = 32;
const MAX_TEXT_LITERAL = 1000;
const EXPR_OPS = ['col', 'lit', ...COMPARISON_OPS, 'and', 'or', 'not', 'is_null'];

type Json = Record<string, unknown>;

export function parseExpr(value: unknown, path: string): Expr {
  return parseNode(value, path, { nodes: 0 }, 1);
}

function parseNode(value: unknown, path: string, counter: { nodes: number }, depth: number): Expr {
  if (++counter.nodes > MAX_EXPR_NODES) throw new PlanError(path, `a predicate has at most ${MAX_EXPR_NODES} terms; split the filter`);
  if (depth > MAX_EXPR_DEPTH) throw new PlanError(path, `a predicate nests at most ${MAX_EXPR_DEPTH} levels deep`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PlanError(path, 'an expression must be a JSON object such as { "op": "col", "name": "age" }');
  const o = value as Json;
  const fields = (allowed: readonly string[]): void => {
    const extra = Object.keys(o).find((k) => !allowed.includes(k));
    if (extra !== undefined) throw new PlanError(`${path}/${extra}`, `unknown field '${extra}' in a '${String(o.op)}' expression (allowed: ${allowed.join(', ')})`);
  };
  const child = (v: unknown, at: string): Expr => parseNode(v, at, counter, depth + 1);
  switch (o.op) {
    case 'col':
      fields(['op', 'name']);
      if (typeof o.name !== 'string' || !COLUMN_NAME_PATTERN.test(o.name)) throw new PlanError(`${path}/name`, `${JSON.stringify(o.name)} is not a column name`);
      return { op: 'col', name: o.name };
    case 'lit':
      fields(['op', 'value']);
      return { op: 'lit', value: literal(o.value, `${path}/value`) };
    case 'and':
    case 'or': {
      fields(['op', 'args']);
      if (!Array.isArray(o.args) || o.args.length < 2) throw new PlanError(`${path}/args`, `'${o.op}' takes a list of at least two expressions`);
      const args = o.args.map((a, i) => child(a, `${path}/args/${i}`));
      return { op: o.op, args };
    }
    case 'not':
    case 'is_null':
      fields(['op', 'arg']);
      return { op: o.op, arg: child(o.arg, `${path}/arg`) };
    default:
      if (COMPARISON_OPS.includes(o.op as ComparisonOp)) {
        fields(['op', 'args']);
        if (!Array.isArray(o.args) || o.args.length !== 2) throw new PlanError(`${path}/args`, `'${String(o.op)}' compares exactly two expressions`);
        return { op: o.op as ComparisonOp, args: [child(o.args[0], `${path}/args/0`), child(o.args[1], `${path}/args/1`)] };
      }
      throw new PlanError(`${path}/op`, `unknown expression ${JSON.stringify(o.op)} (this release knows ${EXPR_OPS.join(', ')})`);
  }
}

function literal(value: unknown, path: string): number | string | boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.length <= MAX_TEXT_LITERAL) return value;
  throw new PlanError(path, `a literal is a number, a text (a decimal such as "12.50", a date "2024-01-31", a category's word) or true/false, at most ${MAX_TEXT_LITERAL} characters`);
}
