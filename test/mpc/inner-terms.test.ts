import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomFillSync } from 'node:crypto';
import { addCombinedInnerTerms, addInnerTerms, addProductTerms, type RightCombination } from '../../src/mpc/protocols/inner-terms.js';
import { UsageError } from '../../src/errors.js';
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

/** The combination itself, one BigInt at a time. */
function formed(base: readonly AShare[], r: RightCombination, n: number): AShare {
  const out = new AShare(new BigUint64Array(n), new BigUint64Array(n));
  for (let k = 0; k < n; k++) {
    let a = r.constant?.a ?? 0n, b = r.constant?.b ?? 0n;
    for (const [i, c] of r.terms) {
      a += c * base[i].a[k];
      b += c * base[i].b[k];
    }
    out.a[k] = BigInt.asUintN(64, a);
    out.b[k] = BigInt.asUintN(64, b);
  }
  return out;
}

test('combined right operands (public linear combinations of base vectors, formed in the kernel) give the inner products and totals of the vectors they stand for: direct ones, shifts, negative coefficients, constants in either component, base vectors read by several, odd and even term counts, no terms, several chunks', () => {
  const word = (): bigint => random(1)[0];
  // [left, base, rows]
  const shapes: [number, number, number][] = [[1, 1, 1], [3, 4, 17], [12, 15, 5000], [2, 6, 40_000], [0, 2, 10], [4, 3, 0]];
  for (const [L, U, n] of shapes) {
    const left = Array.from({ length: L }, () => new AShare(random(n), random(n)));
    const base = Array.from({ length: U }, () => new AShare(random(n), random(n)));
    const before = base.map((y) => [y.a.slice(), y.b.slice()]);
    const rights: RightCombination[] = [
      { terms: [[0, 1n]] },
      { terms: [[U - 1, 1n]], constant: { a: 0n, b: 0n } },
      { terms: [[0, -1n]], constant: { a: 1n, b: 0n } },
      { terms: base.map((_, i) => [i, -1n] as const), constant: { a: 0n, b: 1n } },
      { terms: base.map((_, i) => [i, 1n << BigInt(21 * (i % 3))] as const) },
      { terms: [[0, word()], [U - 1, word()], [0, word()]], constant: { a: word(), b: word() } },
      { terms: [], constant: { a: 5n, b: 7n } },
      { terms: [[U - 1, 1n]] },
    ];
    const right = rights.map((r) => formed(base, r, n));
    const z = random(L * rights.length);
    const want = reference(z, left, right, n);
    const totals = random(2 * rights.length);
    addCombinedInnerTerms(z, left, base, rights, n, totals);
    assert.deepEqual(z, want, `${L} left, ${U} base vectors of ${n} rows`);
    const sum = (v: BigUint64Array) => v.reduce((acc, x) => BigInt.asUintN(64, acc + x), 0n);
    assert.deepEqual(totals, BigUint64Array.from(right.flatMap((y) => [sum(y.a), sum(y.b)])), 'the combined vectors\' own sums');
    base.forEach((y, j) => assert.deepEqual([y.a, y.b], before[j], 'the base vectors are left as they were'));
  }
  assert.throws(() => addCombinedInnerTerms(new BigUint64Array(1), [new AShare(random(2), random(2))], [new AShare(random(2), random(2))], [{ terms: [[1, 1n]] }], 2), UsageError);
});

test('the wasm product terms (mulPairs\' local terms) equal the plaintext products mod 2^64, added to what z held: several chunks, 1 to 3 left and 0 to 8 right vectors, one row', () => {
  const shapes: [number, number, number][] = [[1, 7, 20_000], [3, 2, 17], [2, 8, 6000], [1, 1, 1], [2, 0, 5]];
  for (const [L, R, n] of shapes) {
    const left = Array.from({ length: L }, () => new AShare(random(n), random(n)));
    const right = Array.from({ length: R }, () => new AShare(random(n), random(n)));
    const z = random(L * R * n);
    const want = z.slice();
    left.forEach((x, i) => right.forEach((y, j) => {
      for (let k = 0; k < n; k++) want[(i * R + j) * n + k] += x.a[k] * (y.a[k] + y.b[k]) + x.b[k] * y.a[k];
    }));
    addProductTerms(z, left, right, n);
    assert.deepEqual(z, want, `${L} x ${R} vectors of ${n} rows`);
  }
});
