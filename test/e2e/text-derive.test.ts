/**
 * Text conditions inside derived columns (plan/expr-text.ts) end to end on three in-process
 * nodes, against DuckDB on the same plaintext (the oracle), for random rows (fast-check): empty
 * texts, texts of exactly the bound, multi-byte UTF-8 across word boundaries, nulls, duplicates.
 * `if_else(code isin [...])`, =, !=, <, >= against a literal and between columns of different
 * bounds (text(9) and text(4)), is_null, and SQL `CASE WHEN code IN (...) THEN ... END`.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { col, ifElse, lit } from '../../src/client/expr.js';
import type { LazyFrame } from '../../src/client/frame.js';
import type { ResultCell } from '../../src/client/result.js';
import type { Tessera } from '../../src/client/tessera.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { duckdbRows } from '../helpers/duckdb-oracle.js';
import { textArb, sqlText } from '../helpers/text-values.js';

let cluster: TestCluster;
let hospital: Tessera;
const to = { to: ['St. Mary Hospital'] };
const MAX = 9;

const schema = {
  version: 1 as const,
  columns: [
    { name: 'code', nullable: true, type: 'text' as const, maxBytes: MAX },
    { name: 'name', nullable: false, type: 'text' as const, maxBytes: 4 },
    { name: 'n', nullable: false, type: 'integer' as const, min: '0', max: '100' },
  ],
};
const ORACLE_COLUMNS = { code: 'VARCHAR', name: 'VARCHAR', n: 'INTEGER' };

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
});

after(async () => {
  await cluster.close();
});

/** Rows as JSON lines sorted (booleans as 0/1: DuckDB's answer is read as numbers). */
function lines(rows: readonly Record<string, ResultCell>[]): string[] {
  return rows.map((r) => JSON.stringify(Object.values(r).map((v) => (typeof v === 'boolean' ? Number(v) : typeof v === 'bigint' ? Number(v) : v)))).sort();
}

async function opened(frame: LazyFrame): Promise<string[]> {
  return lines((await (await frame.open(to)).result()).table.rows);
}

let tables = 0;

test('text conditions in derived columns (isin in if_else, =, !=, <, >=, column against column, is_null) give DuckDB\'s values, nulls included', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ code: fc.option(textArb(MAX)), name: textArb(4) }), { minLength: 1, maxLength: 8 }),
      textArb(MAX),
      fc.array(textArb(MAX), { minLength: 1, maxLength: 3 }),
      async (rows, literal, list) => {
        const data = { code: rows.map((r) => r.code), name: rows.map((r) => r.name), n: rows.map((_, i) => i) };
        const table = `t${tables++}`;
        await hospital.uploadTable(table, { columns: data }, { schema });
        const oracle = async (sql: string): Promise<string[]> => lines(await duckdbRows([{ name: 'people', columns: ORACLE_COLUMNS, rows: data }], sql));
        const derived = hospital.table(table).withColumns({
          hit: ifElse(col('code').isin(list), col('n'), lit(100)),
          same: col('code').eq(literal),
          other: col('code').ne(literal),
          below: col('code').lt(literal),
          atLeast: col('name').ge(col('code')),
          alike: col('name').eq(col('code')),
          missing: col('code').isNull(),
        }).select('n', 'hit', 'same', 'other', 'below', 'atLeast', 'alike', 'missing');
        const L = sqlText(literal);
        assert.deepEqual(
          await opened(derived),
          await oracle(`SELECT n, CASE WHEN code IN (${list.map(sqlText).join(', ')}) THEN n ELSE 100 END AS hit, code = ${L} AS same, code <> ${L} AS other, code < ${L} AS below, name >= code AS atLeast, name = code AS alike, code IS NULL AS missing FROM people`),
        );
      },
    ),
    { numRuns: Number(process.env.TESSERA_PROPERTY_RUNS ?? 4) },
  );
});

test('SQL CASE WHEN code IN (...) on a text column derives the column DuckDB derives; a literal longer than the bound is refused at plan time', async () => {
  const table = `t${tables++}`;
  const data = { code: ['A01', 'aaaaaaaé', 'A01', null, '', 'aaaaaaab'], name: ['x', 'y', 'x', 'z', 'é', ''], n: [1, 2, 3, 4, 5, 6] };
  await hospital.uploadTable(table, { columns: data }, { schema });
  const query = `SELECT n, CASE WHEN code IN ('A01', 'aaaaaaaé', '') THEN 1 ELSE 0 END AS k FROM `;
  const got = await opened(await hospital.sql(`${query}${table}`));
  assert.deepEqual(got, lines(await duckdbRows([{ name: 'people', columns: ORACLE_COLUMNS, rows: data }], `${query}people`)));
  assert.deepEqual(got, lines([[1, 1], [2, 1], [3, 1], [4, 0], [5, 1], [6, 0]].map(([n, k]) => ({ n, k }))));
  await assert.rejects(async () => (await hospital.table(table).withColumns({ k: col('code').isin(['0123456789']) }).open(to)).result(), /longer than the 9 bytes of text column 'code'/);
  await assert.rejects(async () => (await hospital.table(table).withColumns({ k: col('code').eq(col('n')) }).open(to)).result(), /cannot compare text column 'code'/);
});
