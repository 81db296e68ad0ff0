/** ltNarrow (compare-narrow.ts): x < y when |x - y| < 2^(bits - 1), at the edges of that bound, in 2 + log2(lane) rounds; small vectors and vectors that fill every lane of the packed words (8, 16, 32 bits) at the lane widths' edges. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { openBits } from '../../src/mpc/protocols/io.js';
import { ltNarrow, NARROW_MAX_BITS } from '../../src/mpc/protocols/compare-narrow.js';
import { laneWidth } from '../../src/mpc/protocols/lanes.js';
import { paddedWords } from '../../src/mpc/protocols/carry-tree.js';
import { unpackBits } from '../../src/ring/bits.js';
import { narrowPairs } from '../helpers/narrow-pairs.js';

after(closeTrio);

const ring = (v: bigint): bigint => BigInt.asUintN(64, v);

const caseArb = narrowPairs(2, NARROW_MAX_BITS);

test('ltNarrow = x < y whenever |x - y| < 2^(bits-1), in 2 + log2(lane) rounds', async () => {
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
      if (pairs.length > 0) assert.equal(r.rounds, 2 + Math.log2(laneWidth(bits)));
      const got = unpackBits({ words: r.bits, length: pairs.length });
      pairs.forEach(([a, b], i) => assert.equal(got[i], a < b ? 1 : 0, `bits ${bits}: ${a} < ${b}`));
    }),
    { numRuns: Math.max(40, RUNS) },
  );
});

test('ltNarrow fills every lane (8, 16, 32 bits), at each lane width\'s edge bits and the bound\'s extremes', async () => {
  const t = await trio();
  for (const bits of [2, 8, 9, 15, 16, 17, 32]) {
    const lane = laneWidth(bits);
    // Just under lanes x 1024 elements: every lane of the 1024 padded words used, the last one partly.
    const n = (64 / lane) * paddedWords(1, lane) - 5;
    const bound = (1n << BigInt(bits - 1)) - 1n;
    const extremes = [bound, -bound, 0n, 1n, -1n];
    const xs = Array.from({ length: n }, (_, i) => BigInt((i * 7919) % 200_003) - 100_000n + (i % 3 === 0 ? 1n << 61n : 0n));
    const ds = xs.map((_, i) => (i % 4 === 0 ? extremes[(i >> 2) % extremes.length] : (BigInt(i * 104729) % (2n * bound + 1n)) - bound));
    const ys = xs.map((x, i) => x - ds[i]);
    const [words] = await t.run(async (s) => openBits(s, await ltNarrow(s, await secret(s, BigUint64Array.from(xs.map(ring)), 2), await secret(s, BigUint64Array.from(ys.map(ring)), 0), bits)));
    const got = unpackBits({ words, length: n });
    xs.forEach((x, i) => assert.equal(got[i], x < ys[i] ? 1 : 0, `bits ${bits}, element ${i}: ${x} < ${ys[i]}`));
  }
});
