/**
 * A WHERE clause (DuckDB's syntax tree) as a filter condition (client/expr.ts), so
 * `WHERE age >= 18 AND sex = 'F'` builds the same plan as `filter(col('age').ge(18).and(col('sex').eq('F')))`:
 * comparisons (= != < <= > >=) of columns, constants and value expressions (`cost * 1.1 > 50`,
 * `year(day) = 2024`; expression-to-frame.ts), AND/OR/NOT, IS [NOT] NULL, BETWEEN, IN (a list of
 * constants: isin), a boolean column alone. Constants keep their written form (12.50 is the
 * decimal 12.5, DATE '2024-01-31' the date); the nodes convert them to the column's units.
 * Anything else is refused naming the construct, read field by field as statement-to-frame.ts does.
 */

import type { Condition } from '../expr.js';
import { SqlExpressions, type ColumnReader, type KnownFields } from './expression-to-frame.js';

/** `column` reads a COLUMN_REF (with the statement's qualifiers); `known` refuses fields this mapping does not read. */
export function whereToCondition(tree: unknown, column: ColumnReader, known: KnownFields): Condition {
  return new SqlExpressions(column, known, 'WHERE').condition(tree);
}
