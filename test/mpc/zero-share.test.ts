/**
 * The zero-sharing with its subtraction in WebAssembly (zero-share.ts) against a plain reference,
 * the two streams' words subtracted in BigInt: the same words from the same keys, drawn in
 * pieces of any length one after another (the streams must stay in step across calls), and the
 * same keystream consumed. Outputs start filled with a marker, so an unwritten word shows.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Prg } from '../../src/crypto/prg.js';
import type { Session } from '../../src/mpc/session.js';
import { zeroShareInto } from '../../src/mpc/protocols/zero-share.js';

const CHUNK_WORDS = 8192;

/** The reference: a's next n words minus b's, modulo 2^64 (a's drawn first, as the kernel does, which only matters for drawn counts). */
function difference(a: Prg, b: Prg, n: number): BigUint64Array {
  const wa = a.words(n), wb = b.words(n);
  return wa.map((w, i) => BigInt.asUintN(64, w - wb[i]));
}

/** A session as far as the zero-sharing reads one: its two pairwise streams. */
const streams = (next: number, prev: number): Session => ({ prgNext: new Prg(new Uint8Array(16).fill(next)), prgPrev: new Prg(new Uint8Array(16).fill(prev)) }) as unknown as Session;

function check(pieces: readonly number[]): void {
  const s = streams(1, 2);
  const a = new Prg(new Uint8Array(16).fill(1)), b = new Prg(new Uint8Array(16).fill(2));
  for (const n of pieces) {
    const got = zeroShareInto(s, new BigUint64Array(n).fill(0xdeadbeefn));
    const want = difference(a, b, n);
    assert.deepEqual(got, want, `pieces ${pieces.join(', ')}: piece of ${n} words`);
  }
  assert.deepEqual([s.prgNext.drawn, s.prgPrev.drawn], [a.drawn, b.drawn]);
}

test('zeroShareInto writes the streams\' difference at the chunk edges and across calls', () => {
  for (const n of [0, 1, 2, CHUNK_WORDS - 1, CHUNK_WORDS, CHUNK_WORDS + 1, 2 ** 17, 2 ** 17 + 3]) check([n, CHUNK_WORDS + 5, n]);
});

test('zeroShareInto equals the streams\' difference for random piece lengths (fast-check)', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 3 * CHUNK_WORDS }), { minLength: 1, maxLength: 5 }), (pieces) => check(pieces)), { numRuns: 50 });
});

test('zeroShareInto writes into a view inside a larger vector and nowhere else', () => {
  const s = streams(3, 4);
  const whole = new BigUint64Array(CHUNK_WORDS + 20).fill(7n);
  zeroShareInto(s, whole.subarray(10, CHUNK_WORDS + 10));
  const want = difference(new Prg(new Uint8Array(16).fill(3)), new Prg(new Uint8Array(16).fill(4)), CHUNK_WORDS);
  assert.deepEqual(whole.subarray(10, CHUNK_WORDS + 10), want);
  assert.ok(whole.subarray(0, 10).every((w) => w === 7n) && whole.subarray(CHUNK_WORDS + 10).every((w) => w === 7n));
});
