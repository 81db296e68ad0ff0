import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio } from '../../helpers/protocol.js';
import { open } from '../../../src/mpc/protocols/io.js';
import { groupByDomain } from '../../../src/mpc/oblivious/one-hot.js';
import { sumLayout, type ValueBounds } from '../../../src/mpc/oblivious/packed-sums.js';
import { UsageError } from '../../../src/errors.js';

after(closeTrio);

/** Plaintext group-by: counts and sums mod 2^64 per level. */
function plainGroups(d: number, keys: readonly number[], columns: readonly (readonly bigint[])[]): { counts: bigint[]; sums: bigint[][] } {
  const counts = new Array<bigint>(d).fill(0n);
  const sums = columns.map(() => new Array<bigint>(d).fill(0n));
  keys.forEach((k, i) => {
    counts[k]++;
    columns.forEach((c, j) => (sums[j][k] = BigInt.asUintN(64, sums[j][k] + c[i])));
  });
  return { counts, sums };
}

test('sumLayout: every (low value, column) sum sits in exactly one field, fields fit in 64 bits and never overlap', () => {
  const bounds = fc.option(fc.tuple(fc.bigInt({ min: -(1n << 62n), max: 1n << 62n }), fc.bigInt({ min: 0n, max: 1n << 40n })).map(([min, span]): ValueBounds => ({ min, max: min + span })), { nil: undefined });
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 0, max: 1 << 21 }), fc.array(bounds, { maxLength: 5 }), (low, rows, b) => {
      const layout = sumLayout(low, rows, b);
      const seen = new Set<string>();
      for (const bin of layout.bins) {
        const used: [number, number][] = [];
        for (const item of bin.items) {
          for (const f of layout.payloads[item.payload].fields) {
            const key = `${item.low}:${f.column}`;
            assert.ok(!seen.has(key), `${key} twice`);
            seen.add(key);
            const lo = item.offset + f.offset, hi = lo + f.width;
            assert.ok(hi <= 64, `field ${key} ends at bit ${hi}`);
            for (const [x, y] of used) assert.ok(hi <= x || lo >= y, `field ${key} overlaps`);
            used.push([lo, hi]);
            if (f.column >= 0 && b[f.column] !== undefined && f.width < 64) {
              const span = (b[f.column]!.max - b[f.column]!.min) * BigInt(rows);
              assert.ok(span < 1n << BigInt(f.width), `the sum of column ${f.column} fits in its ${f.width} bits`);
            }
          }
        }
      }
      assert.equal(seen.size, low * (1 + b.length));
    }),
    { numRuns: 200 },
  );
});

test('groupByDomain with bounds (packed sums) equals a plaintext group-by: 1 to 300 levels, bounded, negative, wide and unknown columns', async () => {
  const t = await trio();
  const column = fc.oneof(
    fc.tuple(fc.bigInt({ min: -1000n, max: 1000n }), fc.bigInt({ min: 0n, max: 200n })).map(([min, span]) => ({ min, max: min + span }) as ValueBounds | undefined),
    fc.constant({ min: 0n, max: 1n } as ValueBounds | undefined),
    fc.tuple(fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }), fc.bigInt({ min: 0n, max: 1n << 45n })).map(([min, span]) => ({ min, max: min + span }) as ValueBounds | undefined),
    fc.constant({ min: -(1n << 62n), max: (1n << 62n) - 1n } as ValueBounds | undefined),
    fc.constant(undefined as ValueBounds | undefined),
  );
  const cases = fc.tuple(fc.oneof(fc.integer({ min: 1, max: 300 }), fc.constantFrom(1, 2, 3, 8, 100, 255, 256)), fc.array(column, { maxLength: 4 }), fc.integer({ min: 0, max: 60 }), fc.boolean()).chain(([d, bounds, n, oneGroup]) =>
    fc.tuple(
      fc.constant(d),
      fc.constant(bounds),
      oneGroup ? fc.integer({ min: 0, max: d - 1 }).map((k) => new Array<number>(n).fill(k)) : fc.array(fc.integer({ min: 0, max: d - 1 }), { minLength: n, maxLength: n }),
      fc.tuple(...bounds.map((b) => fc.array(b === undefined ? fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) : fc.oneof(fc.bigInt({ min: b.min, max: b.max }), fc.constantFrom(b.min, b.max)), { minLength: n, maxLength: n }))),
    ),
  );
  await fc.assert(
    fc.asyncProperty(cases, async ([d, bounds, keys, columns]) => {
      const [r] = await t.run(async (s) => {
        const key = await secret(s, BigUint64Array.from(keys, BigInt), 2);
        const values = await Promise.all(columns.map((c, j) => secret(s, BigUint64Array.from(c, (v) => BigInt.asUintN(64, v)), ((j % 3) as 0 | 1 | 2))));
        const g = await groupByDomain(s, key, d, values, { inDomain: true, keyBits: Math.max(1, Math.ceil(Math.log2(d + 1))), bounds });
        return { counts: await open(s, g.counts), sums: await Promise.all(g.sums.map((x) => open(s, x))) };
      });
      const want = plainGroups(d, keys, columns);
      assert.deepEqual([...r.counts], want.counts);
      r.sums.forEach((got, j) => assert.deepEqual([...got], want.sums[j], `column ${j}`));
    }),
    { numRuns: Math.max(30, RUNS) },
  );
});

