/**
 * The PRG's streams against AES-128-CTR computed in one call (the plaintext reference), whichever
 * way they are drawn: fill, words, chunks, difference, xor, xorChunks, in pieces of any length.
 * Since s13-mul every keystream chunk's memory is freed as soon as it has been read
 * (release-buffer.ts): a chunk freed too early would read as empty and leave words unwritten, so
 * the outputs here start filled with a marker and must come out equal to the reference anyway.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { Prg } from '../../src/crypto/prg.js';
import { releaseBuffer, releasesMemory } from '../../src/crypto/release-buffer.js';

const CHUNK_WORDS = 8192;
const EDGES = [0, 1, 2, CHUNK_WORDS - 1, CHUNK_WORDS, CHUNK_WORDS + 1, 3 * CHUNK_WORDS - 5, 2 ** 17 + 3];

/** The first `words` words of AES-128-CTR under `key` from counter 0, in one update. */
function reference(key: Uint8Array, words: number): BigUint64Array {
  const ks = createCipheriv('aes-128-ctr', key, new Uint8Array(16)).update(new Uint8Array(8 * words));
  return new BigUint64Array(Uint8Array.from(ks).buffer);
}

const marked = (n: number): BigUint64Array => new BigUint64Array(n).fill(0xdeadbeefn);
const keyOf = (b: number): Uint8Array => new Uint8Array(16).fill(b);

/** Draws `pieces` one after another from fresh PRGs under keys 1 and 2 with `draw`, concatenated. */
function drawn(pieces: readonly number[], draw: (a: Prg, b: Prg, n: number) => BigUint64Array): BigUint64Array {
  const a = new Prg(keyOf(1)), b = new Prg(keyOf(2));
  const total = pieces.reduce((s, n) => s + n, 0);
  const out = new BigUint64Array(total);
  let at = 0;
  for (const n of pieces) {
    out.set(draw(a, b, n), at);
    at += n;
  }
  assert.equal(a.drawn + b.drawn > 0 || total === 0, true);
  return out;
}

function fromChunks(n: number, each: (use: (chunk: BigUint64Array, at: number) => void) => void): BigUint64Array {
  const out = marked(n);
  each((chunk, at) => out.set(chunk, at));
  return out;
}

const WAYS: Record<string, { draw: (a: Prg, b: Prg, n: number) => BigUint64Array; expect: (ra: BigUint64Array, rb: BigUint64Array, i: number) => bigint }> = {
  fill: { draw: (a, _b, n) => { const o = marked(n); a.fill(new Uint8Array(o.buffer)); return o; }, expect: (ra, _rb, i) => ra[i] },
  words: { draw: (a, _b, n) => a.words(n), expect: (ra, _rb, i) => ra[i] },
  chunks: { draw: (a, _b, n) => fromChunks(n, (use) => a.chunks(n, use)), expect: (ra, _rb, i) => ra[i] },
  difference: { draw: (a, b, n) => Prg.difference(a, b, marked(n)), expect: (ra, rb, i) => BigInt.asUintN(64, ra[i] - rb[i]) },
  xor: { draw: (a, b, n) => Prg.xor(a, b, marked(n)), expect: (ra, rb, i) => ra[i] ^ rb[i] },
  xorChunks: { draw: (a, b, n) => fromChunks(n, (use) => Prg.xorChunks(a, b, n, use)), expect: (ra, rb, i) => ra[i] ^ rb[i] },
};

function check(way: string, pieces: readonly number[]): void {
  const { draw, expect } = WAYS[way];
  const got = drawn(pieces, draw);
  const ra = reference(keyOf(1), got.length), rb = reference(keyOf(2), got.length);
  for (let i = 0; i < got.length; i++) if (got[i] !== expect(ra, rb, i)) assert.fail(`${way} over pieces ${pieces.join(', ')}: word ${i} is ${got[i]}, expected ${expect(ra, rb, i)}`);
}

for (const way of Object.keys(WAYS)) {
  test(`Prg ${way}: AES-128-CTR's words at the chunk edges, drawn whole and in two pieces`, () => {
    for (const n of EDGES) {
      check(way, [n]);
      check(way, [n, CHUNK_WORDS + 3]);
    }
  });
}

test('Prg: every way of drawing equals AES-128-CTR for random piece lengths (fast-check)', () => {
  fc.assert(
    fc.property(fc.constantFrom(...Object.keys(WAYS)), fc.array(fc.integer({ min: 0, max: 3 * CHUNK_WORDS }), { minLength: 1, maxLength: 4 }), (way, pieces) => check(way, pieces)),
    { numRuns: 60 },
  );
});

test('releaseBuffer frees a whole buffer (on node 20) and leaves a part of a larger one alone', () => {
  assert.equal(releasesMemory, true, 'node 20 offers ArrayBuffer.prototype.transfer behind its harmony flag');
  const whole = new Uint8Array(64);
  releaseBuffer(whole);
  assert.equal(whole.buffer.byteLength, 0);
  const big = new Uint8Array(64).fill(7);
  const part = big.subarray(8, 16);
  releaseBuffer(part);
  releaseBuffer(big.subarray(0, 8));
  assert.equal(big.buffer.byteLength, 64);
  assert.equal(part[0], 7);
  assert.equal(typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer, 'undefined', 'this realm\'s ArrayBuffer is unchanged');
});
