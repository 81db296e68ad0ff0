/**
 * The parsed query records a node keeps (src/node/record-cache.ts): most recently used kept,
 * bounded by entries and by the characters of the sealed shares they hold.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecordCache } from '../../src/node/record-cache.js';
import type { QueryRecord } from '../../src/node/results-store.js';

const id = (n: number): string => `q-${n.toString(16).padStart(24, '0')}`;
const record = (n: number, shareChars = 0): QueryRecord => ({
  format: 'tessera-query-record/v2',
  query: id(n),
  coordinator: 0,
  phase: shareChars > 0 ? 'committed' : 'running',
  ...(shareChars > 0 ? { envelopes: { Auditor: 'x'.repeat(shareChars) } } : {}),
});

test('keeps the most recently used records, up to its number of entries', () => {
  const cache = new RecordCache(2, 1000);
  cache.set(record(1));
  cache.set(record(2));
  assert.equal(cache.get(id(1))?.query, id(1)); // 1 is now the most recent
  cache.set(record(3));
  assert.equal(cache.get(id(2)), undefined, 'the least recently used is dropped');
  assert.equal(cache.get(id(1))?.query, id(1));
  assert.equal(cache.get(id(3))?.query, id(3));
});

test('bounds the characters of the shares held; a record larger than the bound is not kept', () => {
  const cache = new RecordCache(8, 100);
  cache.set(record(1, 60));
  cache.set(record(2, 30));
  cache.set(record(3, 30)); // 120 > 100: the oldest goes
  assert.equal(cache.get(id(1)), undefined);
  assert.ok(cache.get(id(2)) && cache.get(id(3)));
  cache.set(record(4, 101));
  assert.equal(cache.get(id(4)), undefined);
  assert.ok(cache.get(id(2)) && cache.get(id(3)));
});

test('a new version of a record replaces the old one, and a dropped record is gone', () => {
  const cache = new RecordCache(2, 1000);
  cache.set(record(1));
  cache.set(record(1, 10));
  assert.equal(cache.get(id(1))?.phase, 'committed');
  cache.set(record(2));
  cache.set(record(3));
  assert.equal(cache.get(id(1)), undefined, 'two entries: the replaced record counted once, then evicted');
  cache.drop(id(3));
  assert.equal(cache.get(id(3)), undefined);
});
