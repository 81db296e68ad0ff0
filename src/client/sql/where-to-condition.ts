/**
 * A WHERE clause (DuckDB's syntax tree) as a filter condition (client/expr.ts), so
 * `WHERE age >= 18 AND sex = 'F'` builds the same plan as `filter(col('age').ge(18).and(col('sex').eq('F')))`:
 * comparisons (= != < <= > >=) of columns and constants, AND/OR/NOT, IS [NOT] NULL, BETWEEN,
 * IN (a list of constants), a boolean column alone. Constants keep their written form (12.50 is
 * the decimal 12.5, DATE '2024-01-31' the date); the nodes convert them to the column's units.
 * Anything else is refused naming the construct, read field by field as statement-to-frame.ts does.
 */

import { SqlError } from '../../errors.js';
import type { LiteralValue } from '../../plan/plan.js';
import { and, ColumnRef, Condition, col, or, type Literal } from '../expr.js';

type Json = Record<string, unknown>;

function refuse(construct: string, message: string): never {
  throw new SqlError(message, construct);
}

function object(value: unknown): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse('WHERE', "DuckDB's syntax tree has an unexpected shape in WHERE; please report this statement");
  return value as Json;
}

const COMPARISONS: Readonly<Record<string, 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'>> = {
  COMPARE_EQUAL: 'eq',
  COMPARE_NOTEQUAL: 'ne',
  COMPARE_LESSTHAN: 'lt',
  COMPARE_LESSTHANOREQUALTO: 'le',
  COMPARE_GREATERTHAN: 'gt',
  COMPARE_GREATERTHANOREQUALTO: 'ge',
};
/** x op y read from y's side: 5 < age is age > 5. */
const MIRRORED = { eq: 'eq', ne: 'ne', lt: 'gt', le: 'ge', gt: 'lt', ge: 'le' } as const;

/**
 * `column` reads a COLUMN_REF (with the statement's qualifiers); `known` refuses fields this
 * mapping does not read.
 */
