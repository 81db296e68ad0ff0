/** The wasm passes and draws (permute-wasm.ts) write exactly what the JavaScript ones (permute-masked.ts, permutation.ts) write. */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { Prg } from '../../src/crypto/prg.js';
import { drawPermutation } from '../../src/mpc/protocols/permutation.js';
import { gatherMaskedRows, gatherMaskedScatter, scatterRows, scatterSum, type Combine } from '../../src/mpc/protocols/permute-masked.js';
import { giveArena, PermuteArena, takeArena } from '../../src/mpc/protocols/permute-wasm.js';

const EDGES = [0n, 1n, 2n ** 63n, 2n ** 63n - 1n, 2n ** 64n - 1n];
const word = fc.oneof(fc.constantFrom(...EDGES), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
const keyed = (seed: number): Prg => {
  const key = new Uint8Array(16);
  new DataView(key.buffer).setUint32(0, seed);
  return new Prg(key);
};
const combine = fc.constantFrom<Combine>('add', 'sub', 'xor');

/** Rows up to a few mask chunks (8,192 words), with an arena larger than needed half the time. */
const rows = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 8000, max: 20_000 }));

test('gatherMaskedRows: wasm equals JavaScript for every combine, with and without minus, on any row range', () => {
  fc.assert(
    fc.property(rows, fc.array(word, { minLength: 1, maxLength: 64 }), combine, fc.boolean(), fc.integer({ min: 0, max: 1000 }), fc.nat(), fc.nat(), fc.boolean(), (n, pattern, how, withMinus, seed, a, b, larger) => {
      const arena = new PermuteArena(larger ? n + 13 : n);
      const values = BigUint64Array.from({ length: n }, (_, i) => pattern[i % pattern.length]);
      const tmp = arena.tmp.subarray(0, n);
      tmp.set(values);
      const p = drawPermutation(keyed(seed), n, undefined, arena.indices(1));
      const minus = withMinus ? BigUint64Array.from({ length: n + 3 }, (_, i) => pattern[(i * 7) % pattern.length] ^ BigInt(i)) : undefined;
      const from = a % (n + 1), to = from + (b % (n - from + 1));
      const want = new BigUint64Array(n + 3).fill(5n), got = want.slice();
      gatherMaskedRows(values, p, want, 3, keyed(seed + 1), how, from, to, minus);
      arena.gatherMaskedRows(tmp, p, got, 3, keyed(seed + 1), how, from, to, minus);
      assert.deepEqual(got, want);
    }),
    { numRuns: 60 },
  );
});

test('gatherMaskedScatter: wasm equals JavaScript for every combine', () => {
  fc.assert(
    fc.property(rows, fc.array(word, { minLength: 1, maxLength: 64 }), combine, fc.integer({ min: 0, max: 1000 }), (n, pattern, how, seed) => {
      const arena = new PermuteArena(n);
      const values = BigUint64Array.from({ length: n }, (_, i) => BigInt.asUintN(64, pattern[i % pattern.length] + BigInt(i) * 0x9e3779b97f4a7c15n));
      arena.tmp.set(values);
      const p = drawPermutation(keyed(seed), n, undefined, arena.indices(0));
      const q = drawPermutation(keyed(seed + 7), n, undefined, arena.indices(1));
      const want = new BigUint64Array(n);
      gatherMaskedScatter(values, p, keyed(seed + 1), how, q, want);
      arena.gatherMaskedScatter(arena.tmp, p, keyed(seed + 1), how, q, arena.tmp2);
      assert.deepEqual(arena.tmp2.slice(0, n), want);
    }),
    { numRuns: 40 },
  );
});

test('scatterRows and scatterSum: wasm equals JavaScript, on any row range of a block', () => {
  fc.assert(
    fc.property(rows, fc.array(word, { minLength: 1, maxLength: 64 }), fc.boolean(), fc.integer({ min: 0, max: 1000 }), fc.nat(), fc.nat(), (n, pattern, xor, seed, a, b) => {
      const arena = new PermuteArena(n + 5);
      const x = BigUint64Array.from({ length: n + 2 }, (_, i) => pattern[i % pattern.length]);
      const y = BigUint64Array.from({ length: n }, (_, i) => pattern[(i * 5 + 3) % pattern.length]);
      const p = drawPermutation(keyed(seed), n, undefined, arena.indices(0));
      const want = new BigUint64Array(n);
      const got = arena.tmp.subarray(0, n);
      scatterSum(x.subarray(0, n), y, p.place, want, xor);
      arena.scatterSum(x.subarray(0, n), y, p.place, got, xor);
      assert.deepEqual(got.slice(), want);
      const row = a % (n + 1), count = b % (n - row + 1), offset = 2 - (a % 3);
      scatterRows(x, offset, p.place, row, count, want);
      arena.scatterRows(x, offset, p.place, row, count, got);
      assert.deepEqual(got.slice(), want);
    }),
    { numRuns: 60 },
  );
});

test('an arena refuses vectors that are not its own, and is reused once given back', () => {
  const arena = takeArena(100);
  assert.ok(arena);
  const p = drawPermutation(keyed(1), 100, undefined, arena.indices(0));
  assert.throws(() => arena.gatherMaskedRows(new BigUint64Array(100), p, new BigUint64Array(100), 0, keyed(2), 'add', 0, 100), /outside the arena/);
  giveArena(arena);
  assert.equal(takeArena(50), arena);
});

test('a draw on an arena is the JavaScript draw unit for unit: same permutation, same keystream used', () => {
  // [rows, buckets]: one bucket, several, buckets above BOUND_16 rows (32-bit draws), and one
  // bucket of 100,000 rows whose read-ahead outgrows the arena's region (JavaScript from there).
  const cases: [number, number | undefined][] = [[1, undefined], [2, undefined], [5, undefined], [4096, undefined], [5000, undefined], [70_000, undefined], [20_000, 2], [100_000, 1]];
  for (const [n, buckets] of cases) {
    for (const seed of [1, 2, 3]) {
      const js = keyed(seed), inWasm = keyed(seed);
      const want = drawPermutation(js, n, buckets);
      const arena = new PermuteArena(n);
      const got = drawPermutation(inWasm, n, buckets, arena.indices(0), arena);
      assert.deepEqual(got.place, want.place, `place, ${n} rows`);
      assert.deepEqual(got.local, want.local, `local, ${n} rows`);
      assert.equal(inWasm.drawn, js.drawn, `keystream drawn, ${n} rows`);
    }
  }
});

test('ever larger arenas detach no buffer (V8 protector trace, as inner-terms-memory.test.ts)', () => {
  const url = (m: string): string => JSON.stringify(new URL(m, import.meta.url).href);
  const script = `
    import { takeArena, giveArena } from ${url('../../src/mpc/protocols/permute-wasm.js')};
    import { drawPermutation } from ${url('../../src/mpc/protocols/permutation.js')};
    import { Prg } from ${url('../../src/crypto/prg.js')};
    for (const n of [10, 5000, 70000, 300000, 20]) {
      const arena = takeArena(n);
      const p = drawPermutation(new Prg(new Uint8Array(16)), n, undefined, arena.indices(0), arena);
      arena.gatherMaskedRows(arena.tmp, p, new BigUint64Array(n), 0, new Prg(new Uint8Array(16)), 'add', 0, n);
      giveArena(arena);
    }
    console.log('ran');`;
  const child = spawnSync(process.execPath, ['--trace-protector-invalidation', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('.', import.meta.url)), timeout: 120_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /ran/);
  assert.doesNotMatch(child.stdout, /Invalidating protector cell ArrayBufferDetaching/, 'a buffer was detached');
});
