import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio, u64 } from '../helpers/protocol.js';
import { openBits } from '../../src/mpc/protocols/io.js';
import { msbOfSum, splitAddends } from '../../src/mpc/protocols/compare.js';
import { msbFused } from '../../src/mpc/protocols/msb-fused.js';
import { unpackBits } from '../../src/ring/bits.js';

after(closeTrio);

const bits = (words: BigUint64Array, n: number): Uint8Array => unpackBits({ words, length: n });

/** Runs the fused MSB and the unfused one (splitAddends + msbOfSum) on the same shares. */
async function both(x: BigUint64Array, y: BigUint64Array | undefined) {
  const t = await trio();
  const [r] = await t.run(async (s) => {
    const xs = await secret(s, x, 2), ys = y && (await secret(s, y, 0));
    const r0 = s.stats.rounds, b0 = s.stats.bytesSent;
    const fused = await msbFused(s, xs, ys);
    const r1 = s.stats.rounds, b1 = s.stats.bytesSent;
    const [v, w] = await splitAddends(s, xs, ys);
    const plain = await msbOfSum(s, v, w);
    const r2 = s.stats.rounds, b2 = s.stats.bytesSent;
    return { fused: await openBits(s, fused), plain: await openBits(s, plain), rounds: [r1 - r0, r2 - r1], bytes: [b1 - b0, b2 - b1] };
  });
  return r;
}

test('msbFused is the top bit of x - y (any 64-bit values, edges included), the same as splitAddends + msbOfSum, with the same rounds and bytes', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(u64, u64), { maxLength: 120 }), fc.boolean(), async (pairs, withY) => {
      const x = BigUint64Array.from(pairs.map((p) => p[0])), y = BigUint64Array.from(pairs.map((p) => p[1]));
      const r = await both(x, withY ? y : undefined);
      assert.equal(r.rounds[0], 8);
      assert.deepEqual(r.rounds[0], r.rounds[1]);
      assert.equal(r.bytes[0], r.bytes[1]);
      const f = bits(r.fused, x.length), p = bits(r.plain, x.length);
      x.forEach((v, i) => {
        const d = withY ? BigInt.asUintN(64, v - y[i]) : v;
        assert.equal(f[i], Number(d >> 63n), `element ${i}`);
        assert.equal(p[i], f[i], `element ${i} differs from the unfused protocol`);
      });
    }),
    { numRuns: RUNS },
  );
});

test('msbFused over several padding blocks and uneven thirds (3001 elements)', async () => {
  const n = 3001;
  const x = new BigUint64Array(n), y = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = BigInt.asUintN(64, BigInt(i * 7919 - 11_000_000) << 40n);
    y[i] = BigInt.asUintN(64, BigInt(((i * 104_729) % 5003) - 2500) << 40n);
  }
  const r = await both(x, y);
  const f = bits(r.fused, n);
  for (let i = 0; i < n; i++) assert.equal(f[i], Number(BigInt.asUintN(64, x[i] - y[i]) >> 63n), `element ${i}`);
});
