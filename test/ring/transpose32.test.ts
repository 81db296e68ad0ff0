/**
 * ring/transpose32.ts (the 32x32 bit transpose written out) and ring/planes.ts toPlanesLow (bit
 * planes of src + add from the low halves) against plain bit reads: every bit of a random block
 * lands at its mirrored place; the loop form of the same stages agrees; planes of v + add mod
 * 2^bits equal the planes of the full 64-bit sum (toPlanes on the shifted copy) for 1 to 32
 * planes, lengths that end anywhere in a word, adds past 2^31 and values past 2^32, and over
 * planes that held garbage before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { transpose32 } from '../../src/ring/transpose32.js';
import { toPlanes, toPlanesLow } from '../../src/ring/planes.js';

/** The stages as a loop, shifts and masks in variables (the form transpose32 was written out from). */
function transposeLoop(A: Int32Array): void {
  let j = 16;
  let m = 0x0000ffff;
  while (j !== 0) {
    for (let k = 0; k < 32; k = (k + j + 1) & ~j) {
      const t = ((A[k] >>> j) ^ A[k + j]) & m;
      A[k + j] ^= t;
      A[k] ^= t << j;
    }
    j >>= 1;
    m ^= m << j;
  }
}

const blockArb = fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 32, maxLength: 32 });

test('transpose32: bit c of row r moves to bit r of row c, as the loop form does', () => {
  fc.assert(
    fc.property(blockArb, (rows) => {
      const A = Int32Array.from(rows), B = Int32Array.from(rows);
      transpose32(A);
      transposeLoop(B);
      assert.deepEqual(A, B);
      for (let r = 0; r < 32; r++) for (let c = 0; c < 32; c++) assert.equal((A[c] >>> r) & 1, (rows[r] >>> c) & 1, `row ${r} bit ${c}`);
    }),
  );
});

test('toPlanesLow = the planes of the shifted 64-bit column, over dirty planes', () => {
  const valueArb = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(0n, (1n << 32n) - 1n, 1n << 32n, (1n << 64n) - 1n));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 200 }).chain((n) => fc.array(valueArb, { minLength: n, maxLength: n })), fc.integer({ min: 1, max: 32 }), fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(0n, 1n << 31n, (1n << 64n) - 1n)), (values, bits, add) => {
      const n = values.length, words = Math.ceil(n / 64);
      const src = BigUint64Array.from(values);
      const want = Array.from({ length: bits }, () => new BigUint64Array(words));
      toPlanes(src.map((v) => v + add), 0, n, bits, want, 0);
      const got = Array.from({ length: bits }, () => new BigUint64Array(words).fill(0xdeadbeefcafef00dn));
      toPlanesLow(src, n, bits, Number(BigInt.asUintN(32, add)), got);
      assert.deepEqual(got, want);
    }),
    { numRuns: 200 },
  );
});
