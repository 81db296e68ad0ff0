import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomFillSync } from 'node:crypto';
import { addInnerTerms } from '../../src/mpc/protocols/inner-terms.js';
import { AShare } from '../../src/mpc/shares.js';

function random(n: number): BigUint64Array {
  const v = new BigUint64Array(n);
  randomFillSync(v);
  return v;
}

/** The local terms, one BigInt at a time. */
function reference(z: BigUint64Array, left: readonly AShare[], right: readonly AShare[], n: number): BigUint64Array {
  const out = z.slice();
  left.forEach((x, i) => right.forEach((y, j) => {
    let t = out[i * right.length + j];
    for (let k = 0; k < n; k++) t = BigInt.asUintN(64, t + x.a[k] * (y.a[k] + y.b[k]) + x.b[k] * y.a[k]);
    out[i * right.length + j] = t;
  }));
  return out;
}

test('the wasm inner-product terms equal the plaintext sums mod 2^64: remainders of four right vectors, several chunks, accumulators that start non-zero, memory grown for many outputs, left vectors in batches; the right vectors\' sums beside', () => {
  // [left, right, rows]: chunks of floor(2^17 / (2 (L + R))) rows, so 5 + 4 vectors take 7281 rows a chunk.
  const shapes: [number, number, number][] = [[1, 1, 1], [1, 3, 17], [2, 5, 100], [5, 4, 20_000], [13, 11, 3000], [4, 7, 0], [0, 3, 10], [300, 200, 300], [700, 3, 600]];
  for (const [L, R, n] of shapes) {
    const left = Array.from({ length: L }, () => new AShare(random(n), random(n)));
    const right = Array.from({ length: R }, () => new AShare(random(n), random(n)));
    const rightBefore = right.map((y) => [y.a.slice(), y.b.slice()]);
    const z = random(L * R);
    const want = reference(z, left, right, n);
    const totals = random(2 * R);
    addInnerTerms(z, left, right, n, totals);
    assert.deepEqual(z, want, `${L} x ${R} vectors of ${n} rows`);
    const sum = (v: BigUint64Array) => v.reduce((acc, x) => BigInt.asUintN(64, acc + x), 0n);
    assert.deepEqual(totals, BigUint64Array.from(right.flatMap((y) => [sum(y.a), sum(y.b)])), 'the right vectors\' own sums');
    right.forEach((y, j) => assert.deepEqual([y.a, y.b], rightBefore[j], 'the operands are left as they were'));
  }
});
