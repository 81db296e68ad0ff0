/** a2bNarrow (convert-narrow.ts): the binary sharing of values in [0, 2^bits), on lanes of 8, 16 and 32 bits, at the lanes' edges, in 2 + log2(lane) rounds. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { openBinary } from '../../src/mpc/protocols/io.js';
import { a2bNarrow, a2bNarrowPlanes, NARROW_A2B_MAX_BITS } from '../../src/mpc/protocols/convert-narrow.js';
import { BShare } from '../../src/mpc/shares.js';
import { laneWidth } from '../../src/mpc/protocols/lanes.js';
import { UsageError } from '../../src/errors.js';

after(closeTrio);

const caseArb = fc.integer({ min: 1, max: NARROW_A2B_MAX_BITS }).chain((bits) => {
  const top = (1n << BigInt(bits)) - 1n;
  return fc.tuple(fc.constant(bits), fc.array(fc.oneof(fc.bigInt({ min: 0n, max: top }), fc.constantFrom(0n, 1n, top, top >> 1n, (top >> 1n) + 1n)), { maxLength: 70 }));
});

test('a2bNarrow opens to the same values, in 2 + log2(lane) rounds', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(caseArb, async ([bits, xs]) => {
      const [r] = await t.run(async (s) => {
        const x = await secret(s, BigUint64Array.from(xs), 1);
        const r0 = s.stats.rounds;
        const b = await a2bNarrow(s, x, bits);
        return { rounds: s.stats.rounds - r0, words: await openBinary(s, b) };
      });
      if (xs.length > 0) assert.equal(r.rounds, 2 + Math.log2(laneWidth(bits)));
      assert.deepEqual([...r.words], xs);
    }),
    { numRuns: Math.max(40, RUNS) },
  );
});

test('a2bNarrow over every lane of many words (8, 16 and 32-bit lanes, their edge widths) and refuses a width it cannot take', async () => {
  const t = await trio();
  for (const bits of [1, 7, 8, 9, 16, 17, 32]) {
    const top = (1n << BigInt(bits)) - 1n;
    const n = 5001;
    const xs = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? top : i % 11 === 0 ? 0n : (BigInt(i) * 0x9e3779b97f4a7c15n) & top));
    const [words] = await t.run(async (s) => openBinary(s, await a2bNarrow(s, await secret(s, BigUint64Array.from(xs), 0), bits)));
    xs.forEach((x, i) => assert.equal(words[i], x, `bits ${bits}, element ${i}`));
  }
  await assert.rejects(t.run(async (s) => a2bNarrow(s, await secret(s, BigUint64Array.of(1n)), 33)), UsageError);
});

test('a2bNarrowPlanes: the same bits as a2bNarrow, as planes read straight from the lanes (lengths around the 32-element blocks and the lane boundaries)', async () => {
  const t = await trio();
  for (const bits of [1, 7, 8, 9, 16, 17, 32]) {
    for (const n of [1, 31, 33, 64, 65, 1000, 5001]) {
      const top = (1n << BigInt(bits)) - 1n;
      const xs = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? top : i % 11 === 0 ? 0n : (BigInt(i) * 0x9e3779b97f4a7c15n) & top));
      const [planes] = await t.run(async (s) => {
        const out = await a2bNarrowPlanes(s, await secret(s, BigUint64Array.from(xs), 2), bits);
        const opened = [];
        for (const p of out) opened.push(await openBinary(s, new BShare(p.a, p.b)));
        return opened;
      });
      assert.equal(planes.length, bits);
      xs.forEach((x, i) => {
        let v = 0n;
        planes.forEach((p, b) => (v |= ((p[i >>> 6] >> BigInt(i & 63)) & 1n) << BigInt(b)));
        assert.equal(v, x, `bits ${bits}, ${n} elements, element ${i}`);
      });
      // Past the last element, every plane word is zero.
      planes.forEach((p) => assert.equal(n % 64 === 0 ? 0n : p[p.length - 1] >> BigInt(n % 64), 0n));
    }
  }
});
