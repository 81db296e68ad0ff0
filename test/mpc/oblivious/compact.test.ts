import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS, secret, trio, u64 } from '../../helpers/protocol.js';
import { open } from '../../../src/mpc/protocols/io.js';
import { compact } from '../../../src/mpc/oblivious/compact.js';
import { ProtocolError } from '../../../src/errors.js';
import { predicateBits, rowSet, secretBits } from './helpers.js';

after(closeTrio);

const rowsAndBits = fc
  .array(fc.tuple(u64, u64), { maxLength: 70 })
  .chain((rows) => fc.tuple(fc.constant(rows), predicateBits(rows.length), fc.boolean()));

test('compact keeps exactly the rows whose predicate is 1 (bit or 0/1 share), columns aligned, in 4 rounds', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(rowsAndBits, async ([rows, bits, arithmetic]) => {
      const x = BigUint64Array.from(rows.map((r) => r[0])), y = BigUint64Array.from(rows.map((r) => r[1]));
      const [r] = await t.run(async (s) => {
        const xs = await secret(s, x, 0), ys = await secret(s, y, 1);
        const p = arithmetic ? await secret(s, BigUint64Array.from(bits.map(BigInt)), 2) : await secretBits(s, bits, 2);
        const r0 = s.stats.rounds;
        const out = await compact(s, [xs, ys], p);
        const rounds = s.stats.rounds - r0;
        return { count: out.count, x: await open(s, out.columns[0]), y: await open(s, out.columns[1]), rounds };
      });
      const kept = rows.filter((_, i) => bits[i] === 1);
      assert.equal(r.count, kept.length);
      assert.deepEqual(rowSet([r.x, r.y]), rowSet([kept.map((k) => k[0]), kept.map((k) => k[1])]));
      if (rows.length > 0) assert.equal(r.rounds, 4);
    }),
    { numRuns: RUNS },
  );
});

test('compact of an empty table, of a table without columns, and of one row', async () => {
  const t = await trio();
  const [r] = await t.run(async (s) => {
    const empty = await compact(s, [await secret(s, new BigUint64Array(0))], await secretBits(s, []));
    const none = await compact(s, [], await secretBits(s, [1, 0, 1]));
    const one = await compact(s, [await secret(s, BigUint64Array.of(7n))], await secretBits(s, [1]));
    return { empty: empty.count, emptyCols: empty.columns.length, none: none.count, one: [...(await open(s, one.columns[0]))] };
  });
  assert.deepEqual(r, { empty: 0, emptyCols: 1, none: 2, one: [7n] });
});

test('compact refuses an arithmetic predicate that is not 0/1, and columns of another length', async () => {
  const t = await trio();
  await assert.rejects(
    t.run(async (s) => compact(s, [await secret(s, BigUint64Array.of(1n, 2n))], await secret(s, BigUint64Array.of(1n, 5n)))),
    ProtocolError,
  );
  await assert.rejects(
    t.run(async (s) => compact(s, [await secret(s, BigUint64Array.of(1n))], await secretBits(s, [1, 0]))),
    /compact: a column has 1 rows, the predicate 2/,
  );
});

test('compact reveals a random order: the same input comes out in different orders', async () => {
  const t = await trio();
  const x = BigUint64Array.from({ length: 100 }, (_, i) => BigInt(i));
  const orders = new Set<string>();
  for (let k = 0; k < 3; k++) {
    const [o] = await t.run(async (s) => open(s, (await compact(s, [await secret(s, x)], await secretBits(s, Array.from({ length: 100 }, (_, i) => i % 2)))).columns[0]));
    orders.add(o.join(','));
  }
  assert.equal(orders.size, 3);
});
