/** The staged application of a public order (sort.ts applies the opened order with it): equal to a plain gather. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { applyStaged, stageOrder } from '../../src/mpc/protocols/apply-order.js';
import { UsageError } from '../../src/errors.js';

function gather(src: BigUint64Array, order: Int32Array): BigUint64Array {
  return BigUint64Array.from(order, (i) => src[i]);
}

function shuffled(n: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let x = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = (x >>> 0) % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

test('staged application equals out[j] = src[order[j]] for every order (fast-check), several arrays at once', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 300 }), fc.integer(), (n, seed) => {
      const order = shuffled(n, seed);
      const arrays = [0, 1].map((c) => BigUint64Array.from({ length: n }, (_, i) => BigInt(i) * 0x9e3779b97f4a7c15n + BigInt(c)));
      const out = applyStaged(arrays, stageOrder(order), new BigUint64Array(n));
      arrays.forEach((src, c) => assert.deepEqual(out[c], gather(src, order)));
    }),
    { numRuns: 200 },
  );
});

test('staged application across many buckets (rows beyond one bucket), identity and reversal', () => {
  const n = 70_001;
  const src = BigUint64Array.from({ length: n }, (_, i) => (BigInt(i) << 40n) | 0xffn);
  for (const order of [shuffled(n, 7), Int32Array.from({ length: n }, (_, i) => i), Int32Array.from({ length: n }, (_, i) => n - 1 - i)]) {
    const [out] = applyStaged([src], stageOrder(order), new BigUint64Array(n));
    assert.deepEqual(out, gather(src, order));
  }
});

test('staged application refuses arrays or scratch of the wrong length', () => {
  const p = stageOrder(Int32Array.of(1, 0, 2));
  assert.throws(() => applyStaged([new BigUint64Array(4)], p, new BigUint64Array(3)), UsageError);
  assert.throws(() => applyStaged([new BigUint64Array(3)], p, new BigUint64Array(2)), UsageError);
});
