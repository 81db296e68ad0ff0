/**
 * DuckDB's syntax tree of a SELECT (parse-sql.ts) as a data frame (client/frame.ts), so SQL and
 * the frame API build the same plan (same plan hash):
 *
 *   SELECT count(*) AS n, sum(visits), avg(age) FROM visits
 *     → t.table('visits').agg({ n: count(), sum_visits: sum('visits'), avg_age: mean('age') })
 *   SELECT sum(age) FROM (SELECT age FROM a UNION ALL SELECT age FROM b)
 *     → t.table('a').select('age').concat(t.table('b').select('age')).agg({ sum_age: sum('age') })
 *
 * WHERE becomes a filter (where-to-condition.ts) between FROM and the aggregates; GROUP BY and
 * HAVING a group-by and a filter over its outputs (group-by-to-frame.ts); DISTINCT, ORDER BY and
 * LIMIT/OFFSET on a SELECT of rows, or inside FROM, become distinct, sort and head
 * (order-modifiers.ts). Value expressions (expression-to-frame.ts) named with AS become derived
 * columns: in a select list without aggregates `withColumns` then `select`; inside an aggregate
 * (`sum(cost * 2) AS s`) a derived column named like the output, then the aggregate of it.
 * Aggregates map through the registry (avg → mean, count(*) → count of rows, count(col) → count
 * of non-null cells); an output is named by its alias, else `<function>_<column>` (`count` for
 * count(*)). Everything else is refused before anything is sent, naming the construct: the tree
 * is read field by field, and a field this mapping does not know is refused rather than ignored,
 * so a construct can never be dropped silently. A new plan operator adds its clause here
 * (where it is refused today, in `refuseClauses`).
 */

import { SqlError } from '../../errors.js';
import { aggregateNames, findAggregate } from '../../plan/registry.js';
import { quantileFraction, refuseDiscreteQuantile } from './quantile-argument.js';
import { COLUMN_NAME_PATTERN } from '../../table/schema.js';
import { aggregate, type AggregateExpr } from '../aggregates.js';
import type { Expression } from '../expr.js';
import type { LazyFrame } from '../frame.js';
import { applyModifiers, modifiersOf } from './order-modifiers.js';
import { joinToFrame } from './join-to-frame.js';
import { containsCall, SqlExpressions } from './expression-to-frame.js';
import { whereToCondition } from './where-to-condition.js';
import { groupByToFrame, isGrouping } from './group-by-to-frame.js';

type Json = Record<string, unknown>;

/** A stored table as a frame (the client's `t.table`); `joinMaxRows` declares a JOIN many-to-many up to that many rows (sql-frame.ts). */
export type FrameSource = ((table: string) => LazyFrame) & { readonly joinMaxRows?: number };

/** "filter comes to the SDK and SQL soon (issue 9)". */
const soon = (what: string): string => `${what} comes to the SDK and SQL soon (issue 9)`;

/** SQL spellings of registry aggregates. */
const SQL_SYNONYMS: Readonly<Record<string, string>> = { avg: 'mean', count_star: 'count', variance: 'var', var_samp: 'var', stddev: 'std', stddev_samp: 'std', quantile_cont: 'quantile' };
/** Aggregates the operators of issue 9 bring (group-by's list): refused as "not yet", not as unknown. */
const POPULATION_AGGREGATES = new Set(['var_pop', 'stddev_pop']);
/** DuckDB aggregates this release does not have: a select list calling them is read as aggregates (and refused by name). */
const OTHER_SQL_AGGREGATES = new Set(['quantile', 'quantile_disc', 'mode', 'product', 'first', 'last', 'any_value', 'arg_min', 'arg_max', 'string_agg', 'list', 'array_agg', 'bool_and', 'bool_or', 'approx_count_distinct', 'histogram', 'entropy', 'kurtosis', 'skewness', 'covar_pop', 'regr_slope']);

function refuse(construct: string, message: string): never {
  throw new SqlError(message, construct);
}

function notYet(construct: string, hint: string): never {
  refuse(construct, `${construct}: not supported yet; ${hint}`);
}

function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse(what, `DuckDB's syntax tree has an unexpected shape at ${what}; please report this statement`);
  return value as Json;
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '' || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.values(value as Json).every(isEmpty);
  return false;
}

