import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuplicateColumnError, SchemaError } from '../../src/errors.js';
import { encodedColumnNames, parseSchema, schemaToJson, type TableSchemaJson } from '../../src/table/schema.js';

const example: TableSchemaJson = {
  version: 1,
  columns: [
    { name: 'age', nullable: false, type: 'integer', min: '0', max: '120' },
    { name: 'income', nullable: true, type: 'decimal', scale: 2, min: '-1000000.00', max: '1000000.00' },
    { name: 'smoker', nullable: false, type: 'boolean' },
    { name: 'visit', nullable: false, type: 'date', min: '1900-01-01', max: '2099-12-31' },
    { name: 'blood_type', nullable: true, type: 'category', dictionary: ['A', 'B', 'AB', 'O'] },
    { name: 'patient', nullable: false, type: 'identifier' },
  ],
};

test('schema JSON round-trips exactly and is plain JSON', () => {
  const schema = parseSchema(example);
  assert.deepEqual(schemaToJson(schema), example);
  assert.deepEqual(JSON.parse(JSON.stringify(schemaToJson(schema))), example);
  assert.deepEqual(parseSchema(JSON.parse(JSON.stringify(example))), schema);
});

test('encoded column names put each validity column after its column', () => {
  assert.deepEqual(encodedColumnNames(parseSchema(example)), ['age', 'income', 'income$valid', 'smoker', 'visit', 'blood_type', 'blood_type$valid', 'patient']);
});

test('omitted fields get explicit defaults in the JSON form', () => {
  const schema = parseSchema({ version: 1, columns: [{ name: 'n', type: 'integer' }, { name: 'd', type: 'decimal', scale: 3 }, { name: 't', type: 'date' }] });
  assert.deepEqual(schemaToJson(schema).columns, [
    { name: 'n', nullable: false, type: 'integer', min: '-9007199254740991', max: '9007199254740991' },
    { name: 'd', nullable: false, type: 'decimal', scale: 3, min: '-9007199254740.991', max: '9007199254740.991' },
    { name: 't', nullable: false, type: 'date', min: '0001-01-01', max: '9999-12-31' },
  ]);
});

test('bounds may be given as numbers, bigints or text; the JSON form uses text', () => {
  const schema = parseSchema({ version: 1, columns: [{ name: 'x', type: 'integer', min: -5, max: 10n }, { name: 'p', type: 'decimal', scale: 2, min: 0, max: 99.5 }] });
  assert.deepEqual(schemaToJson(schema).columns.map((c) => ('min' in c ? [c.min, c.max] : [])), [['-5', '10'], ['0.00', '99.50']]);
});

test('the widest legal ranges are accepted, one unit more is refused', () => {
  const limit = (1n << 62n) - 1n;
  parseSchema({ version: 1, columns: [{ name: 'x', type: 'integer', min: (-limit).toString(), max: limit.toString() }] });
  parseSchema({ version: 1, columns: [{ name: 'd', type: 'decimal', scale: 18, min: '-4.611686018427387903', max: '4.611686018427387903' }] });
  assert.throws(() => parseSchema({ version: 1, columns: [{ name: 'x', type: 'integer', max: (limit + 1n).toString() }] }), SchemaError);
  assert.throws(() => parseSchema({ version: 1, columns: [{ name: 'd', type: 'decimal', scale: 18, max: '4.611686018427387904' }] }), SchemaError);
});

const invalid: [string, unknown, new (...args: never[]) => Error][] = [
  ['not an object', 42, SchemaError],
  ['wrong version', { version: 2, columns: [] }, SchemaError],
  ['unknown top-level field', { version: 1, columns: [{ name: 'a', type: 'boolean' }], extra: 1 }, SchemaError],
  ['no columns', { version: 1, columns: [] }, SchemaError],
  ['bad name', { version: 1, columns: [{ name: '1abc', type: 'boolean' }] }, SchemaError],
  ['name with space', { version: 1, columns: [{ name: 'a b', type: 'boolean' }] }, SchemaError],
  ['name with $', { version: 1, columns: [{ name: 'a$valid', type: 'boolean' }] }, SchemaError],
  ['name too long', { version: 1, columns: [{ name: 'a'.repeat(64), type: 'boolean' }] }, SchemaError],
  ['duplicate names', { version: 1, columns: [{ name: 'a', type: 'boolean' }, { name: 'a', type: 'date' }] }, DuplicateColumnError],
  ['duplicate names ignoring case', { version: 1, columns: [{ name: 'Age', type: 'boolean' }, { name: 'age', type: 'date' }] }, DuplicateColumnError],
  ['unknown type', { version: 1, columns: [{ name: 'a', type: 'float' }] }, SchemaError],
  ['unknown type field', { version: 1, columns: [{ name: 'a', type: 'boolean', min: 0 }] }, SchemaError],
  ['typo in nullable', { version: 1, columns: [{ name: 'a', type: 'boolean', nulable: true }] }, SchemaError],
  ['nullable not boolean', { version: 1, columns: [{ name: 'a', type: 'boolean', nullable: 'yes' }] }, SchemaError],
  ['empty range', { version: 1, columns: [{ name: 'a', type: 'integer', min: 5, max: 4 }] }, SchemaError],
  ['fractional integer bound', { version: 1, columns: [{ name: 'a', type: 'integer', max: 4.5 }] }, SchemaError],
  ['unsafe number bound', { version: 1, columns: [{ name: 'a', type: 'integer', max: 2 ** 60 }] }, SchemaError],
  ['missing scale', { version: 1, columns: [{ name: 'a', type: 'decimal' }] }, SchemaError],
  ['scale too large', { version: 1, columns: [{ name: 'a', type: 'decimal', scale: 19 }] }, SchemaError],
  ['negative scale', { version: 1, columns: [{ name: 'a', type: 'decimal', scale: -1 }] }, SchemaError],
  ['bound finer than scale', { version: 1, columns: [{ name: 'a', type: 'decimal', scale: 1, max: '1.25' }] }, SchemaError],
  ['bad date bound', { version: 1, columns: [{ name: 'a', type: 'date', min: '2023-02-29' }] }, SchemaError],
  ['empty date range', { version: 1, columns: [{ name: 'a', type: 'date', min: '2024-01-02', max: '2024-01-01' }] }, SchemaError],
  ['empty dictionary', { version: 1, columns: [{ name: 'a', type: 'category', dictionary: [] }] }, SchemaError],
  ['duplicate dictionary entry', { version: 1, columns: [{ name: 'a', type: 'category', dictionary: ['x', 'y', 'x'] }] }, SchemaError],
  ['non-string dictionary entry', { version: 1, columns: [{ name: 'a', type: 'category', dictionary: ['x', 1] }] }, SchemaError],
];

for (const [what, json, errorClass] of invalid) {
  test(`schema validation refuses: ${what}`, () => {
    assert.throws(() => parseSchema(json), errorClass);
  });
}
