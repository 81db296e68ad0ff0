import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, signedIn, TWO62, trio, u64 } from '../../helpers/protocol.js';
import { open } from '../../../src/mpc/protocols/io.js';
import { innerProducts } from '../../../src/mpc/protocols/inner-products.js';
import { blockBounds, groupByDomain, levelSplit } from '../../../src/mpc/oblivious/one-hot.js';
import { fieldIndicators } from '../../../src/mpc/oblivious/level-indicators.js';
import { AShare, BitShare } from '../../../src/mpc/shares.js';
import { a2b } from '../../../src/mpc/protocols/convert.js';
import { injectBits } from '../../../src/mpc/protocols/inject.js';
import { planesOf } from '../../../src/ring/planes.js';
import { UsageError } from '../../../src/errors.js';

after(closeTrio);

test('innerProducts: every pair of vectors, one round', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 40 }).chain((n) => fc.tuple(fc.array(fc.array(u64, { minLength: n, maxLength: n }), { minLength: 1, maxLength: 3 }), fc.array(fc.array(u64, { minLength: n, maxLength: n }), { minLength: 1, maxLength: 3 }))), async ([left, right]) => {
      const [r] = await t.run(async (s) => {
        const l = await Promise.all(left.map((v) => secret(s, BigUint64Array.from(v), 0)));
        const q = await Promise.all(right.map((v) => secret(s, BigUint64Array.from(v), 1)));
        const r0 = s.stats.rounds;
        const out = await innerProducts(s, l, q);
        const rounds = s.stats.rounds - r0;
        return { out: await open(s, out), rounds };
      });
      assert.equal(r.rounds, 1);
      const expected = left.flatMap((x) => right.map((y) => BigInt.asUintN(64, x.reduce((acc, v, i) => acc + v * y[i], 0n))));
      assert.deepEqual([...r.out], expected);
    }),
    { numRuns: RUNS },
  );
});

test('groupByDomain counts and sums per level like a plaintext group-by; keys outside the domain fall in no level', async () => {
  const t = await trio();
  const cases = fc.integer({ min: 1, max: 20 }).chain((d) =>
    fc.tuple(
      fc.constant(d),
      fc.array(
        fc.tuple(
          fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: d - 1 }).map(BigInt) }, { weight: 1, arbitrary: fc.constantFrom(0n, BigInt(d - 1), BigInt(d), 31n, 32n, 1n << 40n, BigInt.asUintN(64, -1n), 1n << 63n) }),
          signedIn(-TWO62, TWO62 - 1n),
        ),
        { maxLength: 60 },
      ),
    ),
  );
  await fc.assert(
    fc.asyncProperty(cases, async ([d, rows]) => {
      const [r] = await t.run(async (s) => {
        const key = await secret(s, BigUint64Array.from(rows.map((x) => x[0])), 2), v = await secret(s, BigUint64Array.from(rows.map((x) => x[1])), 1);
        const g = await groupByDomain(s, key, d, [v, v]);
        return { counts: await open(s, g.counts), sums: [await open(s, g.sums[0]), await open(s, g.sums[1])] };
      });
      const counts = new Array<bigint>(d).fill(0n), sums = new Array<bigint>(d).fill(0n);
      for (const [k, v] of rows) {
        if (k < BigInt(d)) {
          counts[Number(k)]++;
          sums[Number(k)] = BigInt.asUintN(64, sums[Number(k)] + v);
        }
      }
      assert.deepEqual([...r.counts], counts);
      assert.deepEqual([...r.sums[0]], sums);
      assert.deepEqual([...r.sums[1]], sums);
    }),
    { numRuns: RUNS },
  );
});

