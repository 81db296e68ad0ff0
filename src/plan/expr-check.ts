/**
 * Type and range checking of value expressions (plan.ts `Expr`) against a table's columns, and
 * their lowering to a circuit (expr-circuit.ts). Every node's type and declared range follow
 * from its inputs' (the rules are listed in docs/plan.md); a range beyond ±(2^62 − 1), a scale
 * beyond 18 digits, a type mismatch (text + integer) is refused with the node's place.
 *
 * Nulls follow SQL: an operation with a null operand is null (null + x is null), a comparison
 * with a null is null, and/or/not use three-valued (Kleene) logic, if_else takes the else branch
 * where its condition is null, fill_null replaces nulls. A value carries a secret present bit
 * when it may be null. Inside the circuit a null's value is kept in the declared range (a
 * column whose range excludes 0 reads its minimum there: a free linear correction), so no
 * intermediate value leaves its computed range; the stored result is multiplied by the present
 * bit once at the end where needed, so a stored null is 0 (secret-table.ts invariant 3).
 *
 * Booleans are 0/1. A boolean that may be null has value 1 exactly where it is TRUE (zeroAtNull),
 * so FALSE is `present − value` and AND/OR cost two multiplications:
 *   AND: true = ta·tb, false = fa + fb − fa·fb;  OR: true = ta + tb − ta·tb, false = fa·fb.
 */

import { PlanError } from '../errors.js';
import { pow10 } from '../table/types/decimal.js';
import { add, constant, eq, linear, lt, mul, scale, select, sub, type Gate } from './expr-circuit.js';
import { datePart } from './expr-dates.js';
import { roundDivide } from './expr-divide.js';
import { divideSecret } from './expr-divide-secret.js';
import { textColumnOf, textCompareValue, textIsinValue } from './expr-text.js';
import { checkDateRange, checkRange, checkScale, describeType, isNumeric, literalIn, numericLiteral, productRange, scaledRange, type ValueType } from './expr-types.js';
import type { ComparisonOp, Expr, LiteralValue } from './plan.js';
import type { TableType } from './types.js';

export interface TypedValue {
  readonly type: ValueType;
  /** The value where present; where null 0 if `zeroAtNull`, else some value in the type's range. */
  readonly value: Gate;
  /** 1 where present, 0 where null (only when the type is nullable). */
  readonly present?: Gate;
  readonly zeroAtNull: boolean;
}

export const DEFAULT_DIVISION_SCALE = 4;
const MAX_ISIN_VALUES = 1000;

/** A value expression over `input`'s columns. */
export function checkValue(e: Expr, input: TableType, path: string): TypedValue {
  return new Checker(input).value(e, path);
}

/** A boolean expression whose value is 1 exactly where it is TRUE (0 where FALSE or null). */
export function checkCondition(e: Expr, input: TableType, path: string): TypedValue {
  const c = new Checker(input);
  return c.condition(c.value(e, path), path);
}

/** The value to store: 0 where null. */
export function storedValue(v: TypedValue): Gate {
  return v.present && !v.zeroAtNull ? mul(v.value, v.present) : v.value;
}

const COMPARE: Readonly<Record<ComparisonOp, { test: 'lt' | 'eq'; swap: boolean; negate: boolean }>> = {
  '=': { test: 'eq', swap: false, negate: false },
  '!=': { test: 'eq', swap: false, negate: true },
  '<': { test: 'lt', swap: false, negate: false },
  '>=': { test: 'lt', swap: false, negate: true },
  '>': { test: 'lt', swap: true, negate: false },
  '<=': { test: 'lt', swap: true, negate: true },
};

type Typed = TypedValue;

class Checker {
  constructor(private readonly input: TableType) {}

