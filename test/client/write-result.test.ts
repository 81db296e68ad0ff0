/**
 * Writing an opened table: a result of three in-process nodes goes to CSV and Parquet and reads
 * back with DuckDB with the same types and values (decimals exact beyond a double's 15 digits,
 * dates, nulls, categories; aggregates as BIGINT, DECIMAL and DOUBLE); a table built by hand takes
 * its types from its cells; the opened result also writes to Arrow IPC (read back with apache-arrow;
 * the edge cases are in write-arrow.test.ts); an unknown extension, an existing file and a decimal
 * that is not one are refused.
 */

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { count, mean, sum } from '../../src/client/aggregates.js';
import type { QueryResult } from '../../src/client/result.js';
import type { Tessera } from '../../src/client/tessera.js';
import { resultColumns, writeResult, type WritableResult } from '../../src/client/write-result.js';
import { OutputFileError, UsageError } from '../../src/errors.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { withTempDir } from '../helpers/temp-dir.js';

let cluster: TestCluster;
let hospital: Tessera;
const to = { to: ['St. Mary Hospital'] };

// 1234567890123456.78 has no double of its own (the nearest prints as 1234567890123456.8).
const ROWS = {
  age: [34, 51, 67, 29],
  sex: ['F', 'M', 'F', 'X'],
  cost: ['12.50', null, '1234567890123456.78', '-0.05'],
  fee: ['1.10', '2.25', null, '3.00'],
  day: ['2024-01-31', '2023-06-01', '2024-02-29', '1999-12-31'],
};

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  const schema = {
    version: 1 as const,
    columns: [
      { name: 'age', nullable: false, type: 'integer' as const, min: '0', max: '120' },
      { name: 'sex', nullable: false, type: 'category' as const, dictionary: ['F', 'M', 'X'] },
      { name: 'cost', nullable: true, type: 'decimal' as const, scale: 2, min: '-10', max: '9999999999999999.99' },
      { name: 'fee', nullable: true, type: 'decimal' as const, scale: 2, min: '0', max: '1000' },
      { name: 'day', nullable: false, type: 'date' as const, min: '1990-01-01', max: '2030-12-31' },
    ],
  };
  await hospital.uploadTable('visits', { columns: ROWS }, { schema });
});

after(async () => {
  await cluster.close();
});

/** Runs SQL on a fresh in-memory DuckDB: the rows as text (null as null), and the column types. */
async function duck(sql: string): Promise<{ rows: (string | null)[][]; types: string[] }> {
  const db = await DuckDBInstance.create(':memory:');
  try {
    const c = await db.connect();
    try {
      const reader = await c.runAndReadAll(sql);
      const types = reader.columnTypes().map((t) => t.toString());
      const rows = reader.getRows().map((r) => r.map((v) => (v === null ? null : String(v))));
      return { rows, types };
    } finally {
      c.closeSync();
    }
  } finally {
    db.closeSync();
  }
}

const quoted = (path: string): string => `'${path.replaceAll("'", "''")}'`;

async function allRows(): Promise<QueryResult> {
  return (await (await hospital.sql('SELECT age, sex, cost, fee, day FROM visits ORDER BY age')).open(to)).result();
}

const WANT_ROWS = [
  ['29', 'X', '-0.05', '3.00', '1999-12-31'],
  ['34', 'F', '12.50', '1.10', '2024-01-31'],
  ['51', 'M', null, '2.25', '2023-06-01'],
  ['67', 'F', '1234567890123456.78', null, '2024-02-29'],
];

test('a result of columns writes to Parquet and reads back with its types and exact values', async () => {
  const result = await allRows();
  assert.equal(result.table.rows[3]!.cost, 1234567890123456.8, 'the table holds the nearest double');
  await withTempDir(async (dir) => {
    const path = join(dir, 'visits.parquet');
    const written = await writeResult(result, path);
    assert.equal(written.format, 'parquet');
    assert.deepEqual(written.columns.map((c) => c.sqlType), ['BIGINT', 'VARCHAR', 'DECIMAL(38, 2)', 'DECIMAL(38, 2)', 'DATE']);
    const back = await duck(`SELECT age, sex, cost::VARCHAR, fee::VARCHAR, day::VARCHAR FROM read_parquet(${quoted(path)})`);
    assert.deepEqual(back.rows, WANT_ROWS);
    const typed = await duck(`SELECT * FROM read_parquet(${quoted(path)})`);
    assert.deepEqual(typed.types, ['BIGINT', 'VARCHAR', 'DECIMAL(38,2)', 'DECIMAL(38,2)', 'DATE']);
  });
});

test('the same result writes to CSV with a header, exact decimal text and empty nulls', async () => {
  const result = await allRows();
  await withTempDir(async (dir) => {
    const path = join(dir, 'visits.csv');
    await writeResult(result, path);
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    assert.deepEqual(lines, ['age,sex,cost,fee,day', '29,X,-0.05,3.00,1999-12-31', '34,F,12.50,1.10,2024-01-31', '51,M,,2.25,2023-06-01', '67,F,1234567890123456.78,,2024-02-29']);
    const back = await duck(`SELECT age, sex, cost::VARCHAR, fee::VARCHAR, day::VARCHAR FROM read_csv(${quoted(path)}, types = {'cost': 'DECIMAL(38, 2)', 'fee': 'DECIMAL(38, 2)', 'day': 'DATE'})`);
    assert.deepEqual(back.rows, WANT_ROWS);
  });
});

