import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, signed, signedIn, TWO62, trio } from '../../helpers/protocol.js';
import { open } from '../../../src/mpc/protocols/io.js';
import { groupFlags } from '../../../src/mpc/oblivious/group-flags.js';
import { brentKungLevels, doublingLevels, segmentedScan, type ScanLevel, type ScanNetwork, type ScanOp } from '../../../src/mpc/oblivious/segmented-scan.js';
import { groupByKey } from '../../../src/mpc/oblivious/group-by-key.js';
import { rowSet, skewedKeys } from './helpers.js';

after(closeTrio);

const value = signedIn(-TWO62, TWO62 - 1n);
const KEY_POOL = [5n, 0n, BigInt.asUintN(64, -1n), 1n << 63n, (1n << 63n) - 1n, 42n, 7n];

/** The plaintext inclusive segmented scan of rows already in key order. */
function referenceScan(keys: readonly bigint[], values: readonly bigint[], op: ScanOp): bigint[] {
  const out: bigint[] = [];
  values.forEach((v, i) => {
    const sv = signed(v);
    if (i === 0 || keys[i] !== keys[i - 1]) out.push(sv);
    else {
      const p = out[i - 1];
      out.push(op === 'sum' ? p + sv : op === 'min' ? (sv < p ? sv : p) : sv > p ? sv : p);
    }
  });
  return out.map((v) => BigInt.asUintN(64, v));
}

test('group flags and segmented sum/min/max scans (both networks) match the plaintext scan on sorted keys', async () => {
  const t = await trio();
  const rows = skewedKeys(60, KEY_POOL).chain((keys) =>
    fc.tuple(
      fc.constant([...keys].sort((a, b) => (signed(a) < signed(b) ? -1 : signed(a) > signed(b) ? 1 : 0))),
      fc.array(value, { minLength: keys.length, maxLength: keys.length }),
      fc.constantFrom<ScanNetwork>('doubling', 'work-efficient'),
    ),
  );
  await fc.assert(
    fc.asyncProperty(rows, async ([keys, values, network]) => {
      const k = BigUint64Array.from(keys), v = BigUint64Array.from(values);
      const [r] = await t.run(async (s) => {
        const key = await secret(s, k, 1), x = await secret(s, v, 2);
        const flags = await groupFlags(s, key);
        const r0 = s.stats.rounds;
        const [sum, min, max] = await segmentedScan(s, flags.continues, [{ values: x, op: 'sum' }, { values: x, op: 'min' }, { values: x, op: 'max' }], network);
        const rounds = s.stats.rounds - r0;
        return { last: await open(s, flags.last), cont: await open(s, flags.continues), sum: await open(s, sum), min: await open(s, min), max: await open(s, max), rounds };
      });
      const n = keys.length;
      assert.deepEqual([...r.cont], keys.map((key, i) => (i > 0 && keys[i - 1] === key ? 1n : 0n)));
      assert.deepEqual([...r.last], keys.map((key, i) => (i === n - 1 || keys[i + 1] !== key ? 1n : 0n)));
      assert.deepEqual([...r.sum], referenceScan(keys, values, 'sum'));
      assert.deepEqual([...r.min], referenceScan(keys, values, 'min'));
      assert.deepEqual([...r.max], referenceScan(keys, values, 'max'));
      assert.equal(r.rounds, 12 * (network === 'doubling' ? doublingLevels(n) : brentKungLevels(n)).length);
      if (network === 'doubling') assert.equal(r.rounds, n <= 1 ? 0 : 12 * Math.ceil(Math.log2(n)));
    }),
    { numRuns: RUNS },
  );
});

test('a segmented sum alone costs one round per level', async () => {
  const t = await trio();
  const n = 100;
  const k = BigUint64Array.from({ length: n }, (_, i) => BigInt(i >> 3));
  const [r] = await t.run(async (s) => {
    const flags = await groupFlags(s, await secret(s, k));
    const r0 = s.stats.rounds;
    const [sum] = await segmentedScan(s, flags.continues, [{ values: await secret(s, k), op: 'sum' }]);
    return { rounds: s.stats.rounds - r0 - 1, sum: await open(s, sum) };
  });
  assert.equal(r.rounds, 7);
  assert.equal(r.sum[7], 0n);
  assert.equal(r.sum[15], 8n);
});

