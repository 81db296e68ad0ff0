import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, signed, signedIn, TWO62, trio, u64, vectorOf } from '../helpers/protocol.js';
import { openBits } from '../../src/mpc/protocols/io.js';
import { eq, eqz, lt, msb } from '../../src/mpc/protocols/compare.js';
import { unpackBits } from '../../src/ring/bits.js';

after(closeTrio);

const bits = (words: BigUint64Array, n: number): Uint8Array => unpackBits({ words, length: n });

test('msb is the top bit, eqz tests for zero (any 64-bit value); 8 and 7 rounds', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(vectorOf(u64, 150), async (x) => {
      const [r] = await t.run(async (s) => {
        const xs = await secret(s, x, 1);
        const r0 = s.stats.rounds;
        const m = await msb(s, xs);
        const r1 = s.stats.rounds;
        const e = await eqz(s, xs);
        const eqRounds = s.stats.rounds - r1;
        return { m: await openBits(s, m), e: await openBits(s, e), msbRounds: r1 - r0, eqRounds };
      });
      assert.equal(r.msbRounds, 8);
      assert.equal(r.eqRounds, 7);
      const mb = bits(r.m, x.length), eb = bits(r.e, x.length);
      x.forEach((v, i) => {
        assert.equal(mb[i], Number(v >> 63n), `msb of element ${i}`);
        assert.equal(eb[i], v === 0n ? 1 : 0, `eqz of element ${i}`);
      });
    }),
    { numRuns: RUNS },
  );
});

test('lt and eq agree with signed comparison over the declared range [-2^62, 2^62)', async () => {
  const t = await trio();
  const value = signedIn(-TWO62, TWO62 - 1n);
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(value, value, fc.boolean()), { maxLength: 120 }), async (pairs) => {
      const x = BigUint64Array.from(pairs.map((p) => p[0]));
      const y = BigUint64Array.from(pairs.map((p) => (p[2] ? p[0] : p[1])));
      const [r] = await t.run(async (s) => {
        const xs = await secret(s, x, 0), ys = await secret(s, y, 2);
        return { lt: await openBits(s, await lt(s, xs, ys)), eq: await openBits(s, await eq(s, xs, ys)) };
      });
      const lb = bits(r.lt, x.length), eb = bits(r.eq, x.length);
      x.forEach((v, i) => {
        assert.equal(lb[i], signed(v) < signed(y[i]) ? 1 : 0, `lt of pair ${i}`);
        assert.equal(eb[i], v === y[i] ? 1 : 0, `eq of pair ${i}`);
      });
    }),
    { numRuns: RUNS },
  );
});

test('comparisons on vectors longer than one padding block', async () => {
  const t = await trio();
  const n = 5000;
  const x = new BigUint64Array(n);
  for (let i = 0; i < n; i++) x[i] = BigInt.asUintN(64, BigInt(i - 2500) * 0x123456789n);
  x[17] = 0n;
  const [r] = await t.run(async (s) => {
    const xs = await secret(s, x, 0);
    return { m: await openBits(s, await msb(s, xs)), e: await openBits(s, await eqz(s, xs)) };
  });
  const mb = bits(r.m, n), eb = bits(r.e, n);
  for (let i = 0; i < n; i++) {
    assert.equal(mb[i], Number(x[i] >> 63n));
    assert.equal(eb[i], x[i] === 0n ? 1 : 0);
  }
});
