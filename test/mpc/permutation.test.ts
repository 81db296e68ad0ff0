/** The PRG-drawn permutations behind the shuffle: exactly uniform, identical for both holders, applied correctly. */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { Prg } from '../../src/crypto/prg.js';
import { bucketCount, composedPermutation, drawPermutation, permuteStacked, randomPermutation, wideProduct } from '../../src/mpc/protocols/permutation.js';

const prgFor = (t: number, salt = 0): Prg => {
  const key = new Uint8Array(16);
  new DataView(key.buffer).setUint32(0, t);
  new DataView(key.buffer).setUint32(4, salt);
  return new Prg(key);
};

/** Chi-square statistic of counts against a uniform expectation. */
function chiSquare(counts: Iterable<number>, cells: number, trials: number): number {
  const expected = trials / cells;
  let chi2 = 0, seen = 0;
  for (const c of counts) {
    chi2 += (c - expected) ** 2 / expected;
    seen++;
  }
  return chi2 + (cells - seen) * expected; // cells never hit
}

for (const buckets of [1, 4]) {
  test(`all 24 orders of 4 rows are equally likely (${buckets} bucket${buckets > 1 ? 's' : ''}; chi-square)`, () => {
    const counts = new Map<string, number>();
    const trials = 48_000;
    for (let t = 0; t < trials; t++) {
      const p = randomPermutation(prgFor(t, buckets), 4, buckets).join('');
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    assert.equal(counts.size, 24);
    // 23 degrees of freedom: P(chi2 > 49.7) = 0.001.
    const chi2 = chiSquare(counts.values(), 24, trials);
    assert.ok(chi2 < 49.7, `chi-square ${chi2.toFixed(1)} says the permutations are not uniform`);
  });
}

test('with 8 buckets, a row lands in each of 64 positions equally often, and pairs stay unbiased (chi-square)', () => {
  const trials = 32_000;
  const where = new Array<number>(64).fill(0);
  let before = 0; // how often row 3 ends up before row 40 (1/2 when uniform)
  for (let t = 0; t < trials; t++) {
    const perm = randomPermutation(prgFor(t, 99), 64, 8);
    const at3 = perm.indexOf(3), at40 = perm.indexOf(40);
    where[at3]++;
    if (at3 < at40) before++;
  }
  // 63 degrees of freedom: P(chi2 > 103.4) = 0.001.
  const chi2 = chiSquare(where, 64, trials);
  assert.ok(chi2 < 103.4, `chi-square ${chi2.toFixed(1)}: positions are not uniform`);
  // Binomial(32000, 1/2): 4 standard deviations is 358.
  assert.ok(Math.abs(before - trials / 2) < 358, `row 3 came first ${before} times of ${trials}`);
});

test('two holders of one PRG key draw the same permutation; the staged form applies it correctly', () => {
  for (const n of [0, 1, 2, 5, 4097, 70_000]) {
    const a = drawPermutation(prgFor(n, 7), n), b = drawPermutation(prgFor(n, 7), n);
    assert.deepEqual(a, b);
    const perm = composedPermutation(a);
    assert.deepEqual([...perm].sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i), 'a permutation');
    const columns = 3;
    const src = BigUint64Array.from({ length: columns * n }, (_, i) => BigInt(i) * 0x9e3779b97f4a7c15n);
    const out = permuteStacked(src, a, new BigUint64Array(n));
    const expected = BigUint64Array.from({ length: columns * n }, (_, i) => src[Math.floor(i / n) * n + perm[i % n]]);
    assert.deepEqual(out, expected);
  }
  assert.deepEqual([1, 4096, 4097, 2 ** 20, 2 ** 24].map(bucketCount), [1, 1, 2, 256, 256]);
});

test('the 64-bit product behind the exact draws is exact for every bound below 2^31', () => {
  const parts = new Float64Array(2);
  const bounds = fc.oneof(fc.integer({ min: 1, max: 2 ** 21 - 1 }), fc.integer({ min: 2 ** 21, max: 2 ** 31 - 1 }), fc.constantFrom(1, 2 ** 21 - 1, 2 ** 21, 2 ** 31 - 1));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), bounds, (draw, bound) => {
      const product = BigInt(draw) * BigInt(bound);
      assert.equal(wideProduct(draw, bound, parts), Number(product >> 32n));
      assert.equal(parts[1], Number(product & 0xffffffffn));
    }),
    { numRuns: 20_000 },
  );
});

test('the draws are pinned: a fixed key gives the same permutations as the reference implementation', () => {
  // Digest of permutations drawn by the implementation before the Fisher-Yates loop was inlined
  // (main at 2b1142b): the inlined fast path must make the same draws, rejections and swaps, or
  // two nodes running different versions would shuffle differently. Sizes cover one bucket,
  // many buckets and, with buckets = 1 over 3e6 rows, bounds above 2^21 (the general path).
  const key = new Uint8Array(16).fill(7);
  const h = createHash('sha256');
  for (const m of [1, 2, 3, 1000, 5000, 100000]) h.update(randomPermutation(new Prg(key), m));
  h.update(randomPermutation(new Prg(key), 3000000, 1));
  assert.equal(h.digest('hex'), '069afc4217c5079370d052a8b7b21d8de73fd657c12db3062d42fa9e36066cd5');
});
