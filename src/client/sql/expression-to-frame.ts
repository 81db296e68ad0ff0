/**
 * A value expression of DuckDB's syntax tree as an SDK Expression (client/expr.ts), so
 * `SELECT cost * 1.1 AS gross FROM visits` builds the same plan as
 * `withColumns({ gross: col('cost').mul(1.1) }).select('gross')`:
 *
 *   + − * (unary −)      add, sub, mul, neg          a / 3          div(3) (a constant divisor only)
 *   CAST(a / 3 AS DECIMAL(p, s))  div(3, { scale: s })    CAST(x AS DECIMAL(p, s)) cast('decimal', s)
 *   CAST(x AS INTEGER|BIGINT|SMALLINT|TINYINT)  cast('integer')
 *   CASE WHEN c THEN a [WHEN …] ELSE b END      ifElse(c, a, …b)   (an ELSE is required)
 *   COALESCE(a, b, c)    a.fillNull(b).fillNull(c)  abs(x)         abs()
 *   least(a, b)          a.fillNull(b).min(b.fillNull(a))  (DuckDB's least skips nulls; a constant is never null, so it is not wrapped)
 *   x IN (…)             isin([…])                   year/month/day(d), EXTRACT(… FROM d), date_part('…', d)
 *   x LIKE 'abc%', starts_with(x, 'abc')   startsWith('abc') (a text column's prefix; other patterns are refused)
 *   isodow(d)            weekday()                   dayofweek(d), EXTRACT(dow …)   ifElse(weekday = 7, 0, weekday) (Sunday 0)
 *   d1 − d2, d + n       sub, add (days)             comparisons, AND/OR/NOT, IS [NOT] NULL, BETWEEN
 *
 * Everything else is refused naming the construct, and a field of the tree this mapping does not
 * read is refused rather than ignored (`known`).
 */

import { SqlError } from '../../errors.js';
import type { LiteralValue } from '../../plan/plan.js';
import { and, col, Condition, Expression, ifElse, lit, or, type Literal, type Operand } from '../expr.js';

type Json = Record<string, unknown>;

/** Reads a COLUMN_REF with the statement's qualifiers. */
export type ColumnReader = (item: Json) => string;
/** Refuses fields this mapping does not read. */
export type KnownFields = (node: Json, fields: readonly string[], where: string) => void;

export function refuse(construct: string, message: string): never {
  throw new SqlError(message, construct);
}

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse(where, `DuckDB's syntax tree has an unexpected shape in ${where}; please report this statement`);
  return value as Json;
}

function children(node: Json): Json[] {
  return (Array.isArray(node.children) ? node.children : []).map((c) => object(c, 'an expression'));
}

const COMPARISONS: Readonly<Record<string, 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'>> = {
  COMPARE_EQUAL: 'eq',
  COMPARE_NOTEQUAL: 'ne',
  COMPARE_LESSTHAN: 'lt',
  COMPARE_LESSTHANOREQUALTO: 'le',
  COMPARE_GREATERTHAN: 'gt',
  COMPARE_GREATERTHANOREQUALTO: 'ge',
};

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'UTINYINT', 'USMALLINT', 'UINTEGER']);
const DATE_PARTS: Readonly<Record<string, 'year' | 'month' | 'day' | 'weekday' | 'sunday0'>> = {
  year: 'year', month: 'month', day: 'day', dayofmonth: 'day', isodow: 'weekday', dayofweek: 'sunday0', dow: 'sunday0', weekday: 'sunday0',
};
/** Functions and operators people reach for that the plan cannot express, with what to do instead. */
const REFUSED_OPERATORS: Readonly<Record<string, string>> = {
  '//': 'integer division (//) is not supported: divide (a / 3 or a / b, a decimal) and CAST it AS INTEGER',
  '%': 'the remainder (%) is not supported',
  '||': 'text concatenation (||) is not supported: text columns are not secret values here',
  '^': 'powers are not supported: multiply (a * a)',
  '**': 'powers are not supported: multiply (a * a)',
};

