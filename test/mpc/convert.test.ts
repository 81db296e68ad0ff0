import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio, u64, vectorOf } from '../helpers/protocol.js';
import { inputBinary, open, openBinary } from '../../src/mpc/protocols/io.js';
import { a2b, b2a, bitInject } from '../../src/mpc/protocols/convert.js';
import { select, selectBit } from '../../src/mpc/protocols/select.js';
import { BitShare } from '../../src/mpc/shares.js';
import { packBits, wordsFor } from '../../src/ring/bits.js';

after(closeTrio);

test('a2b then b2a round-trips; a2b opens to the same words (8 and 9 rounds)', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(vectorOf(u64, 80), async (x) => {
      const [r] = await t.run(async (s) => {
        const xs = await secret(s, x, 2);
        const r0 = s.stats.rounds;
        const b = await a2b(s, xs);
        const r1 = s.stats.rounds;
        const back = await b2a(s, b);
        const r2 = s.stats.rounds;
        return { bin: await openBinary(s, b), back: await open(s, back), a2bRounds: r1 - r0, b2aRounds: r2 - r1 };
      });
      assert.equal(r.a2bRounds, 8);
      assert.equal(r.b2aRounds, 9);
      assert.deepEqual(r.bin, x);
      assert.deepEqual(r.back, x);
    }),
    { numRuns: RUNS },
  );
});

test('b2a of binary input from each party', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(vectorOf(u64, 40), fc.constantFrom(0, 1, 2), async (x, owner) => {
      const [r] = await t.run(async (s) => {
        const b = await inputBinary(s, owner as 0 | 1 | 2, s.me === owner ? x : x.length);
        return open(s, await b2a(s, b));
      });
      assert.deepEqual(r, x);
    }),
    { numRuns: RUNS },
  );
});

/** Shares packed bits from party 0 (binary input of the packed words). */
async function secretBits(s: Parameters<typeof inputBinary>[0], bits: number[]): Promise<BitShare> {
  const words = packBits(bits).words;
  const b = await inputBinary(s, 0, s.me === 0 ? words : wordsFor(bits.length));
  return new BitShare(b.a, b.b, bits.length);
}

test('bit injection and selection', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.boolean(), u64, u64), { maxLength: 100 }), async (rows) => {
      const c = rows.map((r) => (r[0] ? 1 : 0));
      const x = BigUint64Array.from(rows.map((r) => r[1])), y = BigUint64Array.from(rows.map((r) => r[2]));
      const [r] = await t.run(async (s) => {
        const cb = await secretBits(s, c);
        const r0 = s.stats.rounds;
        const ca = await bitInject(s, cb);
        const injectRounds = s.stats.rounds - r0;
        const xs = await secret(s, x, 1), ys = await secret(s, y, 2);
        return { ca: await open(s, ca), sel: await open(s, await select(s, ca, xs, ys)), selBit: await open(s, await selectBit(s, cb, xs, ys)), injectRounds };
      });
      assert.equal(r.injectRounds, 2);
      c.forEach((b, i) => {
        assert.equal(r.ca[i], BigInt(b));
        assert.equal(r.sel[i], b ? x[i] : y[i]);
        assert.equal(r.selBit[i], b ? x[i] : y[i]);
      });
    }),
    { numRuns: RUNS },
  );
});
