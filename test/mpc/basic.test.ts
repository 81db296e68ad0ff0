import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localTrio } from '../../src/mpc/local.js';
import { input, open, openTo } from '../../src/mpc/protocols/io.js';
import { mul, dot } from '../../src/mpc/protocols/arith.js';

test('input, multiply, open', async () => {
  const trio = await localTrio();
  try {
    const x = BigUint64Array.from([3n, 5n, (1n << 64n) - 1n]);
    const y = BigUint64Array.from([7n, 11n, 2n]);
    const [r0, r1, r2] = await trio.run(async (s) => {
      const xs = await input(s, 0, s.me === 0 ? x : 3);
      const ys = await input(s, 1, s.me === 1 ? y : 3);
      const z = await mul(s, xs, ys);
      const d = await dot(s, xs, ys, 3);
      return { z: await open(s, z), d: await openTo(s, 2, d), rounds: s.stats.rounds };
    });
    assert.deepEqual([...r0.z], [21n, 55n, (1n << 64n) - 2n]);
    assert.deepEqual([...r1.z], [...r0.z]);
    assert.equal(r0.d, undefined);
    assert.equal(r2.d![0], BigInt.asUintN(64, 21n + 55n - 2n));
    assert.equal(r0.rounds, 6);
  } finally {
    trio.close();
  }
});