/** A constant of the tree as a literal written as people write it (12.50 → 12.5, DATE '2024-01-31' → '2024-01-31'). */
export function sqlConstant(value: unknown, where: string, known: KnownFields): Literal {
  const node = object(value, where);
  if (node.class === 'CAST') {
    known(node, ['class', 'type', 'alias', 'query_location', 'child', 'cast_type', 'try_cast'], `a cast in ${where}`);
    const to = String(object(node.cast_type, where).id);
    const inner = object(node.child, where);
    const text = inner.class === 'CONSTANT' ? object(inner.value, where).value : undefined;
    if (node.try_cast !== true && typeof text === 'string') {
      if (to === 'DATE') return text;
      if (to === 'BOOLEAN' && /^(t|true|f|false)$/i.test(text)) return /^t/i.test(text);
    }
    return refuse(`CAST in ${where}`, `casts of constants are supported for DATE '…' and true/false only`);
  }
  if (node.class !== 'CONSTANT') return refuse(`${String(node.class).toLowerCase()} in ${where}`, `${where} takes constants here`);
  known(node, ['class', 'type', 'alias', 'query_location', 'value'], `a constant in ${where}`);
  const v = object(node.value, where);
  if (v.is_null === true) refuse('NULL in a comparison', 'a comparison with NULL is never true: use IS NULL or IS NOT NULL');
  const type = object(v.type, where);
  const id = String(type.id);
  if (id === 'VARCHAR') return String(v.value);
  if (id === 'BOOLEAN') return v.value === true;
  if (INTEGER_TYPES.has(id)) {
    if (typeof v.value !== 'number' || !Number.isSafeInteger(v.value)) refuse('integer constant', 'integers in SQL are limited to ±(2^53 - 1); use the SDK (a bigint) for larger ones');
    return v.value;
  }
  if (id === 'DECIMAL') {
    const scale = Number(object(type.type_info, where).scale);
    if (typeof v.value !== 'number' || !Number.isSafeInteger(v.value)) refuse('decimal constant', 'this decimal has too many digits for SQL; use the SDK with a decimal text');
    return decimalLiteral(BigInt(v.value), scale);
  }
  return refuse(`${id} constant`, `${id.toLowerCase()} constants are not supported (write integers, decimals, 'text', DATE 'YYYY-MM-DD', true/false)`);
}

/**
 * unscaled / 10^scale as the SDK writes it: a number when the number prints as the exact
 * decimal (12.50 → 12.5, so SQL and `col('x').lt(12.5)` give the same plan), else exact text.
 */
export function decimalLiteral(unscaled: bigint, scale: number): LiteralValue {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  let text = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  if (scale > 0) text = text.replace(/0+$/, '').replace(/\.$/, '');
  text = (negative ? '-' : '') + text;
  const n = Number(text);
  return String(n) === text ? n : text;
}

/** Maps value expressions; `where` names the clause in refusals ("the select list", "WHERE"). */
export class SqlExpressions {
  constructor(
    private readonly column: ColumnReader,
    private readonly known: KnownFields,
    private readonly where: string,
  ) {}

  /** Any value expression. */
  value(value: unknown): Expression {
    const node = object(value, this.where);
    switch (node.class) {
      case 'COLUMN_REF': return col(this.column(node));
      case 'CONSTANT':
      case 'CAST':
        return node.class === 'CAST' && object(node.child, this.where).class !== 'CONSTANT' ? this.cast(node) : this.literal(node);
      case 'FUNCTION': return this.func(node);
      case 'CASE': return this.caseExpr(node);
      case 'COMPARISON': case 'CONJUNCTION': case 'BETWEEN': return this.condition(node);
      case 'OPERATOR': return this.operator(node);
      case 'SUBQUERY': return refuse(`subqueries in ${this.where}`, 'subqueries are not supported in expressions');
      case 'WINDOW': return refuse('window functions (OVER)', 'window functions (OVER) are not supported');
      case 'PARAMETER': return refuse('parameters', 'parameters: not supported yet; write the values into the statement');
      default: return refuse(`${String(node.class).toLowerCase()} in ${this.where}`, `${String(node.class).toLowerCase().replace(/_/g, ' ')} expressions are not supported in ${this.where}`);
    }
  }