test('groupByDomain with keyBits (keys in [0, d], d itself the "outside" of an invalid row): the packed-lane decomposition gives the plaintext group-by, at powers of two too', async () => {
  const t = await trio();
  const bitLength = (v: number): number => (v === 0 ? 0 : Math.floor(Math.log2(v)) + 1);
  const cases = fc.oneof(fc.integer({ min: 1, max: 140 }), fc.constantFrom(1, 2, 4, 8, 16, 64, 128, 255, 256, 257)).chain((d) =>
    fc.tuple(
      fc.constant(d),
      fc.array(fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 0, max: d }).map(BigInt) }, { weight: 1, arbitrary: fc.constantFrom(0n, BigInt(d - 1), BigInt(d)) }), signedIn(-TWO62, TWO62 - 1n)), { maxLength: 70 }),
      fc.integer({ min: 0, max: 2 }),
    ),
  );
  await fc.assert(
    fc.asyncProperty(cases, async ([d, rows, c]) => {
      const [r] = await t.run(async (s) => {
        const key = await secret(s, BigUint64Array.from(rows.map((x) => x[0])), 2), v = await secret(s, BigUint64Array.from(rows.map((x) => x[1])), 1);
        const g = await groupByDomain(s, key, d, Array.from({ length: c }, () => v), { keyBits: bitLength(d) });
        return { counts: await open(s, g.counts), sums: await Promise.all(g.sums.map((x) => open(s, x))) };
      });
      const counts = new Array<bigint>(d).fill(0n), sums = new Array<bigint>(d).fill(0n);
      for (const [k, v] of rows) {
        if (k < BigInt(d)) {
          counts[Number(k)]++;
          sums[Number(k)] = BigInt.asUintN(64, sums[Number(k)] + v);
        }
      }
      assert.deepEqual([...r.counts], counts);
      for (const got of r.sums) assert.deepEqual([...got], sums);
    }),
    { numRuns: Math.max(30, RUNS) },
  );
});

test('groupByDomain over several row blocks (100 levels, 30,000 rows), all rows in one level, and no value columns', async () => {
  const t = await trio();
  const n = 30_000, d = 100;
  const keys = BigUint64Array.from({ length: n }, (_, i) => BigInt((i * 7919) % d));
  const [r] = await t.run(async (s) => {
    const g = await groupByDomain(s, await secret(s, keys), d, [await secret(s, keys, 1)]);
    const same = await groupByDomain(s, await secret(s, new BigUint64Array(50).fill(3n)), 4, []);
    return { counts: await open(s, g.counts), sums: await open(s, g.sums[0]), same: await open(s, same.counts), noSums: same.sums.length };
  });
  const counts = new Array<bigint>(d).fill(0n);
  for (const k of keys) counts[Number(k)]++;
  assert.deepEqual([...r.counts], counts);
  assert.deepEqual([...r.sums], counts.map((c, v) => c * BigInt(v)));
  assert.deepEqual([...r.same], [0n, 0n, 0n, 50n]);
  assert.equal(r.noSums, 0);
});

test('blockBounds: blocks of whole words, a short remainder joins the last block', () => {
  // 1M rows at 26 words a row: 13 blocks of 80,640 rows and 256 more, which join the 13th.
  const million = blockBounds(1 << 20, 26);
  assert.equal(million.length, 13);
  assert.deepEqual(million[12], [12 * 80_640, 1 << 20]);
  for (const [n, words] of [[1, 26], [80_640, 26], [80_641, 26], [90_720, 26], [90_721, 26], [200_000, 29], [1 << 20, 26]]) {
    const bounds = blockBounds(n, words);
    const block = Math.floor(2 ** 21 / words / 64) * 64;
    assert.equal(bounds[0][0], 0);
    assert.equal(bounds[bounds.length - 1][1], n);
    bounds.forEach(([start, end], i) => {
      assert.equal(start % 64, 0, `block ${i} of ${n} rows starts on a word`);
      if (i > 0) assert.equal(start, bounds[i - 1][1]);
      assert.ok(end - start <= (i === bounds.length - 1 ? block + block / 8 : block), `block ${i} of ${n} rows: ${end - start} rows`);
    });
    // A separate last block is longer than an eighth of a block (or the only one).
    if (bounds.length >= 2) assert.ok(bounds[bounds.length - 1][1] - bounds[bounds.length - 1][0] > block / 8);
  }
});

