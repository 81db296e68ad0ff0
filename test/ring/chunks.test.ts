/**
 * ring/chunks.ts: the pieces of a kernel's loop cover [0, n) once, in order, none longer than
 * KERNEL_CHUNK; and a kernel that now loops in pieces gives what one loop gave, across piece
 * boundaries (bit unpacking of a vector longer than a piece).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inChunks, KERNEL_CHUNK } from '../../src/ring/chunks.js';
import { packBits, unpackBits } from '../../src/ring/bits.js';

test('inChunks covers [0, n) once and in order, in pieces of at most KERNEL_CHUNK', () => {
  for (const n of [0, 1, KERNEL_CHUNK - 1, KERNEL_CHUNK, KERNEL_CHUNK + 1, 3 * KERNEL_CHUNK + 17]) {
    const pieces: [number, number][] = [];
    inChunks(n, (from, to) => pieces.push([from, to]));
    let next = 0;
    for (const [from, to] of pieces) {
      assert.equal(from, next);
      assert.ok(to > from && to - from <= KERNEL_CHUNK, `piece [${from}, ${to})`);
      next = to;
    }
    assert.equal(next, n);
  }
});

test('unpackBits across piece boundaries = the bits packed', () => {
  const n = 32 * KERNEL_CHUNK + 45;
  const bits = Uint8Array.from({ length: n }, (_, i) => ((i * 2654435761) >>> 7) & 1);
  assert.deepEqual(unpackBits(packBits(bits)), bits);
});