  /** A condition (comparisons, AND/OR/NOT, IS NULL, IN, BETWEEN; a boolean column alone is `= true`). */
  condition(value: unknown): Condition {
    const node = object(value, this.where);
    switch (node.class) {
      case 'CONJUNCTION': {
        this.known(node, ['class', 'type', 'alias', 'query_location', 'children'], this.where);
        const parts = children(node).map((c) => this.condition(c));
        if (parts.length < 2) refuse(this.where, `DuckDB's syntax tree has an unexpected shape in ${this.where}; please report this statement`);
        if (node.type === 'CONJUNCTION_AND') return and(parts[0], ...parts.slice(1));
        if (node.type === 'CONJUNCTION_OR') return or(parts[0], ...parts.slice(1));
        return refuse(String(node.type), `${String(node.type)} is not supported`);
      }
      case 'COMPARISON': {
        this.known(node, ['class', 'type', 'alias', 'query_location', 'left', 'right'], `a comparison in ${this.where}`);
        const op = COMPARISONS[String(node.type)];
        if (!op) return refuse(`${String(node.type)} in ${this.where}`, `${String(node.type).replace(/^COMPARE_/, '').toLowerCase().replace(/_/g, ' ')} is not supported in ${this.where}: use = != < <= > >=`);
        const left = object(node.left, this.where), right = object(node.right, this.where);
        if (isConstant(left) && isConstant(right)) refuse('comparison of constants', 'a comparison needs a column or an expression of columns on one side');
        // 5 < age is age > 5 (the SDK's form: the column first).
        if (isConstant(left)) return this.value(right)[MIRRORED[op]](this.literal(left));
        return this.value(left)[op](isConstant(right) ? this.literal(right) : this.value(right));
      }
      case 'BETWEEN': {
        this.known(node, ['class', 'type', 'alias', 'query_location', 'input', 'lower', 'upper'], 'BETWEEN');
        const x = this.value(node.input);
        return x.ge(this.operand(node.lower)).and(x.le(this.operand(node.upper)));
      }
      case 'OPERATOR': {
        const e = this.operator(node);
        if (!(e instanceof Condition)) refuse(`${String(node.type)} as a condition`, 'a condition is a comparison, IS NULL or IN');
        return e;
      }
      case 'COLUMN_REF':
        // A boolean column alone: the same plan as the SDK's col('flag').eq(true).
        return col(this.column(node)).eq(true);
      case 'CONSTANT': {
        const v = sqlConstant(node, this.where, this.known);
        if (typeof v !== 'boolean') refuse('a constant as a condition', `${this.where} needs a condition, such as age >= 18`);
        return new Condition({ op: 'lit', value: v });
      }
      case 'FUNCTION': {
        const e = this.func(node);
        if (!(e instanceof Condition)) refuse(`${String(node.function_name)} as a condition`, `${String(node.function_name)} gives a value, not a condition: compare it (year(day) = 2024)`);
        return e;
      }
      default:
        return refuse(`${String(node.class).toLowerCase()} in ${this.where}`, `${String(node.class).toLowerCase().replace(/_/g, ' ')} expressions are not conditions: compare values with = != < <= > >=, combine with AND/OR/NOT, IS NULL`);
    }
  }

  private operand(value: unknown): Literal | Expression {
    const node = object(value, this.where);
    return isConstant(node) ? this.literal(node) : this.value(node);
  }

  private literal(node: Json): Expression {
    return lit(sqlConstant(node, this.where, this.known));
  }

  private operator(node: Json): Expression {
    this.known(node, ['class', 'type', 'alias', 'query_location', 'children'], this.where);
    const args = children(node);
    switch (node.type) {
      case 'OPERATOR_NOT': return this.condition(args[0]).not();
      case 'OPERATOR_IS_NULL': return this.value(args[0]).isNull();
      case 'OPERATOR_IS_NOT_NULL': return this.value(args[0]).isNotNull();
      case 'COMPARE_IN':
      case 'COMPARE_NOT_IN': {
        const values = args.slice(1).map((v) => {
          if (!isConstant(v)) refuse('IN of expressions', 'IN takes a list of constants: sex IN (\'F\', \'X\')');
          return sqlConstant(v, 'IN', this.known);
        });
        if (values.length === 0) refuse('IN', 'IN needs at least one value');
        const any = this.value(args[0]).isin(values);
        return node.type === 'COMPARE_IN' ? any : any.not();
      }
      case 'OPERATOR_COALESCE': {
        if (args.length < 2) refuse('COALESCE', 'COALESCE takes two or more values');
        return args.slice(1).reduce<Expression>((acc, a) => acc.fillNull(this.operand(a)), this.value(args[0]));
      }
      default:
        return refuse(`${String(node.type)} in ${this.where}`, `${String(node.type).replace(/^OPERATOR_/, '').toLowerCase()} is not supported in ${this.where}`);
    }
  }

