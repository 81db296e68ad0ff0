import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ColumnTypeError, NullValueError, RangeCheckError, TypeInferenceError, ValueParseError } from '../../src/errors.js';
import { readTable } from '../../src/client/read-table.js';
import { decodeTable } from '../../src/table/decode.js';
import { schemaToJson } from '../../src/table/schema.js';
import { IdentifierHasher } from '../../src/table/types/identifier.js';
import { assertSafeError, catchAsync } from '../helpers/errors.js';
import { tempDir, writeParquet } from '../helpers/files.js';

const tmp = tempDir();
after(() => tmp.cleanup());
const key = new Uint8Array(32).fill(7);

const typed = `
  SELECT * FROM (VALUES
    (1::TINYINT, 10::BIGINT, 0.5::DOUBLE, 2.25::DECIMAL(10,2), DATE '1969-12-31', true, 'P-1', 12345::INTEGER),
    (-2::TINYINT, NULL::BIGINT, 0.1::DOUBLE, -0.10::DECIMAL(10,2), DATE '2024-02-29', false, 'P-2', 7::INTEGER),
    (3::TINYINT, 30::BIGINT, 3.0::DOUBLE, 0.00::DECIMAL(10,2), DATE '1900-01-01', NULL, '', 12345::INTEGER)
  ) AS t(small, big, dbl, dec, day, flag, pid, num_id)`;

test('Parquet: storage types are inferred and encoded', async () => {
  const path = await writeParquet(tmp.path('typed.parquet'), typed);
  const table = await readTable(path, {
    columns: { big: { nullable: true }, flag: { nullable: true }, pid: { type: 'identifier' }, num_id: { type: 'identifier' } },
    identifierKey: key,
  });
  assert.deepEqual(schemaToJson(table.schema).columns.map((c) => [c.name, c.type, c.nullable, 'scale' in c ? c.scale : undefined]), [
    ['small', 'integer', false, undefined],
    ['big', 'integer', true, undefined],
    ['dbl', 'decimal', false, 1],
    ['dec', 'decimal', false, 2],
    ['day', 'date', false, undefined],
    ['flag', 'boolean', true, undefined],
    ['pid', 'identifier', false, undefined],
    ['num_id', 'identifier', false, undefined],
  ]);
  const hasher = new IdentifierHasher(key);
  assert.deepEqual(decodeTable(table, { decimals: 'text' }), {
    small: [1, -2, 3],
    big: [10, null, 30],
    dbl: ['0.5', '0.1', '3.0'],
    dec: ['2.25', '-0.10', '0.00'],
    day: ['1969-12-31', '2024-02-29', '1900-01-01'],
    flag: [true, false, null],
    pid: [hasher.hash('P-1'), hasher.hash('P-2'), hasher.hash('')],
    num_id: [hasher.hash('12345'), hasher.hash('7'), hasher.hash('12345')],
  });
});

test('Parquet: declared types convert storage types exactly', async () => {
  const path = await writeParquet(tmp.path('typed2.parquet'), typed);
  const table = await readTable(path, {
    select: ['small', 'dbl', 'dec', 'num_id'],
    columns: {
      small: { type: 'decimal', scale: 3, min: '-5.000', max: '5.000' },
      dbl: { type: 'decimal', scale: 4 },
      dec: { type: 'decimal', scale: 4 },
      num_id: { type: 'category', dictionary: ['7', '12345'] },
    },
  });
  assert.deepEqual(table.columns.map((c) => [...c.values]), [
    [1000n, BigInt.asUintN(64, -2000n), 3000n],
    [5000n, 1000n, 30000n],
    [22500n, BigInt.asUintN(64, -1000n), 0n],
    [1n, 0n, 1n],
  ]);
});

test('Parquet: inexact doubles, out-of-range integers and unsupported types are refused', async () => {
  const path = await writeParquet(tmp.path('typed3.parquet'), typed);
  assertSafeError(
    await catchAsync(() => readTable(path, { select: ['dbl'], columns: { dbl: { type: 'integer' } } })),
    ValueParseError, undefined, "row 1 of column 'dbl' is not a valid integer: it has a fractional part",
  );
  assertSafeError(
    await catchAsync(() => readTable(path, { select: ['dec'], columns: { dec: { type: 'decimal', scale: 1 } } })),
    ValueParseError, '2.25', "row 1 of column 'dec' has more decimal digits than the declared scale 1",
  );
  assertSafeError(
    await catchAsync(() => readTable(path, { select: ['small'], columns: { small: { type: 'decimal', scale: 2, min: '0.00', max: '2.00' } } })),
    RangeCheckError, undefined, "row 2 of column 'small' is outside the declared range [0.00, 2.00]",
  );
  assertSafeError(await catchAsync(() => readTable(path, { select: ['day'], columns: { day: { type: 'integer' } } })), ColumnTypeError, undefined, 'stored as DATE');
  const stamp = await writeParquet(tmp.path('stamp.parquet'), "SELECT TIMESTAMP '2024-01-01 10:00:00' AS at");
  assertSafeError(await catchAsync(() => readTable(stamp)), TypeInferenceError, undefined, "stored as TIMESTAMP, which has no Tessera type; convert it, or leave it out by selecting the columns to upload (SDK: select: ['a', 'b']; CLI: --select a,b)");
});

test('Parquet: FLOAT inferred at its shortest scale; huge unsigned and infinite values refused by row', async () => {
  const path = await writeParquet(
    tmp.path('edge.parquet'),
    "SELECT * FROM (VALUES (0.1::FLOAT, 18446744073709551615::UBIGINT, 'infinity'::DOUBLE), (2.5::FLOAT, 1::UBIGINT, 1.0::DOUBLE)) t(f, u, d)",
  );
  const floats = await readTable(path, { select: ['f'] });
  assert.deepEqual(schemaToJson(floats.schema).columns[0], { name: 'f', nullable: false, type: 'decimal', scale: 1, min: '-900719925474099.1', max: '900719925474099.1' });
  assert.deepEqual([...floats.columns[0]!.values], [1n, 25n]);
  assertSafeError(await catchAsync(() => readTable(path, { select: ['u'], columns: { u: { type: 'decimal', scale: 2 } } })), RangeCheckError, '18446744073709551615', "row 1 of column 'u'");
  assertSafeError(await catchAsync(() => readTable(path, { select: ['u'], columns: { u: { type: 'boolean' } } })), ValueParseError, undefined, "row 1 of column 'u'");
  assertSafeError(await catchAsync(() => readTable(path, { select: ['d'] })), TypeInferenceError, undefined, 'not finite');
  assertSafeError(await catchAsync(() => readTable(path, { select: ['d'], columns: { d: { type: 'decimal', scale: 2 } } })), ValueParseError, undefined, "row 1 of column 'd'");
});

test('Parquet: a null in a non-nullable column', async () => {
  const path = await writeParquet(tmp.path('typed4.parquet'), typed);
  assertSafeError(await catchAsync(() => readTable(path, { select: ['big'] })), NullValueError, undefined, "row 2 of column 'big' is empty (null)");
});