/** Every field must be one this mapping reads; others must be empty, or the statement is refused. */
function onlyKnown(node: Json, known: readonly string[], where: string): void {
  const unknown = Object.keys(node).find((k) => !known.includes(k) && !isEmpty(node[k]));
  if (unknown !== undefined) refuse(unknown, `this release cannot read '${unknown}' in ${where} of the statement; rewrite it without that construct`);
}

/** The statement (its serialized form) as a frame over frames from `source`: aggregates, or the rows of columns. */
export function statementToFrame(serialized: unknown, source: FrameSource): LazyFrame {
  const root = object(serialized, 'the statement');
  const statements = Array.isArray(root.statements) ? root.statements : [];
  if (statements.length !== 1) refuse('multiple statements', `send one SELECT statement at a time (this text holds ${statements.length})`);
  const statement = object(statements[0], 'the statement');
  onlyKnown(statement, ['node', 'named_param_map'], 'the statement');
  if (!isEmpty(statement.named_param_map)) notYet('parameters', 'write the values into the statement');
  const node = object(statement.node, 'the statement');
  if (node.type === 'SET_OPERATION_NODE') {
    refuse(
      'set operation of results',
      `${setOperationName(node)} of SELECTs with aggregates would open one result per SELECT; to aggregate over several tables, put UNION ALL inside FROM: SELECT sum(age) FROM (SELECT age FROM a UNION ALL SELECT age FROM b)`,
    );
  }
  const list = (Array.isArray(node.select_list) ? node.select_list : []).map((i) => object(i, 'the select list'));
  const grouping = isGrouping(node);
  const rows = !grouping && list.length > 0 && !containsCall(list, isAggregateName);
  if (grouping && !isEmpty(node.modifiers)) notYet('ORDER BY, LIMIT or DISTINCT of groups', 'open the groups and order them on your side');
  refuseClauses(node, 'the outer SELECT', { readsModifiers: rows, grouping: true });
  const from = fromClause(node, source, 'the outer SELECT');
  const column = from.column ?? ((item: Json) => columnRef(item, from.qualifiers));
  const frame = isEmpty(node.where_clause) ? from.frame : from.frame.filter(whereToCondition(node.where_clause, column, onlyKnown));
  const expressions = new SqlExpressions(column, onlyKnown, 'the select list');
  if (grouping) {
    const grouped = (item: Json): { name: string; expr: AggregateExpr } => {
      const { name, expr, derive } = selectItem(item, column, expressions);
      if (derive) notYet('an expression inside an aggregate with GROUP BY', 'derive the column in a SELECT inside FROM, then group: SELECT g, sum(x) FROM (SELECT g, cost * 2 AS x FROM t) GROUP BY g');
      return { name, expr };
    };
    return groupByToFrame(node, frame, list, { column, selectItem: grouped, known: onlyKnown });
  }
  if (rows) {
    if (from.column) notYet('selecting rows of a JOIN', 'aggregate them, or open the join with the data-frame API: t.table(a).select(...).join(t.table(b).select(...), { on }).open({ to })');
    const selected = selectRows(frame, list, from.qualifiers, expressions);
    return applyModifiers(selected.frame, modifiersOf(node), selected.columns, column);
  }
  const outputs: Record<string, AggregateExpr> = {};
  const derived: Record<string, Expression> = {};
  for (const item of list) {
    const { name, expr, derive } = selectItem(item, column, expressions);
    if (name in outputs) refuse('duplicate output name', `two outputs are named '${name}'; give each its own name with AS`);
    outputs[name] = expr;
    if (derive) derived[name] = derive;
  }
  if (Object.keys(outputs).length === 0) refuse('empty select list', 'select at least one aggregate, e.g. count(*)');
  if (Object.keys(derived).length === 0) return frame.agg(outputs);
  // sum(cost * 1.1) AS gross: a derived column named like its output, then the aggregate of it;
  // another aggregate reading a stored column of that name would read the derived one instead.
  const clash = Object.entries(outputs).find(([name, e]) => e.column !== undefined && e.column !== name && e.column in derived);
  if (clash) refuse('an output named like a column another aggregate reads', `the output '${clash[1].column}' is computed from an expression, and '${clash[0]}' aggregates the stored column '${clash[1].column}': name the expression's output differently`);
  return frame.withColumns(derived).agg(outputs);
}

