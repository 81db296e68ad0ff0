import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, signed, signedIn, TWO62, trio, u64 } from '../helpers/protocol.js';
import { inputBinary, open, openBinary, openBits } from '../../src/mpc/protocols/io.js';
import { shuffle } from '../../src/mpc/protocols/shuffle.js';
import { pivotSampleSize, sortByKey } from '../../src/mpc/protocols/sort.js';
import { lessThanWords } from '../../src/mpc/protocols/compare-words.js';
import { unpackBits } from '../../src/ring/bits.js';

after(closeTrio);

test('shuffle permutes rows (columns stay aligned) in 3 rounds, differently each time', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(u64, u64), { maxLength: 60 }), async (rows) => {
      const x = BigUint64Array.from(rows.map((r) => r[0])), y = BigUint64Array.from(rows.map((r) => r[1]));
      const [r] = await t.run(async (s) => {
        const xs = await secret(s, x, 0), yb = await inputBinary(s, 1, s.me === 1 ? y : y.length);
        const r0 = s.stats.rounds;
        const out = await shuffle(s, { arith: [xs], binary: [yb] });
        const rounds = s.stats.rounds - r0;
        return { x: await open(s, out.arith[0]), y: await openBinary(s, out.binary[0]), rounds };
      });
      assert.equal(r.rounds, 3);
      const before = rows.map((p) => `${p[0]}:${p[1]}`).sort();
      const after = [...r.x].map((v, i) => `${v}:${r.y[i]}`).sort();
      assert.deepEqual(after, before);
    }),
    { numRuns: RUNS },
  );
  const n = 200;
  const x = BigUint64Array.from({ length: n }, (_, i) => BigInt(i));
  const orders = new Set<string>();
  for (let k = 0; k < 3; k++) {
    const [o] = await t.run(async (s) => open(s, (await shuffle(s, { arith: [await secret(s, x)], binary: [] })).arith[0]));
    orders.add(o.join(','));
  }
  assert.equal(orders.size, 3);
});

test('shuffle of 10,000 rows (several buckets) with three arithmetic and two binary columns: rows stay whole, 3 rounds, 16/8/8 bytes per column and row', async () => {
  const t = await trio();
  const n = 10_000;
  const word = (i: number, c: number): bigint => BigInt.asUintN(64, BigInt(i) * 0x9e3779b97f4a7c15n + BigInt(c) * 0xdeadbeefn);
  const cols = Array.from({ length: 5 }, (_, c) => BigUint64Array.from({ length: n }, (_, i) => word(i, c)));
  const results = await t.run(async (s) => {
    const arith = await Promise.all(cols.slice(0, 3).map((v, c) => secret(s, v, (c % 3) as 0 | 1 | 2)));
    const binary = await Promise.all(cols.slice(3).map((v) => inputBinary(s, 2, s.me === 2 ? v : n)));
    const r0 = s.stats.rounds, b0 = s.stats.bytesSent;
    const out = await shuffle(s, { arith, binary });
    const rounds = s.stats.rounds - r0, bytes = s.stats.bytesSent - b0;
    const opened = [...(await Promise.all(out.arith.map((c) => open(s, c)))), ...(await Promise.all(out.binary.map((c) => openBinary(s, c))))];
    const components = [...out.arith, ...out.binary].map((c) => ({ a: c.a.slice(), b: c.b.slice() }));
    return { opened, rounds, bytes, components };
  });
  // A replicated sharing: party i's first component is party i - 1's second.
  for (let i = 0; i < 3; i++) {
    results[i].components.forEach((c, k) => assert.deepEqual(c.a, results[(i + 2) % 3].components[k].b, `party ${i}, column ${k}`));
  }
  assert.deepEqual(results.map((r) => r.rounds), [3, 3, 3]);
  assert.deepEqual(results.map((r) => r.bytes), [16 * 5 * n, 8 * 5 * n, 8 * 5 * n]);
  const { opened } = results[0];
  const key = (vs: BigUint64Array[], i: number): string => vs.map((v) => v[i].toString(16)).join(':');
  const before = Array.from({ length: n }, (_, i) => key(cols, i)).sort();
  const after = Array.from({ length: n }, (_, i) => key(opened, i));
  assert.deepEqual([...after].sort(), before);
  // Rows moved: a shuffle leaving more than a handful of 10,000 rows in place is not one.
  assert.ok(after.filter((r, i) => r === key(cols, i)).length < 20);
});

