import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { NullValueError, RangeCheckError, UnknownCategoryError, UsageError, ValueParseError } from '../../src/errors.js';
import { MAX_DATE_DAYS, MIN_DATE_DAYS, formatIsoDate, parseIsoDate } from '../../src/table/civil-date.js';
import { decodeColumn, decodeTable } from '../../src/table/decode.js';
import { encodeColumn, encodeTable } from '../../src/table/encode.js';
import { parseColumnSchema, parseSchema, type ColumnSchema } from '../../src/table/schema.js';
import { formatScaled } from '../../src/table/text-grammar.js';
import { IdentifierHasher, identifierHmacPads } from '../../src/table/types/identifier.js';
import { assertSafeError, catchSync } from '../helpers/errors.js';

const LIMIT = (1n << 62n) - 1n;

function column(json: Record<string, unknown>): ColumnSchema {
  return parseColumnSchema({ name: 'c', ...json });
}

/** Encodes one value and decodes it back (as text for decimals). */
function roundTrip(c: ColumnSchema, value: unknown, hasher?: IdentifierHasher): unknown {
  const [encoded] = encodeColumn(c, [value], hasher);
  return decodeColumn(c, encoded!.values, undefined, { decimals: 'text' })[0];
}

test('integer: round trip over the declared range, as bigint, number and text', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -LIMIT, max: LIMIT }), fc.bigInt({ min: -LIMIT, max: LIMIT }), fc.bigInt({ min: -LIMIT, max: LIMIT }), (a, b, x) => {
      const [min, max] = a <= b ? [a, b] : [b, a];
      const c = column({ type: 'integer', min: min.toString(), max: max.toString() });
      const v = x < min ? min : x > max ? max : x;
      const safe = min >= -(2n ** 53n - 1n) && max <= 2n ** 53n - 1n;
      const expected = safe ? Number(v) : v;
      assert.equal(roundTrip(c, v), expected);
      assert.equal(roundTrip(c, v.toString()), expected);
      if (safe) assert.equal(roundTrip(c, Number(v)), expected);
    }),
  );
});

test('integer: edge values 0, -1, min and max; min-1 and max+1 are refused', () => {
  const c = column({ type: 'integer', min: -1000, max: 1000 });
  for (const v of [0, -1, -1000, 1000]) assert.equal(roundTrip(c, v), v);
  assert.equal(encodeColumn(c, [-1])[0]!.values[0], (1n << 64n) - 1n, 'negative values are two\'s complement');
  for (const v of [-1001, 1001]) {
    const error = catchSync(() => encodeColumn(c, [0, v]));
    assertSafeError(error, RangeCheckError, String(v), "row 2 of column 'c' is outside the declared range [-1000, 1000]");
    assert.equal((error as RangeCheckError).row, 2);
  }
  const wide = column({ type: 'integer', min: (-LIMIT).toString(), max: LIMIT.toString() });
  assert.equal(roundTrip(wide, LIMIT), LIMIT);
  assert.equal(roundTrip(wide, -LIMIT), -LIMIT);
  assert.throws(() => encodeColumn(wide, [LIMIT + 1n]), RangeCheckError);
});

test('integer: non-integers are parse errors that do not show the value', () => {
  const c = column({ type: 'integer', min: 0, max: 100 });
  for (const bad of ['12.5', '1e3', ' 12', 'abc', 12.5, true, NaN]) {
    assertSafeError(catchSync(() => encodeColumn(c, [bad])), ValueParseError, String(bad), "row 1 of column 'c' is not a valid integer");
  }
});

test('decimal: exact round trip for every scale and stored value (text in, text out)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 18 }), fc.bigInt({ min: -LIMIT, max: LIMIT }), (scale, scaled) => {
      const c = column({ type: 'decimal', scale, min: formatScaled(-LIMIT, scale), max: formatScaled(LIMIT, scale) });
      const text = formatScaled(scaled, scale);
      assert.equal(roundTrip(c, text), text);
      assert.equal(encodeColumn(c, [text])[0]!.values[0], BigInt.asUintN(64, scaled));
    }),
  );
});