  value(e: Expr, path: string): Typed {
    switch (e.op) {
      case 'col': return this.column(e.name, `${path}/name`);
      case 'lit': return this.literal(e.value, path);
      case '+':
      case '-': return this.addSub(e.op, e.args, path);
      case '*': return this.multiply(e.args, path);
      case '/': return this.divide(e.args, e.scale, path);
      case 'neg': return this.negate(this.numeric(e.arg, `${path}/arg`, 'neg'));
      case 'abs': return this.abs(this.numeric(e.arg, `${path}/arg`, 'abs'));
      case 'min':
      case 'max': return this.minMax(e.op, e.args, path);
      case 'if_else': return this.ifElse(e.args, path);
      case 'fill_null': return this.fillNull(e.args, path);
      case 'is_null': {
        // A text column has no value here, only its present bits.
        const text = textColumnOf(e.arg, this.input);
        if (text) return this.isNull({ type: { kind: 'boolean', scale: 0, min: 0n, max: 1n, nullable: text.nullable }, value: constant(0n), ...(text.nullable ? { present: { op: 'present', name: text.name } as Gate } : {}), zeroAtNull: true });
        return this.isNull(this.value(e.arg, `${path}/arg`));
      }
      case 'cast': return this.cast(this.value(e.arg, `${path}/arg`), e.to, e.scale, path);
      case 'isin': {
        const text = textColumnOf(e.arg, this.input);
        if (text) return textIsinValue(text, checkIsinCount(e.values, path), path);
        return this.isin(this.value(e.arg, `${path}/arg`), e.values, path);
      }
      case 'starts_with': throw new PlanError(path, 'starts_with is a condition of a filter on a text column; filter by it (it is not a value here)');
      case 'year':
      case 'month':
      case 'day':
      case 'weekday': return this.datePart(e.op, this.value(e.arg, `${path}/arg`), path);
      case 'and':
      case 'or': return this.logic(e.op, e.args.map((a, i) => this.condition(this.value(a, `${path}/args/${i}`), `${path}/args/${i}`)));
      case 'not': {
        const c = this.condition(this.value(e.arg, `${path}/arg`), `${path}/arg`);
        return { ...c, type: { ...c.type, min: 0n, max: 1n }, value: falseOf(c) };
      }
      default:
        // A text column compared with a text: the word rules (expr-text.ts).
        if (textColumnOf(e.args[0], this.input) || textColumnOf(e.args[1], this.input)) return textCompareValue(e.op, e.args, this.input, path);
        return this.compare(e.op, e.args, path);
    }
  }

  /** A boolean whose value is 1 exactly where TRUE. */
  condition(v: Typed, path: string): Typed {
    if (v.type.kind !== 'boolean') throw new PlanError(path, `a condition is needed here, not a ${describeType(v.type)} value: compare it (e.g. >= 18)`);
    return v.present && !v.zeroAtNull ? { ...v, value: mul(v.value, v.present), zeroAtNull: true } : v;
  }

  private column(name: string, path: string): Typed {
    const c = this.input.columns.find((x) => x.name === name);
    if (!c) throw new PlanError(path, `the input has no column '${name}' (it has ${this.input.columns.map((x) => x.name).join(', ') || 'no columns'})`);
    if (c.kind === 'text') throw new PlanError(path, `text column '${name}' has no value for arithmetic or functions: compare it with a text (=, !=, <, isin; starts_with in a filter), test is_null, or use it to join, group and sort`);
    const { name: _, ...type } = c;
    const values: Gate = { op: 'column', name };
    if (!c.nullable) return { type, value: values, zeroAtNull: true };
    const present: Gate = { op: 'present', name };
    if (c.min <= 0n && 0n <= c.max) return { type, value: values, present, zeroAtNull: true };
    // A null reads as the minimum, so the value stays in its declared range (values are 0 there).
    return { type, value: linear([[values, 1n], [present, -c.min]], c.min), present, zeroAtNull: false };
  }

