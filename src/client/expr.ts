/**
 * A small typed builder for filter predicates (plan.ts `Expr`), in the spirit of Polars' `col`:
 *
 *   t.table('visits').filter(col('age').ge(18).and(col('sex').eq('F')))
 *
 * Literals are written as people write values: numbers (or exact decimal text such as '12.50'),
 * dates as 'YYYY-MM-DD' (or a Date at UTC midnight), a category's word, true/false. The nodes
 * convert them to the column's stored units and refuse what does not fit its type or range.
 * A condition's type parameter is the columns it reads, so `filter` can check them.
 */

import { UsageError } from '../errors.js';
import type { ComparisonOp, Expr, LiteralValue } from '../plan/plan.js';
import { COLUMN_NAME_PATTERN } from '../table/schema.js';

/** A value a column may be compared with. */
export type Literal = number | bigint | string | boolean | Date;

/** A condition on rows: combine with and/or/not, pass to `filter`. */
export class Condition<C extends string = string> {
  constructor(readonly node: Expr) {}

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

/** A column of the table being filtered. */
export class ColumnRef<C extends string = string> {
  readonly node: Expr;
  constructor(readonly name: C) {
    if (typeof name !== 'string' || !COLUMN_NAME_PATTERN.test(name)) throw new UsageError(`${JSON.stringify(name)} is not a column name: use letters, digits and _ (not starting with a digit)`);
    this.node = { op: 'col', name };
  }

  eq<K extends string = never>(other: Literal | ColumnRef<K>): Condition<C | K> { return this.compare('=', other); }
  ne<K extends string = never>(other: Literal | ColumnRef<K>): Condition<C | K> { return this.compare('!=', other); }
  lt<K extends string = never>(other: Literal | ColumnRef<K>): Condition<C | K> { return this.compare('<', other); }
  le<K extends string = never>(other: Literal | ColumnRef<K>): Condition<C | K> { return this.compare('<=', other); }
  gt<K extends string = never>(other: Literal | ColumnRef<K>): Condition<C | K> { return this.compare('>', other); }
  ge<K extends string = never>(other: Literal | ColumnRef<K>): Condition<C | K> { return this.compare('>=', other); }

  isNull(): Condition<C> {
    return new Condition<C>({ op: 'is_null', arg: this.node });
  }

  isNotNull(): Condition<C> {
    return this.isNull().not();
  }

  private compare<K extends string>(op: ComparisonOp, other: Literal | ColumnRef<K>): Condition<C | K> {
    const right: Expr = other instanceof ColumnRef ? other.node : { op: 'lit', value: literalValue(other) };
    return new Condition<C | K>({ op, args: [this.node, right] });
  }
}

export function col<C extends string>(name: C): ColumnRef<C> {
  return new ColumnRef(name);
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
      return exprColumns(e.arg, out);
    default:
      if ('arg' in e) return exprColumns(e.arg, out);
      e.args.forEach((a) => exprColumns(a, out));
      return out;
  }
}