test('decimal: numbers are accepted when they are the nearest double to an s-digit decimal', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 9 }), fc.bigInt({ min: -(2n ** 53n - 1n), max: 2n ** 53n - 1n }), (scale, scaled) => {
      const c = column({ type: 'decimal', scale });
      const n = Number(formatScaled(scaled, scale));
      const small = scaled >= -(2n ** 51n) && scaled <= 2n ** 51n;
      let stored: bigint;
      try {
        stored = BigInt.asIntN(64, encodeColumn(c, [n])[0]!.values[0]!);
      } catch (error) {
        // Above 2^51 the product x·10^s may round to a neighbour; the number is then refused, never mis-stored.
        assert.ok(!small && (error instanceof ValueParseError || error instanceof RangeCheckError), String(error));
        return;
      }
      // Always: the stored decimal's nearest double is the number given.
      assert.equal(Number(stored) / 10 ** scale, n);
      // Below 2^51 a double tells neighbouring decimals apart, so the stored value is the intended one.
      if (small) assert.equal(stored, scaled);
      assert.equal(decodeColumn(c, encodeColumn(c, [n])[0]!.values)[0], n);
    }),
  );
});

test('decimal: edges, the largest decimal, trailing zeros, too many digits, out of range', () => {
  const c = column({ type: 'decimal', scale: 2, min: '-10.00', max: '10.00' });
  for (const [input, text] of [[0, '0.00'], [-1, '-1.00'], ['-10', '-10.00'], ['10.00', '10.00'], ['.5', '0.50'], ['5.', '5.00'], ['+1.230', '1.23'], ['-0.05', '-0.05'], [0.1, '0.10']] as const) {
    assert.equal(roundTrip(c, input), text);
  }
  for (const bad of ['-10.01', '10.01', 10.01]) assertSafeError(catchSync(() => encodeColumn(c, [bad])), RangeCheckError, String(bad), '[-10.00, 10.00]');
  for (const bad of ['1.234', 0.125]) assertSafeError(catchSync(() => encodeColumn(c, [bad])), ValueParseError, String(bad), 'more decimal digits than the declared scale 2');
  for (const bad of ['1e2', '1,5', '', '-', '.', '1.2.3']) assertSafeError(catchSync(() => encodeColumn(c, [bad])), ValueParseError, undefined, 'is not a valid decimal');
  assertSafeError(catchSync(() => encodeColumn(c, ['31337.7777'])), ValueParseError, '31337', 'more decimal digits');
  assertSafeError(catchSync(() => encodeColumn(c, ['31337.77'])), RangeCheckError, '31337', 'outside the declared range');
  const largest = column({ type: 'decimal', scale: 18, min: '-4.611686018427387903', max: '4.611686018427387903' });
  assert.equal(roundTrip(largest, '4.611686018427387903'), '4.611686018427387903');
  assert.equal(roundTrip(largest, '-4.611686018427387903'), '-4.611686018427387903');
  assert.throws(() => encodeColumn(largest, ['4.611686018427387904']), RangeCheckError);
});

test('boolean: true/false in all accepted forms', () => {
  const c = column({ type: 'boolean' });
  for (const t of [true, 'true', 'TRUE', 'True', '1', 1, 1n]) assert.equal(roundTrip(c, t), true);
  for (const f of [false, 'false', 'FALSE', 'False', '0', 0, 0n]) assert.equal(roundTrip(c, f), false);
  for (const bad of ['tru', 2, '', 't', 'yes']) assertSafeError(catchSync(() => encodeColumn(c, [bad])), ValueParseError, undefined, 'is not a valid boolean');
  assertSafeError(catchSync(() => encodeColumn(c, ['SECRET-yes'])), ValueParseError, 'SECRET-yes');
});

test('date: every day from 0001-01-01 to 9999-12-31 round-trips and matches JS Date', () => {
  const c = column({ type: 'date' });
  fc.assert(
    fc.property(fc.integer({ min: MIN_DATE_DAYS, max: MAX_DATE_DAYS }), (days) => {
      const iso = formatIsoDate(days);
      assert.equal(iso, new Date(days * 86_400_000).toISOString().slice(0, 10));
      assert.equal(parseIsoDate(iso), days);
      assert.equal(encodeColumn(c, [iso])[0]!.values[0], BigInt.asUintN(64, BigInt(days)));
      assert.equal(roundTrip(c, new Date(days * 86_400_000)), iso);
    }),
  );
});

test('date: before 1970, leap days, declared range edges', () => {
  const c = column({ type: 'date', min: '1900-01-01', max: '2099-12-31' });
  assert.equal(encodeColumn(c, ['1969-12-31'])[0]!.values[0], (1n << 64n) - 1n);
  for (const d of ['1900-01-01', '2099-12-31', '1970-01-01', '2000-02-29', '1904-02-29']) assert.equal(roundTrip(c, d), d);
  for (const bad of ['1899-12-31', '2100-01-01']) assertSafeError(catchSync(() => encodeColumn(c, [bad])), RangeCheckError, bad, '[1900-01-01, 2099-12-31]');
  for (const bad of ['1900-02-29', '2023-02-29', '2024-13-01', '2024-1-5', '0000-01-01', '2024-01-01T00:00', new Date(Date.UTC(2024, 0, 1, 12))]) {
    assertSafeError(catchSync(() => encodeColumn(c, [bad])), ValueParseError, typeof bad === 'string' ? bad : undefined, 'is not a valid date');
  }
});

