/**
 * The property-test input of the range-aware comparators (compare-narrow, compare-split): a width
 * `bits` in [minBits, maxBits] and up to 60 pairs (x, y) with |x − y| < 2^(bits−1), x anywhere in
 * ±2^62, differences drawn uniformly or from the edges (±bound, 0, ±1 and `edges` that fit).
 */

import fc from 'fast-check';

export function narrowPairs(minBits: number, maxBits: number, edges: readonly bigint[] = []): fc.Arbitrary<[number, (readonly [bigint, bigint])[]]> {
  return fc.integer({ min: minBits, max: maxBits }).chain((bits) => {
    const bound = (1n << BigInt(bits - 1)) - 1n;
    const fitting = [-bound, bound, 0n, 1n, -1n, ...edges.filter((e) => e >= -bound && e <= bound)];
    const pair = fc
      .tuple(fc.bigInt({ min: -(1n << 62n), max: 1n << 62n }), fc.oneof(fc.bigInt({ min: -bound, max: bound }), fc.constantFrom(...fitting)))
      .map(([x, d]) => [x, x - d] as const);
    return fc.tuple(fc.constant(bits), fc.array(pair, { maxLength: 60 }));
  });
}
