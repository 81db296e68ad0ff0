/** In-memory input: numbers a double cannot hold exactly are refused; bigints and strings are exact. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeContributionRow } from '../../src/client/contribution.js';
import { readTable, type ReadTableOptions } from '../../src/client/read-table.js';
import { ValueParseError } from '../../src/errors.js';
import { parseSchema } from '../../src/table/schema.js';
import { IdentifierHasher } from '../../src/table/types/identifier.js';
import { assertSafeError, catchAsync, catchSync } from '../helpers/errors.js';

const ABOVE_2_53 = '9007199254740993';
const wideInteger: ReadTableOptions = { columns: { n: { type: 'integer', min: '-100000000000000000', max: '100000000000000000' } } };
const wideDecimal: ReadTableOptions = { columns: { p: { type: 'decimal', scale: 2, min: '-1000000000000000.00', max: '1000000000000000.00' } } };
const key = new Uint8Array(32).fill(7);

test('an integer column refuses JavaScript numbers beyond 2^53 and names bigint and string instead', async () => {
  // The literal 9007199254740993 is the double 9007199254740992: it must not be stored as such.
  const error = await catchAsync(() => readTable({ columns: { n: [1, Number(ABOVE_2_53)] } }, wideInteger));
  assertSafeError(error, ValueParseError, undefined, "row 2 of column 'n' is a JavaScript number beyond 2^53");
  assert.match((error as Error).message, /pass such values as a bigint or a string/);
  assertSafeError(await catchAsync(() => readTable({ columns: { n: [-(2 ** 60)] } }, wideInteger)), ValueParseError, undefined, 'row 1');
  assertSafeError(await catchAsync(() => readTable({ columns: { n: [2 ** 53] } }, wideInteger)), ValueParseError, undefined, 'beyond 2^53');
  // Inferred columns too (before, this was a range error that did not say why).
  assertSafeError(await catchAsync(() => readTable({ columns: { n: [Number(ABOVE_2_53)] } })), ValueParseError, undefined, 'bigint or a string');
});

test('an integer column stores bigints and digit strings beyond 2^53 exactly, and safe numbers as before', async () => {
  const table = await readTable({ columns: { n: [BigInt(ABOVE_2_53), '9007199254740995', Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER] } }, wideInteger);
  assert.deepEqual([...(table.columns[0]?.values ?? [])], [9007199254740993n, 9007199254740995n, 9007199254740991n, BigInt.asUintN(64, -9007199254740991n)]);
});

test('a decimal column refuses numbers of 2^52 stored units or more, where neighbouring decimals share a double', async () => {
  // 675539944105574.7 and 675539944105574.8 are one double: before, the first was stored as the second.
  const tenths: ReadTableOptions = { columns: { p: { type: 'decimal', scale: 1, min: '-1000000000000000.0', max: '1000000000000000.0' } } };
  const error = await catchAsync(() => readTable({ columns: { p: [1.5, 675539944105574.7] } }, tenths));
  assertSafeError(error, ValueParseError, '675539944105574', "row 2 of column 'p' is a JavaScript number beyond 2^52 units of 10^-1");
  assertSafeError(await catchAsync(() => readTable({ columns: { p: [-90071992547409.93] } }, wideDecimal)), ValueParseError, undefined, 'bigint or a string');
  const exact = await readTable({ columns: { p: ['675539944105574.7', 450359962737.0495] } }, tenths).catch((e: unknown) => e);
  assert.ok(exact instanceof ValueParseError && /row 2 .* more decimal digits/.test(exact.message), 'a safe number with too many digits is still a precision error');
  const table = await readTable({ columns: { p: ['675539944105574.7', 12.5, 10n ** 15n, 45035996273.7] } }, tenths);
  assert.deepEqual([...(table.columns[0]?.values ?? [])], [6755399441055747n, 125n, 10n ** 16n, 450359962737n]);
});

test('an identifier column refuses numbers beyond 2^53; a bigint hashes like its digits', async () => {
  const options: ReadTableOptions = { columns: { id: { type: 'identifier' } }, identifierKey: key };
  assertSafeError(await catchAsync(() => readTable({ columns: { id: [7, Number(ABOVE_2_53)] } }, options)), ValueParseError, undefined, "row 2 of column 'id'");
  const table = await readTable({ columns: { id: [BigInt(ABOVE_2_53), 7] } }, options);
  const hasher = new IdentifierHasher(key);
  assert.deepEqual([...(table.columns[0]?.values ?? [])], [hasher.hash(ABOVE_2_53), hasher.hash('7')]);
});

test('a contribution refuses a number beyond 2^53 and stores a bigint exactly', () => {
  const schema = parseSchema({ version: 1, columns: [{ name: 'n', nullable: false, type: 'integer', min: '0', max: '100000000000000000' }] });
  const error = catchSync(() => encodeContributionRow(schema, { n: Number(ABOVE_2_53) }));
  assertSafeError(error, ValueParseError, undefined, "the value for column 'n' is a JavaScript number beyond 2^53");
  assert.deepEqual(encodeContributionRow(schema, { n: BigInt(ABOVE_2_53) }).map((c) => c[0]), [9007199254740993n]);
});
