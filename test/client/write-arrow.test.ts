/**
 * Writing a result as Arrow IPC (client/write-arrow.ts through writeResult): the file reads back
 * with apache-arrow's tableFromIPC with each column's exact type and every cell equal to the
 * plaintext: decimals compared digit for digit from the raw 128-bit words (negative, 38 digits at
 * scale 18, beyond a double), dates before 1970 as days, multi-byte UTF-8, nulls, an empty table,
 * the stream format, design-mode metadata. (The bundled DuckDB cannot read Arrow IPC: it has no
 * arrow extension, so apache-arrow is the only reader here.)
 */

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataType, tableFromIPC, type Field, type Table } from 'apache-arrow';
import { writeResult, type WritableResult } from '../../src/client/write-result.js';
import { UsageError } from '../../src/errors.js';
import { withTempDir } from '../helpers/temp-dir.js';

const EXACT = ['-12345678901234567890.123456789012345678', '0.000000000000000001', null, '-0.000000000000000001', '99999999999999999999.999999999999999999'];
const ROWS = [
  { n: -9223372036854775808n, d: -1.2345678901234568e19, small: -0.05, day: '1969-12-31', old: '0001-01-01', ok: true, sex: 'F', name: 'Zoë 😀 日本', mean: 0.1 },
  { n: 9223372036854775807n, d: 1e-18, small: 12.5, day: '1970-01-01', old: '9999-12-31', ok: false, sex: 'X', name: '', mean: -2.5e-300 },
  { n: null, d: null, small: null, day: null, old: null, ok: null, sex: null, name: null, mean: null },
  { n: 0, d: -1e-18, small: 0, day: '1900-03-01', old: '1600-02-29', ok: true, sex: 'M', name: 'a,"b"\nc', mean: 1 / 3 },
  { n: 42, d: 1e20, small: -1234567.89, day: '2024-02-29', old: '1969-01-01', ok: false, sex: 'F', name: 'ß', mean: Number.MAX_VALUE },
];
const SMALL_EXACT = ['-0.05', '12.50', null, '0.00', '-1234567.89'];
const RESULT: WritableResult = {
  table: { columns: ['n', 'd', 'small', 'day', 'old', 'ok', 'sex', 'name', 'mean'], rows: ROWS },
  columnTypes: {
    n: { kind: 'integer' }, d: { kind: 'decimal', scale: 18 }, small: { kind: 'decimal', scale: 2 }, day: { kind: 'date' }, old: { kind: 'date' },
    ok: { kind: 'boolean' }, sex: { kind: 'category', dictionary: ['F', 'M', 'X'] }, name: { kind: 'text', maxBytes: 32 }, mean: { kind: 'double' },
  },
  exactDecimals: { d: EXACT, small: SMALL_EXACT },
};

/** Decimal128 cell i from its raw words (four little-endian 32-bit words, two's complement), as exact text. */
function decimalAt(table: Table, column: string, i: number, scale: number): string | null {
  const vector = table.getChild(column)!;
  if (!vector.isValid(i)) return null;
  const words = vector.data[0]!.values as Uint32Array;
  let v = 0n;
  for (let w = 3; w >= 0; w--) v = (v << 32n) | BigInt(words[i * 4 + w]!);
  v = BigInt.asIntN(128, v);
  const digits = (v < 0n ? -v : v).toString().padStart(scale + 1, '0');
  return `${v < 0n ? '-' : ''}${digits.slice(0, digits.length - scale)}${scale > 0 ? `.${digits.slice(digits.length - scale)}` : ''}`;
}

/** Days since 1970-01-01 from the ISO text, independently of the writer (Date.UTC with the year set explicitly). */
function days(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(2000, m - 1, d));
  date.setUTCFullYear(y, m - 1, d);
  return date.getTime() / 86_400_000;
}

/** A field's Arrow type, decimals with their bit width, precision and scale spelled out. */
function typeName(field: Field): string {
  const t = field.type as DataType;
  return DataType.isDecimal(t) ? `Decimal${t.bitWidth}(${t.precision}, ${t.scale})` : String(t);
}

const cellsOf = (table: Table, column: string): unknown[] => Array.from({ length: table.numRows }, (_, i) => table.getChild(column)!.get(i));

