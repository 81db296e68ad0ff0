import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio, u64, vectorOf } from '../helpers/protocol.js';
import { open, openTo, randomA } from '../../src/mpc/protocols/io.js';
import { dot, dots, matmul, mul, mulPairs } from '../../src/mpc/protocols/arith.js';
import { addA, mulPublicA, negA, prefixSumA, scaleA, subA, sumA } from '../../src/mpc/shares.js';
import { addConstA } from '../../src/mpc/sharing.js';

after(closeTrio);

test('input then open returns the input, to everyone or to one party only', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(vectorOf(u64), fc.constantFrom(0, 1, 2), fc.constantFrom(0, 1, 2), async (x, owner, to) => {
      const res = await t.run(async (s) => {
        const xs = await secret(s, x, owner as 0 | 1 | 2);
        return { all: await open(s, xs), one: await openTo(s, to as 0 | 1 | 2, xs) };
      });
      for (const r of res) assert.deepEqual(r.all, x);
      res.forEach((r, p) => (p === to ? assert.deepEqual(r.one, x) : assert.equal(r.one, undefined)));
    }),
    { numRuns: RUNS },
  );
});

test('local linear operations match the plaintext ring', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 40 }).chain((n) => fc.tuple(fc.array(u64, { minLength: n, maxLength: n }), fc.array(u64, { minLength: n, maxLength: n }), u64)), async ([xArr, yArr, c]) => {
      const x = BigUint64Array.from(xArr), y = BigUint64Array.from(yArr);
      const [r] = await t.run(async (s) => {
        const xs = await secret(s, x, 0), ys = await secret(s, y, 1);
        return {
          add: await open(s, addA(xs, ys)),
          sub: await open(s, subA(xs, ys)),
          neg: await open(s, negA(xs)),
          scale: await open(s, scaleA(xs, c)),
          addc: await open(s, addConstA(s.me, xs, c)),
          mulp: await open(s, mulPublicA(xs, y)),
          prefix: await open(s, prefixSumA(xs)),
          sum: await open(s, sumA(xs)),
        };
      });
      const acc = new BigUint64Array(1);
      x.forEach((v, i) => {
        assert.equal(r.add[i], BigInt.asUintN(64, v + y[i]));
        assert.equal(r.sub[i], BigInt.asUintN(64, v - y[i]));
        assert.equal(r.neg[i], BigInt.asUintN(64, -v));
        assert.equal(r.scale[i], BigInt.asUintN(64, v * c));
        assert.equal(r.addc[i], BigInt.asUintN(64, v + c));
        assert.equal(r.mulp[i], BigInt.asUintN(64, v * y[i]));
        acc[0] += v;
        assert.equal(r.prefix[i], acc[0]);
      });
      assert.equal(r.sum[0], acc[0]);
    }),
    { numRuns: RUNS },
  );
});

test('mul and dot match the plaintext ring; one round each', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 7 }), fc.array(u64, { minLength: 126, maxLength: 126 }), async (m, groups, pool) => {
      const n = m * groups;
      const x = BigUint64Array.from(pool.slice(0, n)), y = BigUint64Array.from(pool.slice(63, 63 + n));
      const [r] = await t.run(async (s) => {
        const xs = await secret(s, x, 2), ys = await secret(s, y, 0);
        const before = s.stats.rounds;
        const z = await mul(s, xs, ys);
        const d = await dot(s, xs, ys, m);
        return { z: await open(s, z), d: await open(s, d), rounds: s.stats.rounds - before };
      });
      assert.equal(r.rounds, 2 + 2);
      x.forEach((v, i) => assert.equal(r.z[i], BigInt.asUintN(64, v * y[i])));
      for (let g = 0; g < groups; g++) {
        let acc = 0n;
        for (let i = g * m; i < (g + 1) * m; i++) acc += x[i] * y[i];
        assert.equal(r.d[g], BigInt.asUintN(64, acc));
      }
    }),
    { numRuns: RUNS },
  );
});

test('dots: the inner product of each pair of vectors (lengths differ between pairs, empty ones too), one round; pairs of unequal length refused', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 9 }).chain((n) => fc.tuple(fc.array(u64, { minLength: n, maxLength: n }), fc.array(u64, { minLength: n, maxLength: n }))), { minLength: 1, maxLength: 5 }), async (pairs) => {
      const [r] = await t.run(async (s) => {
        const shared = [];
        for (const [x, y] of pairs) shared.push([await secret(s, BigUint64Array.from(x), 1), await secret(s, BigUint64Array.from(y), 2)] as const);
        const before = s.stats.rounds;
        const d = await dots(s, shared);
        return { d: await open(s, d), rounds: s.stats.rounds - before };
      });
      assert.equal(r.rounds, 1 + 1);
      assert.deepEqual([...r.d], pairs.map(([x, y]) => BigInt.asUintN(64, x.reduce((acc, v, i) => acc + v * y[i], 0n))));
    }),
    { numRuns: RUNS },
  );
  await assert.rejects(
    t.run(async (s) => dots(s, [[await secret(s, BigUint64Array.of(1n, 2n), 0), await secret(s, BigUint64Array.of(1n), 0)]])),
    /dots: operands differ in length \(2 vs 1\)/,
  );
});