test('multi-word lexicographic less-than', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(u64, u64, u64, u64, fc.boolean()), { maxLength: 80 }), async (rows) => {
      const x0 = BigUint64Array.from(rows.map((r) => r[0])), x1 = BigUint64Array.from(rows.map((r) => r[1]));
      const y0 = BigUint64Array.from(rows.map((r) => (r[4] ? r[0] : r[2]))), y1 = BigUint64Array.from(rows.map((r) => r[3]));
      const [bits] = await t.run(async (s) => {
        const inB = (v: BigUint64Array) => inputBinary(s, 2, s.me === 2 ? v : v.length);
        return openBits(s, await lessThanWords(s, [await inB(x0), await inB(x1)], [await inB(y0), await inB(y1)]));
      });
      const b = unpackBits({ words: bits, length: rows.length });
      rows.forEach((_, i) => {
        const expected = x0[i] < y0[i] || (x0[i] === y0[i] && x1[i] < y1[i]);
        assert.equal(b[i], expected ? 1 : 0, `row ${i}`);
      });
    }),
    { numRuns: RUNS },
  );
});

test('sortByKey with keyBits (key decomposed on 8/16/32-bit lanes up to 32 bits; key and index packed into one 32-, 40-, 48- or 64-bit word, or not) sorts stably like the wide comparator', async () => {
  const t = await trio();
  const caseArb = fc.constantFrom(0, 1, 5, 8, 9, 16, 17, 26, 27, 32, 33, 40, 58, 63).chain((bits) =>
    fc.tuple(fc.constant(bits), fc.array(fc.oneof(fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }), fc.constantFrom(0n, (1n << BigInt(bits)) - 1n)), { maxLength: 70 })),
  );
  await fc.assert(
    fc.asyncProperty(caseArb, async ([bits, keys]) => {
      const k = BigUint64Array.from(keys);
      const pay = BigUint64Array.from(keys.map((_, i) => BigInt(i)));
      const [r] = await t.run(async (s) => {
        const out = await sortByKey(s, await secret(s, k, 1), [await secret(s, pay, 2)], { keyBits: bits });
        return { k: await open(s, out.key), p: await open(s, out.payload[0]) };
      });
      const expected = keys.map((v, i) => ({ v, i })).sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : a.i - b.i));
      assert.deepEqual([...r.k], expected.map((e) => e.v));
      assert.deepEqual([...r.p], expected.map((e) => BigInt(e.i)));
    }),
    { numRuns: Math.max(40, RUNS) },
  );
});

test('sortByKey sorts by signed key, stably, carrying the payload', async () => {
  const t = await trio();
  // Few distinct keys make ties common, which is what stability is about.
  const key = fc.oneof(signedIn(-TWO62, TWO62), fc.constantFrom(0n, 1n, BigInt.asUintN(64, -1n), 1n << 63n, (1n << 63n) - 1n, 5n, 5n));
  await fc.assert(
    fc.asyncProperty(fc.array(key, { maxLength: 90 }), async (keys) => {
      const k = BigUint64Array.from(keys);
      const pay = BigUint64Array.from(keys.map((_, i) => BigInt(i)));
      const [r] = await t.run(async (s) => {
        const out = await sortByKey(s, await secret(s, k, 1), [await secret(s, pay, 2)]);
        return { k: await open(s, out.key), p: await open(s, out.payload[0]) };
      });
      const expected = keys.map((v, i) => ({ v, i })).sort((a, b) => (signed(a.v) < signed(b.v) ? -1 : signed(a.v) > signed(b.v) ? 1 : a.i - b.i));
      assert.deepEqual([...r.k], expected.map((e) => e.v));
      assert.deepEqual([...r.p], expected.map((e) => BigInt(e.i)));
    }),
    { numRuns: RUNS },
  );
});

test('sortByKey on 20,000 rows (sampled pivots of up to 25 rows), many ties and the extremes', async () => {
  const t = await trio();
  const n = 20_000;
  const pool = [0n, 1n, BigInt.asUintN(64, -1n), 1n << 63n, (1n << 63n) - 1n];
  const keys = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? pool[i % 5] : BigInt.asUintN(64, BigInt(Math.floor(Math.random() * 2 ** 40) - 2 ** 39))));
  const k = BigUint64Array.from(keys);
  const pay = BigUint64Array.from(keys.map((_, i) => BigInt(i)));
  const [r] = await t.run(async (s) => {
    const out = await sortByKey(s, await secret(s, k, 0), [await secret(s, pay, 2)]);
    return { k: await open(s, out.key), p: await open(s, out.payload[0]), levels: out.levels };
  });
  const expected = keys.map((v, i) => ({ v, i })).sort((a, b) => (signed(a.v) < signed(b.v) ? -1 : signed(a.v) > signed(b.v) ? 1 : a.i - b.i));
  assert.deepEqual([...r.p], expected.map((e) => BigInt(e.i)));
  assert.deepEqual([...r.k], expected.map((e) => e.v));
  assert.equal(pivotSampleSize(n), 25);
  assert.deepEqual([31, 32, 639, 640, 2 ** 20].map(pivotSampleSize), [1, 3, 3, 5, 63]);
});

