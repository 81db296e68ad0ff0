/**
 * An opened table decoded column by column (src/client/result-columns.ts): the rows built on
 * first read are exactly the eager per-row decoding (every type, nulls, the validity), the
 * columns hold the same cells (decimals and safe integers as Float64Array), exactDecimals keeps
 * its texts, and malformed values are refused when the table is decoded, not when a row is read.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { tableColumn } from '../../src/client/result-columns.js';
import { decodeTable, type ResultCell } from '../../src/client/result.js';
import { exactDecimalColumns, lazyExactDecimals } from '../../src/client/result-types.js';
import { IntegrityError, UsageError } from '../../src/errors.js';
import { VALID_COLUMN } from '../../src/secret/outputs.js';
import { formatScaled } from '../../src/table/text-grammar.js';
import type { QueryOutputInfo } from '../../src/wire/api.js';

const OUTPUTS: QueryOutputInfo[] = [
  { name: 'p', fn: 'column', column: 'p', scale: 6, type: { type: 'decimal', scale: 6, min: '-0.000004', max: '1.000004' }, parts: [{ column: 'p', part: 'value' }] },
  { name: 'n', fn: 'column', column: 'n', scale: 0, type: { type: 'integer', min: '-1000', max: '1000' }, parts: [{ column: 'n', part: 'value' }] },
  { name: 'big', fn: 'column', column: 'big', scale: 0, type: { type: 'integer', min: '0', max: String(2n ** 60n) }, parts: [{ column: 'big', part: 'value' }] },
  { name: 'd', fn: 'column', column: 'd', scale: 2, type: { type: 'decimal', scale: 2, min: '-10.00', max: '10.00' }, parts: [{ column: 'd', part: 'value' }, { column: 'd$present', part: 'present' }] },
  { name: 'b', fn: 'column', column: 'b', scale: 0, type: { type: 'boolean' }, parts: [{ column: 'b', part: 'value' }] },
];

/** The per-row decoding the client did before (s7): one object per kept row, each cell by its type. */
function eagerRows(columns: ReadonlyMap<string, BigUint64Array>, rows: number): Record<string, ResultCell>[] {
  const valid = columns.get(VALID_COLUMN);
  const out: Record<string, ResultCell>[] = [];
  const signed = (name: string, i: number) => BigInt.asIntN(64, columns.get(name)![i]);
  for (let i = 0; i < rows; i++) {
    if (valid && valid[i] === 0n) continue;
    out.push({
      p: Number(signed('p', i)) / 1e6,
      n: Number(signed('n', i)),
      big: signed('big', i),
      d: columns.get('d$present')![i] === 0n ? null : Number(signed('d', i)) / 100,
      b: columns.get('b')![i] === 1n,
    });
  }
  return out;
}

const ring = (values: readonly bigint[]) => BigUint64Array.from(values, (v) => BigInt.asUintN(64, v));

test('the rows built on first read equal the per-row decoding; the columns hold the same cells, typed where plain numbers; exact texts kept', () => {
  const row = fc.record({
    p: fc.bigInt({ min: -4n, max: 1_000_004n }),
    n: fc.bigInt({ min: -1000n, max: 1000n }),
    big: fc.bigInt({ min: 0n, max: 2n ** 60n }),
    d: fc.bigInt({ min: -1000n, max: 1000n }),
    present: fc.boolean(),
    b: fc.boolean(),
    valid: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(row, { maxLength: 50 }), fc.boolean(), (cells, withValidity) => {
      const columns = new Map<string, BigUint64Array>([
        ['p', ring(cells.map((c) => c.p))],
        ['n', ring(cells.map((c) => c.n))],
        ['big', ring(cells.map((c) => c.big))],
        ['d', ring(cells.map((c) => (c.present ? c.d : 0n)))],
        ['d$present', ring(cells.map((c) => (c.present ? 1n : 0n)))],
        ['b', ring(cells.map((c) => (c.b ? 1n : 0n)))],
      ]);
      if (withValidity) columns.set(VALID_COLUMN, ring(cells.map((c) => (c.valid ? 1n : 0n))));
      const table = decodeTable(OUTPUTS, columns, cells.length);
      const want = eagerRows(columns, cells.length);
      assert.deepEqual(table.columns, ['p', 'n', 'big', 'd', 'b']);
      for (const name of table.columns) assert.deepEqual([...tableColumn(table, name)], want.map((r) => r[name]), name);
      assert.ok(tableColumn(table, 'p') instanceof Float64Array && tableColumn(table, 'n') instanceof Float64Array);
      assert.ok(!(tableColumn(table, 'big') instanceof Float64Array) && !(tableColumn(table, 'd') instanceof Float64Array));
      assert.deepEqual(table.rows, want);
      assert.equal(table.rows, table.rows, 'built once');
      assert.deepEqual({ ...table }, { columns: table.columns, rows: want }, 'an own enumerable property, as before');
      const kept = cells.filter((c) => !withValidity || c.valid);
      assert.deepEqual(exactDecimalColumns(OUTPUTS, columns, cells.length), {
        p: kept.map((c) => formatScaled(c.p, 6)),
        d: kept.map((c) => (c.present ? formatScaled(c.d, 2) : null)),
      });
    }),
  );
});

test('a validity other than 0 or 1 is refused when the table is decoded, before any row is read; an unknown column is a usage error', () => {
  const columns = new Map<string, BigUint64Array>([
    ['p', ring([1n, 2n])],
    [VALID_COLUMN, ring([1n, 2n])],
  ]);
  const outputs = [OUTPUTS[0]];
  assert.throws(() => decodeTable(outputs, columns, 2), IntegrityError);
  assert.throws(() => lazyExactDecimals(outputs, columns, 2), IntegrityError);
  const table = decodeTable(outputs, new Map([['p', ring([1n, 2n])]]), 2);
  assert.throws(() => tableColumn(table, 'q'), UsageError);
});
