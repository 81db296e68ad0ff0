/**
 * `FROM a [LEFT] JOIN b ON a.x = b.y [AND a.u = b.v ...]` (or `USING (x, ...)`) as a frame join
 * (client/join-options.ts), the right table's key being the unique one (many-to-one: put the
 * lookup table on the right), or, when the statement comes with a declared output bound
 * (`t.sql(statement, { joinMaxRows })`, `tessera sql --join-max-rows N`), many-to-many up to it. Which side each column belongs to is known from its qualifier, so
 * each side's scan reads only its keys and the columns the statement names; a column must be
 * qualified (visits.age) unless it is a USING key. A right key named in the statement stands for
 * the left key in an inner join (they are equal on every output row); in a LEFT JOIN it would be
 * null where nothing matched, which the output does not hold, and is refused.
 *
 * Refused with the construct named: other join types (RIGHT, FULL, SEMI, ANTI), NATURAL, CROSS,
 * ASOF and positional joins, several joins in one FROM, subqueries as a side, conditions other
 * than equalities of a left and a right column joined by AND.
 */

import { SqlError } from '../../errors.js';
import { COLUMN_NAME_PATTERN } from '../../table/schema.js';
import type { LazyFrame } from '../frame.js';
import type { JoinKey } from '../../plan/plan.js';

type Json = Record<string, unknown>;

export interface JoinFrom {
  readonly frame: LazyFrame;
  /** The output column a COLUMN_REF of the statement stands for. */
  readonly column: (item: Json) => string;
}

export interface JoinTools {
  readonly source: (table: string) => LazyFrame;
  /** A BASE_TABLE's name (statement-to-frame.ts baseTable: refuses what it cannot read). */
  readonly baseTable: (from: Json) => string;
  readonly known: (node: Json, fields: readonly string[], where: string) => void;
  /** The declared output bound that makes the JOIN many-to-many (neither key unique); absent: the right key is unique. */
  readonly maxRows?: number;
}

function refuse(construct: string, message: string): never {
  throw new SqlError(message, construct);
}

function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) refuse(what, `DuckDB's syntax tree has an unexpected shape at ${what}; please report this statement`);
  return value as Json;
}

interface Side {
  readonly table: string;
  readonly qualifiers: readonly string[];
}

/** `from` is the JOIN node; `statement` the SELECT whose column references decide what each side reads. */
export function joinToFrame(from: Json, statement: Json, tools: JoinTools): JoinFrom {
  tools.known(from, ['type', 'alias', 'sample', 'query_location', 'left', 'right', 'condition', 'join_type', 'ref_type', 'using_columns', 'delim_flipped', 'duplicate_eliminated_columns'], 'a JOIN');
  if (from.ref_type !== 'REGULAR') {
    const name = String(from.ref_type).toLowerCase();
    refuse(`${name.toUpperCase()} JOIN`, `${name} joins are not supported: write [LEFT] JOIN ... ON left.key = right.key`);
  }
  const how = from.join_type === 'INNER' ? 'inner' : from.join_type === 'LEFT' ? 'left' : refuse(`${String(from.join_type)} JOIN`, `${String(from.join_type)} JOIN is not supported: INNER and LEFT joins are (for a RIGHT JOIN, swap the tables and write LEFT JOIN)`);
  const side = (value: unknown, which: string): Side => {
    const t = object(value, `the ${which} side of a JOIN`);
    if (t.type === 'JOIN') refuse('several JOINs', 'one JOIN per query for now: join two tables');
    if (t.type !== 'BASE_TABLE') refuse(`${String(t.type).toLowerCase()} in a JOIN`, 'each side of a JOIN names a stored table');
    const table = tools.baseTable(t);
    return { table, qualifiers: [table, ...(t.alias ? [String(t.alias)] : [])] };
  };
  const left = side(from.left, 'left'), right = side(from.right, 'right');
  if (left.qualifiers.some((q) => right.qualifiers.includes(q))) refuse('self-join without aliases', `both sides of the JOIN are called '${left.qualifiers.find((q) => right.qualifiers.includes(q))}': give them different aliases`);
  const using = Array.isArray(from.using_columns) ? from.using_columns.map(String) : [];
  const keys: JoinKey[] = using.length > 0 ? using.map((c) => ({ left: checked(c), right: checked(c) })) : onCondition(from.condition, left, right, tools);
  // Which side each referenced column belongs to.
  const rightKeys = new Set(keys.map((k) => k.right));
  const leftColumns = new Set(keys.map((k) => k.left)), rightColumns = new Set(rightKeys);
  const resolve = (item: Json): { side: 'left' | 'right'; name: string } => {
    const names = Array.isArray(item.column_names) ? item.column_names.map(String) : [];
    if (names.length === 1 && using.includes(names[0])) return { side: 'left', name: names[0] };
    if (names.length === 1) refuse('unqualified column in a JOIN', `qualify column '${names[0]}' with its table (${left.qualifiers[left.qualifiers.length - 1]}.${names[0]} or ${right.qualifiers[right.qualifiers.length - 1]}.${names[0]}) in a query with a JOIN`);
    if (names.length !== 2) refuse('qualified column name', `'${names.join('.')}' does not name a column of a table in FROM`);
    const [q, c] = [names[0], checked(names[1])];
    if (left.qualifiers.includes(q)) return { side: 'left', name: c };
    if (right.qualifiers.includes(q)) return { side: 'right', name: c };
    return refuse('qualified column name', `'${q}.${c}': '${q}' is not a table of the JOIN (${[...left.qualifiers, ...right.qualifiers].join(', ')})`);
  };
  const output = new Map<string, string>();
  const column = (item: Json): string => {
    const { side: s, name } = resolve(item);
    if (s === 'right' && rightKeys.has(name)) {
      if (how === 'left') refuse('right key of a LEFT JOIN', `the right key '${name}' is null where a LEFT JOIN found no match, which the join's output does not hold; use the left key instead`);
      return keys.find((k) => k.right === name)!.left;
    }
    const seen = output.get(name.toLowerCase());
    if (seen !== undefined && seen !== `${s}.${name}`) refuse('the same column name on both sides', `'${name}' is named on both sides of the JOIN; the output holds one column per name: query one of them`);
    output.set(name.toLowerCase(), `${s}.${name}`);
    (s === 'left' ? leftColumns : rightColumns).add(name);
    return name;
  };
  for (const ref of columnRefs(statement)) column(ref);
  const frame = tools.source(left.table).select(...leftColumns).join(tools.source(right.table).select(...rightColumns), { on: keys, how, ...(tools.maxRows !== undefined ? { kind: 'many-to-many' as const, maxRows: tools.maxRows } : {}) });
  return { frame, column };
}

