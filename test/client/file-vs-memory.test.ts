/**
 * The file reader (SQL in DuckDB) and the in-memory encoder (JS) implement the same rules twice;
 * this property holds them to the same outcome on random tables: identical schemas and encodings,
 * or the same typed error at the same column and row, with the same message.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { TesseraError } from '../../src/errors.js';
import { readTable, type ColumnDeclaration, type EncodedTable } from '../../src/client/read-table.js';
import { formatIsoDate } from '../../src/table/civil-date.js';
import { schemaToJson } from '../../src/table/schema.js';
import { formatScaled } from '../../src/table/text-grammar.js';
import { csvText, tempDir } from '../helpers/files.js';

const tmp = tempDir();
after(() => tmp.cleanup());
const key = new Uint8Array(32).fill(3);
const LIMIT = (1n << 62n) - 1n;

interface ColumnKind {
  readonly declaration: ColumnDeclaration | undefined;
  readonly value: fc.Arbitrary<string>;
}

const rare = <T>(common: fc.Arbitrary<T>, odd: fc.Arbitrary<T>): fc.Arbitrary<T> => fc.oneof({ arbitrary: common, weight: 12 }, { arbitrary: odd, weight: 1 });
const dictionary = ['A', 'B', 'AB', 'O', 'x,y', 'q"t', ''];

const kinds: Record<string, ColumnKind> = {
  int: {
    declaration: { type: 'integer', min: -1000, max: 1000 },
    value: rare(fc.integer({ min: -1000, max: 1000 }).map(String), fc.constantFrom('1001', '-1001', '1.5', 'abc', '', '+7', '007', ' 1', '99999999999999999999999999999999999999999')),
  },
  dec: {
    declaration: { type: 'decimal', scale: 2, min: '-100.00', max: '100.00' },
    value: rare(fc.bigInt({ min: -10000n, max: 10000n }).map((v) => formatScaled(v, 2)), fc.constantFrom('1.234', '1.230', '.5', '5.', '-0', '1e2', '--1', '100.01', '-.05', '+.5')),
  },
  // A range wider than DECIMAL(18, 2): exercises the reader's exact fallback for long numbers.
  wideDec: {
    declaration: { type: 'decimal', scale: 2, min: '-46116860184273879.03', max: '46116860184273879.03' },
    value: rare(fc.bigInt({ min: -LIMIT, max: LIMIT }).map((v) => formatScaled(v, 2)), fc.constantFrom('46116860184273879.04', '0000000000000000000000012.5', '1.2300000000000000000000', '-99999999999999999999999999999999999999999')),
  },
  // Scale 12: the reader's string route (no DECIMAL(18, s) shortcut above scale 9).
  fineDec: {
    declaration: { type: 'decimal', scale: 12, min: '-1000.000000000000', max: '1000.000000000000' },
    value: rare(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }).map((v) => formatScaled(v, 12)), fc.constantFrom('0.0000000000001', '1000.0000000000001', '-0.1234567890120', '5')),
  },
  bool: {
    declaration: { type: 'boolean' },
    value: rare(fc.constantFrom('true', 'false', '1', '0', 'TRUE', 'False'), fc.constantFrom('yes', '', 'tRUE', '2')),
  },
  date: {
    declaration: { type: 'date', min: '1900-01-01', max: '2099-12-31' },
    value: rare(fc.integer({ min: -25567, max: 47481 }).map(formatIsoDate), fc.constantFrom('2023-02-29', '2024-1-1', '1899-12-31', '2100-01-01', '0000-01-01', '')),
  },
  cat: {
    declaration: { type: 'category', dictionary },
    value: rare(fc.constantFrom(...dictionary), fc.constantFrom('Z', 'a', ' A')),
  },
  id: { declaration: { type: 'identifier' }, value: fc.string({ maxLength: 12 }) },
  // text(9): two words, the bound inside the second; 1- to 4-byte characters across the word and
  // bound boundaries, exactly 9 bytes, one byte over, U+0000 (refused by both), the empty text.
  txt: {
    declaration: { type: 'text', maxBytes: 9 },
    value: rare(fc.string({ unit: fc.constantFrom('a', 'é', '€', '𝄞', ' ', '"', ',', 'Z'), maxLength: 5 }), fc.constantFrom('123456789', '1234567890', 'aaaaaaaé', 'aaaaaaaaé', '€€€', '€€€a', 'a\u0000b')),
  },
  inferred: { declaration: undefined, value: fc.constantFrom('1', '-2', '3.5', '0.25', '10') },
  inferredText: { declaration: undefined, value: rare(fc.constantFrom('2024-01-01', '1969-07-20'), fc.constantFrom('abc', '2024-02-30')) },
};

const tableArb = fc
  .record({
    columns: fc.uniqueArray(fc.constantFrom(...Object.keys(kinds)), { minLength: 1, maxLength: 5 }),
    nullable: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    rows: fc.integer({ min: 1, max: 8 }),
  })
  .chain(({ columns, nullable, rows }) =>
    fc.record({
      columns: fc.constant(columns),
      nullable: fc.constant(nullable),
      values: fc.tuple(...columns.map((name) => fc.array(rare(kinds[name]!.value.map((v): string | null => v), fc.constant(null)), { minLength: rows, maxLength: rows }))),
    }),
  );

type Outcome = { ok: EncodedTable } | { error: TesseraError };

async function outcome(read: () => Promise<EncodedTable>): Promise<Outcome> {
  try {
    return { ok: await read() };
  } catch (error) {
    if (error instanceof TesseraError) return { error };
    throw error;
  }
}

let run = 0;
test('CSV file and in-memory strings give the same encoding or the same error', async (t) => {
  const seen = { ok: 0, error: 0 };
  await fc.assert(
    fc.asyncProperty(tableArb, async ({ columns, nullable, values }) => {
      const rowCount = values[0]!.length;
      const names = ['row', ...columns];
      const memory: Record<string, (string | null)[]> = { row: Array.from({ length: rowCount }, (_, i) => String(i)) };
      const declared: Record<string, ColumnDeclaration> = {};
      columns.forEach((name, i) => {
        memory[name] = values[i]!;
        const declaration = kinds[name]!.declaration;
        declared[name] = { ...declaration, nullable: nullable[i]! };
      });
      const options = { columns: declared, identifierKey: key };
      const path = tmp.path(`t${run++}.csv`);
      writeFileSync(path, csvText(names, Array.from({ length: rowCount }, (_, r) => names.map((n) => memory[n]![r]!))));
      const fromFile = await outcome(() => readTable(path, options));
      const fromMemory = await outcome(() => readTable({ columns: memory }, options));
      seen['error' in fromMemory ? 'error' : 'ok']++;
      if ('error' in fromMemory) {
        assert.ok('error' in fromFile, `memory failed (${fromMemory.error.message}) but the file did not`);
        assert.equal(fromFile.error.constructor, fromMemory.error.constructor);
        assert.equal(fromFile.error.message, fromMemory.error.message);
      } else {
        assert.ok('ok' in fromFile, `file failed: ${'error' in fromFile ? fromFile.error.message : ''}`);
        assert.deepEqual(schemaToJson(fromFile.ok.schema), schemaToJson(fromMemory.ok.schema));
        assert.equal(fromFile.ok.rowCount, fromMemory.ok.rowCount);
        assert.deepEqual(fromFile.ok.columns, fromMemory.ok.columns);
      }
    }),
    { numRuns: Number(process.env.TESSERA_PROPERTY_RUNS ?? 30) },
  );
  t.diagnostic(`${seen.ok} tables encoded alike, ${seen.error} refused alike`);
  assert.ok(seen.ok > 0 && seen.error > 0, 'the generator should produce both good and bad tables');
});
