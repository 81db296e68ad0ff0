/**
 * Text columns end to end on three in-process nodes: uploaded padded (the stored size does not
 * depend on the values' lengths), opened as text, filtered by equality, isin, startsWith and
 * null tests, and compared with DuckDB on the same plaintext (fast-check: empty texts, texts of
 * exactly the bound, multi-byte characters across the word and bound boundaries, nulls).
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { count, sum } from '../../src/client/aggregates.js';
import { col } from '../../src/client/expr.js';
import type { LazyFrame } from '../../src/client/frame.js';
import type { Tessera } from '../../src/client/tessera.js';
import { SqlError } from '../../src/errors.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { duckdbRows } from '../helpers/duckdb-oracle.js';
import { textArb, textUnit as unit, cutToBytes as cut, sqlText } from '../helpers/text-values.js';

let cluster: TestCluster;
let hospital: Tessera;
const to = { to: ['St. Mary Hospital'] };
const MAX = 9;

const ROWS = {
  code: ['A01', 'B2', '', 'A01', 'aaaaaaaé', '€€€', null, 'A0', 'B2x', 'Zürich'],
  name: ['ann', 'bob', 'cy', 'dee', 'ed', 'flo', 'gus', 'hal', 'ivy', 'jo'],
  n: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
};

const schemaOf = (nullable: boolean) => ({
  version: 1 as const,
  columns: [
    { name: 'code', nullable, type: 'text' as const, maxBytes: MAX },
    { name: 'name', nullable: false, type: 'text' as const, maxBytes: 4 },
    { name: 'n', nullable: false, type: 'integer' as const, min: '0', max: '100' },
  ],
});

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  await hospital.uploadTable('people', { columns: ROWS }, { schema: schemaOf(true) });
});

after(async () => {
  await cluster.close();
});

const ORACLE_COLUMNS = { code: 'VARCHAR', name: 'VARCHAR', n: 'INTEGER' };

async function opened(frame: LazyFrame): Promise<string[]> {
  const result = await (await frame.open(to)).result();
  return result.table.rows.map((r) => JSON.stringify(result.table.columns.map((c) => (typeof r[c] === 'bigint' ? Number(r[c]) : r[c]))));
}

async function oracle(rows: Record<string, readonly unknown[]>, sql: string): Promise<string[]> {
  return (await duckdbRows([{ name: 'people', columns: ORACLE_COLUMNS, rows }], sql)).map((r) => JSON.stringify(Object.values(r)));
}

test('a text column opens as text, nulls as null, the empty text as the empty text', async () => {
  assert.deepEqual(await opened(hospital.table('people')), await oracle(ROWS, 'SELECT code, name, n FROM people ORDER BY rowid'));
});

let tables = 0;

test('filters on text (=, !=, <, >=, between columns of different bounds, isin, startsWith, is_null, not) keep the rows DuckDB keeps', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ code: fc.option(textArb(MAX)), name: textArb(4) }), { minLength: 1, maxLength: 8 }),
      textArb(MAX),
      fc.array(textArb(MAX), { minLength: 1, maxLength: 3 }),
      fc.string({ unit, maxLength: 3 }).map((v) => cut(v, MAX)),
      async (rows, literal, list, prefix) => {
        const data = { code: rows.map((r) => r.code), name: rows.map((r) => r.name), n: rows.map((_, i) => i) };
        const table = `t${tables++}`;
        await hospital.uploadTable(table, { columns: data }, { schema: schemaOf(true) });
        const t = hospital.table(table);
        const cases: [LazyFrame, string][] = [
          [t.filter(col('code').eq(literal)), `code = ${sqlText(literal)}`],
          [t.filter(col('code').ne(literal)), `code <> ${sqlText(literal)}`],
          [t.filter(col('code').lt(literal)), `code < ${sqlText(literal)}`],
          [t.filter(col('code').ge(literal).not()), `NOT (code >= ${sqlText(literal)})`],
          [t.filter(col('name').le(col('code'))), 'name <= code'],
          [t.filter(col('code').eq(col('name'))), 'code = name'],
          [t.filter(col('code').isin(list)), `code IN (${list.map(sqlText).join(', ')})`],
          [t.filter(col('code').startsWith(prefix)), `starts_with(code, ${sqlText(prefix)})`],
          [t.filter(col('code').startsWith(prefix).not()), `NOT starts_with(code, ${sqlText(prefix)})`],
          [t.filter(col('code').isNull().or(col('name').startsWith('a'))), `code IS NULL OR starts_with(name, 'a')`],
        ];
        for (const [frame, where] of cases) {
          const got = (await opened(frame)).sort();
          const want = (await oracle(data, `SELECT code, name, n FROM people WHERE ${where}`)).sort();
          assert.deepEqual(got, want, where);
        }
      },
    ),
    { numRuns: Number(process.env.TESSERA_PROPERTY_RUNS ?? 4) },
  );
});

test('sort by text is the byte order of the UTF-8 (DuckDB ORDER BY on VARCHAR), ascending and descending, nulls placed; group-by and distinct on text', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.record({ code: fc.option(textArb(MAX)), name: textArb(4) }), { minLength: 1, maxLength: 8 }), async (rows) => {
      const data = { code: rows.map((r) => r.code), name: rows.map((r) => r.name), n: rows.map((_, i) => i) };
      const table = `t${tables++}`;
      await hospital.uploadTable(table, { columns: data }, { schema: schemaOf(true) });
      const t = hospital.table(table);
      // Stable: ties keep upload order (DuckDB: rowid as the last key).
      assert.deepEqual(await opened(t.sort('code')), await oracle(data, 'SELECT code, name, n FROM people ORDER BY code NULLS LAST, rowid'));
      assert.deepEqual(await opened(t.sort({ column: 'code', descending: true, nulls: 'first' }, { column: 'name', descending: true })), await oracle(data, 'SELECT code, name, n FROM people ORDER BY code DESC NULLS FIRST, name DESC, rowid'));
      const grouped = (await opened(t.groupBy('code', 'name').agg({ k: count(), total: sum('n') }))).sort();
      assert.deepEqual(grouped, (await oracle(data, 'SELECT code, name, count(*), sum(n) FROM people GROUP BY code, name')).sort());
      assert.deepEqual((await opened(t.select('code').distinct())).sort(), (await oracle(data, 'SELECT DISTINCT code FROM people')).sort());
    }),
    { numRuns: Number(process.env.TESSERA_PROPERTY_RUNS ?? 3) },
  );
});

test('a join on a text key (bounds 9 and 4, and 4 and 4) matches the rows DuckDB matches, inner and left', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ code: fc.option(textArb(MAX)), name: textArb(4) }), { minLength: 1, maxLength: 6 }),
      fc.uniqueArray(textArb(4), { minLength: 1, maxLength: 5 }),
      async (rows, keys) => {
        const data = { code: rows.map((r) => r.code), name: rows.map((r) => r.name), n: rows.map((_, i) => i) };
        const names = { short: keys, w: keys.map((_, i) => 10 * i) };
        const [left, right] = [`t${tables++}`, `t${tables++}`];
        await hospital.uploadTable(left, { columns: data }, { schema: schemaOf(true) });
        await hospital.uploadTable(right, { columns: names }, { schema: { version: 1, columns: [
          { name: 'short', nullable: false, type: 'text', maxBytes: 4 },
          { name: 'w', nullable: false, type: 'integer', min: '0', max: '100' },
        ] } });
        const tables2 = [
          { name: 'people', columns: ORACLE_COLUMNS, rows: data },
          { name: 'names', columns: { short: 'VARCHAR', w: 'INTEGER' }, rows: names },
        ];
        // code (text(9), two words) is ranked with short; name (text(4), one word) joins by its word.
        for (const [key, how] of [['code', 'inner'], ['code', 'left'], ['name', 'inner']] as const) {
          const frame = hospital.table(left).join(hospital.table(right), { on: { left: key, right: 'short' }, how });
          const want = (await duckdbRows(tables2, `SELECT p.code, p.name, p.n, s.w FROM people p ${how === 'left' ? 'LEFT' : ''} JOIN names s ON p.${key} = s.short`)).map((r) => JSON.stringify(Object.values(r))).sort();
          assert.deepEqual((await opened(frame)).sort(), want, `${key} ${how}`);
        }
      },
    ),
    { numRuns: Number(process.env.TESSERA_PROPERTY_RUNS ?? 3) },
  );
});

test('SQL: text literals compare with text columns, LIKE \'abc%\' and starts_with are startsWith, other LIKE patterns are refused naming them', async () => {
  const t = hospital.table('people');
  const same = async (sql: string, frame: LazyFrame): Promise<void> => assert.equal((await hospital.sql(sql)).planHash(to), frame.planHash(to), sql);
  await same("SELECT * FROM people WHERE code LIKE 'A0%'", t.filter(col('code').startsWith('A0')));
  await same("SELECT * FROM people WHERE code NOT LIKE 'A0%'", t.filter(col('code').startsWith('A0').not()));
  await same("SELECT * FROM people WHERE starts_with(code, 'Zü')", t.filter(col('code').startsWith('Zü')));
  await same("SELECT * FROM people WHERE code = 'B2' OR code IN ('A01', '')", t.filter(col('code').eq('B2').or(col('code').isin(['A01', '']))));
  const rows = async (sql: string): Promise<string[]> => (await opened(await hospital.sql(sql))).sort();
  for (const where of ["code LIKE 'A0%'", "code NOT LIKE 'B%'", "code >= 'B' AND name < 'e'", "code = name OR code IS NULL"]) {
    assert.deepEqual(await rows(`SELECT code, name, n FROM people WHERE ${where}`), (await oracle(ROWS, `SELECT code, name, n FROM people WHERE ${where}`)).sort(), where);
  }
  for (const [pattern, named] of [["'%1'", "LIKE '%1'"], ["'A_1%'", "LIKE 'A_1%'"], ["'A01'", "LIKE 'A01'"]]) {
    await assert.rejects(hospital.sql(`SELECT * FROM people WHERE code LIKE ${pattern}`), (e: unknown) => e instanceof SqlError && e.construct === named && e.message.includes(named) && /prefix only/.test(e.message), pattern);
  }
  // Text in arithmetic is refused at plan time, naming the column.
  await assert.rejects((await hospital.sql('SELECT * FROM people WHERE n + code > 3')).explain(to), /text column 'code' has no value for arithmetic/);
});

test('an append table cannot hold text (a contributor\'s words would go unchecked); the refusal says what to do', async () => {
  await assert.rejects(hospital.createAppendTable('texts', schemaOf(false)), /append tables cannot hold text columns; upload the table instead/);
});