/** The network's levels applied to plaintext (g, x) pairs with the scan's combine rule. */
function simulate(levels: readonly ScanLevel[], continues: readonly number[], values: readonly number[]): number[] {
  const g = [...continues], x = [...values];
  for (const l of levels) {
    const rows = Array.from({ length: l.count }, (_, j) => l.first + j * l.step);
    // A level reads before it writes: all its combines are one batch.
    const next = rows.map((i) => ({ i, g: g[i] * g[i - l.d], x: x[i] + g[i] * x[i - l.d] }));
    for (const r of next) {
      x[r.i] = r.x;
      if (l.flagsUsed) g[r.i] = r.g;
    }
  }
  return x;
}

test('both prefix networks give every row its segment sum (plaintext, 1 to 700 rows); the work-efficient one in ~2n combines', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 700 }), fc.integer({ min: 0, max: 2 ** 31 }), (n, seed) => {
      let r = seed;
      const rand = (): number => (r = (r * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const continues = Array.from({ length: n }, (_, i) => (i > 0 && rand() < 0.8 ? 1 : 0));
      const values = Array.from({ length: n }, () => Math.floor(rand() * 100));
      const expected: number[] = [];
      values.forEach((v, i) => expected.push(continues[i] ? expected[i - 1] + v : v));
      assert.deepEqual(simulate(brentKungLevels(n), continues, values), expected);
      assert.deepEqual(simulate(doublingLevels(n), continues, values), expected);
      assert.ok(brentKungLevels(n).reduce((c, l) => c + l.count, 0) <= 2 * n);
    }),
    { numRuns: 300 },
  );
  assert.equal(brentKungLevels(1 << 20).length, 39);
});

/** Plaintext group-by: key -> [count, aggregates...] (signed arithmetic). */
function referenceGroups(keys: readonly bigint[], values: readonly bigint[], ops: readonly ScanOp[]): bigint[][] {
  const groups = new Map<bigint, bigint[]>();
  keys.forEach((key, i) => {
    const v = signed(values[i]);
    const g = groups.get(key);
    if (!g) groups.set(key, [1n, ...ops.map(() => v)]);
    else {
      g[0]++;
      ops.forEach((op, j) => (g[j + 1] = op === 'sum' ? g[j + 1] + v : op === 'min' ? (v < g[j + 1] ? v : g[j + 1]) : v > g[j + 1] ? v : g[j + 1]));
    }
  });
  return [...groups].map(([key, g]) => [key, ...g.map((x) => BigInt.asUintN(64, x))]);
}

test('groupByKey (count, sum, min, max) matches a plaintext group-by, revealing the number of groups or obliviously', async () => {
  const t = await trio();
  const ops: ScanOp[] = ['sum', 'min', 'max'];
  const rows = skewedKeys(50, KEY_POOL).chain((keys) => fc.tuple(fc.constant(keys), fc.array(value, { minLength: keys.length, maxLength: keys.length }), fc.boolean()));
  await fc.assert(
    fc.asyncProperty(rows, async ([keys, values, oblivious]) => {
      const [r] = await t.run(async (s) => {
        const key = await secret(s, BigUint64Array.from(keys), 0), x = await secret(s, BigUint64Array.from(values), 1);
        const g = await groupByKey(s, key, ops.map((op) => ({ values: x, op })), oblivious ? 'oblivious' : 'reveal-groups');
        const cols = [await open(s, g.key), await open(s, g.count), ...(await Promise.all(g.aggregates.map((a) => open(s, a))))];
        return { cols, groups: g.groups, valid: g.valid ? await open(s, g.valid) : undefined };
      });
      const expected = referenceGroups(keys, values, ops);
      let cols = r.cols;
      if (oblivious) {
        assert.equal(r.groups, undefined);
        assert.equal(r.valid!.length, keys.length);
        cols = cols.map((c) => c.filter((_, i) => r.valid![i] === 1n));
      } else {
        assert.equal(r.groups, expected.length);
      }
      assert.deepEqual(rowSet(cols), rowSet(expected[0] ? expected[0].map((_, j) => expected.map((e) => e[j])) : cols.map(() => [])));
    }),
    { numRuns: Math.min(RUNS, 25) },
  );
});