export function whereToCondition(tree: unknown, column: (item: Json) => string, known: (node: Json, fields: readonly string[], where: string) => void): Condition {
  const condition = (value: unknown): Condition => {
    const node = object(value);
    switch (node.class) {
      case 'CONJUNCTION': {
        known(node, ['class', 'type', 'alias', 'query_location', 'children'], 'WHERE');
        const parts = children(node).map(condition);
        if (parts.length < 2) refuse('WHERE', "DuckDB's syntax tree has an unexpected shape in WHERE; please report this statement");
        if (node.type === 'CONJUNCTION_AND') return and(parts[0], ...parts.slice(1));
        if (node.type === 'CONJUNCTION_OR') return or(parts[0], ...parts.slice(1));
        return refuse(String(node.type), `${String(node.type)} is not supported in WHERE`);
      }
      case 'OPERATOR': {
        known(node, ['class', 'type', 'alias', 'query_location', 'children'], 'WHERE');
        const args = children(node);
        switch (node.type) {
          case 'OPERATOR_NOT': return condition(args[0]).not();
          case 'OPERATOR_IS_NULL': return columnOf(args[0], 'IS NULL').isNull();
          case 'OPERATOR_IS_NOT_NULL': return columnOf(args[0], 'IS NOT NULL').isNotNull();
          case 'COMPARE_IN':
          case 'COMPARE_NOT_IN': {
            const c = columnOf(args[0], 'IN');
            const values = args.slice(1).map((v) => constant(v, 'IN'));
            if (values.length === 0) refuse('IN', 'IN needs at least one value');
            const any = or(c.eq(values[0]), ...values.slice(1).map((v) => c.eq(v)));
            return node.type === 'COMPARE_IN' ? any : any.not();
          }
          default:
            return refuse(`${String(node.type)} in WHERE`, `${String(node.type).replace(/^OPERATOR_/, '').toLowerCase()} is not supported in WHERE: compare columns with constants (= != < <= > >=), combine with AND/OR/NOT, IS NULL, BETWEEN, IN`);
        }
      }
      case 'COMPARISON': {
        known(node, ['class', 'type', 'alias', 'query_location', 'left', 'right'], 'a comparison in WHERE');
        const op = COMPARISONS[String(node.type)];
        if (!op) return refuse(`${String(node.type)} in WHERE`, `${String(node.type).replace(/^COMPARE_/, '').toLowerCase().replace(/_/g, ' ')} is not supported in WHERE: use = != < <= > >=`);
        const left = object(node.left), right = object(node.right);
        if (left.class === 'COLUMN_REF') return compare(col(column(left)), op, right.class === 'COLUMN_REF' ? col(column(right)) : constant(right, 'a comparison'));
        if (right.class === 'COLUMN_REF') return compare(col(column(right)), MIRRORED[op], constant(left, 'a comparison'));
        return refuse('comparison of constants or expressions', 'a comparison in WHERE has a column on one side (derived values come later)');
      }
      case 'BETWEEN': {
        known(node, ['class', 'type', 'alias', 'query_location', 'input', 'lower', 'upper'], 'BETWEEN');
        const c = columnOf(node.input, 'BETWEEN');
        return c.ge(constant(node.lower, 'BETWEEN')).and(c.le(constant(node.upper, 'BETWEEN')));
      }
      case 'COLUMN_REF':
        // A boolean column alone: the same plan as the SDK's col('flag').eq(true).
        return col(column(node)).eq(true);
      case 'CONSTANT': {
        const v = constant(node, 'WHERE');
        if (typeof v !== 'boolean') refuse('a constant as a condition', 'WHERE needs a condition, such as age >= 18');
        return new Condition({ op: 'lit', value: v });
      }
      case 'FUNCTION':
        return refuse(`${String(node.function_name)} in WHERE`, `functions and operators such as ${String(node.function_name)} are not supported in WHERE yet: compare columns with constants (= != < <= > >=), combine with AND/OR/NOT, IS NULL, BETWEEN, IN`);
      default:
        return refuse(`${String(node.class).toLowerCase()} in WHERE`, `${String(node.class).toLowerCase().replace(/_/g, ' ')} expressions are not supported in WHERE: compare columns with constants, combine with AND/OR/NOT, IS NULL`);
    }
  };

  const columnOf = (value: unknown, where: string): ColumnRef => {
    const node = object(value);
    if (node.class !== 'COLUMN_REF') refuse(`${where} of an expression`, `${where} applies to a column here`);
    return col(column(node));
  };

  const constant = (value: unknown, where: string): Literal => {
    const node = object(value);
    if (node.class === 'CAST') {
      known(node, ['class', 'type', 'alias', 'query_location', 'child', 'cast_type', 'try_cast'], `a cast in ${where}`);
      const to = String(object(node.cast_type).id);
      const inner = object(node.child);
      const text = inner.class === 'CONSTANT' ? object(inner.value).value : undefined;
      if (node.try_cast !== true && typeof text === 'string') {
        if (to === 'DATE') return text;
        if (to === 'BOOLEAN' && /^(t|true|f|false)$/i.test(text)) return /^t/i.test(text);
      }
      return refuse(`CAST in ${where}`, `casts are not supported in WHERE except DATE '…' and true/false`);
    }
    if (node.class !== 'CONSTANT') return refuse(`${String(node.class).toLowerCase()} in ${where}`, `${where} in WHERE takes a column and constants (derived values come later)`);
    known(node, ['class', 'type', 'alias', 'query_location', 'value'], `a constant in ${where}`);
    const v = object(node.value);
    if (v.is_null === true) refuse('NULL in a comparison', 'a comparison with NULL is never true: use IS NULL or IS NOT NULL');
    const type = object(v.type);
    const id = String(type.id);
    switch (id) {
      case 'VARCHAR':
        return String(v.value);
      case 'BOOLEAN':
        return v.value === true;
      case 'TINYINT': case 'SMALLINT': case 'INTEGER': case 'BIGINT': case 'UTINYINT': case 'USMALLINT': case 'UINTEGER':
        if (typeof v.value !== 'number' || !Number.isSafeInteger(v.value)) refuse('integer constant', 'integers in WHERE are limited to ±(2^53 - 1); use the SDK (a bigint) for larger ones');
        return v.value;
      case 'DECIMAL': {
        const scale = Number(object(type.type_info).scale);
        if (typeof v.value !== 'number' || !Number.isSafeInteger(v.value)) refuse('decimal constant', 'this decimal has too many digits for WHERE; use the SDK with a decimal text');
        return decimalLiteral(BigInt(v.value), scale);
      }
      default:
        return refuse(`${id} constant`, `${id.toLowerCase()} constants are not supported in WHERE (write integers, decimals, 'text', DATE 'YYYY-MM-DD', true/false)`);
    }
  };

  return condition(tree);
}

function children(node: Json): unknown[] {
  return Array.isArray(node.children) ? node.children : [];
}

function compare(c: ColumnRef, op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', other: Literal | ColumnRef): Condition {
  return c[op](other);
}

/**
 * unscaled / 10^scale as the SDK writes it: a number when the number prints as the exact
 * decimal (12.50 → 12.5, so SQL and `col('x').lt(12.5)` give the same plan), else exact text.
 */
function decimalLiteral(unscaled: bigint, scale: number): LiteralValue {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  let text = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  if (scale > 0) text = text.replace(/0+$/, '').replace(/\.$/, '');
  text = (negative ? '-' : '') + text;
  const n = Number(text);
  return String(n) === text ? n : text;
}