/** Names of aggregate functions (the registry's, their SQL spellings, and DuckDB's others, refused in selectItem). */
function isAggregateName(name: string): boolean {
  return findAggregate(SQL_SYNONYMS[name] ?? name) !== undefined || POPULATION_AGGREGATES.has(name) || OTHER_SQL_AGGREGATES.has(name);
}

/**
 * `SELECT *`, `SELECT a, b` or `SELECT a, cost * 1.1 AS gross`: the rows themselves, opened as a
 * table; expressions (each named with AS) are derived columns (withColumns), then the list is selected.
 */
function selectRows(frame: LazyFrame, list: readonly Json[], qualifiers: readonly string[], expressions: SqlExpressions): { frame: LazyFrame; columns: readonly string[] | undefined } {
  if (list.length === 1 && list[0].class === 'STAR') {
    onlyKnown(list[0], ['class', 'type', 'alias', 'query_location', 'relation_name'], 'SELECT *');
    if (!isEmpty(list[0].relation_name) && !qualifiers.includes(String(list[0].relation_name))) refuse('qualified *', `'${String(list[0].relation_name)}.*' does not name the table in FROM`);
    return { frame, columns: undefined };
  }
  return selectList(frame, list, qualifiers, expressions);
}

/** A list of columns and named expressions over `frame`: withColumns (when there are expressions), then select. */
function selectList(frame: LazyFrame, list: readonly Json[], qualifiers: readonly string[], expressions: SqlExpressions): Branch {
  const derived: Record<string, Expression> = {};
  const columns = list.map((item) => {
    if (item.class === 'STAR') refuse('* with other columns', 'select either * or a list of columns');
    if (item.class === 'COLUMN_REF' && isEmpty(item.alias)) return columnRef(item, qualifiers);
    if (item.class === 'SUBQUERY' || item.class === 'WINDOW') refuse(describeClass(item), `${describeClass(item)} are not supported in the select list`);
    if (isEmpty(item.alias)) refuse(`${describeClass(item)} without a name`, `name each derived column with AS: SELECT cost * 1.1 AS gross FROM visits`);
    const name = String(item.alias);
    if (!COLUMN_NAME_PATTERN.test(name)) refuse('column name', `'${name}' cannot name a column: use letters, digits and _ (not starting with a digit, at most 63 characters)`);
    derived[name] = expressions.value({ ...item, alias: '' });
    return name;
  });
  const twice = columns.find((c, i) => columns.indexOf(c) !== i);
  if (twice !== undefined) refuse('a column selected twice', `column '${twice}' is selected twice`);
  return { frame: Object.keys(derived).length === 0 ? frame.select(...columns) : frame.withColumns(derived).select(...columns), columns };
}

/**
 * The clauses a SELECT may not have yet (the select list and FROM are read by their callers;
 * `modifiers` by the caller when it says so; GROUP BY and HAVING on the outer SELECT only).
 */
function refuseClauses(node: Json, where: string, options: { readonly readsModifiers?: boolean; readonly grouping?: boolean } = {}): void {
  const { readsModifiers = false, grouping = false } = options;
  if (node.type !== 'SELECT_NODE') refuse(String(node.type), `${String(node.type).toLowerCase().replace(/_/g, ' ')} is not supported: ask a plain SELECT`);
  onlyKnown(node, ['type', 'modifiers', 'cte_map', 'select_list', 'from_table', 'where_clause', 'group_expressions', 'group_sets', 'aggregate_handling', 'having', 'sample', 'qualify'], where);
  if (!isEmpty(node.cte_map)) notYet('WITH (common table expressions)', 'name the tables directly');
  // The outer SELECT groups (group-by-to-frame.ts); a SELECT inside FROM reads stored columns only.
  if (!grouping && isGrouping(node)) notYet('GROUP BY or HAVING inside FROM', 'group on the outer SELECT: SELECT region, count(*) FROM (... UNION ALL ...) GROUP BY region');
  if (!isEmpty(node.qualify)) notYet('QUALIFY', 'window functions are not planned');
  if (!isEmpty(node.sample)) notYet('USING SAMPLE', 'aggregate whole tables');
  if (!readsModifiers) refuseModifiers(node.modifiers);
}

