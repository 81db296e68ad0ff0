/**
 * The many-to-many join kernel (mpc/oblivious/join-many.ts) against a plaintext join: duplicate
 * keys on both sides, skewed keys, no matches, all matching, rows that may not match (a null key
 * or a dropped row), inner and left, count revealed or oblivious (exactly `bound` rows), and an
 * output beyond the bound refused.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio } from '../../helpers/protocol.js';
import { open } from '../../../src/mpc/protocols/io.js';
import { manyToManyJoin } from '../../../src/mpc/oblivious/join-many.js';
import { rowSet } from './helpers.js';

after(closeTrio);

interface Row { key: bigint; pay: bigint; matchable: boolean; exists: boolean }
const row = (keys: fc.Arbitrary<bigint>) => fc.record({ key: keys, pay: fc.bigInt({ min: 0n, max: 1000n }), matchable: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), exists: fc.boolean() });
const keys = fc.oneof(fc.constantFrom(1n, 1n, 1n, 2n), fc.bigInt({ min: -3n, max: 6n }), fc.constantFrom(-(1n << 61n), 1n << 61n));

function expected(l: Row[], r: Row[], how: 'inner' | 'left'): bigint[][] {
  const out: bigint[][] = [];
  for (const a of l) {
    const partners = a.matchable ? r.filter((b) => b.matchable && b.key === a.key) : [];
    for (const b of partners) out.push([a.key, a.pay, b.pay, 1n]);
    if (how === 'left' && partners.length === 0 && (a.matchable || a.exists)) out.push([a.key, a.pay, 0n, 0n]);
  }
  return out;
}

const caseArb = fc.record({
  left: fc.array(row(keys), { maxLength: 9 }),
  right: fc.array(row(keys), { maxLength: 9 }),
  how: fc.constantFrom<'inner' | 'left'>('inner', 'left'),
  oblivious: fc.boolean(),
  slack: fc.integer({ min: -2, max: 3 }),
  masks: fc.boolean(),
});

test('manyToManyJoin = plaintext join (duplicates both sides, skew, none or all matching, inner and left, within or beyond the bound)', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(caseArb, async ({ left, right, how, oblivious, slack, masks }) => {
      // Without secret matchable bits every row matches and exists.
      const l = masks ? left.map((a) => ({ ...a, exists: a.exists || a.matchable })) : left.map((a) => ({ ...a, matchable: true, exists: true }));
      const r = masks ? right : right.map((b) => ({ ...b, matchable: true }));
      const want = expected(l, r, how);
      const bound = Math.max(1, want.length + slack);
      const ring = (v: bigint) => BigInt.asUintN(64, v);
      const results = await t.run(async (s) => {
        const side = async (rows: Row[], owner: 0 | 1, withExists: boolean) => ({
          key: await secret(s, BigUint64Array.from(rows.map((x) => ring(x.key))), owner),
          payload: [await secret(s, BigUint64Array.from(rows.map((x) => ring(x.key))), owner), await secret(s, BigUint64Array.from(rows.map((x) => x.pay)), owner)],
          ...(masks ? { matchable: await secret(s, BigUint64Array.from(rows.map((x) => (x.matchable ? 1n : 0n))), owner) } : {}),
          ...(masks && withExists ? { exists: await secret(s, BigUint64Array.from(rows.map((x) => (x.exists ? 1n : 0n))), owner) } : {}),
        });
        const L = await side(l, 0, true), R = await side(r, 1, false);
        R.payload.shift(); // the right side carries its payload only (its key equals the left's)
        try {
          const j = await manyToManyJoin(s, L, R, how, oblivious ? 'oblivious' : 'reveal-count', bound, () => new RangeError('exceeds the bound'));
          const cols = [await open(s, j.left[0]), await open(s, j.left[1]), await open(s, j.right[0]), await open(s, j.matched)];
          return { cols, count: j.count, valid: j.valid ? await open(s, j.valid) : undefined };
        } catch (e) {
          if (e instanceof RangeError && e.message === 'exceeds the bound') return { refused: true };
          throw e;
        }
      });
      const got = results[0];
      if (want.length > bound) {
        assert.ok('refused' in got, `${want.length} rows > bound ${bound} must be refused`);
        return;
      }
      assert.ok(!('refused' in got), `refused though ${want.length} ≤ ${bound}`);
      let cols = got.cols!.map((c) => Array.from(c, (v) => BigInt.asIntN(64, v)));
      if (oblivious) {
        assert.equal(got.valid!.length, bound, 'oblivious: exactly the bound rows');
        cols = cols.map((c) => c.filter((_, i) => got.valid![i] === 1n));
      } else assert.equal(got.count, want.length);
      // Unmatched left-join rows: the right payload is 0 and matched 0.
      assert.deepEqual(rowSet(cols), rowSet([0, 1, 2, 3].map((k) => want.map((w) => w[k]))));
    }),
    { numRuns: Math.max(40, RUNS) },
  );
});