/** `l.a = r.b AND ...`: one key pair per equality, each with one side's column on either side of '='. */
function onCondition(condition: unknown, left: Side, right: Side, tools: JoinTools): JoinKey[] {
  const node = object(condition, 'the ON condition of a JOIN');
  if (node.class === 'CONJUNCTION' && node.type === 'CONJUNCTION_AND') {
    tools.known(node, ['class', 'type', 'alias', 'query_location', 'children'], 'the ON condition');
    return (Array.isArray(node.children) ? node.children : []).flatMap((c) => onCondition(c, left, right, tools));
  }
  if (node.class !== 'COMPARISON' || node.type !== 'COMPARE_EQUAL') refuse('JOIN condition other than equality', 'a JOIN condition is equalities of a left and a right column joined by AND: ON a.id = b.id AND a.site = b.site (filter with WHERE)');
  tools.known(node, ['class', 'type', 'alias', 'query_location', 'left', 'right'], 'the ON condition');
  const ref = (value: unknown): { q: string; c: string } => {
    const item = object(value, 'the ON condition');
    if (item.class !== 'COLUMN_REF') refuse('JOIN condition other than equality', 'a JOIN condition compares a column of each table: ON a.id = b.id');
    const names = Array.isArray(item.column_names) ? item.column_names.map(String) : [];
    if (names.length !== 2) refuse('unqualified column in a JOIN', `qualify '${names.join('.')}' with its table in the ON condition: ON a.id = b.id`);
    return { q: names[0], c: checked(names[1]) };
  };
  const a = ref(node.left), b = ref(node.right);
  if (left.qualifiers.includes(a.q) && right.qualifiers.includes(b.q)) return [{ left: a.c, right: b.c }];
  if (right.qualifiers.includes(a.q) && left.qualifiers.includes(b.q)) return [{ left: b.c, right: a.c }];
  return refuse('JOIN condition other than equality', `ON ${a.q}.${a.c} = ${b.q}.${b.c} does not compare a column of each table of the JOIN`);
}

function columnRefs(value: unknown): Json[] {
  if (Array.isArray(value)) return value.flatMap(columnRefs);
  if (typeof value !== 'object' || value === null) return [];
  const o = value as Json;
  if (o.class === 'COLUMN_REF') return [o];
  // The FROM clause's own references are its keys, read above.
  return Object.entries(o).filter(([k]) => k !== 'from_table').flatMap(([, v]) => columnRefs(v));
}

function checked(name: string): string {
  if (!COLUMN_NAME_PATTERN.test(name)) refuse('column name', `'${name}' is not a column name of this system (letters, digits and _, not starting with a digit)`);
  return name;
}
