import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { TypeInferenceError } from '../../src/errors.js';
import { readTable } from '../../src/client/read-table.js';
import { decodeTable } from '../../src/table/decode.js';
import { schemaToJson } from '../../src/table/schema.js';
import { IdentifierHasher } from '../../src/table/types/identifier.js';
import { csvText, tempDir } from '../helpers/files.js';

const tmp = tempDir();
after(() => tmp.cleanup());
const key = new Uint8Array(32).fill(42);

test('CSV: every type, declared, with nulls, negatives and dates before 1970', async () => {
  const path = tmp.path('all-types.csv');
  writeFileSync(
    path,
    'id,age,income,smoker,visit,blood,patient\n' +
      '1,34,1234.5,true,1969-12-31,A,P-001\n' +
      '2,,-0.05,FALSE,2024-02-29,O,""\n' +
      '3,120,0,1,1900-01-01,,P-001\n',
  );
  const table = await readTable(path, {
    identifierKey: key,
    columns: {
      age: { type: 'integer', min: 0, max: 120, nullable: true },
      income: { type: 'decimal', scale: 2, min: '-1000000.00', max: '1000000.00' },
      smoker: { type: 'boolean' },
      visit: { type: 'date', min: '1900-01-01', max: '2099-12-31' },
      blood: { type: 'category', dictionary: ['A', 'B', 'AB', 'O'], nullable: true },
      patient: { type: 'identifier' },
    },
  });
  assert.equal(table.rowCount, 3);
  assert.deepEqual(table.columns.map((c) => c.name), ['id', 'age', 'age$valid', 'income', 'smoker', 'visit', 'blood', 'blood$valid', 'patient']);
  const hasher = new IdentifierHasher(key);
  const column = (name: string): bigint[] => [...table.columns.find((c) => c.name === name)!.values];
  assert.deepEqual(column('income'), [123450n, BigInt.asUintN(64, -5n), 0n]);
  assert.deepEqual(column('visit'), [BigInt.asUintN(64, -1n), 19782n, BigInt.asUintN(64, -25567n)]);
  assert.deepEqual(column('patient'), [hasher.hash('P-001'), hasher.hash(''), hasher.hash('P-001')]);
  assert.deepEqual(decodeTable(table, { decimals: 'text' }), {
    id: [1, 2, 3],
    age: [34, null, 120],
    income: ['1234.50', '-0.05', '0.00'],
    smoker: [true, false, true],
    visit: ['1969-12-31', '2024-02-29', '1900-01-01'],
    blood: ['A', 'O', null],
    patient: [hasher.hash('P-001'), hasher.hash(''), hasher.hash('P-001')],
  });
});

test('CSV: inference of integer, decimal (scale as written), boolean and date', async () => {
  const path = tmp.path('infer.csv');
  writeFileSync(path, 'n,x,ok,day\n1,1.5,true,2024-01-01\n-20,2.125,false,1950-06-30\n3,0.10,True,2000-02-29\n');
  const table = await readTable(path);
  assert.deepEqual(schemaToJson(table.schema).columns, [
    { name: 'n', nullable: false, type: 'integer', min: '-9007199254740991', max: '9007199254740991' },
    { name: 'x', nullable: false, type: 'decimal', scale: 3, min: '-9007199254740.991', max: '9007199254740.991' },
    { name: 'ok', nullable: false, type: 'boolean' },
    { name: 'day', nullable: false, type: 'date', min: '0001-01-01', max: '9999-12-31' },
  ]);
  assert.deepEqual([...table.columns[1]!.values], [1500n, 2125n, 100n]);
});

test('CSV: text columns must be declared, and the error says how', async () => {
  const path = tmp.path('text.csv');
  writeFileSync(path, 'name,code\nSECRET-alice,007\nSECRET-bob,008\n');
  await assert.rejects(readTable(path), (e: unknown) => e instanceof TypeInferenceError && e.column === 'name' && e.message.includes("type: 'identifier'") && !e.message.includes('SECRET'));
  await assert.rejects(readTable(path, { columns: { name: { type: 'identifier' } }, identifierKey: key }), (e: unknown) => e instanceof TypeInferenceError && e.column === 'code' && e.message.includes('leading zeros'));
  const table = await readTable(path, { columns: { name: { type: 'identifier' }, code: { type: 'integer', min: 0, max: 999 } }, identifierKey: key });
  assert.deepEqual([...table.columns[1]!.values], [7n, 8n]);
});

test('CSV: rename, select, nullableByDefault, a tab-separated file and a custom delimiter', async () => {
  const path = tmp.path('renamed.tsv');
  writeFileSync(path, 'Patient ID\tweight (kg)\tnote\nA1\t70.5\t\nA2\t\tx\n');
  const table = await readTable(path, {
    rename: { 'Patient ID': 'patient', 'weight (kg)': 'weight_kg' },
    select: ['weight_kg', 'patient'],
    columns: { patient: { type: 'identifier' } },
    nullableByDefault: true,
    identifierKey: key,
  });
  assert.deepEqual(table.columns.map((c) => c.name), ['weight_kg', 'weight_kg$valid', 'patient', 'patient$valid']);
  assert.deepEqual(decodeTable(table).weight_kg, [70.5, null]);
  const semi = tmp.path('semi.csv');
  writeFileSync(semi, 'a;b\n1;2\n');
  assert.deepEqual(decodeTable(await readTable(semi, { delimiter: ';' })), { a: [1], b: [2] });
});

test('CSV: quoted fields may hold the delimiter, quotes and line breaks', async () => {
  const path = tmp.path('quoted.csv');
  writeFileSync(path, csvText(['k', 'v'], [['a,b', '1'], ['say "hi"', '2'], ['two\nlines', '3']]));
  const table = await readTable(path, { columns: { k: { type: 'category', dictionary: ['a,b', 'say "hi"', 'two\nlines'] } } });
  assert.deepEqual(decodeTable(table), { k: ['a,b', 'say "hi"', 'two\nlines'], v: [1, 2, 3] });
});
