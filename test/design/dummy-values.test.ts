/**
 * Generated dummy rows (design/dummy-values.ts) and uploaded dummy files (design/dummy-table.ts):
 * deterministic from the public seed, within every declaration of the schema, and an uploaded
 * value outside its declaration refused.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dummyTableFile, parseDummyTable } from '../../src/design/dummy-table.js';
import { generateDummyColumns } from '../../src/design/dummy-values.js';
import { FormatError, RangeCheckError } from '../../src/errors.js';
import { parseSchema } from '../../src/table/schema.js';

const schema = parseSchema({
  version: 1,
  columns: [
    { name: 'age', type: 'integer', min: '-5', max: '7', nullable: false },
    { name: 'cost', type: 'decimal', scale: 2, min: '1.50', max: '2.00', nullable: true },
    { name: 'seen', type: 'date', min: '2024-02-27', max: '2024-03-01', nullable: false },
    { name: 'blood', type: 'category', dictionary: ['A', 'B', 'O'], nullable: false },
    { name: 'ok', type: 'boolean', nullable: false },
    { name: 'pid', type: 'identifier', nullable: false },
  ],
});

test('generated dummies are deterministic and respect ranges, scales, categories, nulls and identifiers', () => {
  const rows = 500;
  const a = generateDummyColumns({ seed: 's', table: 't', schema, rows });
  const b = generateDummyColumns({ seed: 's', table: 't', schema, rows });
  assert.deepEqual(a, b);
  assert.notDeepEqual(generateDummyColumns({ seed: 'other', table: 't', schema, rows }), a);
  const col = (name: string) => [...a.find((c) => c.name === name)!.values].map((v) => BigInt.asIntN(64, v));
  assert.deepEqual(a.map((c) => c.name), ['age', 'cost', 'cost$valid', 'seen', 'blood', 'ok', 'pid']);
  assert.ok(col('age').every((v) => v >= -5n && v <= 7n));
  assert.equal(new Set(col('age')).size, 13, 'the whole range is used');
  const present = col('cost$valid');
  assert.ok(present.every((v) => v === 0n || v === 1n));
  const nulls = present.filter((v) => v === 0n).length;
  assert.ok(nulls > 10 && nulls < 100, `about one in ten is null (${nulls} of ${rows})`);
  col('cost').forEach((v, i) => assert.ok(present[i] === 0n ? v === 0n : v >= 150n && v <= 200n));
  const day = (iso: string) => BigInt(Date.parse(iso) / 86_400_000);
  assert.ok(col('seen').every((v) => v >= day('2024-02-27') && v <= day('2024-03-01')));
  assert.deepEqual([...new Set(col('blood'))].sort(), [0n, 1n, 2n]);
  assert.deepEqual([...new Set(col('ok'))].sort(), [0n, 1n]);
  assert.ok(col('pid').every((v) => v >= 0n && v < 1n << 62n));
  // Identifiers come from a pool shared by the tables of one seed, so dummy tables join.
  const other = generateDummyColumns({ seed: 's', table: 'u', schema, rows }).find((c) => c.name === 'pid')!.values;
  const pids = new Set(col('pid'));
  assert.ok([...other].filter((v) => pids.has(BigInt.asIntN(64, v))).length > rows / 4);
});

test('an uploaded dummy round-trips, and a value outside its declaration is refused', () => {
  const columns = generateDummyColumns({ seed: 's', table: 't', schema, rows: 20 });
  const file = dummyTableFile('t', { schema, rowCount: 20, columns });
  const parsed = parseDummyTable(JSON.parse(JSON.stringify(file)));
  assert.deepEqual(parsed.columns, columns);
  const edit = (name: string, value: string) => ({ ...file, columns: file.columns.map((c) => (c.name === name ? { ...c, values: [value, ...c.values.slice(1)] } : c)) });
  assert.throws(() => parseDummyTable(edit('age', '8')), (e: Error) => e instanceof RangeCheckError && /outside its declared range/.test(e.message));
  assert.throws(() => parseDummyTable(edit('blood', '3')), RangeCheckError);
  assert.throws(() => parseDummyTable(edit('pid', '-1')), RangeCheckError);
  assert.throws(() => parseDummyTable(edit('cost$valid', '2')), RangeCheckError);
  assert.throws(() => parseDummyTable(edit('age', '1.5')), FormatError);
  assert.throws(() => parseDummyTable({ ...file, rows: 19 }), FormatError);
  assert.throws(() => parseDummyTable({ ...file, columns: file.columns.slice(1) }), FormatError);
});
