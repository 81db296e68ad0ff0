/**
 * The shape of a filter's predicate (plan.ts `Expr`): every node an object with exactly its
 * fields, at most MAX_EXPR_NODES nodes and MAX_EXPR_DEPTH levels. Types and literals are
 * checked against the columns afterwards (check-predicate.ts). Each refusal names its place.
 */

import { PlanError } from '../errors.js';
import { COLUMN_NAME_PATTERN } from '../table/schema.js';
import { ARITHMETIC_OPS, CAST_TARGETS, COMPARISON_OPS, UNARY_FUNCTIONS, type ArithmeticOp, type CastTarget, type ComparisonOp, type Expr, type UnaryFunction } from './plan.js';
import { MAX_DECIMAL_SCALE } from '../table/types/decimal.js';

export const MAX_EXPR_NODES = 1000;
export const MAX_EXPR_DEPTH = 32;
const MAX_TEXT_LITERAL = 1000;
const EXPR_OPS = ['col', 'lit', ...COMPARISON_OPS, 'and', 'or', 'not', 'is_null', ...ARITHMETIC_OPS, ...UNARY_FUNCTIONS, 'min', 'max', 'fill_null', 'if_else', 'cast', 'isin', 'starts_with'];
const MAX_ISIN_VALUES = 1000;

type Json = Record<string, unknown>;

export function parseExpr(value: unknown, path: string): Expr {
  return parseNode(value, path, { nodes: 0 }, 1);
}

function parseNode(value: unknown, path: string, counter: { nodes: number }, depth: number): Expr {
  if (++counter.nodes > MAX_EXPR_NODES) throw new PlanError(path, `an expression has at most ${MAX_EXPR_NODES} terms; split it`);
  if (depth > MAX_EXPR_DEPTH) throw new PlanError(path, `an expression nests at most ${MAX_EXPR_DEPTH} levels deep`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PlanError(path, 'an expression must be a JSON object such as { "op": "col", "name": "age" }');
  const o = value as Json;
  const fields = (allowed: readonly string[]): void => {
    const extra = Object.keys(o).find((k) => !allowed.includes(k));
    if (extra !== undefined) throw new PlanError(`${path}/${extra}`, `unknown field '${extra}' in a '${String(o.op)}' expression (allowed: ${allowed.join(', ')})`);
  };
  const child = (v: unknown, at: string): Expr => parseNode(v, at, counter, depth + 1);
  const args = (n: number): Expr[] => {
    if (!Array.isArray(o.args) || o.args.length !== n) throw new PlanError(`${path}/args`, `'${String(o.op)}' takes exactly ${n} expressions`);
    return o.args.map((a, i) => child(a, `${path}/args/${i}`));
  };
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
    case 'min':
    case 'max':
    case 'fill_null':
      fields(['op', 'args']);
      return { op: o.op, args: args(2) as [Expr, Expr] };
    case 'if_else':
      fields(['op', 'args']);
      return { op: 'if_else', args: args(3) as [Expr, Expr, Expr] };
    case 'cast': {
      fields(['op', 'arg', 'to', 'scale']);
      if (!CAST_TARGETS.includes(o.to as CastTarget)) throw new PlanError(`${path}/to`, `a cast is to ${CAST_TARGETS.join(' or ')}, not ${JSON.stringify(o.to)}`);
      const arg = child(o.arg, `${path}/arg`);
      return o.scale === undefined ? { op: 'cast', arg, to: o.to as CastTarget } : { op: 'cast', arg, to: o.to as CastTarget, scale: scaleOf(o.scale, `${path}/scale`) };
    }
    case 'isin': {
      fields(['op', 'arg', 'values']);
      if (!Array.isArray(o.values) || o.values.length < 1 || o.values.length > MAX_ISIN_VALUES) throw new PlanError(`${path}/values`, `isin takes a list of 1 to ${MAX_ISIN_VALUES} literals`);
      const values = o.values.map((v, i) => literal(v, `${path}/values/${i}`));
      return { op: 'isin', arg: child(o.arg, `${path}/arg`), values };
    }
    case 'starts_with':
      fields(['op', 'arg', 'prefix']);
      if (typeof o.prefix !== 'string' || o.prefix.length > MAX_TEXT_LITERAL) throw new PlanError(`${path}/prefix`, `starts_with takes a prefix, a text of at most ${MAX_TEXT_LITERAL} characters`);
      return { op: 'starts_with', arg: child(o.arg, `${path}/arg`), prefix: o.prefix };
    default:
      if (UNARY_FUNCTIONS.includes(o.op as UnaryFunction)) {
        fields(['op', 'arg']);
        return { op: o.op as UnaryFunction, arg: child(o.arg, `${path}/arg`) };
      }
      if (ARITHMETIC_OPS.includes(o.op as ArithmeticOp)) {
        fields(o.op === '/' ? ['op', 'args', 'scale'] : ['op', 'args']);
        const [a, b] = args(2);
        return o.scale === undefined ? { op: o.op as ArithmeticOp, args: [a, b] } : { op: '/', args: [a, b], scale: scaleOf(o.scale, `${path}/scale`) };
      }
      if (COMPARISON_OPS.includes(o.op as ComparisonOp)) {
        fields(['op', 'args']);
        if (!Array.isArray(o.args) || o.args.length !== 2) throw new PlanError(`${path}/args`, `'${String(o.op)}' compares exactly two expressions`);
        return { op: o.op as ComparisonOp, args: [child(o.args[0], `${path}/args/0`), child(o.args[1], `${path}/args/1`)] };
      }
      throw new PlanError(`${path}/op`, `unknown expression ${JSON.stringify(o.op)} (this release knows ${EXPR_OPS.join(', ')})`);
  }
}

function scaleOf(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_DECIMAL_SCALE) throw new PlanError(path, `a scale is a whole number of decimal digits from 0 to ${MAX_DECIMAL_SCALE}`);
  return value;
}

function literal(value: unknown, path: string): number | string | boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.length <= MAX_TEXT_LITERAL) return value;
  throw new PlanError(path, `a literal is a number, a text (a decimal such as "12.50", a date "2024-01-31", a category's word) or true/false, at most ${MAX_TEXT_LITERAL} characters`);
}