test('groupByDomain across row blocks: indicators computed once for the column, sliced per block (a folded remainder and a separate one)', async () => {
  const t = await trio();
  const d = 100;
  const rounds: number[] = [];
  // The count and two bounded sums packed in one payload: 29 words a row, blocks of 72,256 rows.
  // 80,940 rows: the remainder of 8,684 rows joins the first block; 181,281: three blocks.
  for (const [n, blocks] of [[80_940, 1], [181_281, 3]]) {
    assert.equal(blockBounds(n, levelSplit(d, 1).words).length, blocks);
    const keys = BigUint64Array.from({ length: n }, (_, i) => BigInt((i * 7919 + (i >>> 6)) % d));
    const values = BigUint64Array.from({ length: n }, (_, i) => BigInt(i % 1000));
    const [r] = await t.run(async (s) => {
      const r0 = s.stats.rounds;
      const g = await groupByDomain(s, await secret(s, keys), d, [await secret(s, values, 1), await secret(s, values, 2)], { inDomain: true, keyBits: 7, bounds: [{ min: 0n, max: 999n }, { min: 0n, max: 999n }] });
      const rounds = s.stats.rounds - r0;
      return { counts: await open(s, g.counts), sums: await Promise.all(g.sums.map((x) => open(s, x))), rounds };
    });
    const counts = new Array<bigint>(d).fill(0n), sums = new Array<bigint>(d).fill(0n);
    keys.forEach((k, i) => {
      counts[Number(k)]++;
      sums[Number(k)] += values[i];
    });
    assert.deepEqual([...r.counts], counts, `${n} rows`);
    assert.deepEqual([...r.sums[0]], sums, `${n} rows`);
    assert.deepEqual([...r.sums[1]], sums, `${n} rows`);
    rounds.push(r.rounds);
  }
  // The key's bits and indicators once for the column: each further block costs only its
  // injection (2 rounds), multiplications (1) and inner products (1), not 12 rounds.
  assert.equal(rounds[1] - rounds[0], 2 * 4);
});

test('groupByDomain with 0 to 3 value columns and 1 to 140 levels (every split of the key into two indicator fields) matches a plaintext group-by', async () => {
  const t = await trio();
  const cases = fc.tuple(fc.integer({ min: 1, max: 140 }), fc.integer({ min: 0, max: 3 })).chain(([d, c]) =>
    fc.tuple(
      fc.constant(d),
      fc.array(fc.tuple(fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: d - 1 }).map(BigInt) }, { weight: 1, arbitrary: fc.constantFrom(BigInt(d), 255n, 256n, BigInt.asUintN(64, -1n)) }), fc.array(u64, { minLength: c, maxLength: c })), { maxLength: 40 }),
      fc.constant(c),
    ),
  );
  await fc.assert(
    fc.asyncProperty(cases, async ([d, rows, c]) => {
      const [r] = await t.run(async (s) => {
        const key = await secret(s, BigUint64Array.from(rows.map((x) => x[0])), 0);
        const values = [];
        for (let x = 0; x < c; x++) values.push(await secret(s, BigUint64Array.from(rows.map((row) => row[1][x])), 2));
        const g = await groupByDomain(s, key, d, values);
        const sums = [];
        for (const v of g.sums) sums.push([...(await open(s, v))]);
        return { counts: [...(await open(s, g.counts))], sums };
      });
      const counts = new Array<bigint>(d).fill(0n);
      const sums = Array.from({ length: c }, () => new Array<bigint>(d).fill(0n));
      for (const [k, v] of rows) {
        if (k >= BigInt(d)) continue;
        counts[Number(k)]++;
        v.forEach((x, i) => (sums[i][Number(k)] = BigInt.asUintN(64, sums[i][Number(k)] + x)));
      }
      assert.deepEqual(r.counts, counts);
      assert.deepEqual(r.sums, sums);
    }),
    { numRuns: RUNS },
  );
});

test('levelSplit: the fewest injected and multiplied words per row (100 levels: 37 with 2 value columns, 21 with none)', () => {
  assert.deepEqual(levelSplit(100, 2), { lowBits: 3, bits: 7, high: 13, words: 37 });
  assert.deepEqual(levelSplit(100, 0), { lowBits: 3, bits: 7, high: 13, words: 21 });
  for (let d = 1; d <= 300; d++) {
    for (let c = 0; c <= 4; c++) {
      const split = levelSplit(d, c);
      assert.ok(2 ** split.lowBits * split.high >= d, `${d} levels, ${c} columns: the fields cover every level`);
      assert.ok(split.words <= d + 1 + c, `${d} levels, ${c} columns: never worse than one field`);
    }
  }
});

