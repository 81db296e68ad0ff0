import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import {
  DuplicateColumnError, EmptyTableError, InputFileError, LineTooLongError, NullValueError, RaggedRowError, RangeCheckError, SchemaError, TypeInferenceError,
  UnknownCategoryError, UsageError, ValueParseError, type CellError,
} from '../../src/errors.js';
import { readTable, type ReadTableOptions } from '../../src/client/read-table.js';
import { assertSafeError, catchAsync } from '../helpers/errors.js';
import { tempDir, writeParquet } from '../helpers/files.js';

const tmp = tempDir();
after(() => tmp.cleanup());

async function readText(name: string, text: string, options: ReadTableOptions = {}): Promise<unknown> {
  const path = tmp.path(name);
  writeFileSync(path, text);
  return catchAsync(() => readTable(path, options));
}

const ageDeclared: ReadTableOptions = { columns: { age: { type: 'integer', min: 0, max: 120 } } };

test('missing file, directory, unknown extension', async () => {
  assertSafeError(await catchAsync(() => readTable(tmp.path('nope.csv'))), InputFileError, undefined, 'file not found');
  mkdirSync(tmp.path('folder.csv'));
  assertSafeError(await catchAsync(() => readTable(tmp.path('folder.csv'))), InputFileError, undefined, 'is a directory');
  // The advice names what the SDK and the CLI really offer.
  assertSafeError(await readText('data.xlsx', 'a\n1\n'), InputFileError, undefined, "(SDK: format: 'csv' or 'parquet'; CLI: --format csv or --format parquet)");
  assert.equal((await readTable(tmp.path('data.xlsx'), { format: 'csv' })).rowCount, 1);
});

test('empty file, header only, blank file', async () => {
  assertSafeError(await readText('empty.csv', ''), EmptyTableError, undefined, 'is empty');
  assertSafeError(await readText('header.csv', 'id,age\n'), EmptyTableError, undefined, 'header but no data rows');
  assertSafeError(await readText('header-no-newline.csv', 'id,age'), EmptyTableError, undefined, 'header but no data rows');
});

test('a file of blank lines: no header and no data, not an invalid column name', async () => {
  for (const [name, text] of [['blank.csv', '\n\n\n'], ['spaces.csv', '   \n\n'], ['crlf.csv', '\r\n\r\n'], ['commas.csv', ',\n,\n']]) {
    assertSafeError(await readText(name as string, text as string), EmptyTableError, undefined, 'has only blank lines (or lines of empty fields): no header and no data');
  }
  assertSafeError(await readText('no-names.csv', ',\n1,2\n'), InputFileError, undefined, "the first line of '");
  assert.match((await readText('no-names.csv', ',\n1,2\n') as Error).message, /has no column names \(its fields are empty or blank\); the first line must be the header/);
  // Blank lines before a header are skipped, as before.
  writeFileSync(tmp.path('blank-first.csv'), '\n\nage\n30\n');
  assert.equal((await readTable(tmp.path('blank-first.csv'))).rowCount, 1);
});

test('a CSV line over the maximum line size says so, by line, and the limit can be raised', async () => {
  const long = `1,SECRET-31337${'x'.repeat(2_100_000)}\n`;
  // Early in the file DuckDB's sniffer throws (its line number is wrong there); the line is found by scanning.
  const early = await readText('long-early.csv', `a,b\n3,4\n${long}5,6\n`);
  assertSafeError(early, LineTooLongError, 'SECRET-31337', 'line 3 of the file is 2100015 bytes long, more than the maximum line size of 2000000 bytes (the default)');
  assert.equal((early as LineTooLongError).line, 3);
  assert.match((early as Error).message, /SDK: maxLineSize, CLI: --max-line-size BYTES/);
  assert.equal((await readTable(tmp.path('long-early.csv'), { maxLineSize: 3_000_000, select: ['a'] })).rowCount, 3);
  // Past the sniffer's sample, DuckDB lists the line as rejected.
  const rows = Array.from({ length: 30_000 }, (_, i) => `${i},${i}\n`).join('');
  const late = await readText('long-late.csv', `a,b\n${rows}1,${'y'.repeat(300)}\n`, { maxLineSize: 200 });
  assertSafeError(late, LineTooLongError, 'yyyy', 'line 30002 of the file is longer than the maximum line size of 200 bytes (the limit given)');
  for (const maxLineSize of [0, 1.5, 2 ** 30 + 1]) {
    assertSafeError(await catchAsync(() => readTable(tmp.path('long-late.csv'), { maxLineSize })), UsageError, undefined, 'maxLineSize must be a whole number of bytes from 1 to 1073741824');
  }
});

test('ragged rows: fewer and more fields, reported by line without the line', async () => {
  const fewer = await readText('fewer.csv', 'id,age,w\n1,2,3\n4,5,6\n7,SECRET-31337\n8,9,10\n');
  assertSafeError(fewer, RaggedRowError, 'SECRET-31337', 'line 4 of the file has fewer fields');
  assert.equal((fewer as RaggedRowError).line, 4);
  const more = await readText('more.csv', 'id,age,w\n1,2,3\n4,5,6,SECRET-31337\n8,9,10\n');
  assertSafeError(more, RaggedRowError, 'SECRET-31337', 'line 3 of the file has more fields');
});

test('malformed CSV: an unterminated quote', async () => {
  assertSafeError(await readText('quote.csv', 'id,name\n1,"SECRET-31337\n2,b\n'), InputFileError, 'SECRET-31337');
});

