import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, signedIn, TWO62, trio, u64 } from '../../helpers/protocol.js';
import { open } from '../../../src/mpc/protocols/io.js';
import { pkFkJoin, type JoinHow } from '../../../src/mpc/oblivious/join.js';
import { UsageError } from '../../../src/errors.js';
import { rowSet } from './helpers.js';

after(closeTrio);

const KEYS = [3n, 0n, BigInt.asUintN(64, -1n), 1n << 63n, (1n << 63n) - 1n, 17n, 99n, 4n];
const key = signedIn(-TWO62, TWO62 - 1n);

/** A primary table with unique keys and a foreign table whose keys often (not always) exist there. */
const tables = fc
  .uniqueArray(fc.oneof(fc.constantFrom(...KEYS), key), { maxLength: 25 })
  .chain((pk) =>
    fc.tuple(
      fc.constant(pk),
      fc.array(u64, { minLength: pk.length, maxLength: pk.length }),
      fc.array(fc.tuple(fc.oneof({ weight: 3, arbitrary: pk.length > 0 ? fc.constantFrom(pk[0]) : fc.constant(5n) }, { weight: 3, arbitrary: pk.length > 0 ? fc.constantFrom(...pk) : fc.constant(6n) }, { weight: 1, arbitrary: fc.constantFrom(...KEYS) }), u64, u64), { maxLength: 35 }),
      fc.constantFrom<JoinHow>('inner', 'left'),
      fc.boolean(),
    ),
  );

test('pkFkJoin (inner and left, count revealed or oblivious) matches a plaintext join', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(tables, async ([pk, pPay, fk, how, oblivious]) => {
      const [r] = await t.run(async (s) => {
        const primary = { key: await secret(s, BigUint64Array.from(pk), 0), payload: [await secret(s, BigUint64Array.from(pPay), 0)] };
        const foreign = { key: await secret(s, BigUint64Array.from(fk.map((f) => f[0])), 1), payload: [await secret(s, BigUint64Array.from(fk.map((f) => f[1])), 1), await secret(s, BigUint64Array.from(fk.map((f) => f[2])), 1)] };
        const j = await pkFkJoin(s, primary, foreign, how, oblivious ? 'oblivious' : 'reveal-count');
        const cols = [await open(s, j.key), await open(s, j.primary[0]), await open(s, j.foreign[0]), await open(s, j.foreign[1]), await open(s, j.matched)];
        return { cols, count: j.count, valid: j.valid ? await open(s, j.valid) : undefined };
      });
      const expected: bigint[][] = [];
      for (const [k, f1, f2] of fk) {
        const at = pk.indexOf(k);
        if (at >= 0) expected.push([k, pPay[at], f1, f2, 1n]);
        else if (how === 'left') expected.push([k, 0n, f1, f2, 0n]);
      }
      let cols = r.cols;
      if (oblivious) {
        assert.equal(r.valid!.length, pk.length + fk.length);
        cols = cols.map((c) => c.filter((_, i) => r.valid![i] === 1n));
      } else {
        assert.equal(r.count, expected.length);
      }
      assert.deepEqual(rowSet(cols), rowSet([0, 1, 2, 3, 4].map((j) => expected.map((e) => e[j]))));
    }),
    { numRuns: Math.min(RUNS, 30) },
  );
});

test('pkFkJoin left keeping the primary side (count revealed or oblivious): matched and fromForeign on every kept row', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(tables, async ([pk, pPay, fk, , oblivious]) => {
      const [r] = await t.run(async (s) => {
        const primary = { key: await secret(s, BigUint64Array.from(pk), 0), payload: [await secret(s, BigUint64Array.from(pPay), 0)] };
        const foreign = { key: await secret(s, BigUint64Array.from(fk.map((f) => f[0])), 1), payload: [await secret(s, BigUint64Array.from(fk.map((f) => f[1])), 1)] };
        const j = await pkFkJoin(s, primary, foreign, 'left', oblivious ? 'oblivious' : 'reveal-count', { keep: 'primary' });
        const cols = [await open(s, j.key), await open(s, j.primary[0]), await open(s, j.foreign[0]), await open(s, j.matched), await open(s, j.fromForeign!)];
        return { cols, count: j.count, valid: j.valid ? await open(s, j.valid) : undefined };
      });
      const expected: bigint[][] = [];
      for (const [k, f1] of fk) {
        const at = pk.indexOf(k);
        if (at >= 0) expected.push([k, pPay[at], f1, 1n, 1n]);
      }
      pk.forEach((k, i) => {
        if (!fk.some((f) => f[0] === k)) expected.push([k, pPay[i], 0n, 0n, 0n]);
      });
      let cols = r.cols;
      if (oblivious) cols = cols.map((c) => c.filter((_, i) => r.valid![i] === 1n));
      else assert.equal(r.count, expected.length);
      assert.deepEqual(rowSet(cols), rowSet([0, 1, 2, 3, 4].map((j) => expected.map((e) => e[j]))));
    }),
    { numRuns: Math.min(RUNS, 30) },
  );
});

