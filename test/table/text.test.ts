import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RangeCheckError, SchemaError, ValueParseError } from '../../src/errors.js';
import { parseColumnSpec } from '../../src/cli/column-spec.js';
import { describeColumn } from '../../src/cli/format-result.js';
import { decodeTable } from '../../src/table/decode.js';
import { encodeTable } from '../../src/table/encode.js';
import { encodedColumnNames, parseSchema, schemaToJson, makeSchema, parseColumnSchema } from '../../src/table/schema.js';
import { MAX_TEXT_WORD, textEncoder, textFromWords, textWordCount } from '../../src/table/types/text.js';
import { catchSync } from '../helpers/errors.js';

const unit = fc.constantFrom('a', 'z', 'é', '€', '𝄞', ' ', '~', 'Ω');
const schemaOf = (maxBytes: number, nullable = false) => makeSchema([parseColumnSchema({ name: 'code', type: 'text', maxBytes, nullable })]);

test('text: words are 7 bytes each, named c, c$w1, …, then c$valid; the schema round-trips', () => {
  assert.equal(textWordCount(1), 1);
  assert.equal(textWordCount(7), 1);
  assert.equal(textWordCount(8), 2);
  assert.equal(textWordCount(16), 3);
  const schema = schemaOf(16, true);
  assert.deepEqual(encodedColumnNames(schema), ['code', 'code$w1', 'code$w2', 'code$valid']);
  assert.deepEqual(parseSchema(schemaToJson(schema)), schema);
  assert.deepEqual(schemaToJson(schema).columns[0], { name: 'code', nullable: true, type: 'text', maxBytes: 16 });
});

test('text: the bound is 1 to 256 bytes, declared', () => {
  for (const maxBytes of [0, 257, 1.5, '16', undefined]) assert.throws(() => schemaOf(maxBytes as number), SchemaError);
  assert.deepEqual(parseColumnSpec('code:text(16)'), ['code', { type: 'text', maxBytes: 16 }]);
  assert.deepEqual(parseColumnSpec('code:text(4)?'), ['code', { type: 'text', maxBytes: 4, nullable: true }]);
  assert.throws(() => parseColumnSpec('code:text'), /bound in UTF-8 bytes/);
  assert.equal(describeColumn({ name: 'code', nullable: true, type: 'text', maxBytes: 16 }), 'code text(16)?');
});

test('text: encode then decode gives the value back (empty, full, multi-byte at the boundary), nulls stay null', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 30 }), fc.array(fc.option(fc.string({ unit, maxLength: 12 })), { maxLength: 6 }), (maxBytes, raw) => {
      const values = raw.map((v) => (v === null ? null : cut(v, maxBytes)));
      const schema = schemaOf(maxBytes, true);
      const encoded = encodeTable(schema, { code: values });
      // Every value takes the same number of words, whatever its length.
      assert.equal(encoded.columns.length, textWordCount(maxBytes) + 1);
      for (const c of encoded.columns.slice(0, -1)) for (const w of c.values) assert.ok(w <= MAX_TEXT_WORD);
      assert.deepEqual(decodeTable(encoded).code, values);
    }),
  );
});

test('text: the order of the word tuples is the order of the UTF-8 bytes (DuckDB\'s VARCHAR order)', () => {
  const encode = textEncoder({ kind: 'text', maxBytes: 16 }); // 4 characters of at most 4 bytes always fit
  fc.assert(
    fc.property(fc.string({ unit, maxLength: 4 }), fc.string({ unit, maxLength: 4 }), (a, b) => {
      const wa = encode(a) as bigint[], wb = encode(b) as bigint[];
      const k = wa.findIndex((w, i) => w !== wb[i]);
      const byWords = k < 0 ? 0 : wa[k]! < wb[k]! ? -1 : 1;
      assert.equal(byWords, Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
    }),
  );
});

test('text: a value over the bound is refused naming the row and column, never the value', () => {
  const schema = schemaOf(4);
  const error = catchSync(() => encodeTable(schema, { code: ['abcd', 'éé', 'abcdé'] }));
  assert.ok(error instanceof RangeCheckError);
  assert.equal(error.message, "row 3 of column 'code' is longer than the declared 4 bytes (UTF-8); declare a larger bound (e.g. text(8)), or shorten the value");
  // A 4-byte character over a 3-byte bound: counted in bytes, not characters.
  assert.throws(() => encodeTable(schemaOf(3), { code: ['𝄞'] }), RangeCheckError);
  assert.throws(() => encodeTable(schemaOf(3), { code: ['a\u0000'] }), ValueParseError);
  assert.throws(() => encodeTable(schemaOf(3), { code: ['\uD800'] }), ValueParseError);
});

test('text: opened words that are no padded UTF-8 are refused, not guessed', () => {
  assert.throws(() => textFromWords([0x00ff0000000000n]), /after its padding/);
  assert.throws(() => textFromWords([0xff000000000000n]), /not valid UTF-8/);
  assert.throws(() => textFromWords([MAX_TEXT_WORD + 1n]), /outside/);
});

/** The longest prefix of whole characters that fits the bound. */
function cut(v: string, maxBytes: number): string {
  let out = '';
  for (const ch of v) {
    if (Buffer.byteLength(out + ch) > maxBytes) break;
    out += ch;
  }
  return out;
}