test('category: index in the dictionary; unknown values refused', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.string(), { minLength: 1, maxLength: 20 }), fc.nat(), (dictionary, k) => {
      const c = column({ type: 'category', dictionary });
      const entry = dictionary[k % dictionary.length]!;
      assert.equal(encodeColumn(c, [entry])[0]!.values[0], BigInt(dictionary.indexOf(entry)));
      assert.equal(roundTrip(c, entry), entry);
    }),
  );
  const c = column({ type: 'category', dictionary: ['A', 'B', 'AB', 'O'] });
  assertSafeError(catchSync(() => encodeColumn(c, ['A', 'SECRET-VALUE'])), UnknownCategoryError, 'SECRET-VALUE', "row 2 of column 'c' is not in the column's dictionary (4 entries)");
  assertSafeError(catchSync(() => encodeColumn(c, ['a'])), UnknownCategoryError, undefined);
});

test('identifier: equal under one key, different under another, 62 bits, empty string allowed', () => {
  const c = column({ type: 'identifier' });
  const key = new Uint8Array(32).fill(1);
  const ownerA = new IdentifierHasher(key);
  const ownerB = new IdentifierHasher(Uint8Array.from(key));
  const other = new IdentifierHasher(new Uint8Array(32).fill(2));
  fc.assert(
    fc.property(fc.string(), fc.string(), (x, y) => {
      const [a] = encodeColumn(c, [x, y], ownerA);
      const [b] = encodeColumn(c, [x, y], ownerB);
      const [o] = encodeColumn(c, [x, y], other);
      assert.deepEqual(a!.values, b!.values);
      assert.notEqual(a!.values[0], o!.values[0]);
      assert.ok(a!.values[0]! < 1n << 62n);
      assert.equal(a!.values[0] === a!.values[1], x === y);
    }),
  );
  assert.notEqual(ownerA.hash(''), ownerA.hash(' '));
  assert.equal(encodeColumn(c, [12345], ownerA)[0]!.values[0], ownerA.hash('12345'));
});

test('identifier: the HMAC pads reproduce the hash with plain SHA-256 (as the file reader does)', () => {
  for (const key of [new Uint8Array(16).fill(9), new Uint8Array(64).fill(3), new Uint8Array(100).map((_, i) => i)]) {
    const { inner, outer } = identifierHmacPads(key);
    for (const value of ['', 'P-001', 'é😀']) {
      const innerDigest = createHash('sha256').update(inner).update(value, 'utf8').digest();
      const digest = createHash('sha256').update(outer).update(innerDigest).digest();
      assert.equal(digest.readBigUInt64BE(0) >> 2n, new IdentifierHasher(key).hash(value));
    }
  }
});

test('identifier: a missing or short key is refused', () => {
  const schema = parseSchema({ version: 1, columns: [{ name: 'p', type: 'identifier' }] });
  assert.throws(() => encodeTable(schema, { p: ['x'] }), UsageError);
  assert.throws(() => encodeTable(schema, { p: ['x'] }, { identifierKey: new Uint8Array(8) }), UsageError);
});

test('nullable columns store 0 and a validity bit; non-nullable columns refuse nulls', () => {
  const schema = parseSchema({ version: 1, columns: [{ name: 'a', type: 'integer', nullable: true }, { name: 'b', type: 'boolean' }] });
  const table = encodeTable(schema, { a: [5, null, undefined, -1], b: [true, false, true, false] });
  assert.deepEqual(table.columns.map((c) => c.name), ['a', 'a$valid', 'b']);
  assert.deepEqual([...table.columns[0]!.values], [5n, 0n, 0n, (1n << 64n) - 1n]);
  assert.deepEqual([...table.columns[1]!.values], [1n, 0n, 0n, 1n]);
  assert.deepEqual(decodeTable(table), { a: [5, null, null, -1], b: [true, false, true, false] });
  const error = catchSync(() => encodeTable(schema, { a: [1, 2, 3], b: [true, null, false] }));
  assertSafeError(error, NullValueError, undefined, "row 2 of column 'b' is empty (null), but the column is not nullable");
});

test('columns of different lengths are refused', () => {
  const schema = parseSchema({ version: 1, columns: [{ name: 'a', type: 'integer' }, { name: 'b', type: 'integer' }] });
  assert.throws(() => encodeTable(schema, { a: [1, 2], b: [1] }), UsageError);
});