test('packed sums fill their fields to the top bit: widths 37 + 27 in one payload, every row at its maximum, one group of 256', async () => {
  const t = await trio();
  const n = 3, d = 256;
  // 3 · 2^35 needs 37 bits and 3 · 2^25 needs 27: together exactly one ring element.
  const bounds: ValueBounds[] = [{ min: 0n, max: 1n << 35n }, { min: 0n, max: 1n << 25n }, { min: -5n, max: -5n }];
  const layout = sumLayout(1, n, bounds);
  assert.ok(layout.payloads.some((p) => p.width === 64 && p.fields.length === 2), 'the two columns share a payload of 64 bits');
  const [r] = await t.run(async (s) => {
    const key = await secret(s, new BigUint64Array(n).fill(255n), 1);
    const values = await Promise.all([1n << 35n, 1n << 25n, BigInt.asUintN(64, -5n)].map((v) => secret(s, new BigUint64Array(n).fill(v))));
    const g = await groupByDomain(s, key, d, values, { inDomain: true, keyBits: 9, bounds });
    return { counts: await open(s, g.counts), sums: await Promise.all(g.sums.map((x) => open(s, x))) };
  });
  const at = (v: bigint) => Array.from({ length: d }, (_, k) => (k === 255 ? v : 0n));
  assert.deepEqual([...r.counts], at(3n));
  assert.deepEqual([...r.sums[0]], at(3n << 35n));
  assert.deepEqual([...r.sums[1]], at(3n << 25n));
  assert.deepEqual([...r.sums[2]], at(BigInt.asUintN(64, -15n)));
});

test('packed sums over several row blocks (100 levels, 30,000 rows) and on no rows', async () => {
  const t = await trio();
  const n = 30_000, d = 100;
  const keys = Array.from({ length: n }, (_, i) => (i * 7919) % d);
  const age = keys.map((k, i) => BigInt((k + i) % 121));
  const amount = keys.map((_, i) => BigInt((i * 104729) % 100_001));
  const bounds: ValueBounds[] = [{ min: 0n, max: 100_000n }, { min: 0n, max: 120n }];
  const [r] = await t.run(async (s) => {
    const g = await groupByDomain(s, await secret(s, BigUint64Array.from(keys, BigInt)), d, [await secret(s, BigUint64Array.from(amount), 1), await secret(s, BigUint64Array.from(age), 2)], { inDomain: true, keyBits: 7, bounds });
    const none = await groupByDomain(s, await secret(s, new BigUint64Array(0)), d, [await secret(s, new BigUint64Array(0))], { inDomain: true, keyBits: 7, bounds: [bounds[0]] });
    return { counts: await open(s, g.counts), sums: await Promise.all(g.sums.map((x) => open(s, x))), none: await open(s, none.counts), noneSum: await open(s, none.sums[0]) };
  });
  const want = plainGroups(d, keys, [amount, age]);
  assert.deepEqual([...r.counts], want.counts);
  assert.deepEqual([...r.sums[0]], want.sums[0]);
  assert.deepEqual([...r.sums[1]], want.sums[1]);
  assert.deepEqual([...r.none], new Array<bigint>(d).fill(0n));
  assert.deepEqual([...r.noneSum], new Array<bigint>(d).fill(0n));
});

test('groupByDomain refuses bounds that do not match the value columns', async () => {
  const t = await trio();
  const [r] = await t.run(async (s) => {
    try {
      await groupByDomain(s, await secret(s, BigUint64Array.of(1n)), 4, [], { inDomain: true, bounds: [{ min: 0n, max: 1n }] });
      return 'accepted';
    } catch (e) {
      return e instanceof UsageError ? 'refused' : String(e);
    }
  });
  assert.equal(r, 'refused');
});

test("the suite's group-by shape (100 levels, count and two bounded sums, every key in the domain) sends 26 words per row and party beside the key's decomposition: 12 + 7 injections, 7 multiplications", async () => {
  const t = await trio();
  const n = 8192, d = 100;
  const keys = Array.from({ length: n }, (_, i) => (i * 7919) % d);
  const amount = keys.map((_, i) => BigInt((i * 104729) % 100_001));
  const age = keys.map((k, i) => BigInt((k + i) % 121));
  const bounds: ValueBounds[] = [{ min: 0n, max: 100_000n }, { min: 0n, max: 120n }];
  const results = await t.run(async (s) => {
    const key = await secret(s, BigUint64Array.from(keys, BigInt)), values = [await secret(s, BigUint64Array.from(amount), 1), await secret(s, BigUint64Array.from(age), 2)];
    const before = s.stats.bytesSent;
    const g = await groupByDomain(s, key, d, values, { inDomain: true, keyBits: 7, bounds });
    const bytes = s.stats.bytesSent - before;
    return { bytes, counts: await open(s, g.counts), sums: await Promise.all(g.sums.map((x) => open(s, x))) };
  });
  const want = plainGroups(d, keys, [amount, age]);
  assert.deepEqual([...results[0].counts], want.counts);
  assert.deepEqual(results[0].sums.map((x) => [...x]), want.sums);
  // 26 words of 8 bytes, ~3 bytes of the narrow a2b and ~5 of the indicator trees' ANDs per row,
  // and the unpacking of the 13 × 11 totals once (~64 KB: a2b and 64-bit weighted injections).
  // The 8th multiplication (W · B_7, derived locally from the other seven) would add 8 per row.
  for (const r of results) assert.ok(r.bytes < (26 * 8 + 12) * n + 80_000, `${(r.bytes / n).toFixed(1)} bytes per row`);
});
