/**
 * Type checking of a filter's predicate against its input's columns, before any MPC. Literals
 * are converted to the stored units of the column they meet (decimals with its scale, dates as
 * days, categories as dictionary indices) and must lie in its declared range; operands of a
 * comparison have the same kind (and scale, and dictionary). Each refusal names its place.
 *
 * The result is in negation normal form: NOT is pushed down to the comparisons (x < y becomes
 * x >= y, is_null becomes present) and every comparison is false where an operand is null. That
 * is exactly SQL's rule for WHERE (a row stays when the predicate is TRUE, not NULL): under
 * three-valued logic NOT (x > 5) is NULL for a null x, and so is x <= 5.
 *
 * Declared ranges lie within ±(2^62 - 1) (table/types/common.ts), so the difference of two
 * operands never reaches 2^63 and the ring's less-than (mpc/protocols/compare.ts) is exact.
 */

import { PlanError } from '../errors.js';
import { parseIsoDate } from '../table/civil-date.js';
import { decimalEncoder } from '../table/types/decimal.js';
import { COMPARISON_OPS, type ComparisonOp, type Expr, type LiteralValue } from './plan.js';
import { linear, sub, type Gate } from './expr-circuit.js';
import { checkCondition } from './expr-check.js';
import { describeFacts, type ColumnFacts, type TableType } from './types.js';
import { isText, textComparison, textIsin, textStartsWith } from './check-text.js';
import { foldComparison, foldJunction } from './fold-predicate.js';

/** A column operand; `word` picks a text column's word (check-text.ts), 0 the first. */
export type CheckedOperand = { readonly kind: 'column'; readonly column: ColumnFacts; readonly word?: number } | { readonly kind: 'constant'; readonly value: bigint };

/** A predicate in negation normal form over the input's columns. */
export type CheckedPredicate =
  /** `left < right` (test lt) or `left == right` (test eq), negated when `negate`; false where a nullable operand is null. */
  | { readonly kind: 'compare'; readonly test: 'lt' | 'eq'; readonly negate: boolean; readonly left: CheckedOperand; readonly right: CheckedOperand }
  /** The column's cell is null (`isNull`) or present. */
  | { readonly kind: 'null'; readonly column: ColumnFacts; readonly isNull: boolean }
  | { readonly kind: 'const'; readonly value: boolean }
  /** A condition over value expressions (expr-check.ts): a circuit whose output is 1 exactly where it (negation applied) is TRUE. */
  | { readonly kind: 'gate'; readonly gate: Gate }
  | { readonly kind: 'and' | 'or'; readonly args: readonly CheckedPredicate[] };

export function checkPredicate(expr: Expr, input: TableType, path: string): CheckedPredicate {
  return check(expr, input, path, false);
}

function check(e: Expr, input: TableType, path: string, negated: boolean): CheckedPredicate {
  switch (e.op) {
    case 'and':
    case 'or': {
      // De Morgan: NOT (a AND b) = NOT a OR NOT b.
      const kind = (e.op === 'and') !== negated ? 'and' : 'or';
      return foldJunction(kind, e.args.map((a, i) => check(a, input, `${path}/args/${i}`, negated)));
    }
    case 'not':
      return check(e.arg, input, `${path}/arg`, !negated);
    case 'is_null': {
      if (e.arg.op !== 'col') throw new PlanError(`${path}/arg`, 'is_null takes a column: { "op": "is_null", "arg": { "op": "col", "name": "age" } }');
      const column = findColumn(input, e.arg.name, `${path}/arg/name`);
      if (column.kind === 'identifier') throw refuseIdentifier(column, `${path}/arg`);
      if (!column.nullable) return { kind: 'const', value: negated };
      return { kind: 'null', column, isNull: !negated };
    }
    case 'col': {
      // A boolean column stands for "column = true".
      const column = findColumn(input, e.name, `${path}/name`);
      if (column.kind !== 'boolean') throw new PlanError(path, `column '${e.name}' is ${describeFacts(column)}, not a condition: compare it (e.g. { "op": ">=", "args": [{ "op": "col", "name": "${e.name}" }, { "op": "lit", "value": 18 }] })`);
      return { kind: 'compare', test: 'eq', negate: negated, left: { kind: 'column', column }, right: { kind: 'constant', value: 1n } };
    }
    case 'lit':
      if (typeof e.value !== 'boolean') throw new PlanError(path, `the literal ${JSON.stringify(e.value)} is not a condition; compare a column with it`);
      return { kind: 'const', value: e.value !== negated };
    case 'isin':
      if (e.arg.op === 'col' && isText(findColumn(input, e.arg.name, `${path}/arg/name`))) return textIsin(findColumn(input, e.arg.name, `${path}/arg/name`), e.values, path, negated);
      return valueCondition(e, input, path, negated);
    case 'starts_with': {
      if (e.arg.op !== 'col') throw new PlanError(`${path}/arg`, 'starts_with takes a text column: { "op": "starts_with", "arg": { "op": "col", "name": "code" }, "prefix": "A0" }');
      const column = findColumn(input, e.arg.name, `${path}/arg/name`);
      if (!isText(column)) throw new PlanError(`${path}/arg`, `starts_with takes a text column; '${column.name}' is ${describeFacts(column)}`);
      return textStartsWith(column, e.prefix, path, negated);
    }
    default:
      if (COMPARISON_OPS.includes(e.op as ComparisonOp)) {
        const c = e as { op: ComparisonOp; args: readonly [Expr, Expr] };
        const text = textOperands(c.args, input, path);
        if (text) return textComparison(c.op, text[0], text[1], path, negated);
        if (c.args.every((x) => x.op === 'col' || x.op === 'lit')) return comparison(c.op, c.args, input, path, negated);
      }
      return valueCondition(e, input, path, negated);
  }
}