test('pkFkJoin with empty sides, one row each, all matching and none matching', async () => {
  const t = await trio();
  const run = (pk: bigint[], fk: bigint[], how: JoinHow) =>
    t.run(async (s) => {
      const j = await pkFkJoin(s, { key: await secret(s, BigUint64Array.from(pk)), payload: [await secret(s, BigUint64Array.from(pk.map((k) => k + 100n)))] }, { key: await secret(s, BigUint64Array.from(fk), 1), payload: [] }, how, 'reveal-count');
      return { count: j.count, p: [...(await open(s, j.primary[0]))].sort(), foreignColumns: j.foreign.length };
    });
  assert.deepEqual((await run([], [], 'inner'))[0], { count: 0, p: [], foreignColumns: 0 });
  assert.deepEqual((await run([1n], [], 'left'))[0], { count: 0, p: [], foreignColumns: 0 });
  assert.deepEqual((await run([], [1n, 1n], 'left'))[0], { count: 2, p: [0n, 0n], foreignColumns: 0 });
  assert.deepEqual((await run([1n], [1n], 'inner'))[0], { count: 1, p: [101n], foreignColumns: 0 });
  assert.deepEqual((await run([1n, 2n], [2n, 1n, 2n, 2n], 'inner'))[0], { count: 4, p: [101n, 102n, 102n, 102n], foreignColumns: 0 });
  assert.deepEqual((await run([1n, 2n], [3n, 4n], 'inner'))[0], { count: 0, p: [], foreignColumns: 0 });
});

test('pkFkJoin refuses a primary key with duplicates instead of adding their payloads', async () => {
  const t = await trio();
  await assert.rejects(
    t.run(async (s) => pkFkJoin(s, { key: await secret(s, BigUint64Array.of(5n, 7n, 5n)), payload: [] }, { key: await secret(s, BigUint64Array.of(5n)), payload: [] }, 'inner', 'reveal-count')),
    (e: unknown) => e instanceof UsageError && /primary key is not unique \(1 pairs/.test(e.message),
  );
});

/**
 * keyBits: matchable rows' keys lie in [0, 2^bits); rows that may not match hold anything,
 * including a valid key plus a multiple of 2^58, which the packed comparison (key above the row
 * index in one word) would cut to that valid key: without sorting them under key 0 they land in
 * its run and split it.
 */
interface RangedRow {
  readonly key: bigint;
  readonly matchable: boolean;
  readonly pay: bigint;
}

/** Primary rows: a repeated matchable key becomes a row that may not match (the key stays unique among matchable rows). */
function uniqueMatchable(rows: readonly RangedRow[]): RangedRow[] {
  const seen = new Set<bigint>();
  return rows.map((r) => {
    if (!r.matchable) return r;
    if (seen.has(r.key)) return { ...r, matchable: false };
    seen.add(r.key);
    return r;
  });
}

const ranged = fc.integer({ min: 1, max: 10 }).chain((bits) => {
  const inRange = fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });
  const garbage = (valid: bigint): fc.Arbitrary<bigint> => fc.oneof(fc.constant(valid), fc.bigInt({ min: 1n, max: 63n }).map((r) => BigInt.asUintN(64, valid + (r << 58n))), u64);
  const row: fc.Arbitrary<RangedRow> = fc.tuple(inRange, fc.boolean(), u64).chain(([k, matchable, pay]): fc.Arbitrary<RangedRow> => (matchable ? fc.constant({ key: k, matchable, pay }) : garbage(k).map((g) => ({ key: g, matchable, pay }))));
  return fc.tuple(
    fc.constant(bits),
    fc.array(row, { maxLength: 20 }).map(uniqueMatchable),
    fc.array(row, { maxLength: 30 }),
    fc.constantFrom<JoinHow>('inner', 'left'),
    fc.boolean(),
  );
});

test('pkFkJoin with keyBits: rows that may not match keep out of the runs of valid keys, whatever key they hold', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(ranged, async ([bits, ps, fs, how, oblivious]) => {
      const [r] = await t.run(async (s) => {
        const side = async (rows: readonly RangedRow[], owner: 0 | 1) => ({
          key: await secret(s, BigUint64Array.from(rows.map((x) => x.key)), owner),
          payload: [await secret(s, BigUint64Array.from(rows.map((x) => x.pay)), owner)],
          matchable: await secret(s, BigUint64Array.from(rows.map((x) => (x.matchable ? 1n : 0n))), owner),
        });
        const j = await pkFkJoin(s, await side(ps, 0), await side(fs, 1), how, oblivious ? 'oblivious' : 'reveal-count', { keyBits: bits });
        const cols = [await open(s, j.key), await open(s, j.primary[0]), await open(s, j.foreign[0]), await open(s, j.matched)];
        return { cols, count: j.count, valid: j.valid ? await open(s, j.valid) : undefined };
      });
      const expected: bigint[][] = [];
      for (const f of fs) {
        const p = f.matchable ? ps.find((x) => x.matchable && x.key === f.key) : undefined;
        if (p) expected.push([f.key, p.pay, f.pay, 1n]);
        else if (how === 'left') expected.push([f.key, 0n, f.pay, 0n]);
      }
      let cols = r.cols;
      if (oblivious) cols = cols.map((c) => c.filter((_, i) => r.valid![i] === 1n));
      else assert.equal(r.count, expected.length);
      assert.deepEqual(rowSet(cols), rowSet([0, 1, 2, 3].map((j) => expected.map((e) => e[j]))));
    }),
    { numRuns: Math.min(RUNS, 30) },
  );
});