  private literal(value: LiteralValue, path: string): Typed {
    if (typeof value === 'boolean') return constantOf(value ? 1n : 0n, { kind: 'boolean', scale: 0, min: 0n, max: 1n, nullable: false });
    const n = numericLiteral(value, path);
    if (!n) throw new PlanError(path, `the text ${JSON.stringify(value)} has no type on its own: compare it with a column (a date, a category's word) or write a number`);
    return constantOf(n.value, n.type);
  }

  /** Both operands, a literal read in the other operand's type. */
  private pair(args: readonly [Expr, Expr], path: string): [Typed, Typed] {
    const [a, b] = args;
    if (a.op === 'lit' && b.op !== 'lit') {
      const y = this.value(b, `${path}/args/1`);
      return [this.literalAs(a.value, y.type, `${path}/args/0`), y];
    }
    const x = this.value(a, `${path}/args/0`);
    return [x, b.op === 'lit' ? this.literalAs(b.value, x.type, `${path}/args/1`) : this.value(b, `${path}/args/1`)];
  }

  private literalAs(value: LiteralValue, t: ValueType, path: string): Typed {
    const l = literalIn(value, t, path);
    return constantOf(l.value, l.type);
  }

  private numeric(e: Expr, path: string, what: string): Typed {
    return numericOf(this.value(e, path), path, what);
  }

  private addSub(op: '+' | '-', args: readonly [Expr, Expr], path: string): Typed {
    const [a, b] = this.pair(args, path);
    const sign = op === '+' ? 1n : -1n;
    const nulls = presentOf(a, b);
    if (a.type.kind === 'date' || b.type.kind === 'date') {
      const dates = a.type.kind === 'date' && b.type.kind === 'date';
      if (dates && op === '-') {
        return { type: { kind: 'integer', scale: 0, min: a.type.min - b.type.max, max: a.type.max - b.type.min, ...nulls.type }, value: sub(a.value, b.value), ...nulls.gate, zeroAtNull: !nulls.type.nullable };
      }
      const [date, days] = a.type.kind === 'date' ? [a, b] : [b, a];
      if (dates || days.type.kind !== 'integer' || (op === '-' && date === b)) {
        throw new PlanError(path, `cannot compute ${describeType(a.type)} ${op} ${describeType(b.type)}: a date takes + or − a whole number of days, and date − date is the days between them`);
      }
      const min = date.type.min + (sign > 0n ? days.type.min : -days.type.max);
      const max = date.type.max + (sign > 0n ? days.type.max : -days.type.min);
      checkDateRange(min, max, path);
      return { type: { ...date.type, min, max, ...nulls.type }, value: linear([[date.value, 1n], [days.value, sign]]), ...nulls.gate, zeroAtNull: !nulls.type.nullable };
    }
    const [x, y] = align(numericOf(a, `${path}/args/0`, op), numericOf(b, `${path}/args/1`, op), path);
    const min = x.type.min + (sign > 0n ? y.type.min : -y.type.max);
    const max = x.type.max + (sign > 0n ? y.type.max : -y.type.min);
    checkRange(min, max, path, `the ${op === '+' ? 'sum' : 'difference'}`);
    return { type: { ...x.type, min, max, ...nulls.type }, value: linear([[x.value, 1n], [y.value, sign]]), ...nulls.gate, zeroAtNull: !nulls.type.nullable };
  }

  private multiply(args: readonly [Expr, Expr], path: string): Typed {
    const [a0, b0] = this.pair(args, path);
    const a = numericOf(a0, `${path}/args/0`, '*'), b = numericOf(b0, `${path}/args/1`, '*');
    const s = a.type.scale + b.type.scale;
    checkScale(s, path, 'the product');
    const [min, max] = productRange([a.type.min, a.type.max], [b.type.min, b.type.max]);
    checkRange(min, max, path, 'the product');
    const nulls = presentOf(a, b);
    // A null operand that reads 0 makes the product 0.
    const zero = (!a.present || a.zeroAtNull) && (!b.present || b.zeroAtNull);
    return { type: { kind: s > 0 || a.type.kind === 'decimal' || b.type.kind === 'decimal' ? 'decimal' : 'integer', scale: s, min, max, ...nulls.type }, value: mul(a.value, b.value), ...nulls.gate, zeroAtNull: zero };
  }