/** The operands of a comparison that involves a text column, or undefined when none does. */
function textOperands(args: readonly [Expr, Expr], input: TableType, path: string): [ColumnFacts | LiteralValue, ColumnFacts | LiteralValue] | undefined {
  if (!args.some((x) => x.op === 'col' && isText(input.columns.find((c) => c.name === x.name)))) return undefined;
  return args.map((x, i): ColumnFacts | LiteralValue => {
    if (x.op === 'col') return findColumn(input, x.name, `${path}/args/${i}/name`);
    if (x.op === 'lit') return x.value;
    throw new PlanError(`${path}/args/${i}`, 'a text column compares with a text column or a text literal, not with an expression');
  }) as [ColumnFacts | LiteralValue, ColumnFacts | LiteralValue];
}

/** A condition over expressions: TRUE is the circuit's value, FALSE is present − value (three-valued logic). */
function valueCondition(e: Expr, input: TableType, path: string, negated: boolean): CheckedPredicate {
  const c = checkCondition(e, input, path);
  if (!negated) return { kind: 'gate', gate: c.value };
  return { kind: 'gate', gate: c.present ? sub(c.present, c.value) : linear([[c.value, -1n]], 1n) };
}

/** How each comparison reads as lt/eq: x > y is y < x; x >= y is NOT x < y; NOT flips it further. */
const TESTS: Readonly<Record<ComparisonOp, { test: 'lt' | 'eq'; swap: boolean; negate: boolean }>> = {
  '=': { test: 'eq', swap: false, negate: false },
  '!=': { test: 'eq', swap: false, negate: true },
  '<': { test: 'lt', swap: false, negate: false },
  '>=': { test: 'lt', swap: false, negate: true },
  '>': { test: 'lt', swap: true, negate: false },
  '<=': { test: 'lt', swap: true, negate: true },
};

function comparison(op: ComparisonOp, args: readonly [Expr, Expr], input: TableType, path: string, negated: boolean): CheckedPredicate {
  const [a, b] = args;
  const columns = [a, b].map((x, i) => (x.op === 'col' ? findColumn(input, x.name, `${path}/args/${i}/name`) : undefined));
  const anchor = columns[0] ?? columns[1];
  if (!anchor) throw new PlanError(path, 'a comparison of two literals does not depend on the data: compare a column');
  columns.forEach((c, i) => {
    if (c?.kind === 'identifier') throw refuseIdentifier(c, `${path}/args/${i}`);
  });
  if (anchor.kind === 'category' && op !== '=' && op !== '!=') {
    throw new PlanError(path, `category column '${anchor.name}' compares with = and != only (its order is the dictionary's, not the words'); list the words you want with or`);
  }
  if (columns[0] && columns[1]) sameType(columns[0], columns[1], path);
  const operands = [a, b].map((x, i): CheckedOperand => {
    if (x.op === 'col') return { kind: 'column', column: columns[i]! };
    return { kind: 'constant', value: storedLiteral((x as { value: LiteralValue }).value, anchor, `${path}/args/${i}`) };
  });
  const t = TESTS[op];
  const [left, right] = t.swap ? [operands[1], operands[0]] : operands;
  return foldComparison({ kind: 'compare', test: t.test, negate: t.negate !== negated, left, right });
}

function sameType(x: ColumnFacts, y: ColumnFacts, path: string): void {
  const same = x.kind === y.kind && x.scale === y.scale && JSON.stringify(x.dictionary ?? null) === JSON.stringify(y.dictionary ?? null);
  if (!same) throw new PlanError(path, `cannot compare '${x.name}' (${describeFacts(x)}) with '${y.name}' (${describeFacts(y)}): compare columns of the same type (and decimal scale, and dictionary)`);
}