  private func(node: Json): Expression {
    this.known(node, ['class', 'type', 'alias', 'query_location', 'function_name', 'schema', 'children', 'filter', 'order_bys', 'distinct', 'is_operator', 'export_state', 'catalog'], `${String(node.function_name)}()`);
    const name = String(node.function_name).toLowerCase();
    const args = children(node);
    if (node.distinct === true || !isEmpty(node.filter) || !isEmpty((node.order_bys as Json | null)?.orders) || node.export_state === true) refuse(`${name}() with DISTINCT, FILTER or ORDER BY`, `${name}() takes plain arguments here`);
    if (!isEmpty(node.catalog) || (!isEmpty(node.schema) && !(name === 'date_part' && node.schema === 'main'))) refuse('qualified function name', `call ${name} by its name alone`);
    if (name === '~~' || name === '!~~' || name === 'starts_with') return this.prefix(name, args);
    if (node.is_operator === true) return this.arithmetic(name, args);
    const one = (): Json => {
      if (args.length !== 1) refuse(`${name}() of ${args.length} arguments`, `${name} takes one argument`);
      return args[0];
    };
    switch (name) {
      case 'abs': return this.value(one()).abs();
      case 'least':
      case 'greatest': return this.leastGreatest(name, args);
      case 'coalesce': return this.operator({ class: 'OPERATOR', type: 'OPERATOR_COALESCE', children: args });
      case 'date_part': {
        if (args.length !== 2 || !isConstant(args[0])) refuse('date_part()', "date_part takes a part's name and a date: date_part('year', day)");
        const part = String(sqlConstant(args[0], 'date_part', this.known)).toLowerCase();
        return this.datePart(part, args[1], `EXTRACT(${part} FROM …)`);
      }
      case 'to_days': case 'to_months': case 'to_years': case 'to_hours': case 'to_minutes': case 'to_seconds': case 'to_weeks':
        return refuse('INTERVAL', 'intervals are not supported: add a number of days as an integer (day + 30)');
      default:
        if (name in DATE_PARTS) return this.datePart(name, one(), `${name}()`);
        return refuse(`${name}()`, `${name}() is not a function this release maps: expressions take + - * / (by a constant), abs, least, greatest, COALESCE, CASE, CAST, IN, year, month, day, isodow, dayofweek, EXTRACT`);
    }
  }

  /**
   * x LIKE 'abc%' and starts_with(x, 'abc'): a text column's prefix (startsWith); NOT LIKE its
   * negation. Any other pattern (a % or _ elsewhere, no trailing %) is refused: only a prefix maps
   * to a comparison of the text's words (plan/check-text.ts).
   */
  private prefix(name: string, args: readonly Json[]): Condition {
    const like = name !== 'starts_with';
    const written = like ? `${name === '!~~' ? 'NOT ' : ''}LIKE` : 'starts_with()';
    if (args.length !== 2 || !isConstant(args[1])) refuse(written, like ? "LIKE takes a constant pattern: code LIKE 'A0%'" : "starts_with takes a column and a constant: starts_with(code, 'A0')");
    const pattern = sqlConstant(args[1], written, this.known);
    if (typeof pattern !== 'string') return refuse(`${written} with a pattern that is not text`, 'the pattern is a text');
    let prefix = pattern;
    if (like) {
      const body = pattern.endsWith('%') ? pattern.slice(0, -1) : undefined;
      if (body === undefined || /[%_\\]/.test(body)) return refuse(`LIKE '${pattern}'`, `LIKE '${pattern}' is not supported: LIKE maps to a prefix only, code LIKE 'A0%' (no other % or _, and no escapes); compare whole texts with = or IN`);
      prefix = body;
    }
    const starts = this.value(args[0]).startsWith(prefix);
    return name === '!~~' ? starts.not() : starts;
  }

  private arithmetic(name: string, args: readonly Json[]): Expression {
    if (name in REFUSED_OPERATORS) refuse(`${name} operator`, REFUSED_OPERATORS[name]);
    if (args.length === 1 && name === '-') return this.value(args[0]).neg();
    if (args.length === 1 && name === '+') return this.value(args[0]);
    if (args.length !== 2) refuse(`${name} operator`, `${name} takes two operands`);
    const [a, b] = args;
    switch (name) {
      case '+': return this.value(a).add(this.operand(b));
      case '-': return this.value(a).sub(this.operand(b));
      case '*': return this.value(a).mul(this.operand(b));
      case '/': return this.value(a).div(this.divisor(b));
      default: return refuse(`${name} operator`, `the operator ${name} is not supported: expressions take + - * and /`);
    }
  }

  /** A constant, or a value (a / b by a secret value: exact, null where b = 0 as in DuckDB). */
  private divisor(node: Json): Operand<string> {
    if (!isConstant(node)) return this.value(node);
    const d = sqlConstant(node, 'a divisor', this.known);
    if (typeof d !== 'number' && (typeof d !== 'string' || !/^-?\d+(\.\d+)?$/.test(d))) refuse('division by a non-number', 'divide by a number');
    return d;
  }

