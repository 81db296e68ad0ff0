import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScanMemory } from '../../../src/node/storage/scan-memory.js';

test('scan memory: a query\'s vectors come back only when its lease is released, and serve the next scan of that size', () => {
  const memory = new ScanMemory(1 << 20);
  const first = memory.lease();
  const a = first.take(1000), b = first.take(1000);
  a.fill(7n);
  assert.notEqual(a.buffer, b.buffer);
  // Not released yet: a second query gets fresh vectors.
  const meanwhile = memory.lease().take(1000);
  assert.ok(meanwhile.buffer !== a.buffer && meanwhile.buffer !== b.buffer);
  first.release();
  assert.equal(memory.retainedBytes, 16_000);
  first.release(); // once only
  assert.equal(memory.retainedBytes, 16_000);
  const second = memory.lease();
  const again = second.take(1000);
  assert.ok(again.buffer === a.buffer || again.buffer === b.buffer, 'a kept vector is taken again');
  assert.equal(second.take(999).length, 999, 'another size: fresh');
  assert.equal(memory.retainedBytes, 8000);
});

test('scan memory: keeps at most its bound, and only whole vectors', () => {
  const memory = new ScanMemory(10_000);
  const lease = memory.lease();
  const vectors = [lease.take(1000), lease.take(1000)];
  lease.release();
  assert.equal(memory.retainedBytes, 8000, 'the second vector would pass the bound');
  memory.give(new BigUint64Array(new ArrayBuffer(800), 8, 10));
  assert.equal(memory.retainedBytes, 8000, 'a view of part of a buffer is not kept');
  memory.give(vectors[0]);
  assert.equal(memory.retainedBytes, 8000, 'a buffer already kept is not kept twice');
});