  private divide(args: readonly [Expr, Expr], requested: number | undefined, path: string): Typed {
    const [a0, b0] = this.pair(args, path);
    const a = numericOf(a0, `${path}/args/0`, '/'), b = numericOf(b0, `${path}/args/1`, '/');
    const out = requested ?? Math.max(a.type.scale, DEFAULT_DIVISION_SCALE);
    checkScale(out, path, 'the quotient');
    // x / c in `out` digits: round(x·10^(out − sx + sc) / c).
    const exp = out - a.type.scale + b.type.scale;
    if (b.value.op !== 'const') return divisionBySecret(a, b, exp, out, path);
    const c = b.value.value;
    if (c === 0n) throw new PlanError(`${path}/args/1`, 'division by zero');
    const sign = c < 0n ? -1n : 1n;
    const p = sign * (exp >= 0 ? pow10(exp) : 1n);
    const q = sign * c * (exp < 0 ? pow10(-exp) : 1n);
    const value = roundDivide(a.value, a.type.min, a.type.max, p, q, path, 'the quotient');
    const ends = [roundHalfUp(a.type.min * p, q), roundHalfUp(a.type.max * p, q)];
    const [min, max] = ends[0] <= ends[1] ? ends : [ends[1], ends[0]];
    checkRange(min, max, path, 'the quotient');
    return { type: { kind: out > 0 ? 'decimal' : 'integer', scale: out, min, max, nullable: a.type.nullable }, value, ...(a.present ? { present: a.present } : {}), zeroAtNull: a.zeroAtNull };
  }

  private negate(a: Typed): Typed {
    return { ...a, type: { ...a.type, min: -a.type.max, max: -a.type.min }, value: scale(a.value, -1n) };
  }

  private abs(a: Typed): Typed {
    if (a.type.min >= 0n) return a;
    if (a.type.max <= 0n) return this.negate(a);
    // |x| = x − 2·[x < 0]·x
    const negative = lt(a.value, constant(0n));
    const max = -a.type.min > a.type.max ? -a.type.min : a.type.max;
    return { ...a, type: { ...a.type, min: 0n, max }, value: linear([[a.value, 1n], [mul(negative, a.value), -2n]]) };
  }

  private minMax(op: 'min' | 'max', args: readonly [Expr, Expr], path: string): Typed {
    const [a0, b0] = this.pair(args, path);
    const [a, b] = sameKind(a0, b0, path, op);
    const nulls = presentOf(a, b);
    const min = op === 'min' ? least(a.type.min, b.type.min) : greatest(a.type.min, b.type.min);
    const max = op === 'min' ? least(a.type.max, b.type.max) : greatest(a.type.max, b.type.max);
    let value: Gate;
    // Decided by the declared ranges when they do not overlap.
    if (a.type.max <= b.type.min) value = op === 'min' ? a.value : b.value;
    else if (b.type.max <= a.type.min) value = op === 'min' ? b.value : a.value;
    else {
      const aFirst = lt(a.value, b.value);
      value = op === 'min' ? select(aFirst, a.value, b.value) : select(aFirst, b.value, a.value);
    }
    return { type: { ...a.type, min, max, ...nulls.type }, value, ...nulls.gate, zeroAtNull: !nulls.type.nullable };
  }

  private ifElse(args: readonly [Expr, Expr, Expr], path: string): Typed {
    const c = this.condition(this.value(args[0], `${path}/args/0`), `${path}/args/0`);
    const [a0, b0] = this.pair([args[1], args[2]], path);
    const [a, b] = sameKind(a0, b0, path, 'if_else', 1);
    return choose(c.value, a, b);
  }