test('a value that does not parse as the declared type', async () => {
  const error = await readText('parse.csv', 'id,age\n1,30\n2,31\n3,SECRET-31337\n', ageDeclared);
  assertSafeError(error, ValueParseError, 'SECRET-31337', "row 3 of column 'age' is not a valid integer");
  assert.equal((error as CellError).row, 3);
  assert.equal((error as CellError).column, 'age');
  assertSafeError(await readText('parse-date.csv', 'd\n2024-01-01\n2023-02-29\n', { columns: { d: { type: 'date' } } }), ValueParseError, '2023-02-29', "row 2 of column 'd' is not a valid date");
  assertSafeError(
    await readText('precision.csv', 'p\n1.25\n31337.12345\n', { columns: { p: { type: 'decimal', scale: 2 } } }),
    ValueParseError, '31337', "row 2 of column 'p' has more decimal digits than the declared scale 2",
  );
});

test('out of range: the message names row, column and declared range, never the value', async () => {
  for (const [bad, range] of [['121', '[0, 120]'], ['-1', '[0, 120]'], ['99999999999999999999999999', '[0, 120]']] as const) {
    const error = await readText(`range-${bad.length}.csv`, `id,age\n1,30\n2,${bad}\n`, ageDeclared);
    assertSafeError(error, RangeCheckError, bad === '-1' ? undefined : bad, `row 2 of column 'age' is outside the declared range ${range}`);
  }
  assertSafeError(
    await readText('range-date.csv', 'd\n1899-12-31\n', { columns: { d: { type: 'date', min: '1900-01-01', max: '2099-12-31' } } }),
    RangeCheckError, '1899-12-31', "row 1 of column 'd' is outside the declared range [1900-01-01, 2099-12-31]",
  );
  assertSafeError(
    await readText('range-decimal.csv', 'p\n10.01\n', { columns: { p: { type: 'decimal', scale: 2, min: '-10.00', max: '10.00' } } }),
    RangeCheckError, '10.01', "row 1 of column 'p' is outside the declared range [-10.00, 10.00]",
  );
});

test('unknown category', async () => {
  const error = await readText('category.csv', 'b\nA\nSECRET-31337\n', { columns: { b: { type: 'category', dictionary: ['A', 'B'] } } });
  assertSafeError(error, UnknownCategoryError, 'SECRET-31337', "row 2 of column 'b' is not in the column's dictionary (2 entries)");
});

test('null in a non-nullable column', async () => {
  const error = await readText('null.csv', 'id,age\n1,30\n2,\n', ageDeclared);
  assertSafeError(error, NullValueError, undefined, "row 2 of column 'age' is empty (null), but the column is not nullable");
});

test('the first bad row of the first bad column is reported', async () => {
  const error = await readText('first.csv', 'id,age\n1,200\nx,abc\n', { columns: { id: { type: 'integer' }, age: { type: 'integer', min: 0, max: 120 } } });
  assertSafeError(error, ValueParseError, undefined, "row 2 of column 'id'");
});

test('duplicate, invalid and unknown column names', async () => {
  assertSafeError(await readText('dup.csv', 'id,age,id\n1,2,3\n'), DuplicateColumnError, undefined, "'id'");
  assertSafeError(await readText('dup-case.csv', 'Age,age\n1,2\n'), DuplicateColumnError);
  assertSafeError(await readText('badname.csv', 'Patient ID,age\n1,2\n'), SchemaError, undefined, "(SDK: rename: { 'Patient ID': 'new_name' }; CLI: --rename 'Patient ID=new_name'), or leave it out (SDK: select; CLI: --select)");
  assertSafeError(await readText('dup-case.csv', 'Age,age\n1,2\n'), DuplicateColumnError, undefined, "(SDK: rename: { 'age': 'other_name' }; CLI: --rename 'age=other_name')");
  assertSafeError(await readText('noheader.csv', ',age\n1,2\n'), SchemaError);
  assertSafeError(await readText('undeclared.csv', 'id\n1\n', ageDeclared), SchemaError, undefined, "'age', which is not in the table");
});

test('not a Parquet file; an empty Parquet file', async () => {
  assertSafeError(await readText('fake.parquet', 'id,SECRET-31337\n1,2\n'), InputFileError, 'SECRET-31337', 'as Parquet');
  const empty = await writeParquet(tmp.path('empty.parquet'), 'SELECT 1 AS a WHERE false');
  assertSafeError(await catchAsync(() => readTable(empty)), EmptyTableError);
});

test('in-memory columns: no rows, different lengths, bad values', async () => {
  assertSafeError(await catchAsync(() => readTable({ columns: { a: [] } })), EmptyTableError);
  assertSafeError(await catchAsync(() => readTable({ columns: {} })), SchemaError);
  assertSafeError(await catchAsync(() => readTable({ columns: { age: [1, 'SECRET-31337'] } })), TypeInferenceError, 'SECRET-31337');
  assertSafeError(await catchAsync(() => readTable({ columns: { age: [1, 'SECRET-31337'] } }, ageDeclared)), ValueParseError, 'SECRET-31337', "row 2 of column 'age'");
  assertSafeError(await catchAsync(() => readTable({ columns: { age: [1, 121] } }, ageDeclared)), RangeCheckError, '121', "row 2 of column 'age' is outside the declared range [0, 120]");
});

test('a CSV line that is not valid UTF-8', async () => {
  const path = tmp.path('bad-utf8.csv');
  writeFileSync(path, Buffer.concat([Buffer.from('a,b\n1,x\n2,'), Buffer.from([0xff, 0xfe]), Buffer.from('SECRET-31337\n')]));
  assertSafeError(await catchAsync(() => readTable(path, { columns: { b: { type: 'identifier' } }, identifierKey: new Uint8Array(32) })), InputFileError, 'SECRET-31337', 'line 3');
});
