/**
 * A small typed builder for expressions and filter predicates (plan.ts `Expr`), in the spirit of
 * Polars' `col`:
 *
 *   t.table('visits').filter(col('age').ge(18).and(col('sex').eq('F')))
 *   t.table('visits').withColumns({ total: col('cost').mul(1.1).add(col('fee')), adult: col('age').ge(18) })
 *
 * Literals are written as people write values: numbers (or exact decimal text such as '12.50'),
 * dates as 'YYYY-MM-DD' (or a Date at UTC midnight), a category's word, true/false. The nodes
 * convert them to the column's stored units and refuse what does not fit its type or range.
 * A condition's type parameter is the columns it reads, so `filter` can check them.
 */

import { UsageError } from '../errors.js';
import type { CastTarget, ComparisonOp, Expr, LiteralValue } from '../plan/plan.js';
import { COLUMN_NAME_PATTERN } from '../table/schema.js';

/** A value a column may be compared with. */
export type Literal = number | bigint | string | boolean | Date;

/** An expression or a literal, as an operand. */
export type Operand<K extends string = never> = Literal | Expression<K>;

/**
 * A value computed row by row (plan/expr-check.ts types it): columns, literals, arithmetic,
 * functions. Nulls propagate as in SQL (null + x is null). `withColumns` stores it, `filter`
 * compares it.
 */
export class Expression<C extends string = string> {
  constructor(readonly node: Expr) {}

  add<K extends string = never>(other: Operand<K>): Expression<C | K> { return this.binary('+', other); }
  sub<K extends string = never>(other: Operand<K>): Expression<C | K> { return this.binary('-', other); }
  mul<K extends string = never>(other: Operand<K>): Expression<C | K> { return this.binary('*', other); }
  /**
   * Division by a constant or by a secret value: the nearest value with `scale` decimal digits
   * (default max(the dividend's, 4)), halves toward +∞, exact; null where the divisor is 0.
   */
  div<K extends string = never>(other: Operand<K>, options: { scale?: number } = {}): Expression<C | K> {
    return new Expression<C | K>({ op: '/', args: [this.node, operand(other)], ...(options.scale !== undefined ? { scale: options.scale } : {}) });
  }
  neg(): Expression<C> { return new Expression<C>({ op: 'neg', arg: this.node }); }
  abs(): Expression<C> { return new Expression<C>({ op: 'abs', arg: this.node }); }
  min<K extends string = never>(other: Operand<K>): Expression<C | K> { return this.binary('min', other); }
  max<K extends string = never>(other: Operand<K>): Expression<C | K> { return this.binary('max', other); }
  /** This value where present, else `value`. */
  fillNull<K extends string = never>(value: Operand<K>): Expression<C | K> { return this.binary('fill_null', value); }
  /** To integer (nearest, halves toward +∞) or to a decimal of `scale` digits. */
  cast(to: CastTarget, scale?: number): Expression<C> {
    return new Expression<C>({ op: 'cast', arg: this.node, to, ...(scale !== undefined ? { scale } : {}) });
  }
  year(): Expression<C> { return new Expression<C>({ op: 'year', arg: this.node }); }
  month(): Expression<C> { return new Expression<C>({ op: 'month', arg: this.node }); }
  day(): Expression<C> { return new Expression<C>({ op: 'day', arg: this.node }); }
  /** ISO weekday: Monday 1 … Sunday 7. */
  weekday(): Expression<C> { return new Expression<C>({ op: 'weekday', arg: this.node }); }

  eq<K extends string = never>(other: Operand<K>): Condition<C | K> { return this.compare('=', other); }
  ne<K extends string = never>(other: Operand<K>): Condition<C | K> { return this.compare('!=', other); }
  lt<K extends string = never>(other: Operand<K>): Condition<C | K> { return this.compare('<', other); }
  le<K extends string = never>(other: Operand<K>): Condition<C | K> { return this.compare('<=', other); }
  gt<K extends string = never>(other: Operand<K>): Condition<C | K> { return this.compare('>', other); }
  ge<K extends string = never>(other: Operand<K>): Condition<C | K> { return this.compare('>=', other); }

  isNull(): Condition<C> {
    return new Condition<C>({ op: 'is_null', arg: this.node });
  }

  isNotNull(): Condition<C> {
    return this.isNull().not();
  }

  /** One of the words (categories) or values. */
  isin(values: readonly Literal[]): Condition<C> {
    if (!Array.isArray(values) || values.length === 0) throw new UsageError('isin takes a non-empty list of values');
    return new Condition<C>({ op: 'isin', arg: this.node, values: values.map(literalValue) });
  }

  /** A text column's values that begin with `prefix` (SQL: LIKE 'prefix%'); nulls do not. */
  startsWith(prefix: string): Condition<C> {
    if (typeof prefix !== 'string') throw new UsageError('startsWith takes a text');
    return new Condition<C>({ op: 'starts_with', arg: this.node, prefix });
  }