/** Modifiers of a SELECT of aggregates (one row): ORDER BY, LIMIT and DISTINCT belong inside FROM (order-modifiers.ts). */
function refuseModifiers(modifiers: unknown): void {
  const inside = 'put it on a SELECT inside FROM: SELECT sum(p) FROM (SELECT p, a FROM orders ORDER BY a LIMIT 10)';
  for (const m of Array.isArray(modifiers) ? modifiers : []) {
    const type = object(m, 'a modifier').type;
    if (type === 'ORDER_MODIFIER') notYet('ORDER BY of aggregates', `the aggregates are one row; ${inside}`);
    if (type === 'LIMIT_MODIFIER' || type === 'LIMIT_PERCENT_MODIFIER') notYet('LIMIT/OFFSET of aggregates', `the aggregates are one row; ${inside}`);
    if (type === 'DISTINCT_MODIFIER') notYet('DISTINCT of aggregates', `the aggregates are one row; ${inside}`);
    refuse(String(type), `${String(type)} is not supported`);
  }
}

function setOperationName(node: Json): string {
  const op = String(node.setop_type ?? 'set operation').replace(/_/g, ' ');
  return node.setop_all === true ? `${op} ALL` : op;
}

interface From {
  readonly frame: LazyFrame;
  /** Names a column may be qualified with (the table or its alias). */
  readonly qualifiers: readonly string[];
  /** How a column reference reads, when not by `qualifiers` (a JOIN: join-to-frame.ts). */
  readonly column?: (item: Json) => string;
}

function fromClause(node: Json, source: FrameSource, where: string): From {
  const from = object(node.from_table, `FROM in ${where}`);
  switch (from.type) {
    case 'BASE_TABLE': {
      const table = baseTable(from);
      return { frame: source(table), qualifiers: [table, ...(isEmpty(from.alias) ? [] : [String(from.alias)])] };
    }
    case 'SUBQUERY': {
      onlyKnown(from, ['type', 'alias', 'sample', 'query_location', 'subquery', 'column_name_alias'], 'a subquery in FROM');
      if (!isEmpty(from.sample)) notYet('USING SAMPLE', 'aggregate whole tables');
      if (!isEmpty(from.column_name_alias)) notYet('column aliases on a subquery', 'name the columns in its SELECT');
      const subquery = object(from.subquery, 'a subquery in FROM');
      onlyKnown(subquery, ['node', 'named_param_map'], 'a subquery in FROM');
      const branches = unionAllBranches(object(subquery.node, 'a subquery in FROM'));
      const frames = branches.map((b) => branchFrame(b, source));
      const columns = frames[0].columns;
      frames.forEach((b, i) => {
        const same = b.columns === undefined ? columns === undefined : columns !== undefined && b.columns.length === columns.length && b.columns.every((c, k) => c === columns[k]);
        if (!same) {
          refuse(
            'UNION ALL of different columns',
            `UNION ALL combines columns by position: SELECT ${describeColumns(b.columns)} in part ${i + 1} differs from SELECT ${describeColumns(columns)} in part 1; select the same columns in the same order in every part`,
          );
        }
      });
      const [first, ...rest] = frames.map((b) => b.frame);
      return { frame: rest.length === 0 ? first : first.concat(...rest), qualifiers: isEmpty(from.alias) ? [] : [String(from.alias)] };
    }
    case 'JOIN': {
      const joined = joinToFrame(from, node, { source, baseTable, known: onlyKnown, maxRows: source.joinMaxRows });
      return { frame: joined.frame, qualifiers: [], column: (item) => (onlyKnown(item, ['class', 'type', 'alias', 'query_location', 'column_names'], 'a column reference'), joined.column(item)) };
    }
    case 'TABLE_FUNCTION':
      return refuse('table function', 'table functions (read_csv, range, ...) are not supported: FROM names a table stored at the nodes');
    case 'EMPTY':
      return refuse('SELECT without FROM', 'name a table: SELECT count(*) FROM visits');
    default:
      return refuse(`FROM ${String(from.type)}`, `FROM ${String(from.type).toLowerCase()} is not supported: FROM names a table stored at the nodes`);
  }
}

