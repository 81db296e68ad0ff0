/**
 * The shape of a join node (plan.ts JoinNode), checked before types: key pairs are column names
 * (1 to MAX_JOIN_KEYS pairs, none repeated), how/kind/mode are known words, and max_rows is a
 * positive safe integer given exactly when the kind is many-to-many. Types and tables: check-join.ts.
 */

import { PlanError } from '../errors.js';
import { COLUMN_NAME_PATTERN } from '../table/schema.js';
import type { JoinHow, JoinKey, JoinKind, JoinMode, JoinNode, TableNode } from './plan.js';

export const MAX_JOIN_KEYS = 4;
const HOWS: readonly JoinHow[] = ['inner', 'left'];
const KINDS: readonly JoinKind[] = ['one-to-one', 'many-to-one', 'one-to-many', 'many-to-many'];
const MODES: readonly JoinMode[] = ['reveal-count', 'oblivious'];
const FIELDS = ['op', 'left', 'right', 'on', 'how', 'kind', 'max_rows', 'mode'];

type Json = Record<string, unknown>;

export function parseJoin(o: Json, path: string, parseInput: (value: unknown, path: string) => TableNode): JoinNode {
  const extra = Object.keys(o).find((k) => !FIELDS.includes(k));
  if (extra !== undefined) throw new PlanError(`${path}/${extra}`, `unknown field '${extra}' in a join (allowed: ${FIELDS.join(', ')})`);
  if (!Array.isArray(o.on) || o.on.length < 1 || o.on.length > MAX_JOIN_KEYS) {
    throw new PlanError(`${path}/on`, `a join's 'on' is a list of 1 to ${MAX_JOIN_KEYS} key pairs such as [{ "left": "patient_id", "right": "patient_id" }]`);
  }
  const on = o.on.map((pair, i) => parseKey(pair, `${path}/on/${i}`));
  for (const side of ['left', 'right'] as const) {
    const names = on.map((k) => k[side]);
    const twice = names.findIndex((n, i) => names.indexOf(n) !== i);
    if (twice >= 0) throw new PlanError(`${path}/on/${twice}/${side}`, `key column '${names[twice]}' of the ${side} side is listed twice`);
  }
  const how = word(o.how, HOWS, `${path}/how`, "a join's 'how'");
  if (how === undefined) throw new PlanError(`${path}/how`, `a join needs 'how': ${HOWS.join(' or ')}`);
  const kind = word(o.kind, KINDS, `${path}/kind`, "a join's 'kind'");
  const mode = word(o.mode, MODES, `${path}/mode`, "a join's 'mode' ('reveal-count', the default, opens the output row count; 'oblivious' opens nothing)");
  let maxRows: number | undefined;
  if (o.max_rows !== undefined) {
    if (kind !== 'many-to-many') throw new PlanError(`${path}/max_rows`, "max_rows declares the output bound of a many-to-many join; the other kinds have theirs from the input sizes: leave it out");
    if (typeof o.max_rows !== 'number' || !Number.isSafeInteger(o.max_rows) || o.max_rows < 1) throw new PlanError(`${path}/max_rows`, 'max_rows is a whole number of rows, at least 1');
    maxRows = o.max_rows;
  } else if (kind === 'many-to-many') {
    throw new PlanError(`${path}/max_rows`, 'a many-to-many join needs max_rows: the declared bound on its output rows');
  }
  const left = parseInput(o.left, `${path}/left`);
  const right = parseInput(o.right, `${path}/right`);
  return { op: 'join', left, right, on, how, ...(kind ? { kind } : {}), ...(maxRows !== undefined ? { max_rows: maxRows } : {}), ...(mode ? { mode } : {}) };
}

function parseKey(value: unknown, path: string): JoinKey {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PlanError(path, 'a key pair is an object { "left": column, "right": column }');
  const o = value as Json;
  const extra = Object.keys(o).find((k) => k !== 'left' && k !== 'right');
  if (extra !== undefined) throw new PlanError(`${path}/${extra}`, `unknown field '${extra}' in a key pair (allowed: left, right)`);
  const name = (v: unknown, at: string): string => {
    if (typeof v !== 'string' || !COLUMN_NAME_PATTERN.test(v)) throw new PlanError(at, `${JSON.stringify(v)} is not a column name: use letters, digits and _ (not starting with a digit, at most 63 characters)`);
    return v;
  };
  return { left: name(o.left, `${path}/left`), right: name(o.right, `${path}/right`) };
}

function word<T extends string>(value: unknown, allowed: readonly T[], path: string, what: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value as T)) throw new PlanError(path, `${what} is one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
  return value as T;
}