  private binary<K extends string>(op: '+' | '-' | '*' | 'min' | 'max' | 'fill_null', other: Operand<K>): Expression<C | K> {
    return new Expression<C | K>({ op, args: [this.node, operand(other)] });
  }

  private compare<K extends string>(op: ComparisonOp, other: Operand<K>): Condition<C | K> {
    return new Condition<C | K>({ op, args: [this.node, operand(other)] });
  }
}

/** A condition on rows: combine with and/or/not, pass to `filter`, or store it as a boolean column. */
export class Condition<C extends string = string> extends Expression<C> {
  and<K extends string>(...others: readonly Condition<K>[]): Condition<C | K> {
    return new Condition<C | K>(flatten('and', [this, ...others]));
  }

  or<K extends string>(...others: readonly Condition<K>[]): Condition<C | K> {
    return new Condition<C | K>(flatten('or', [this, ...others]));
  }

  not(): Condition<C> {
    return new Condition<C>({ op: 'not', arg: this.node });
  }
}

/** A column of the table. */
export class ColumnRef<C extends string = string> extends Expression<C> {
  constructor(readonly name: C) {
    if (typeof name !== 'string' || !COLUMN_NAME_PATTERN.test(name)) throw new UsageError(`${JSON.stringify(name)} is not a column name: use letters, digits and _ (not starting with a digit)`);
    super({ op: 'col', name });
  }
}

export function col<C extends string>(name: C): ColumnRef<C> {
  return new ColumnRef(name);
}

/** A literal as an expression (for `ifElse(c, lit(1), lit(0))` and the like). */
export function lit(value: Literal): Expression<never> {
  return new Expression<never>({ op: 'lit', value: literalValue(value) });
}

/** cond ? a : b per row (else where cond is null). One multiplication per row. */
export function ifElse<A extends string, B extends string = never, K extends string = never>(cond: Condition<A>, then: Operand<B>, otherwise: Operand<K>): Expression<A | B | K> {
  if (!(cond instanceof Condition)) throw new UsageError('ifElse takes a condition such as col(\'age\').ge(18) first');
  return new Expression<A | B | K>({ op: 'if_else', args: [cond.node, operand(then), operand(otherwise)] });
}

/** when(cond).then(a).otherwise(b): the same as ifElse(cond, a, b). */
export function when<A extends string>(cond: Condition<A>): { then<B extends string = never>(value: Operand<B>): { otherwise<K extends string = never>(value: Operand<K>): Expression<A | B | K> } } {
  return { then: (a) => ({ otherwise: (b) => ifElse(cond, a, b) }) };
}

function operand<K extends string>(v: Operand<K>): Expr {
  return v instanceof Expression ? v.node : { op: 'lit', value: literalValue(v) };
}

/** All of the conditions. */
export function and<C extends string>(first: Condition<C>, ...rest: readonly Condition<C>[]): Condition<C> {
  return rest.length === 0 ? first : new Condition<C>(flatten('and', [first, ...rest]));
}

/** Any of the conditions. */
export function or<C extends string>(first: Condition<C>, ...rest: readonly Condition<C>[]): Condition<C> {
  return rest.length === 0 ? first : new Condition<C>(flatten('or', [first, ...rest]));
}

export function not<C extends string>(c: Condition<C>): Condition<C> {
  return c.not();
}

/** a.and(b).and(c) is one `and` of three: the same plan as and(a, b, c). */
function flatten(op: 'and' | 'or', conditions: readonly Condition[]): Expr {
  const args = conditions.flatMap((c) => {
    if (!(c instanceof Condition)) throw new UsageError(`${op} takes conditions such as col('age').ge(18)`);
    return c.node.op === op ? c.node.args : [c.node];
  });
  return { op, args };
}

function literalValue(v: Literal): LiteralValue {
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v ? Number(v) : v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new UsageError(`${v} cannot be compared with a column: use a finite number`);
    return v;
  }
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime()) || v.getTime() % 86_400_000 !== 0) throw new UsageError('compare dates with a Date at UTC midnight or a text YYYY-MM-DD');
    return v.toISOString().slice(0, 10);
  }
  throw new UsageError(`${String(v)} cannot be compared with a column: use a number, a text, true/false or a date`);
}

/** The columns an expression reads, in order of first use. */
export function exprColumns(e: Expr, out: string[] = []): string[] {
  switch (e.op) {
    case 'col':
      if (!out.includes(e.name)) out.push(e.name);
      return out;
    case 'lit':
      return out;
    case 'not':
    case 'is_null':
    case 'cast':
    case 'isin':
    case 'starts_with':
      return exprColumns(e.arg, out);
    default:
      if ('arg' in e) return exprColumns(e.arg, out);
      e.args.forEach((a) => exprColumns(a, out));
      return out;
  }
}