test('an Arrow IPC file reads back with exact types and every cell equal to the plaintext', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'r.arrow');
    const written = await writeResult(RESULT, path);
    assert.equal(written.format, 'arrow');
    const bytes = await readFile(path);
    assert.equal(bytes.subarray(0, 6).toString('latin1'), 'ARROW1', 'the IPC file format (magic ARROW1)');
    const table = tableFromIPC(bytes);
    assert.equal(table.numRows, ROWS.length);
    assert.deepEqual(table.schema.fields.map(typeName), ['Int64', 'Decimal128(38, 18)', 'Decimal128(38, 2)', 'Date32<DAY>', 'Date32<DAY>', 'Bool', 'Dictionary<Int32, Utf8>', 'Utf8', 'Float64']);
    assert.ok(table.schema.fields.every((f) => f.nullable));
    assert.equal(table.schema.metadata.size, 0, 'no design marker on a real result');
    assert.deepEqual(cellsOf(table, 'n'), ROWS.map((r) => (r.n === null ? null : BigInt(r.n))));
    assert.deepEqual(ROWS.map((_, i) => decimalAt(table, 'd', i, 18)), EXACT);
    assert.deepEqual(ROWS.map((_, i) => decimalAt(table, 'small', i, 2)), SMALL_EXACT);
    for (const c of ['day', 'old'] as const) {
      const raw = table.getChild(c)!.data[0]!.values as Int32Array;
      assert.deepEqual(ROWS.map((r, i) => (r[c] === null ? null : raw[i])), ROWS.map((r) => (r[c] === null ? null : days(r[c]))));
      assert.deepEqual(cellsOf(table, c), ROWS.map((r) => (r[c] === null ? null : days(r[c]) * 86_400_000)));
    }
    assert.equal(days('1969-12-31'), -1);
    for (const c of ['ok', 'sex', 'name', 'mean'] as const) assert.deepEqual(cellsOf(table, c), ROWS.map((r) => r[c]), c);
    const sex = table.getChild('sex')!.data[0]!;
    assert.deepEqual(Array.from(sex.dictionary!), ['F', 'M', 'X'], 'the declared levels are the dictionary');
    const text = table.getChild('name')!.data[0]!;
    assert.deepEqual(Buffer.from((text.values as Uint8Array).subarray(0, text.valueOffsets[ROWS.length])), Buffer.from(ROWS.map((r) => r.name ?? '').join(''), 'utf8'), 'UTF-8 bytes, nothing for a null');
  });
});

test('an empty table writes its schema and no rows; a .arrows path takes the stream format', async () => {
  await withTempDir(async (dir) => {
    const empty: WritableResult = { ...RESULT, table: { columns: RESULT.table.columns, rows: [] }, exactDecimals: { d: [], small: [] } };
    await writeResult(empty, join(dir, 'empty.arrow'));
    const table = tableFromIPC(await readFile(join(dir, 'empty.arrow')));
    assert.equal(table.numRows, 0);
    assert.deepEqual(table.schema.fields.map((f) => f.name), RESULT.table.columns);
    assert.equal(typeName(table.schema.fields[1]!), 'Decimal128(38, 18)');
    const written = await writeResult(RESULT, join(dir, 'r.arrows'));
    assert.equal(written.format, 'arrow');
    const bytes = await readFile(join(dir, 'r.arrows'));
    assert.notEqual(bytes.subarray(0, 6).toString('latin1'), 'ARROW1', 'the stream format has no file magic');
    const streamed = tableFromIPC(bytes);
    assert.deepEqual(ROWS.map((_, i) => decimalAt(streamed, 'd', i, 18)), EXACT);
    await writeResult(RESULT, join(dir, 'r.data'), { format: 'arrow' });
    assert.equal((await readFile(join(dir, 'r.data'))).subarray(0, 6).toString('latin1'), 'ARROW1');
  });
});

test('a table built by hand: inferred types, integers beyond 64 bits as Decimal128(38, 0); design results carry tessera_design', async () => {
  const big = -(2n ** 100n);
  const hand: WritableResult = { table: { columns: ['k', 'x', 'label', 'wide', 'nothing'], rows: [
    { k: 1, x: 0.1, label: 'a', wide: big, nothing: null },
    { k: 2n, x: null, label: null, wide: 7, nothing: null },
  ] }, design: true };
  await withTempDir(async (dir) => {
    const path = join(dir, 'hand.dummy.arrow');
    await writeResult(hand, path);
    const table = tableFromIPC(await readFile(path));
    assert.deepEqual(table.schema.fields.map(typeName), ['Int64', 'Float64', 'Utf8', 'Decimal128(38, 0)', 'Utf8']);
    assert.equal(table.schema.metadata.get('tessera_design'), 'dummy data (design mode), not real results');
    assert.deepEqual(cellsOf(table, 'k'), [1n, 2n]);
    assert.deepEqual(cellsOf(table, 'x'), [0.1, null]);
    assert.deepEqual(cellsOf(table, 'label'), ['a', null]);
    assert.deepEqual([0, 1].map((i) => decimalAt(table, 'wide', i, 0)), [big.toString(), '7']);
    assert.deepEqual(cellsOf(table, 'nothing'), [null, null]);
    assert.equal(table.getChild('nothing')!.nullCount, 2);
  });
});

test('a category cell outside its declared levels is refused, and no file is left behind', async () => {
  const bad: WritableResult = { table: { columns: ['c'], rows: [{ c: 'F' }, { c: 'Q' }] }, columnTypes: { c: { kind: 'category', dictionary: ['F', 'M'] } } };
  await withTempDir(async (dir) => {
    await assert.rejects(writeResult(bad, join(dir, 'c.arrow')), (e: unknown) => e instanceof UsageError && /row 2: 'Q' is not one of the category's levels \(F, M\)/.test(e.message));
    const { readdir } = await import('node:fs/promises');
    assert.deepEqual(await readdir(dir), []);
  });
});
