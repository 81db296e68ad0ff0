/**
 * `CREATE [OR REPLACE] TABLE name AS SELECT ...`: a store root over the SELECT.
 *
 * DuckDB's json_serialize_sql serializes SELECT statements only ("Only SELECT statements can be
 * serialized to json!"), so the CREATE TABLE ... AS prefix is read here, by this strict grammar,
 * and the SELECT after AS goes through DuckDB's parser like any other (sql-frame.ts). Anything
 * else that starts with CREATE (column lists, TEMP, IF NOT EXISTS, a schema-qualified name) is
 * refused naming the construct. OR REPLACE maps to `replace` (only over a derived table of yours).
 */

import { SqlError } from '../../errors.js';

export interface CreateTableAs {
  readonly table: string;
  readonly replace: boolean;
  /** The statement after AS (a SELECT, possibly in parentheses). */
  readonly select: string;
}

const CTAS = /^\s*CREATE\s+(OR\s+REPLACE\s+)?TABLE\s+("(?:[^"]|"")+"|[A-Za-z0-9_][A-Za-z0-9_-]*)\s+AS\s+([\s\S]+)$/i;

/** The parts of a CREATE TABLE AS statement, undefined when the statement does not start with CREATE. */
export function parseCreateTableAs(statement: string): CreateTableAs | undefined {
  if (typeof statement !== 'string' || !/^\s*CREATE\b/i.test(statement)) return undefined;
  const m = CTAS.exec(statement);
  if (!m) {
    throw new SqlError('only CREATE [OR REPLACE] TABLE name AS SELECT ... can be asked (no column list, TEMP, IF NOT EXISTS or schema name): the table\'s columns are the SELECT\'s', 'CREATE statement');
  }
  const quoted = m[2].startsWith('"');
  const table = quoted ? m[2].slice(1, -1).replaceAll('""', '"') : m[2];
  return { table, replace: m[1] !== undefined, select: m[3] };
}
