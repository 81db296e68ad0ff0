/**
 * `t.sql(statement)`: a SELECT parsed by DuckDB's parser on this machine (parse-sql.ts) and mapped
 * onto the same plan the data-frame API builds (statement-to-frame.ts). Nothing is sent.
 *
 * SQL has no place for a join's output bound, so it comes beside the statement: `joinMaxRows`
 * makes the statement's JOIN many-to-many up to that many output rows (neither key unique);
 * without it a JOIN's right key must be unique (the nodes check it, and say how to give the bound).
 */

import { SqlError } from '../../errors.js';
import { planInputs } from '../../plan/plan.js';
import type { TableNode } from '../../plan/plan.js';
import type { LazyFrame } from '../frame.js';
import { serializeSql } from './parse-sql.js';
import { statementToFrame, type FrameSource } from './statement-to-frame.js';

export interface SqlOptions {
  /** The declared output bound of the statement's JOIN, which makes it many-to-many. */
  readonly joinMaxRows?: number;
}

export async function sqlToFrame(statement: string, source: FrameSource, options: SqlOptions = {}): Promise<LazyFrame> {
  const { joinMaxRows } = options;
  if (joinMaxRows !== undefined && (!Number.isSafeInteger(joinMaxRows) || joinMaxRows < 1)) throw new SqlError('the join bound (joinMaxRows, --join-max-rows) is a whole number of rows, at least 1', 'join bound');
  const frame = statementToFrame(await serializeSql(statement), joinMaxRows === undefined ? source : Object.assign((table: string) => source(table), { joinMaxRows }));
  if (joinMaxRows !== undefined && !hasJoin(frame.node)) throw new SqlError('a join bound (joinMaxRows, --join-max-rows) was given but the statement has no JOIN: leave it out', 'join bound without a JOIN');
  return frame;
}

function hasJoin(n: TableNode): boolean {
  return n.op === 'join' || planInputs(n).some(hasJoin);
}