test('sortByKey with keyBits on 9,000 rows (the sorted order applied over several buckets, apply-order.ts): all keys equal, reversed, already sorted, two values', async () => {
  const t = await trio();
  const n = 9_000;
  const cases: [string, (i: number) => bigint][] = [
    ['all equal', () => 7n],
    ['reversed', (i) => BigInt(n - 1 - i)],
    ['sorted', (i) => BigInt(i)],
    ['two values', (i) => BigInt((i * 7919) % 2)],
  ];
  for (const [label, key] of cases) {
    const keys = Array.from({ length: n }, (_, i) => key(i));
    const [r] = await t.run(async (s) => {
      const out = await sortByKey(s, await secret(s, BigUint64Array.from(keys), 0), [await secret(s, BigUint64Array.from(keys, (_, i) => BigInt(i)), 1)], { keyBits: 14 });
      return { k: await open(s, out.key), p: await open(s, out.payload[0]) };
    });
    const expected = keys.map((v, i) => ({ v, i })).sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : a.i - b.i));
    assert.deepEqual([...r.k], expected.map((e) => e.v), label);
    assert.deepEqual([...r.p], expected.map((e) => BigInt(e.i)), label);
  }
});

test('key+index comparator with 32-bit index trees, including elements in the high halves', async () => {
  const { lessThanKeyIndex } = await import('../../src/mpc/protocols/compare-words.js');
  const t = await trio();
  const n = 3000;
  const rnd = (): bigint => BigInt.asUintN(64, BigInt(Math.floor(Math.random() * 2 ** 53)) * 0x9e3779b97f4a7c15n);
  const kx = BigUint64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 42n : rnd()));
  const ky = BigUint64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 42n : i % 3 === 1 ? kx[i] : rnd()));
  const ix = BigUint64Array.from({ length: n }, () => BigInt(Math.floor(Math.random() * 2 ** 32)));
  const iy = BigUint64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? ix[i] : BigInt(Math.floor(Math.random() * 2 ** 32))));
  const [bits] = await t.run(async (s) => {
    const inB = (v: BigUint64Array) => inputBinary(s, 1, s.me === 1 ? v : v.length);
    const [a, b, c, d] = [await inB(kx), await inB(ky), await inB(ix), await inB(iy)];
    return openBits(s, await lessThanKeyIndex(s, a, b, c, d, n));
  });
  const got = unpackBits({ words: bits, length: n });
  for (let i = 0; i < n; i++) {
    const expected = kx[i] < ky[i] || (kx[i] === ky[i] && ix[i] < iy[i]);
    assert.equal(got[i], expected ? 1 : 0, `element ${i}`);
  }
});

test('narrow less-than at widths 32 (two elements per word, high halves included), 40 and 48 (a 32-bit tree beside an 8- or 16-bit one, every lane used) and 64, at the edges of the width', async () => {
  const { lessThanNarrow } = await import('../../src/mpc/protocols/compare-words.js');
  const t = await trio();
  for (const [width, n] of [[32, 3000], [40, 8190], [48, 4093], [64, 3000]] as const) {
    const top = (1n << BigInt(width)) - 1n;
    const rnd = (): bigint => BigInt.asUintN(width, BigInt(Math.floor(Math.random() * 2 ** 53)) * 0x9e3779b97f4a7c15n);
    const edges = [0n, 1n, top, top - 1n, 1n << BigInt(width - 1), 0xffffffffn, 1n << 32n, (1n << 32n) + 1n].filter((e) => e <= top);
    const x = BigUint64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? edges[i % edges.length] : rnd()));
    const y = BigUint64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? x[i] : i % 5 === 1 ? edges[(i + 1) % edges.length] : rnd()));
    const [bits] = await t.run(async (s) => {
      const inB = (v: BigUint64Array) => inputBinary(s, 0, s.me === 0 ? v : v.length);
      return openBits(s, await lessThanNarrow(s, await inB(x), await inB(y), n, width));
    });
    const got = unpackBits({ words: bits, length: n });
    for (let i = 0; i < n; i++) assert.equal(got[i], x[i] < y[i] ? 1 : 0, `width ${width}, element ${i}: ${x[i]} < ${y[i]}`);
  }
});
