import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RUNS, secret, signedIn, TWO62 } from '../helpers/protocol.js';
import { localTrio, type LocalTrio } from '../../src/mpc/local.js';
import { MemoryReserve } from '../../src/mpc/memory-reserve.js';
import { ScratchPool } from '../../src/mpc/scratch.js';
import { groupByDomain } from '../../src/mpc/oblivious/one-hot.js';
import { open } from '../../src/mpc/protocols/io.js';
import { ScanMemory } from '../../src/node/storage/scan-memory.js';

test('memory reserve: disjoint parts while it lasts, then none', () => {
  const reserve = new MemoryReserve(8 * 100);
  const a = reserve.carve(60)!, b = reserve.carve(40)!;
  assert.ok(reserve.holds(a) && reserve.holds(b));
  assert.equal(reserve.freeBytes, 0);
  a.fill(1n);
  b.fill(2n);
  assert.ok(a.every((x) => x === 1n), 'parts do not overlap');
  assert.equal(reserve.carve(1), undefined, 'exhausted: the caller makes fresh memory');
  assert.throws(() => new MemoryReserve(12), RangeError);
});

test('memory reserve: never hands out its whole buffer (a link may move a whole buffer, detaching every part)', () => {
  const reserve = new MemoryReserve(8 * 100);
  assert.equal(reserve.carve(100), undefined);
  assert.equal(reserve.freeBytes, 800, 'nothing was used');
  const part = reserve.carve(99)!;
  assert.ok(part.byteLength < part.buffer.byteLength);
});

test('scratch pool with a reserve: new buffers are parts of it, come back whole, are taken again; fresh once it is spent', () => {
  const reserve = new MemoryReserve(8 * 1000);
  const pool = new ScratchPool(reserve);
  const a = pool.take(600), b = pool.take(300);
  assert.ok(reserve.holds(a) && reserve.holds(b), 'carved from the reserve');
  assert.equal(a.length, 600);
  const c = pool.take(200);
  assert.ok(!reserve.holds(c), 'the reserve has 100 words left: fresh');
  pool.give(a.subarray(10, 20)); // a view of a lent part gives back the whole part
  const again = pool.take(550);
  assert.equal(again.buffer, a.buffer);
  assert.equal(again.byteOffset, a.byteOffset);
  assert.equal(again.length, 550);
  pool.give(again);
  pool.give(again); // twice: kept once
  assert.equal(pool.take(600).byteOffset, a.byteOffset);
  assert.ok(!reserve.holds(pool.take(600)), 'not handed out twice: fresh (the reserve is spent)');
  // Reserve memory this pool did not lend (another pool's, a scan's) is never kept: keeping it would alias.
  const stranger = new ScratchPool(reserve);
  stranger.give(b);
  assert.ok(!reserve.holds(stranger.take(300)), 'b stays with its own pool');
});

test('scan memory with a reserve: vectors carved from it come back by size', () => {
  const reserve = new MemoryReserve(8 * 3000);
  const memory = new ScanMemory(1 << 20, reserve);
  const lease = memory.lease();
  const a = lease.take(1000), b = lease.take(1000);
  assert.ok(reserve.holds(a) && reserve.holds(b) && a.byteOffset !== b.byteOffset);
  lease.release();
  assert.equal(memory.retainedBytes, 16_000);
  const next = memory.lease();
  const taken = [next.take(1000), next.take(1000)].map((v) => v.byteOffset).sort();
  assert.deepEqual(taken, [a.byteOffset, b.byteOffset].sort());
  assert.ok(!reserve.holds(next.take(1001)), 'another size once the reserve is spent: fresh');
});

let reserved: Promise<LocalTrio> | undefined;
after(async () => (await reserved)?.close());

test('groupByDomain computing in reserve-backed pools matches a plaintext group-by, run after run (reserve parts reused, then fresh)', async () => {
  // A small reserve per party: the first runs carve it, later ones reuse the parts or go past it.
  reserved ??= localTrio({ timeoutMs: 20_000, scratch: () => new ScratchPool(new MemoryReserve(1 << 14)) });
  const t = await reserved;
  const d = 12;
  const rows = fc.array(fc.tuple(fc.integer({ min: 0, max: d - 1 }).map(BigInt), signedIn(-TWO62, TWO62 - 1n)), { maxLength: 200 });
  await fc.assert(
    fc.asyncProperty(rows, async (rs) => {
      const [r] = await t.run(async (s) => {
        const key = await secret(s, BigUint64Array.from(rs.map((x) => x[0])), 2), v = await secret(s, BigUint64Array.from(rs.map((x) => x[1])), 1);
        const g = await groupByDomain(s, key, d, [v], { inDomain: true });
        return { counts: await open(s, g.counts), sums: await open(s, g.sums[0]) };
      });
      const counts = new Array<bigint>(d).fill(0n), sums = new Array<bigint>(d).fill(0n);
      for (const [k, v] of rs) {
        counts[Number(k)] += 1n;
        sums[Number(k)] = BigInt.asUintN(64, sums[Number(k)] + v);
      }
      assert.deepEqual([...r.counts], counts);
      assert.deepEqual([...r.sums], sums);
    }),
    { numRuns: RUNS },
  );
});