  private fillNull(args: readonly [Expr, Expr], path: string): Typed {
    const [x0, v0] = this.pair(args, path);
    const [x, v] = sameKind(x0, v0, path, 'fill_null');
    if (!x.present) return x;
    const nullable = v.present !== undefined;
    const type = { ...x.type, min: least(x.type.min, v.type.min), max: greatest(x.type.max, v.type.max), nullable };
    if (x.zeroAtNull && v.value.op === 'const') {
      // x is 0 where null: x + (1 − present)·v, no multiplication.
      return { type, value: linear([[x.value, 1n], [x.present, -v.value.value]], v.value.value), zeroAtNull: true };
    }
    const chosen = choose(x.present, { ...x, present: undefined, type: { ...x.type, nullable: false } }, v);
    return { ...chosen, type };
  }

  private isNull(x: Typed): Typed {
    const type: ValueType = { kind: 'boolean', scale: 0, min: 0n, max: 1n, nullable: false };
    if (!x.present) return constantOf(0n, type);
    return { type, value: linear([[x.present, -1n]], 1n), zeroAtNull: true };
  }

  private cast(x: Typed, to: 'integer' | 'decimal', requested: number | undefined, path: string): Typed {
    const from = x.type;
    if (to === 'integer' && requested !== undefined && requested !== 0) throw new PlanError(`${path}/scale`, 'a cast to integer takes no scale');
    const target = to === 'integer' ? 0 : requested ?? from.scale;
    checkScale(target, path, 'the cast');
    if (from.kind === 'date' && to === 'integer') return { ...x, type: { ...from, kind: 'integer' } };
    if (!isNumeric(from)) throw new PlanError(`${path}/arg`, `cannot cast a ${describeType(from)} value to ${to}${from.kind === 'category' ? ' (compare it with its words instead)' : ''}`);
    const kind = to;
    if (target >= from.scale) {
      const k = pow10(target - from.scale);
      const [min, max] = scaledRange(from.min, from.max, k);
      checkRange(min, max, path, 'the cast');
      return { ...x, type: { ...from, kind, scale: target, min, max }, value: scale(x.value, k) };
    }
    // Fewer digits: the nearest value, halves toward +∞ (expr-divide.ts).
    const q = pow10(from.scale - target);
    const value = roundDivide(x.value, from.min, from.max, 1n, q, path, 'the cast');
    return { ...x, type: { ...from, kind, scale: target, min: roundHalfUp(from.min, q), max: roundHalfUp(from.max, q) }, value };
  }

  private isin(x: Typed, values: readonly LiteralValue[], path: string): Typed {
    checkIsinCount(values, path);
    if (x.type.kind === 'identifier') throw new PlanError(`${path}/arg`, 'identifiers are keyed hashes: compare two identifier columns with =');
    const stored = [...new Set(values.map((v, i) => literalIn(v, x.type, `${path}/values/${i}`).value))];
    // The equalities are exclusive, so their sum is their OR.
    const inside = stored.filter((v) => v >= x.type.min && v <= x.type.max);
    const hit = linear(inside.map((v): [Gate, bigint] => [eq(x.value, constant(v)), 1n]));
    const type: ValueType = { kind: 'boolean', scale: 0, min: 0n, max: 1n, nullable: x.type.nullable };
    const needsZero = x.present !== undefined && (!x.zeroAtNull || inside.includes(0n));
    return { type, value: needsZero ? mul(hit, x.present!) : hit, ...(x.present ? { present: x.present } : {}), zeroAtNull: true };
  }

  private datePart(part: 'year' | 'month' | 'day' | 'weekday', x: Typed, path: string): Typed {
    if (x.type.kind !== 'date') throw new PlanError(`${path}/arg`, `${part}() takes a date, not a ${describeType(x.type)} value`);
    const d = datePart(part, x.value, Number(x.type.min), Number(x.type.max), path);
    return { type: { kind: 'integer', scale: 0, min: d.min, max: d.max, nullable: x.type.nullable }, value: d.value, ...(x.present ? { present: x.present } : {}), zeroAtNull: !x.present };
  }

