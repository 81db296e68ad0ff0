/**
 * SELECT DISTINCT, ORDER BY and LIMIT/OFFSET (DuckDB's "modifiers" of a SELECT) as frame
 * operators, in SQL's order: distinct over the selected columns, then sort, then head.
 *
 *   SELECT DISTINCT a, b FROM t ORDER BY a DESC NULLS FIRST, b LIMIT 10 OFFSET 5
 *     → t.table('t').select('a', 'b').distinct('a', 'b').sort({ column: 'a', descending: true, nulls: 'first' }, 'b').head(10, { offset: 5 })
 *
 * Nulls sort last unless NULLS FIRST is written (DuckDB's default too). What the plan cannot
 * express is refused naming the construct: DISTINCT ON, ORDER BY an expression or a position,
 * ORDER BY a column that is not selected, LIMIT of a percentage or an expression, OFFSET
 * without LIMIT.
 */

import { SqlError } from '../../errors.js';
import type { SortBy } from '../frame-order.js';
import type { LazyFrame } from '../frame.js';

type Json = Record<string, unknown>;

function refuse(construct: string, message: string): never {
  throw new SqlError(message, construct);
}

/** The modifiers of a SELECT, or an empty list. */
export function modifiersOf(node: Json): Json[] {
  return (Array.isArray(node.modifiers) ? node.modifiers : []).map((m) => {
    if (typeof m !== 'object' || m === null) refuse('modifier', "DuckDB's syntax tree has an unexpected shape at a modifier; please report this statement");
    return m as Json;
  });
}

/**
 * Applies the modifiers to `frame`, whose columns are `selected` (undefined: every column of
 * the table). `column` reads a column reference of the statement.
 */
export function applyModifiers(frame: LazyFrame, modifiers: readonly Json[], selected: readonly string[] | undefined, column: (item: Json) => string): LazyFrame {
  let out = frame;
  for (const m of modifiers) {
    switch (m.type) {
      case 'DISTINCT_MODIFIER': {
        if (Array.isArray(m.distinct_on_targets) && m.distinct_on_targets.length > 0) refuse('DISTINCT ON', 'DISTINCT ON (keep one row per key with its other columns) is not supported: SELECT DISTINCT the key columns');
        out = selected === undefined ? out.distinct() : out.distinct(...selected);
        break;
      }
      case 'ORDER_MODIFIER': {
        const orders = (Array.isArray(m.orders) ? m.orders : []) as Json[];
        out = out.sort(...orders.map((o) => sortKey(o, selected, column)));
        break;
      }
      case 'LIMIT_MODIFIER': {
        if (m.limit === null || m.limit === undefined) refuse('OFFSET without LIMIT', 'OFFSET needs a LIMIT here: LIMIT 10 OFFSET 5');
        const count = wholeNumber(m.limit, 'LIMIT');
        const offset = m.offset === null || m.offset === undefined ? 0 : wholeNumber(m.offset, 'OFFSET');
        if (count < 1) refuse('LIMIT 0', 'LIMIT takes 1 row or more');
        out = out.head(count, { offset });
        break;
      }
      case 'LIMIT_PERCENT_MODIFIER':
        return refuse('LIMIT ... PERCENT', 'LIMIT of a percentage is not supported: LIMIT takes a number of rows');
      default:
        return refuse(String(m.type), `${String(m.type)} is not supported`);
    }
  }
  return out;
}

function sortKey(order: Json, selected: readonly string[] | undefined, column: (item: Json) => string): SortBy<string> {
  const e = order.expression as Json | undefined;
  if (e?.class !== 'COLUMN_REF') {
    const what = e?.class === 'CONSTANT' ? 'ORDER BY a position' : 'ORDER BY an expression';
    return refuse(what, `${what} is not supported: ORDER BY column names (ORDER BY age DESC)`);
  }
  const name = column(e);
  if (selected !== undefined && !selected.includes(name)) refuse('ORDER BY a column not selected', `ORDER BY '${name}', which this SELECT does not select: select it too`);
  const descending = order.type === 'DESCENDING';
  if (order.null_order === 'NULLS FIRST') return descending ? { column: name, descending, nulls: 'first' } : { column: name, nulls: 'first' };
  return descending ? { column: name, descending } : name;
}

function wholeNumber(value: unknown, what: string): number {
  const e = value as Json;
  const v = (e?.value as Json | undefined)?.value;
  if (e?.class !== 'CONSTANT' || typeof v !== 'number' || !Number.isInteger(v) || v < 0) refuse(`${what} of an expression`, `${what} takes a whole number written out: ${what} 10`);
  return v;
}