  private leastGreatest(name: 'least' | 'greatest', args: readonly Json[]): Expression {
    if (args.length !== 2) refuse(`${name}() of ${args.length} arguments`, `${name} takes two values here (nest it for more: ${name}(a, ${name}(b, c)))`);
    // DuckDB's least/greatest skip nulls: least(a, NULL) is a. Each operand that may be null is
    // filled with the other, which is exact and free for operands without nulls.
    const [a, b] = args.map((x) => this.value(x));
    const fill = (x: Expression, other: Expression, node: Json): Expression => (isConstant(node) ? x : x.fillNull(other));
    const fa = fill(a, b, args[0]), fb = fill(b, a, args[1]);
    return name === 'least' ? fa.min(fb) : fa.max(fb);
  }

  private datePart(part: string, arg: Json, construct: string): Expression {
    const which = DATE_PARTS[part];
    if (!which) refuse(construct, `the date part '${part}' is not supported: year, month, day, isodow (Monday 1 … Sunday 7), dayofweek/dow (Sunday 0 … Saturday 6)`);
    const d = this.value(arg);
    if (which === 'sunday0') {
      // DuckDB's dayofweek: Sunday 0 … Saturday 6, from the ISO weekday (Sunday 7).
      return ifElse(d.weekday().eq(7), 0, d.weekday());
    }
    return d[which]();
  }

  private caseExpr(node: Json): Expression {
    this.known(node, ['class', 'type', 'alias', 'query_location', 'case_checks', 'else_expr'], 'CASE');
    const checks = (Array.isArray(node.case_checks) ? node.case_checks : []).map((c) => object(c, 'CASE'));
    const otherwise = object(node.else_expr, 'CASE');
    if (otherwise.class === 'CONSTANT' && object(otherwise.value, 'CASE').is_null === true) {
      refuse('CASE without ELSE', 'give CASE an ELSE value (a derived column has one type and NULL has none here)');
    }
    let result: Expression | Literal = this.operand(otherwise);
    for (const check of [...checks].reverse()) {
      this.known(check, ['when_expr', 'then_expr'], 'CASE');
      result = ifElse(this.condition(check.when_expr), this.operand(check.then_expr), result);
    }
    return result instanceof Expression ? result : lit(result);
  }

  private cast(node: Json): Expression {
    this.known(node, ['class', 'type', 'alias', 'query_location', 'child', 'cast_type', 'try_cast'], 'CAST');
    if (node.try_cast === true) refuse('TRY_CAST', 'TRY_CAST is not supported: use CAST (a value that does not fit is refused at plan time)');
    const type = object(node.cast_type, 'CAST');
    const id = String(type.id);
    const child = object(node.child, 'CAST');
    if (id === 'DECIMAL') {
      const scale = Number(object(type.type_info, 'CAST').scale);
      // CAST(a / 3 AS DECIMAL(p, s)): one division rounded to s digits, not two roundings.
      if (child.class === 'FUNCTION' && child.is_operator === true && child.function_name === '/' && children(child).length === 2) {
        this.known(child, ['class', 'type', 'alias', 'query_location', 'function_name', 'schema', 'children', 'filter', 'order_bys', 'distinct', 'is_operator', 'export_state', 'catalog'], '/');
        const [a, b] = children(child);
        return this.value(a).div(this.divisor(b), { scale });
      }
      return this.value(child).cast('decimal', scale);
    }
    if (INTEGER_TYPES.has(id)) return this.value(child).cast('integer');
    return refuse(`CAST AS ${id}`, `casts to ${id.toLowerCase()} are not supported: cast to DECIMAL(p, s) or INTEGER`);
  }
}

/** x op y read from y's side: 5 < age is age > 5. */
const MIRRORED = { eq: 'eq', ne: 'ne', lt: 'gt', le: 'ge', gt: 'lt', ge: 'le' } as const;

/** A constant, or a cast of one (DATE '…'). */
function isConstant(node: Json): boolean {
  return node.class === 'CONSTANT' || (node.class === 'CAST' && typeof node.child === 'object' && node.child !== null && (node.child as Json).class === 'CONSTANT');
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '' || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.values(value as Json).every(isEmpty);
  return false;
}

/** Whether a select item is (or contains) a call of one of `aggregates`: such items go to agg(). */
export function containsCall(value: unknown, isAggregate: (name: string) => boolean): boolean {
  if (Array.isArray(value)) return value.some((v) => containsCall(v, isAggregate));
  if (typeof value !== 'object' || value === null) return false;
  const node = value as Json;
  if (node.class === 'FUNCTION' && node.is_operator !== true && isAggregate(String(node.function_name).toLowerCase())) return true;
  return Object.values(node).some((v) => containsCall(v, isAggregate));
}
