/**
 * ltSplit (compare-split.ts): x < y when |x − y| < 2^(bits − 1) for 33 ≤ bits ≤ 48, at the edges
 * of that bound, in 8 rounds; vectors that fill every lane of both packed regions (the 32-bit
 * low words and the 8- or 16-bit high lanes), fewer elements than given (`n`), and the bytes
 * against compare.ts lt.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { openBits } from '../../src/mpc/protocols/io.js';
import { ltSplit, SPLIT_MAX_BITS, SPLIT_MIN_BITS } from '../../src/mpc/protocols/compare-split.js';
import { lt } from '../../src/mpc/protocols/compare.js';
import { paddedWords } from '../../src/mpc/protocols/carry-tree.js';
import { unpackBits } from '../../src/ring/bits.js';
import { UsageError } from '../../src/errors.js';
import { narrowPairs } from '../helpers/narrow-pairs.js';

after(closeTrio);

const ring = (v: bigint): bigint => BigInt.asUintN(64, v);

const caseArb = narrowPairs(SPLIT_MIN_BITS, SPLIT_MAX_BITS, [1n << 31n, -(1n << 31n), (1n << 32n) - 1n, -(1n << 32n), 1n << 32n]);

test('ltSplit = x < y whenever |x − y| < 2^(bits−1), in 8 rounds', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(caseArb, async ([bits, pairs]) => {
      const x = BigUint64Array.from(pairs.map((p) => ring(p[0]))), y = BigUint64Array.from(pairs.map((p) => ring(p[1])));
      const [r] = await t.run(async (s) => {
        const xs = await secret(s, x, 0), ys = await secret(s, y, 1);
        const r0 = s.stats.rounds;
        const bitsOut = await ltSplit(s, xs, ys, bits);
        return { rounds: s.stats.rounds - r0, bits: await openBits(s, bitsOut) };
      });
      assert.equal(r.rounds, pairs.length > 0 ? 8 : 0);
      const got = unpackBits({ words: r.bits, length: pairs.length });
      pairs.forEach(([a, b], i) => assert.equal(got[i], a < b ? 1 : 0, `bits ${bits}: ${a} < ${b}`));
    }),
    { numRuns: Math.max(40, RUNS) },
  );
});

test('ltSplit fills every lane of both regions (8- and 16-bit high lanes), in one block and in three, and compares only the first n elements', async () => {
  const t = await trio();
  for (const [bits, blocks] of [[33, 1], [39, 1], [39, 3], [40, 1], [41, 1], [41, 3], [48, 1]]) {
    const lane = bits - 33 < 8 ? 8 : 16;
    // Just under 8 × 1024 (or 4 × 1024) elements per block: every high lane used, the last one
    // partly; the low words' second lane from element 1024 on. Three blocks from 12,288 elements.
    const n = blocks * (64 / lane) * paddedWords(1, lane) - 5 + (blocks > 1 ? 8 * 1024 : 0);
    const bound = (1n << BigInt(bits - 1)) - 1n;
    const extremes = [bound, -bound, 0n, 1n, -1n, (1n << 32n) - 1n, 1n << 32n, -(1n << 32n)].filter((e) => e >= -bound && e <= bound);
    const xs = Array.from({ length: n }, (_, i) => BigInt((i * 7919) % 200_003) - 100_000n + (i % 3 === 0 ? 1n << 61n : 0n));
    const ds = xs.map((_, i) => (i % 4 === 0 ? extremes[(i >> 2) % extremes.length] : (BigInt(i) * 0x9e3779b97f4an) % (2n * bound + 1n) - bound));
    const ys = xs.map((x, i) => x - ds[i]);
    const m = n - 7; // operands longer than the compared elements (the selection's reused buffers)
    const [words] = await t.run(async (s) => openBits(s, await ltSplit(s, await secret(s, BigUint64Array.from(xs.map(ring)), 2), await secret(s, BigUint64Array.from(ys.map(ring)), 0), bits, m)));
    const got = unpackBits({ words, length: m });
    for (let i = 0; i < m; i++) assert.equal(got[i], xs[i] < ys[i] ? 1 : 0, `bits ${bits}, element ${i}: ${xs[i]} < ${ys[i]}`);
  }
});

test('ltSplit sends fewer bytes than lt (39 bits: about 62 %) and refuses widths it cannot compare', async () => {
  const t = await trio();
  const n = 1 << 16;
  const x = BigUint64Array.from({ length: n }, (_, i) => BigInt(i) << 18n), y = BigUint64Array.from({ length: n }, (_, i) => BigInt(n - i) << 18n);
  const [r] = await t.run(async (s) => {
    const xs = await secret(s, x, 0), ys = await secret(s, y, 1);
    const b0 = s.stats.bytesSent;
    await ltSplit(s, xs, ys, 39);
    const b1 = s.stats.bytesSent;
    await lt(s, xs, ys);
    const b2 = s.stats.bytesSent;
    await assert.rejects(ltSplit(s, xs, ys, 32), UsageError);
    await assert.rejects(ltSplit(s, xs, ys, 49), UsageError);
    return { split: (b1 - b0) / n, full: (b2 - b1) / n };
  });
  assert.ok(r.split < 0.7 * r.full, `ltSplit ${r.split.toFixed(1)} B per element, lt ${r.full.toFixed(1)}`);
});
