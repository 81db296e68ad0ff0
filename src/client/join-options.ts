/**
 * The options of `frame.join(other, options)` as a plan join node (plan/plan.ts JoinNode):
 *
 *   { on: 'patient_id' }                        the same column on both sides
 *   { on: ['site', 'day'] }                     several, each the same on both sides
 *   { on: { left: 'id', right: 'patient_id' } } differently named (or a list of such pairs)
 *   how: 'inner' (the default) | 'left'; kind: 'many-to-one' (the default: the right side's key
 *   is unique) | 'one-to-many' | 'one-to-one' | 'many-to-many' (neither unique: needs maxRows,
 *   the declared bound on the output rows; maxRows alone implies it); mode: 'reveal-count' (the
 *   default) | 'oblivious'.
 *
 * Checked here only for shape; the nodes check types (plan/check-join.ts).
 */

import { UsageError } from '../errors.js';
import { MAX_JOIN_KEYS } from '../plan/parse-join.js';
import type { JoinHow, JoinKey, JoinKind, JoinMode, JoinNode, TableNode } from '../plan/plan.js';
import { COLUMN_NAME_PATTERN } from '../table/schema.js';

export type JoinOn<L extends string, R extends string> = (L & R) | readonly (L & R)[] | { readonly left: L; readonly right: R } | readonly { readonly left: L; readonly right: R }[];

export interface JoinOptions<L extends string = string, R extends string = string> {
  readonly on: JoinOn<L, R>;
  readonly how?: JoinHow;
  readonly kind?: JoinKind;
  /** The declared output bound of a many-to-many join. */
  readonly maxRows?: number;
  readonly mode?: JoinMode;
}

export function joinNode(left: TableNode, right: TableNode, options: JoinOptions): JoinNode {
  if (typeof options !== 'object' || options === null) throw new UsageError("join takes options such as { on: 'patient_id', how: 'left' }");
  const on = keyPairs(options.on);
  const how = options.how ?? 'inner';
  if (how !== 'inner' && how !== 'left') throw new UsageError(`a join's how is 'inner' or 'left', not ${JSON.stringify(how)}`);
  const { maxRows, mode } = options;
  const kind = options.kind ?? (maxRows !== undefined ? 'many-to-many' : undefined);
  if (kind !== undefined && !['one-to-one', 'many-to-one', 'one-to-many', 'many-to-many'].includes(kind)) throw new UsageError(`a join's kind is 'many-to-one' (the default), 'one-to-many', 'one-to-one' or 'many-to-many', not ${JSON.stringify(kind)}`);
  if (mode !== undefined && mode !== 'reveal-count' && mode !== 'oblivious') throw new UsageError(`a join's mode is 'reveal-count' or 'oblivious', not ${JSON.stringify(mode)}`);
  if (maxRows !== undefined && (!Number.isSafeInteger(maxRows) || maxRows < 1)) throw new UsageError('maxRows is a whole number of rows, at least 1');
  return { op: 'join', left, right, on, how, ...(kind !== undefined ? { kind } : {}), ...(maxRows !== undefined ? { max_rows: maxRows } : {}), ...(mode !== undefined ? { mode } : {}) };
}

function keyPairs(on: unknown): JoinKey[] {
  const list = Array.isArray(on) ? on : [on];
  if (on === undefined || list.length === 0 || list.length > MAX_JOIN_KEYS) throw new UsageError(`join needs 'on': a column (or 1 to ${MAX_JOIN_KEYS}) both sides have, or { left, right } pairs`);
  return list.map((k: unknown): JoinKey => {
    if (typeof k === 'string') return { left: name(k), right: name(k) };
    if (typeof k === 'object' && k !== null && 'left' in k && 'right' in k) return { left: name(k.left), right: name(k.right) };
    throw new UsageError(`a join key is a column name or { left: column, right: column }, not ${JSON.stringify(k)}`);
  });
}

function name(c: unknown): string {
  if (typeof c !== 'string' || !COLUMN_NAME_PATTERN.test(c)) throw new UsageError(`${JSON.stringify(c)} is not a column name: use letters, digits and _ (not starting with a digit)`);
  return c;
}
