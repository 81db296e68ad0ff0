/** ltNarrow (compare-narrow.ts): x < y when |x - y| < 2^(bits - 1), at the edges of that bound, in 7 rounds; small and large vectors (high halves of the packed words). */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { openBits } from '../../src/mpc/protocols/io.js';
import { ltNarrow, NARROW_MAX_BITS } from '../../src/mpc/protocols/compare-narrow.js';
import { unpackBits } from '../../src/ring/bits.js';

after(closeTrio);

const ring = (v: bigint): bigint => BigInt.asUintN(64, v);

/** Pairs with |x - y| < 2^(bits-1), the extremes included, and x, y anywhere in ±2^62. */
const caseArb = fc.integer({ min: 2, max: NARROW_MAX_BITS }).chain((bits) => {
  const bound = (1n << BigInt(bits - 1)) - 1n;
  const pair = fc.tuple(fc.bigInt({ min: -(1n << 62n), max: 1n << 62n }), fc.oneof(fc.bigInt({ min: -bound, max: bound }), fc.constantFrom(-bound, bound, 0n, 1n, -1n))).map(([x, d]) => [x, x - d] as const);
  return fc.tuple(fc.constant(bits), fc.array(pair, { maxLength: 60 }));
});

test('ltNarrow = x < y whenever |x - y| < 2^(bits-1), in 7 rounds', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(caseArb, async ([bits, pairs]) => {
      const x = BigUint64Array.from(pairs.map((p) => ring(p[0]))), y = BigUint64Array.from(pairs.map((p) => ring(p[1])));
      const [r] = await t.run(async (s) => {
        const xs = await secret(s, x, 0), ys = await secret(s, y, 1);
        const r0 = s.stats.rounds;
        const lt = await ltNarrow(s, xs, ys, bits);
        return { rounds: s.stats.rounds - r0, bits: await openBits(s, lt) };
      });
      if (pairs.length > 0) assert.equal(r.rounds, 7);
      const got = unpackBits({ words: r.bits, length: pairs.length });
      pairs.forEach(([a, b], i) => assert.equal(got[i], a < b ? 1 : 0, `bits ${bits}: ${a} < ${b}`));
    }),
    { numRuns: Math.max(40, RUNS) },
  );
});

test('ltNarrow on 3,000 elements (the high halves of packed words) at 15 and 33 bits', async () => {
  const t = await trio();
  for (const bits of [15, 33]) {
    const bound = (1 << Math.min(bits - 1, 30)) - 1;
    const n = 3000;
    const xs = Array.from({ length: n }, (_, i) => BigInt((i * 7919) % 100_000) - 50_000n);
    const ys = xs.map((x, i) => x - BigInt(((i * 104729) % (2 * bound + 1)) - bound));
    const [words] = await t.run(async (s) => openBits(s, await ltNarrow(s, await secret(s, BigUint64Array.from(xs.map(ring)), 2), await secret(s, BigUint64Array.from(ys.map(ring)), 0), bits)));
    const got = unpackBits({ words, length: n });
    xs.forEach((x, i) => assert.equal(got[i], x < ys[i] ? 1 : 0, `bits ${bits}, element ${i}`));
  }
});
