/**
 * Mean and variance from the exact sums the nodes open: the variance is the float64 nearest the
 * exact sample variance (within one ulp) however large the values' mean, where the textbook
 * float64 formula from the same sums loses every digit.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ratio, summarize } from '../../src/stats/moments.js';

/** The exact sample variance as a rational p / q, compared with a float through 200 extra bits. */
function assertWithinUlp(actual: number, p: bigint, q: bigint, what: string): void {
  const exact = Number((p << 200n) / q) / 2 ** 200;
  const ulp = Math.max(Number.MIN_VALUE, Math.abs(exact) * 2 ** -52);
  assert.ok(Math.abs(actual - exact) <= ulp, `${what}: ${actual} vs ${exact}`);
}

test('variance from exact integer sums is correct to one ulp (property, values up to 2^50 around large means)', () => {
  fc.assert(
    fc.property(fc.array(fc.bigInt({ min: -(2n ** 50n), max: 2n ** 50n }), { minLength: 2, maxLength: 300 }), fc.bigInt({ min: 0n, max: 2n ** 12n }), fc.integer({ min: 0, max: 6 }), (values, spread, scale) => {
      const xs = values.map((v) => v + spread * (v % 7n));
      const n = BigInt(xs.length);
      const sum = xs.reduce((a, b) => a + b, 0n);
      const sumSquares = xs.reduce((a, b) => a + b * b, 0n);
      const s = summarize({ n, sum, sumSquares, scale });
      const unit = 10n ** BigInt(scale);
      assertWithinUlp(s.mean, sum, n * unit, 'mean');
      const numerator = n * sumSquares - sum * sum;
      if (numerator === 0n) assert.equal(s.variance, 0);
      else assertWithinUlp(s.variance, numerator, n * (n - 1n) * unit * unit, 'variance');
    }),
    { numRuns: 300 },
  );
});

test('a million values of about 10^9 with spread 1: exact here, while float64 from the same sums is far off', () => {
  const n = 1_000_000n;
  // Values 10^9 + (i mod 3) - 1: mean 10^9 - 1/10^6 ... computed exactly.
  let sum = 0n, sumSquares = 0n;
  for (let i = 0n; i < n; i++) {
    const v = 1_000_000_000n + (i % 3n) - 1n;
    sum += v;
    sumSquares += v * v;
  }
  const s = summarize({ n, sum, sumSquares, scale: 0 });
  assertWithinUlp(s.variance, n * sumSquares - sum * sum, n * (n - 1n), 'variance');
  const naive = (Number(sumSquares) - Number(sum) ** 2 / Number(n)) / Number(n - 1n);
  assert.ok(Math.abs(naive - s.variance) > 0.1, `float64 from the same sums: ${naive}, exact: ${s.variance}`);
});

test('ratio rounds huge quotients once; inconsistent sums are refused', () => {
  assert.equal(ratio(10n ** 40n, 10n ** 20n), 1e20);
  assert.equal(ratio(-7n, 2n), -3.5);
  assert.throws(() => summarize({ n: 3n, sum: 10n, sumSquares: 1n, scale: 0 }), /inconsistent/);
  assert.ok(Number.isNaN(summarize({ n: 1n, sum: 5n, sumSquares: 25n, scale: 0 }).variance));
});