test('fieldIndicators: the indicators of each field are [field = v] AND its root, a rootless field starting from its first plane', async () => {
  const t = await trio();
  const n = 70;
  const low = Array.from({ length: n }, (_, i) => (i * 5) % 4), high = Array.from({ length: n }, (_, i) => (i * 3) % 8), root = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : 1));
  const [r] = await t.run(async (s) => {
    const bit = async (values: number[]): Promise<BitShare> => {
      const x = await secret(s, BigUint64Array.from(values, BigInt), 1);
      const b = await a2b(s, x);
      return new BitShare(planesOf(b.a, 1)[0], planesOf(b.b, 1)[0], n);
    };
    const lowPlanes = [await bit(low.map((v) => v & 1)), await bit(low.map((v) => v >> 1))];
    const highPlanes = [await bit(high.map((v) => v & 1)), await bit(high.map((v) => (v >> 1) & 1)), await bit(high.map((v) => v >> 2))];
    const [lows, highs] = await fieldIndicators(s, [{ planes: lowPlanes, root: await bit(root) }, { planes: highPlanes }], n);
    const openBits = async (xs: BitShare[]): Promise<bigint[][]> => {
      const out = [];
      for (const x of await injectBits(s, xs)) out.push([...(await open(s, x))]);
      return out;
    };
    return { lows: await openBits(lows), highs: await openBits(highs) };
  });
  assert.equal(r.lows.length, 4);
  assert.equal(r.highs.length, 8);
  r.lows.forEach((ind, v) => assert.deepEqual(ind, low.map((x, i) => BigInt(x === v && root[i] === 1))));
  r.highs.forEach((ind, v) => assert.deepEqual(ind, high.map((x) => BigInt(x === v))));
});

test('groupByDomain refuses a domain outside 1..4096', async () => {
  const t = await trio();
  for (const d of [0, 4097, 2.5]) {
    await assert.rejects(t.run(async (s) => groupByDomain(s, await secret(s, BigUint64Array.of(1n)), d, [])), UsageError);
  }
});

test('groupByDomain with keys known in the domain: one or two levels are counted and summed from the key itself, in one round, as the general path does', async () => {
  const t = await trio();
  const cases = fc.integer({ min: 1, max: 2 }).chain((d) =>
    fc.tuple(fc.constant(d), fc.array(fc.tuple(fc.integer({ min: 0, max: d - 1 }).map(BigInt), signedIn(-TWO62, TWO62 - 1n), u64), { maxLength: 60 }), fc.integer({ min: 0, max: 2 })),
  );
  await fc.assert(
    fc.asyncProperty(cases, async ([d, rows, columns]) => {
      const key = BigUint64Array.from(rows.map((r) => r[0]));
      const cols = [0, 1].slice(0, columns).map((c) => BigUint64Array.from(rows.map((r) => (c === 0 ? r[1] : r[2]))));
      const [r] = await t.run(async (s) => {
        const k = await secret(s, key, 0);
        const v = await Promise.all(cols.map((c) => secret(s, c, 1)));
        const r0 = s.stats.rounds;
        const fast = await groupByDomain(s, k, d, v, { inDomain: true });
        const rounds = s.stats.rounds - r0;
        const general = await groupByDomain(s, k, d, v);
        const openAll = async (g: { counts: AShare; sums: AShare[] }) => [await open(s, g.counts), ...(await Promise.all(g.sums.map((x) => open(s, x))))].map((x) => [...x]);
        return { fast: await openAll(fast), general: await openAll(general), rounds };
      });
      const expected = [
        Array.from({ length: d }, (_, level) => BigInt(rows.filter((row) => row[0] === BigInt(level)).length)),
        ...cols.map((c) => Array.from({ length: d }, (_, level) => BigInt.asUintN(64, rows.reduce((acc, row, i) => (row[0] === BigInt(level) ? acc + c[i] : acc), 0n)))),
      ];
      assert.deepEqual(r.fast, expected);
      assert.deepEqual(r.general, expected);
      assert.equal(r.rounds, d === 2 && columns > 0 ? 1 : 0);
    }),
    { numRuns: Math.max(40, RUNS) },
  );
});
