/**
 * SQL is parsed by DuckDB's own parser (`json_serialize_sql`), on this machine and without
 * touching any data: the result is DuckDB's syntax tree as JSON, which statement-to-frame.ts maps
 * onto the plan. A syntax error comes back with DuckDB's message (it quotes only the statement).
 */

import { DuckDBInstance } from '@duckdb/node-api';
import { SqlError } from '../../errors.js';

/** Longer statements are refused before parsing: a plan has at most 1,000 operators anyway. */
export const MAX_SQL_LENGTH = 64 * 1024;

export async function serializeSql(statement: string): Promise<unknown> {
  if (typeof statement !== 'string' || statement.trim() === '') throw new SqlError('the SQL statement is empty: ask e.g. SELECT count(*) AS n FROM visits', 'empty statement');
  if (statement.length > MAX_SQL_LENGTH) throw new SqlError(`the SQL statement is longer than ${MAX_SQL_LENGTH} characters`, 'statement length');
  const instance = await DuckDBInstance.create(':memory:');
  let text: string;
  try {
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [statement]);
      text = String(reader.getRows()[0]?.[0]);
    } finally {
      connection.closeSync();
    }
  } catch (error) {
    throw new SqlError(`DuckDB could not parse the statement: ${(error as Error).message}`, 'syntax');
  } finally {
    instance.closeSync();
  }
  const json = JSON.parse(text) as { error?: boolean; error_type?: string; error_message?: string; position?: string };
  if (json.error === true) {
    if (json.error_type === 'not implemented') throw new SqlError('only SELECT statements can be asked (the nodes never change data through SQL)', 'non-SELECT statement');
    const at = json.position !== undefined ? ` (at character ${Number(json.position) + 1})` : '';
    throw new SqlError(`SQL syntax error: ${json.error_message ?? 'the statement does not parse'}${at}`, 'syntax');
  }
  return json;
}