test('aggregates write as BIGINT (count, integer sum), DECIMAL (decimal sum) and DOUBLE (mean)', async () => {
  const result = await (await hospital.table('visits').groupBy('sex').agg({ n: count(), years: sum('age'), fees: sum('fee'), avg_fee: mean('fee') }).open(to)).result();
  await withTempDir(async (dir) => {
    const path = join(dir, 'by-sex.parquet');
    await writeResult(result, path);
    const back = await duck(`SELECT sex, n, years, fees::VARCHAR, avg_fee FROM read_parquet(${quoted(path)}) ORDER BY sex`);
    assert.deepEqual(back.types, ['VARCHAR', 'BIGINT', 'BIGINT', 'VARCHAR', 'DOUBLE']);
    assert.deepEqual(back.rows, [
      ['F', '2', '101', '1.10', '1.1'],
      ['M', '1', '51', '2.25', '2.25'],
      ['X', '1', '29', '3.00', '3'],
    ]);
  });
});

test('resultColumns hands the table back as columns', async () => {
  const result = await allRows();
  const columns = resultColumns(result);
  assert.deepEqual(Object.keys(columns), ['age', 'sex', 'cost', 'fee', 'day']);
  assert.deepEqual(columns.age, [29, 34, 51, 67]);
  assert.deepEqual(columns.cost, [-0.05, 12.5, null, 1234567890123456.8]);
  assert.deepEqual(columns.day, ['1999-12-31', '2024-01-31', '2023-06-01', '2024-02-29']);
});

test('a table built by hand takes its types from its cells; integers beyond 64 bits go as DECIMAL(38, 0)', async () => {
  const big = 2n ** 70n;
  const table: WritableResult = { table: { columns: ['k', 'x', 'name', 'ok', 'wide'], rows: [
    { k: 1, x: 0.1, name: 'a', ok: true, wide: big },
    { k: 2n, x: null, name: null, ok: false, wide: -5 },
  ] } };
  await withTempDir(async (dir) => {
    const path = join(dir, 'hand.parquet');
    const written = await writeResult(table, path);
    assert.deepEqual(written.columns.map((c) => c.sqlType), ['BIGINT', 'DOUBLE', 'VARCHAR', 'BOOLEAN', 'DECIMAL(38, 0)']);
    const back = await duck(`SELECT k, x, name, ok, wide::VARCHAR FROM read_parquet(${quoted(path)})`);
    assert.deepEqual(back.rows, [['1', '0.1', 'a', 'true', big.toString()], ['2', null, null, 'false', '-5']]);
  });
});

test('a decimal cell must be exactly a decimal of its scale when no exact text is given', async () => {
  const table: WritableResult = { table: { columns: ['d'], rows: [{ d: 0.125 }] }, columnTypes: { d: { kind: 'decimal', scale: 2 } } };
  await withTempDir(async (dir) => {
    await assert.rejects(writeResult(table, join(dir, 'd.csv')), (e: unknown) => e instanceof UsageError && /not exactly a decimal with 2 digits/.test(e.message));
    await writeResult({ ...table, table: { columns: ['d'], rows: [{ d: 0.12 }] } }, join(dir, 'd.csv'));
    assert.equal(await readFile(join(dir, 'd.csv'), 'utf8'), 'd\n0.12\n');
  });
});

test('the opened result writes to Arrow IPC with Int64, dictionary, Decimal128(38, 2) and Date32 columns, values exact', async () => {
  const result = await allRows();
  await withTempDir(async (dir) => {
    const path = join(dir, 'visits.arrow');
    const written = await writeResult(result, path);
    assert.equal(written.format, 'arrow');
    const table = tableFromIPC(await readFile(path));
    assert.deepEqual(table.schema.fields.map((f) => String(f.type)), ['Int64', 'Dictionary<Int32, Utf8>', 'Decimal[38e+2]', 'Decimal[38e+2]', 'Date32<DAY>']);
    const decimal = (column: string, i: number): string | null => {
      const v = table.getChild(column)!;
      if (!v.isValid(i)) return null;
      const words = v.data[0]!.values as Uint32Array;
      let x = 0n;
      for (let w = 3; w >= 0; w--) x = (x << 32n) | BigInt(words[i * 4 + w]!);
      x = BigInt.asIntN(128, x);
      const digits = (x < 0n ? -x : x).toString().padStart(3, '0');
      return `${x < 0n ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
    };
    const back = WANT_ROWS.map((_, i) => [
      String(table.getChild('age')!.get(i)),
      table.getChild('sex')!.get(i) as string,
      decimal('cost', i),
      decimal('fee', i),
      new Date(table.getChild('day')!.get(i) as number).toISOString().slice(0, 10),
    ]);
    assert.deepEqual(back, WANT_ROWS);
  });
});

test('an unknown extension and an existing file are refused; overwrite replaces it', async () => {
  const table: WritableResult = { table: { columns: ['n'], rows: [{ n: 1 }] } };
  await withTempDir(async (dir) => {
    await assert.rejects(writeResult(table, join(dir, 'r.xlsx')), (e: unknown) => e instanceof OutputFileError && /\.csv, \.parquet or \.arrow/.test(e.message));
    const path = join(dir, 'r.csv');
    await writeFile(path, 'keep me\n');
    await assert.rejects(writeResult(table, path), (e: unknown) => e instanceof OutputFileError && /exists.*overwrite: true.*--force/.test(e.message));
    assert.equal(await readFile(path, 'utf8'), 'keep me\n');
    await writeResult(table, path, { overwrite: true });
    assert.equal(await readFile(path, 'utf8'), 'n\n1\n');
    await writeResult(table, join(dir, 'r.data'), { format: 'parquet' });
  });
});