test('matmul matches the plaintext product', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.array(u64, { minLength: 72, maxLength: 72 }), async (rows, inner, cols, pool) => {
      const x = BigUint64Array.from(pool.slice(0, rows * inner)), y = BigUint64Array.from(pool.slice(36, 36 + inner * cols));
      const [r] = await t.run(async (s) => open(s, await matmul(s, await secret(s, x, 1), await secret(s, y, 2), rows, inner, cols)));
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++) {
          let acc = 0n;
          for (let k = 0; k < inner; k++) acc += x[i * inner + k] * y[k * cols + j];
          assert.equal(r[i * cols + j], BigInt.asUintN(64, acc));
        }
    }),
    { numRuns: RUNS },
  );
});

test('random shares open to the same value everywhere', async () => {
  const t = await trio();
  const res = await t.run(async (s) => open(s, randomA(s, 100)));
  assert.deepEqual(res[0], res[1]);
  assert.deepEqual(res[1], res[2]);
  assert.ok(res[0].some((v) => v !== 0n));
});

test('mulPairs into lent memory: the same products, computed in that memory whatever it held; a short buffer is refused', async () => {
  const t = await trio();
  const n = 7, left = [[1n, 2n, 3n, 4n, 5n, 6n, 7n], [0n, 1n, 0n, 1n, 0n, 1n, 2n ** 63n]], right = [[3n, 3n, 3n, 3n, 3n, 3n, 3n], [2n ** 64n - 1n, 5n, 0n, 9n, 1n, 2n, 2n]];
  const res = await t.run(async (s) => {
    const l = [], q = [];
    for (const v of left) l.push(await secret(s, BigUint64Array.from(v), 0));
    for (const v of right) q.push(await secret(s, BigUint64Array.from(v), 1));
    const into = new BigUint64Array(2 * n * 4 + 3).fill(0xdeadbeefn);
    const out = await mulPairs(s, l, q, into);
    const inside = out.every((o) => o.a.buffer === into.buffer && o.b.buffer === into.buffer);
    const opened = [];
    for (const o of out) opened.push([...(await open(s, o))]);
    const short = await mulPairs(s, l, q, new BigUint64Array(2 * n * 4 - 1)).then(() => 'accepted', (e: Error) => e.message);
    return { opened, inside, short };
  });
  for (const r of res) {
    assert.equal(r.inside, true);
    assert.deepEqual(r.opened, left.flatMap((x) => right.map((y) => x.map((v, i) => BigInt.asUintN(64, v * y[i])))));
    assert.match(r.short, /output buffer holds 55 words, the products need 56/);
  }
});

test('mulPairs: every product left[i] · right[j], element-wise, in one round', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 30 }).chain((n) => fc.tuple(fc.array(fc.array(u64, { minLength: n, maxLength: n }), { minLength: 1, maxLength: 3 }), fc.array(fc.array(u64, { minLength: n, maxLength: n }), { minLength: 1, maxLength: 4 }))), async ([left, right]) => {
      const [r] = await t.run(async (s) => {
        const l = [];
        for (const v of left) l.push(await secret(s, BigUint64Array.from(v), 0));
        const q = [];
        for (const v of right) q.push(await secret(s, BigUint64Array.from(v), 2));
        const r0 = s.stats.rounds;
        const out = await mulPairs(s, l, q);
        const rounds = s.stats.rounds - r0;
        const opened = [];
        for (const o of out) opened.push([...(await open(s, o))]);
        return { opened, rounds };
      });
      assert.equal(r.rounds, 1);
      assert.deepEqual(r.opened, left.flatMap((x) => right.map((y) => x.map((v, i) => BigInt.asUintN(64, v * y[i])))));
    }),
    { numRuns: RUNS },
  );
});

test('zero-sharings add (and XOR) to zero at every length, across the keystream chunks, in vectors that are not zero-filled first', async () => {
  const t = await trio();
  // The shares are written into uninitialised memory: any word the keystream missed would show here.
  for (const n of [0, 1, 7, 8191, 8192, 8193, 3 * 8192 + 5]) {
    const res = await t.run(async (s) => ({ arith: s.zeroShare(n), xor: s.zeroShareXor(n) }));
    for (let i = 0; i < n; i++) {
      assert.equal(BigInt.asUintN(64, res[0].arith[i] + res[1].arith[i] + res[2].arith[i]), 0n, `arithmetic, n=${n}, word ${i}`);
      assert.equal(res[0].xor[i] ^ res[1].xor[i] ^ res[2].xor[i], 0n, `binary, n=${n}, word ${i}`);
    }
    assert.ok(n < 2 || res[0].arith[0] !== res[0].arith[1], 'the shares are random, not zero');
  }
});