function baseTable(from: Json): string {
  onlyKnown(from, ['type', 'alias', 'sample', 'query_location', 'schema_name', 'table_name', 'column_name_alias', 'catalog_name', 'at_clause'], 'a table in FROM');
  if (!isEmpty(from.schema_name) || !isEmpty(from.catalog_name)) refuse('qualified table name', 'name the table alone (the nodes have no schemas or catalogs): FROM visits');
  if (!isEmpty(from.sample)) notYet('TABLESAMPLE', 'aggregate whole tables');
  if (!isEmpty(from.at_clause)) refuse('AT (time travel)', 'AT is not supported: a table has one version');
  if (!isEmpty(from.column_name_alias)) notYet('column aliases on a table', 'use the stored column names');
  return String(from.table_name);
}

/** The SELECTs of `a UNION ALL b UNION ALL c` (nested either way), or the one SELECT of a plain subquery. */
function unionAllBranches(node: Json): Json[] {
  if (node.type === 'SELECT_NODE') return [node];
  if (node.type !== 'SET_OPERATION_NODE') return refuse(String(node.type), `a ${String(node.type).toLowerCase().replace(/_/g, ' ')} in FROM is not supported`);
  onlyKnown(node, ['type', 'modifiers', 'cte_map', 'setop_type', 'left', 'right', 'setop_all'], 'a UNION in FROM');
  if (node.setop_type === 'UNION' && node.setop_all !== true) notYet('UNION (without ALL)', 'it removes duplicate rows: write SELECT DISTINCT over a UNION ALL, e.g. SELECT DISTINCT age FROM (SELECT age FROM a UNION ALL SELECT age FROM b)');
  if (node.setop_type !== 'UNION') notYet(setOperationName(node), 'UNION ALL concatenates tables');
  if (!isEmpty(node.cte_map)) notYet('WITH (common table expressions)', 'name the tables directly');
  refuseModifiers(node.modifiers);
  return [...unionAllBranches(object(node.left, 'a UNION in FROM')), ...unionAllBranches(object(node.right, 'a UNION in FROM'))];
}

interface Branch {
  readonly frame: LazyFrame;
  /** Undefined for SELECT * (every column of the table). */
  readonly columns: readonly string[] | undefined;
}

/** One part of a UNION ALL in FROM: `SELECT col, ... FROM table` or `SELECT * FROM table`. */
function branchFrame(node: Json, source: FrameSource): Branch {
  refuseClauses(node, 'a SELECT inside FROM', { readsModifiers: true });
  const branch = plainBranch(node, source);
  const frame = applyModifiers(branch.frame, modifiersOf(node), branch.columns, (item) => columnRef(item, branch.qualifiers));
  return { frame, columns: branch.columns };
}

function plainBranch(node: Json, source: FrameSource): Branch & { readonly qualifiers: readonly string[] } {
  if (!isEmpty(node.where_clause)) {
    // A filter keeps the columns its predicate reads, so the parts of a UNION ALL would differ.
    notYet('WHERE inside FROM', 'put the WHERE on the outer SELECT: SELECT sum(age) FROM (SELECT age, sex FROM a UNION ALL SELECT age, sex FROM b) WHERE sex = \'F\'');
  }
  const from = object(node.from_table, 'FROM in a SELECT inside FROM');
  if (from.type !== 'BASE_TABLE') {
    if (from.type === 'JOIN') notYet('JOIN inside FROM', 'a SELECT inside FROM reads one stored table: put the JOIN in the outer FROM');
    refuse('nested subquery', 'a SELECT inside FROM reads one stored table: SELECT age FROM visits');
  }
  const table = baseTable(from);
  const qualifiers = [table, ...(isEmpty(from.alias) ? [] : [String(from.alias)])];
  const list = (Array.isArray(node.select_list) ? node.select_list : []).map((i) => object(i, 'a select list'));
  if (list.length === 1 && list[0].class === 'STAR') {
    onlyKnown(list[0], ['class', 'type', 'alias', 'query_location', 'relation_name'], 'SELECT *');
    if (!isEmpty(list[0].relation_name) && !qualifiers.includes(String(list[0].relation_name))) refuse('qualified *', `'${String(list[0].relation_name)}.*' does not name the table in FROM`);
    return { frame: source(table), columns: undefined, qualifiers };
  }
  const expressions = new SqlExpressions((item) => columnRef(item, qualifiers), onlyKnown, 'a SELECT inside FROM');
  if (containsCall(list, isAggregateName)) notYet('aggregates inside FROM', 'a SELECT inside FROM lists columns and derived columns; aggregate in the outer SELECT');
  return { ...selectList(source(table), list, qualifiers, expressions), qualifiers };
}

