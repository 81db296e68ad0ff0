/**
 * `t.sql(statement)`: a SELECT parsed by DuckDB's parser on this machine (parse-sql.ts) and mapped
 * onto the same plan the data-frame API builds (statement-to-frame.ts). Nothing is sent.
 */

import type { LazyFrame } from '../frame.js';
import { serializeSql } from './parse-sql.js';
import { statementToFrame, type FrameSource } from './statement-to-frame.js';

export async function sqlToFrame(statement: string, source: FrameSource): Promise<LazyFrame> {
  return statementToFrame(await serializeSql(statement), source);
}
