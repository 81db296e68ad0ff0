import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TypeInferenceError } from '../../src/errors.js';
import { columnTypeToJson } from '../../src/table/column-type.js';
import { inferColumnType } from '../../src/table/infer.js';

const inferJson = (values: unknown[]): unknown => columnTypeToJson(inferColumnType('c', values));
const integerDefault = { type: 'integer', min: '-9007199254740991', max: '9007199254740991' };

test('inference: numbers, text, booleans and dates', () => {
  assert.deepEqual(inferJson([1, -2, null, 3]), integerDefault);
  assert.deepEqual(inferJson([1n, 2n]), integerDefault);
  assert.deepEqual(inferJson(['1', '-2', '+3', '0']), integerDefault);
  assert.deepEqual(inferJson(['0', '1']), integerDefault, '0/1 text is a number, not a boolean');
  assert.deepEqual(inferJson([1.5, 2.25, 3]), { type: 'decimal', scale: 2, min: '-90071992547409.91', max: '90071992547409.91' });
  assert.deepEqual(inferJson(['1.50', '2', '-0.1']), { type: 'decimal', scale: 2, min: '-90071992547409.91', max: '90071992547409.91' });
  assert.deepEqual(inferJson([true, false]), { type: 'boolean' });
  assert.deepEqual(inferJson(['true', 'FALSE', 'True']), { type: 'boolean' });
  assert.deepEqual(inferJson(['2024-02-29', '1969-07-20', undefined]), { type: 'date', min: '0001-01-01', max: '9999-12-31' });
  assert.deepEqual(inferJson([new Date(0)]), { type: 'date', min: '0001-01-01', max: '9999-12-31' });
});

test('inference never takes a range from the data', () => {
  fc.assert(
    fc.property(fc.array(fc.integer(), { minLength: 1 }), (values) => {
      assert.deepEqual(inferJson(values), integerDefault);
      assert.deepEqual(inferJson(values.map(String)), integerDefault);
    }),
  );
});

test('inference refuses what it cannot decide, and says what to declare', () => {
  const refusals: [unknown[], string][] = [
    [['abc', 'def'], "{ type: 'category'"],
    [['007', '008'], 'leading zeros'],
    [['1e5'], 'identifier'],
    [['2024-02-30'], 'category'],
    [[null, undefined], 'no values'],
    [[], 'no values'],
    [[1, 'a'], 'mixes'],
    [[1.5, NaN], 'not finite'],
    [[{}], 'mixes'],
    [['1.0000000000000000001'], 'more than 18'],
  ];
  for (const [values, hint] of refusals) {
    assert.throws(() => inferColumnType('c', values), (e: unknown) => e instanceof TypeInferenceError && e.message.includes(hint) && e.column === 'c');
  }
});
