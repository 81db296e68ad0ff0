import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool, sizeClass } from '../../src/net/buffer-pool.js';

const MiB = 1024 * 1024;
/** A long message's framed copy: the payload and the 24-byte frame header (stream-link.ts). */
const FRAMED_64_MIB = 64 * MiB + 24;

test('a buffer is at most 1/8 larger than asked, and its class is its own class', () => {
  for (const bytes of [1, 64 * 1024, 64 * 1024 + 1, 100_000, MiB, MiB + 24, 3 * MiB, 8 * MiB + 24, 64 * MiB, FRAMED_64_MIB]) {
    const size = sizeClass(bytes);
    assert.ok(size >= bytes, `${bytes}: class ${size} is too small`);
    assert.ok(bytes <= 64 * 1024 || size <= bytes * 1.125, `${bytes}: class ${size} wastes more than 1/8`);
    assert.equal(sizeClass(size), size, `${bytes}: class ${size} is not a class of its own`);
  }
});

test("a 64 MiB message's framed copy is kept for the next one by a pool sized for it", () => {
  // Rounded to the next power of two this copy took 128 MiB, more than the link's pool keeps:
  // every such message then allocated (and faulted in) a fresh 128 MiB buffer.
  const pool = new BufferPool(sizeClass(FRAMED_64_MIB));
  const first = pool.take(FRAMED_64_MIB);
  assert.equal(first.byteLength, FRAMED_64_MIB);
  assert.ok(first.buffer.byteLength <= 72 * MiB, `the copy took ${first.buffer.byteLength} bytes`);
  pool.give(first);
  const second = pool.take(FRAMED_64_MIB);
  assert.equal(second.buffer, first.buffer, 'the given-back buffer was not reused');
});

test('the pool keeps at most its limit', () => {
  const pool = new BufferPool(2 * MiB);
  const a = pool.take(MiB), b = pool.take(MiB), c = pool.take(MiB);
  for (const x of [a, b, c]) pool.give(x);
  const again = [pool.take(MiB), pool.take(MiB), pool.take(MiB)].map((x) => x.buffer);
  assert.equal(again.filter((x) => x === a.buffer || x === b.buffer || x === c.buffer).length, 2);
});