/** The literal in the stored units of `column`, checked against its type and declared range. */
function storedLiteral(value: LiteralValue, column: ColumnFacts, path: string): bigint {
  const kind = describeFacts(column);
  const refuse = (what: string): never => {
    throw new PlanError(path, `comparing ${kind} column '${column.name}' with ${JSON.stringify(value)}: ${what}`);
  };
  let stored: bigint;
  switch (column.kind) {
    case 'integer':
      if (typeof value === 'number' && Number.isSafeInteger(value)) stored = BigInt(value);
      else if (typeof value === 'string' && /^[+-]?[0-9]{1,20}$/.test(value)) stored = BigInt(value);
      else return refuse('write a whole number (a safe-integer number or a text of digits)');
      break;
    case 'decimal': {
      if (typeof value === 'boolean') return refuse(`write a decimal number such as "12.5"`);
      const r = decimalEncoder(column.scale)(value);
      if (r === 'precision') return refuse(`the literal has more digits after the point than the column's scale (${column.scale})`);
      if (typeof r !== 'bigint') return refuse(`write a decimal number with at most ${column.scale} digits after the point, such as "12.5"`);
      stored = r;
      break;
    }
    case 'date': {
      const days = typeof value === 'string' ? parseIsoDate(value) : undefined;
      if (days === undefined) return refuse('write an ISO date that exists, such as "2024-02-29"');
      stored = BigInt(days);
      break;
    }
    case 'boolean':
      if (typeof value !== 'boolean') return refuse('write true or false');
      stored = value ? 1n : 0n;
      break;
    case 'category': {
      const words = column.dictionary ?? [];
      if (typeof value !== 'string') return refuse(`a category compares with one of its words (${preview(words)}), not with a ${typeof value === 'number' ? 'number' : typeof value}`);
      const index = words.indexOf(value);
      if (index < 0) return refuse(`it is not one of the column's words (${preview(words)})`);
      stored = BigInt(index);
      break;
    }
    case 'identifier':
      throw refuseIdentifier(column, path);
    case 'text':
      return refuse('a text column is compared by the text rules (check-text.ts)');
  }
  if (stored < column.min || stored > column.max) {
    refuse(`the literal (${stored} in stored units) lies outside the column's declared range [${column.min}, ${column.max}], so the comparison would be decided by the declaration, not the data; compare with a value inside the range`);
  }
  return stored;
}

function preview(words: readonly string[]): string {
  const shown = words.slice(0, 8).map((w) => JSON.stringify(w)).join(', ');
  return words.length > 8 ? `${shown}, … ${words.length} in all` : shown;
}

function refuseIdentifier(column: ColumnFacts, path: string): PlanError {
  return new PlanError(path, `identifier column '${column.name}' cannot be filtered on yet (its values are keyed hashes; equality of identifiers comes with join)`);
}

function findColumn(input: TableType, name: string, path: string): ColumnFacts {
  const c = input.columns.find((x) => x.name === name);
  if (!c) throw new PlanError(path, `the input of this filter has no column '${name}' (it has ${input.columns.map((x) => x.name).join(', ') || 'no columns'}); scan it first`);
  return c;
}

/** Counts for cost estimates and for the evaluator's batching (ops/predicate.ts builds the same circuit). */
export interface PredicateShape {
  readonly lt: number;
  readonly eq: number;
  /** Secret multiplications (AND/OR gates, nulls) per row, and their depth in rounds. */
  readonly gates: number;
  readonly depth: number;
}

export function predicateShape(p: CheckedPredicate): PredicateShape {
  const counts = { lt: 0, eq: 0, gates: 0 };
  const depth = (q: CheckedPredicate): number => {
    switch (q.kind) {
      case 'const':
      case 'null':
      case 'gate':
        return 0;
      case 'compare': {
        counts[q.test]++;
        const nulls = nullableOperands(q).length;
        counts.gates += nulls;
        return nulls;
      }
      default: {
        const ds = q.args.map(depth).sort((x, y) => x - y);
        counts.gates += ds.length - 1;
        return balancedDepth(ds);
      }
    }
  };
  const d = depth(p);
  return { ...counts, depth: d };
}

/** Columns of a comparison whose nulls make it false. */
export function nullableOperands(q: CheckedPredicate & { kind: 'compare' }): ColumnFacts[] {
  return [q.left, q.right].flatMap((o) => (o.kind === 'column' && o.column.nullable ? [o.column] : []));
}

/** Every leaf a comparison over non-nullable operands: ops/predicate-bits.ts evaluates it on packed bits (with every row valid). */
export function isBitPredicate(p: CheckedPredicate): boolean {
  if (p.kind === 'compare') return nullableOperands(p).length === 0;
  if (p.kind === 'and' || p.kind === 'or') return p.args.every(isBitPredicate);
  return false;
}

/** Depth of combining values ready at depths `ds` pairwise, shallowest first (Huffman-like). */
export function balancedDepth(ds: readonly number[]): number {
  const queue = [...ds].sort((x, y) => x - y);
  while (queue.length > 1) {
    const a = queue.shift()!, b = queue.shift()!;
    const c = Math.max(a, b) + 1;
    let i = 0;
    while (i < queue.length && queue[i] <= c) i++;
    queue.splice(i, 0, c);
  }
  return queue[0] ?? 0;
}

/** The circuits of a predicate's conditions over expressions (evaluated before its comparisons). */
export function predicateGates(p: CheckedPredicate, out: Gate[] = []): Gate[] {
  if (p.kind === 'gate') out.push(p.gate);
  else if (p.kind === 'and' || p.kind === 'or') p.args.forEach((a) => predicateGates(a, out));
  return out;
}
