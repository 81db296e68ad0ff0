/**
 * GROUP BY and HAVING (DuckDB's syntax tree) as the frame API's groupBy().agg() and a filter over
 * its outputs, so SQL and the SDK build the same plan:
 *
 *   SELECT region, count(*) AS n, min(age) AS lo FROM visits GROUP BY region HAVING count(*) >= 5
 *     → t.table('visits').groupBy('region').agg({ n: count(), lo: min('age') }).filter(col('n').ge(5))
 *
 * The select list names the GROUP BY columns first, in GROUP BY order, then the aggregates (the
 * order of the table the group-by makes); every GROUP BY column is selected. HAVING compares
 * outputs: an aggregate in it must be in the select list (it then reads that output's column),
 * and a column in it names a key or an output. An output of several parts (mean, var, std)
 * cannot be filtered on (the nodes refuse it, naming the column): filter on count or sum.
 * Without GROUP BY, HAVING filters the one row of the aggregates. Grouping sets, CUBE, ROLLUP and
 * GROUP BY ALL are refused (crosstab in the SDK gives CUBE's margins of counts).
 */

import { SqlError } from '../../errors.js';
import type { AggregateExpr } from '../aggregates.js';
import type { LazyFrame } from '../frame.js';
import { whereToCondition } from './where-to-condition.js';

type Json = Record<string, unknown>;

export interface GroupingContext {
  /** A COLUMN_REF read with the statement's qualifiers. */
  column(item: Json): string;
  /** One select-list aggregate, named by its alias or by default. */
  selectItem(item: Json): { name: string; expr: AggregateExpr };
  known(node: Json, fields: readonly string[], where: string): void;
}

function refuse(construct: string, message: string): never {
  throw new SqlError(message, construct);
}

/** Whether the outer SELECT groups (GROUP BY) or filters its aggregates (HAVING). */
export function isGrouping(node: Json): boolean {
  return nonEmptyList(node.group_expressions) || nonEmptyList(node.group_sets) || (node.having !== null && node.having !== undefined) || (node.aggregate_handling !== undefined && node.aggregate_handling !== 'STANDARD_HANDLING');
}

function nonEmptyList(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0;
}

export function groupByToFrame(node: Json, frame: LazyFrame, list: readonly Json[], c: GroupingContext): LazyFrame {
  if (node.aggregate_handling !== undefined && node.aggregate_handling !== 'STANDARD_HANDLING') refuse('GROUP BY ALL', 'GROUP BY ALL is not supported: name the key columns, GROUP BY region, sex');
  const expressions = (Array.isArray(node.group_expressions) ? node.group_expressions : []) as Json[];
  const keys = expressions.map((e) => {
    if (e.class !== 'COLUMN_REF') refuse('GROUP BY of an expression', 'GROUP BY takes stored columns (derive a column with the SDK\'s withColumns first)');
    return c.column(e);
  });
  const sets = (Array.isArray(node.group_sets) ? node.group_sets : []) as unknown[];
  const plain = sets.length === (keys.length === 0 ? 0 : 1) && (keys.length === 0 || (Array.isArray(sets[0]) && sets[0].length === keys.length && sets[0].every((k, i) => k === i)));
  if (!plain) refuse('GROUPING SETS, CUBE, ROLLUP', 'grouping sets, CUBE and ROLLUP are not supported: GROUP BY the columns (the SDK\'s crosstab(keys, { margins: true }) counts with CUBE\'s margins)');
  const twice = keys.find((k, i) => keys.indexOf(k) !== i);
  if (twice !== undefined) refuse('a GROUP BY column twice', `column '${twice}' is listed twice in GROUP BY`);
  const leading = list.findIndex((i) => i.class !== 'COLUMN_REF');
  const selectedKeys = list.slice(0, leading < 0 ? list.length : leading).map((item) => {
    if (item.alias !== undefined && item.alias !== '') refuse('renaming GROUP BY columns (AS)', 'select the GROUP BY columns by their stored names');
    return c.column(item);
  });
  if (selectedKeys.length !== keys.length || selectedKeys.some((k, i) => k !== keys[i])) {
    const aside = keys.length === 0 ? 'columns beside aggregates need GROUP BY' : `select the GROUP BY columns first, in GROUP BY order, then the aggregates: SELECT ${keys.join(', ')}, count(*) ... GROUP BY ${keys.join(', ')}`;
    refuse('the select list of a GROUP BY', aside);
  }
  const outputs: Record<string, AggregateExpr> = {};
  for (const item of list.slice(keys.length)) {
    if (item.class === 'COLUMN_REF') refuse('a column after the aggregates', `select the GROUP BY columns first, in GROUP BY order: SELECT ${keys.join(', ')}, ...`);
    const { name, expr } = c.selectItem(item);
    if (name in outputs || keys.includes(name)) refuse('duplicate output name', `two outputs are named '${name}'; give each its own name with AS`);
    outputs[name] = expr;
  }
  if (Object.keys(outputs).length === 0) refuse('GROUP BY without aggregates', `select at least one aggregate, e.g. SELECT ${keys.join(', ')}, count(*) ... (DISTINCT comes with sort)`);
  const grouped = keys.length === 0 ? frame.agg(outputs) : frame.groupBy(...keys).agg(outputs);
  if (node.having === null || node.having === undefined) return grouped;
  const names = [...keys, ...Object.keys(outputs)];
  const having = whereToCondition(outputsAsColumns(node.having, outputs, c), (item) => {
    const name = c.column(item);
    if (!names.includes(name)) refuse('HAVING on a column not selected', `HAVING compares the GROUP BY columns and the outputs (${names.join(', ')}); '${name}' is neither`);
    return name;
  }, c.known);
  return grouped.filter(having);
}

/** The HAVING tree with every aggregate replaced by a reference to the output that computes it. */
function outputsAsColumns(tree: unknown, outputs: Readonly<Record<string, AggregateExpr>>, c: GroupingContext): unknown {
  const visit = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(visit);
    if (typeof v !== 'object' || v === null) return v;
    const n = v as Json;
    if (n.class === 'FUNCTION' && n.is_operator !== true) {
      const { expr } = c.selectItem({ ...n, alias: '' });
      const name = Object.keys(outputs).find((k) => outputs[k].fn === expr.fn && outputs[k].column === expr.column);
      if (name === undefined) {
        refuse('an aggregate in HAVING that is not selected', `HAVING compares outputs: add ${String(n.function_name).replace('count_star', 'count')}(${expr.column ?? '*'}) to the select list (with a name) to filter on it`);
      }
      return { class: 'COLUMN_REF', type: 'COLUMN_REF', alias: '', column_names: [name] };
    }
    return Object.fromEntries(Object.entries(n).map(([k, x]) => [k, visit(x)]));
  };
  return visit(tree);
}