function describeColumns(columns: readonly string[] | undefined): string {
  return columns === undefined ? '*' : columns.join(', ');
}

function columnRef(item: Json, qualifiers: readonly string[]): string {
  onlyKnown(item, ['class', 'type', 'alias', 'query_location', 'column_names'], 'a column reference');
  const names = Array.isArray(item.column_names) ? item.column_names.map(String) : [];
  if (names.length === 2 && qualifiers.includes(names[0])) return checkedColumn(names[1]);
  if (names.length !== 1) refuse('qualified column name', `'${names.join('.')}' does not name a column of the table in FROM (${qualifiers.length > 0 ? `qualify with ${qualifiers.join(' or ')}, or ` : ''}write the column alone)`);
  return checkedColumn(names[0]);
}

function checkedColumn(name: string): string {
  if (!COLUMN_NAME_PATTERN.test(name)) refuse('column name', `'${name}' is not a column name of this system (letters, digits and _, not starting with a digit)`);
  return name;
}

/** "a window function", "a CASE expression", ...: how a select item that is not an aggregate reads. */
function describeClass(item: Json): string {
  switch (item.class) {
    case 'WINDOW': return 'window functions (OVER)';
    case 'SUBQUERY': return 'subqueries';
    case 'CONSTANT': return 'constants';
    case 'CASE': return 'CASE expressions';
    case 'CAST': return 'casts';
    case 'COLUMN_REF': return 'columns without an aggregate';
    case 'STAR': return 'SELECT *';
    case 'PARAMETER': return 'parameters';
    case 'FUNCTION': return item.is_operator === true ? `expressions (${String(item.function_name)})` : `${String(item.function_name)}()`;
    default: return `expressions (${String(item.class).toLowerCase()})`;
  }
}