  private logic(op: 'and' | 'or', args: readonly Typed[]): Typed {
    // Pairwise, neighbours first: a balanced tree of depth ⌈log2 n⌉.
    let level = [...args];
    while (level.length > 1) {
      const next: Typed[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(kleene(op, level[i], level[i + 1]));
      if (level.length % 2 === 1) next.push(level[level.length - 1]);
      level = next;
    }
    return level[0];
  }

  private compare(op: ComparisonOp, args: readonly [Expr, Expr], path: string): Typed {
    const [a0, b0] = this.pair(args, path);
    const [a, b] = sameKind(a0, b0, path, op);
    if ((a.type.kind === 'category' || a.type.kind === 'identifier') && op !== '=' && op !== '!=') {
      throw new PlanError(path, `${a.type.kind} values compare with = and != only${a.type.kind === 'category' ? " (their order is the dictionary's, not the words')" : ''}`);
    }
    const t = COMPARE[op];
    const [x, y] = t.swap ? [b.value, a.value] : [a.value, b.value];
    const bit = t.test === 'lt' ? lt(x, y) : eq(x, y);
    const value = t.negate ? linear([[bit, -1n]], 1n) : bit;
    const nulls = presentOf(a, b);
    const type: ValueType = { kind: 'boolean', scale: 0, min: 0n, max: 1n, ...nulls.type };
    return { type, value: nulls.gate.present ? mul(value, nulls.gate.present) : value, ...nulls.gate, zeroAtNull: true };
  }
}

function checkIsinCount(values: readonly LiteralValue[], path: string): readonly LiteralValue[] {
  if (values.length === 0 || values.length > MAX_ISIN_VALUES) throw new PlanError(`${path}/values`, `isin takes 1 to ${MAX_ISIN_VALUES} values`);
  return values;
}

/** a / b for a secret b (expr-divide-secret.ts): exact, null where b = 0 or either is null. */
function divisionBySecret(a: Typed, b: Typed, exp: number, out: number, path: string): Typed {
  const p = exp >= 0 ? pow10(exp) : 1n, q = exp < 0 ? pow10(-exp) : 1n;
  const d = divideSecret(a.value, a.type.min, a.type.max, b.value, b.type.min, b.type.max, p, q, path);
  const nulls = presentOf(a, b);
  const present = d.zero ? (nulls.gate.present ? mul(nulls.gate.present, linear([[d.zero, -1n]], 1n)) : linear([[d.zero, -1n]], 1n)) : nulls.gate.present;
  // A null operand that reads 0 gives 0 (a = 0, or b = 0 which the division zeroes when its range holds 0).
  const zeroAtNull = (!a.present || a.zeroAtNull) && (!b.present || (b.zeroAtNull && d.zero !== undefined));
  const type: ValueType = { kind: out > 0 ? 'decimal' : 'integer', scale: out, min: d.min, max: d.max, nullable: present !== undefined };
  return { type, value: d.value, ...(present ? { present } : {}), zeroAtNull };
}

function constantOf(v: bigint, t: ValueType): Typed {
  return { type: { ...t, min: v, max: v, nullable: false }, value: constant(v), zeroAtNull: true };
}

/** FALSE of a condition: present − true. */
function falseOf(c: Typed): Gate {
  return c.present ? sub(c.present, c.value) : linear([[c.value, -1n]], 1n);
}

function kleene(op: 'and' | 'or', a: Typed, b: Typed): Typed {
  const type: ValueType = { kind: 'boolean', scale: 0, min: 0n, max: 1n, nullable: a.type.nullable || b.type.nullable };
  const both = mul(a.value, b.value);
  const trueOf = op === 'and' ? both : linear([[a.value, 1n], [b.value, 1n], [both, -1n]]);
  if (!type.nullable) return { type, value: trueOf, zeroAtNull: true };
  const fa = falseOf(a), fb = falseOf(b);
  const neither = mul(fa, fb);
  const falseOut = op === 'and' ? linear([[fa, 1n], [fb, 1n], [neither, -1n]]) : neither;
  return { type, value: trueOf, present: add(trueOf, falseOut), zeroAtNull: true };
}

/** c ? a : b, with presents chosen the same way. */
function choose(c: Gate, a: Typed, b: Typed): Typed {
  const nullable = a.type.nullable || b.type.nullable;
  const type: ValueType = { ...a.type, min: least(a.type.min, b.type.min), max: greatest(a.type.max, b.type.max), nullable };
  const value = select(c, a.value, b.value);
  if (!nullable) return { type, value, zeroAtNull: true };
  const present = select(c, a.present ?? constant(1n), b.present ?? constant(1n));
  return { type, value, present, zeroAtNull: (!a.present || a.zeroAtNull) && (!b.present || b.zeroAtNull) };
}

/** Nullability of a result with two operands: null where either is. */
function presentOf(a: Typed, b: Typed): { type: { nullable: boolean }; gate: { present?: Gate } } {
  const present = a.present && b.present ? mul(a.present, b.present) : (a.present ?? b.present);
  return { type: { nullable: present !== undefined }, gate: present ? { present } : {} };
}

function numericOf(v: Typed, path: string, what: string): Typed {
  if (v.type.kind === 'boolean') return { ...v, type: { ...v.type, kind: 'integer' } };
  if (v.type.kind !== 'integer' && v.type.kind !== 'decimal') {
    throw new PlanError(path, `${what} takes numbers, not a ${describeType(v.type)} value${v.type.kind === 'date' ? ' (dates take + and − days; year(), month(), day() give numbers)' : ''}`);
  }
  return v;
}

/** Both at the larger scale. */
function align(a: Typed, b: Typed, path: string): [Typed, Typed] {
  const s = Math.max(a.type.scale, b.type.scale);
  const kind = a.type.kind === 'decimal' || b.type.kind === 'decimal' ? 'decimal' : 'integer';
  const to = (v: Typed): Typed => {
    const k = pow10(s - v.type.scale);
    const [min, max] = scaledRange(v.type.min, v.type.max, k);
    checkRange(min, max, path, `${describeType(v.type)} value at scale ${s}`);
    return { ...v, type: { ...v.type, kind, scale: s, min, max }, value: scale(v.value, k) };
  };
  return [to(a), to(b)];
}

/** Operands of the same type (numbers aligned), or a refusal naming both types. */
function sameKind(a: Typed, b: Typed, path: string, what: string, first = 0): [Typed, Typed] {
  if (isNumeric(a.type) && isNumeric(b.type) && (a.type.kind !== 'boolean' || b.type.kind !== 'boolean')) return align(numericOf(a, path, what), numericOf(b, path, what), path);
  const same = a.type.kind === b.type.kind && JSON.stringify(a.type.dictionary ?? null) === JSON.stringify(b.type.dictionary ?? null);
  if (!same) {
    throw new PlanError(path, `${what} needs operands of the same type: argument ${first} is ${describeType(a.type)}, argument ${first + 1} is ${describeType(b.type)}${a.type.kind === 'category' || b.type.kind === 'category' ? ' (categories need the same dictionary)' : ''}; cast one of them`);
  }
  return [a, b];
}

function least(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function greatest(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** floor(n/q + 1/2) for q > 0. */
export function roundHalfUp(n: bigint, q: bigint): bigint {
  const t = 2n * n + q, d = 2n * q;
  const f = t / d;
  return t % d !== 0n && t < 0n ? f - 1n : f;
}