/** One output: an aggregate of the registry over a plain column (or rows), with its name. */
function selectItem(item: Json, columnOf: (item: Json) => string, expressions: SqlExpressions): { name: string; expr: AggregateExpr; derive?: Expression } {
  if (item.class === 'COLUMN_REF' || item.class === 'STAR') {
    notYet(`${describeClass(item)} beside aggregates`, 'columns beside aggregates need GROUP BY (SELECT region, count(*) FROM visits GROUP BY region); or select either columns (the rows open as a table) or aggregates');
  }
  if (item.class === 'WINDOW') refuse('window functions (OVER)', 'window functions (OVER) are not supported: aggregate whole tables with count(*), sum(column) or avg(column)');
  if (item.class !== 'FUNCTION') notYet(describeClass(item), 'the select list holds aggregates of columns: count(*), count(column), sum(column), avg(column)');
  onlyKnown(item, ['class', 'type', 'alias', 'query_location', 'function_name', 'schema', 'children', 'filter', 'order_bys', 'distinct', 'is_operator', 'export_state', 'catalog'], 'an aggregate');
  const written = String(item.function_name).toLowerCase();
  if (item.is_operator === true) notYet(`expressions (${written}) over aggregates`, 'ask for each aggregate and combine them after opening, or derive a column before aggregating it (sum(cost * 2) AS total)');
  if (!isEmpty(item.schema) || !isEmpty(item.catalog)) refuse('qualified function name', 'call the aggregate by its name alone: sum(age)');
  // count(DISTINCT column) is the registry's count_distinct; DISTINCT in any other aggregate is refused below.
  const countsDistinct = item.distinct === true && written === 'count';
  refuseDiscreteQuantile(written);
  const fn = findAggregate(countsDistinct ? 'count_distinct' : SQL_SYNONYMS[written] ?? written);
  if (!fn) {
    if (POPULATION_AGGREGATES.has(written)) refuse(`${written}()`, 'population variance is not supported: var/var_samp and std/stddev/stddev_samp give the sample variance and deviation');
    refuse(`${written}()`, `'${written}' is not an aggregate this release knows (it knows count(*), count(column), ${aggregateNames().filter((n) => n !== 'count').map((n) => (n === 'count_distinct' ? 'count(DISTINCT column)' : `${n}(column)`)).join(', ')}; avg is mean)`);
  }
  if (item.distinct === true && !countsDistinct) notYet(`${written}(DISTINCT ...)`, `only count(DISTINCT column) is supported; ${soon('distinct')}`);
  if (!isEmpty(item.filter)) notYet(`FILTER (WHERE ...) on ${written}()`, 'filter the whole SELECT with WHERE (one filter per query for now)');
  if (!isEmpty((item.order_bys as Json | null)?.orders)) refuse(`ORDER BY inside ${written}()`, `ORDER BY inside an aggregate is not supported (the aggregates here do not depend on order)`);
  if (item.export_state === true) refuse('EXPORT_STATE', 'EXPORT_STATE is not supported');
  const all = (Array.isArray(item.children) ? item.children : []).map((c) => object(c, 'an aggregate'));
  // quantile_cont(x, p): p is the registry quantile's argument, not a column.
  const p = fn.fraction === 'argument' && all.length === 2 ? quantileFraction(all[1], onlyKnown) : undefined;
  // corr(y, x), covar_samp(y, x): the second column is the pair's other.
  if (fn.pair === true && (all.length !== 2 || all.some((c) => c.class !== 'COLUMN_REF'))) refuse(`${written}() of other than two columns`, `${written} takes two columns: ${written}(y, x) (derive expressions in a subquery first)`);
  const other = fn.pair === true ? columnOf(all[1]) : undefined;
  const children = p === undefined && other === undefined ? all : all.slice(0, 1);
  if (fn.fraction === 'argument' && p === undefined) refuse(`${written}() without p`, `${written} takes a column and a fraction: ${written}(cost, 0.25)`);
  if (children.length > 1) refuse(`${written}() of several arguments`, `${written} takes one column`);
  let column: string | undefined;
  let derive: Expression | undefined;
  if (children.length === 1) {
    const child = children[0];
    if (child.class === 'CONSTANT' && written === 'count') refuse('count(constant)', 'count a constant is count(*): write count(*)');
    if (countsDistinct && child.class !== 'COLUMN_REF') refuse(`count(DISTINCT ${child.class === 'STAR' ? '*' : 'expression'})`, 'count(DISTINCT ...) counts the distinct values of one stored column: count(DISTINCT patient_id); derive the column first (a subquery with SELECT ... AS name)');
    if (!isEmpty(child.alias)) refuse('alias inside an aggregate', 'name the output after the aggregate: sum(age) AS total');
    if (child.class === 'COLUMN_REF') column = columnOf(child);
    else {
      if (containsCall(child, isAggregateName)) refuse(`an aggregate inside ${written}()`, 'aggregates do not nest');
      // sum(cost * 1.1) AS gross: the expression is a derived column named like the output.
      if (isEmpty(item.alias)) refuse(`${describeClass(child)} inside ${written}() without a name`, `name the output with AS: ${written}(...) AS total (it names the derived column too)`);
      derive = expressions.value(child);
      column = String(item.alias);
    }
  }
  if (fn.column === 'required' && column === undefined) refuse(`${written}() without a column`, `${written} needs a column: ${written}(age)`);
  const name = isEmpty(item.alias) ? defaultName(countsDistinct ? 'count_distinct' : written, column) : String(item.alias);
  if (!COLUMN_NAME_PATTERN.test(name)) {
    refuse('output name', isEmpty(item.alias) ? `the output ${written}(${column ?? '*'}) would be named '${name}', which is too long: give it a name with AS` : `'${name}' cannot name an output: use letters, digits and _ (not starting with a digit, at most 63 characters)`);
  }
  return { name, expr: aggregate(fn.name, column, { ...(p !== undefined ? { p } : {}), ...(other !== undefined ? { other } : {}) }), ...(derive ? { derive } : {}) };
}

/** count(*) → count; sum(visits) → sum_visits; avg(age) → avg_age (the function as written). */
function defaultName(written: string, column: string | undefined): string {
  if (column === undefined) return written === 'count_star' ? 'count' : written;
  return `${written}_${column}`;
}
