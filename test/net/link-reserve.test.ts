/**
 * A link's receive and staging buffers from the node's memory reserve (recycled-buffers.ts,
 * stream-link.ts; docs/benchmarks.md "s13-firstq"): new receive buffers are reserve parts while
 * it can spare them, given back they are kept and taken again like whole buffers, and nothing
 * the link did not take itself (another pool's part, a piece of its own) is ever kept; messages
 * arrive intact through reserve-backed buffers on both ends, also once the reserve is spent.
 */

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { generateClusterCertificates, type ClusterCertificates } from '../../src/crypto/certs.js';
import { MemoryReserve } from '../../src/mpc/memory-reserve.js';
import { RecycledBuffers } from '../../src/net/recycled-buffers.js';
import { StreamLink } from '../../src/net/stream-link.js';
import { tlsPair } from '../helpers/tls-pair.js';

let certs: ClusterCertificates;

before(async () => {
  certs = await generateClusterCertificates();
});

function pattern(bytes: number, seed: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

test('receive buffers: reserve parts while it lasts, kept and taken again when given back; foreign parts and pieces never kept', () => {
  const reserve = new MemoryReserve(1 << 20);
  const recycled = new RecycledBuffers(1 << 30, reserve);
  const a = recycled.fresh(100_003);
  assert.ok(reserve.holds(a), 'the first buffer is a part of the reserve');
  assert.equal(a.byteLength, 100_003);
  assert.equal(a.byteOffset % 8, 0);
  recycled.give(a);
  recycled.give(a); // given twice: kept once
  const again = recycled.take(100_003);
  assert.ok(again && again.buffer === a.buffer && again.byteOffset === a.byteOffset, 'the same part is taken again');
  assert.equal(recycled.take(100_003), undefined, 'kept once');
  // Another pool's part of the same reserve (a scratch vector) and a piece of the link's own part.
  const foreign = reserve.carveBytes(4096)!;
  recycled.give(foreign);
  assert.equal(recycled.take(4096), undefined, 'a part the link did not take is not kept');
  const b = recycled.fresh(65_536);
  recycled.give(b.subarray(0, 32_768));
  assert.equal(recycled.take(32_768), undefined, 'a piece of its own part is not kept');
  // Past the reserve: fresh memory, kept as a whole buffer as before; the whole reserve is never handed out.
  const big = recycled.fresh(1 << 20);
  assert.ok(!reserve.holds(big), 'past the reserve, a fresh buffer');
  assert.equal(big.buffer.byteLength, 1 << 20);
  recycled.give(big);
  assert.equal(recycled.take(1 << 20)?.buffer, big.buffer);
  assert.equal(new MemoryReserve(4096).carveBytes(4096), undefined, 'never the whole reserve');
});

test('messages arrive intact through reserve-backed receive and staging buffers, also once the reserve is spent', async () => {
  const [x, y] = await tlsPair(certs);
  const rxReserve = new MemoryReserve(2 << 20);
  const sender = new StreamLink(x, 'y', undefined, undefined, new MemoryReserve(4 << 20));
  const receiver = new StreamLink(y, 'x', undefined, undefined, rxReserve);
  const got: Uint8Array[] = [];
  const sessions: bigint[] = [];
  let wake: (() => void) | undefined;
  receiver.setHandlers({ message: (s, p) => { got.push(p); sessions.push(s); wake?.(); }, abort: () => undefined, closed: () => undefined });
  const arrived = (k: number): Promise<void> => (got.length >= k ? Promise.resolve() : new Promise<void>((resolve) => (wake = () => got.length >= k && resolve())));
  let seed = 0;
  let fromReserve = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.oneof(fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 4097, max: 600_000 })), { minLength: 1, maxLength: 8 }), fc.boolean(), async (sizes, giveBack) => {
      const from = got.length;
      const sent = sizes.map((n) => pattern(n, ++seed));
      await Promise.all(sent.map((m, i) => sender.send(BigInt(1 + (i % 2)), m)));
      await arrived(from + sent.length);
      // Per session, in order.
      for (const s of [1, 2]) {
        const mine = sent.filter((_m, i) => 1 + (i % 2) === s);
        const theirs = got.slice(from).filter((_m, i) => sessions[from + i] === BigInt(s));
        assert.equal(theirs.length, mine.length);
        mine.forEach((m, i) => assert.ok(Buffer.from(theirs[i]).equals(Buffer.from(m)), `message of ${m.byteLength} bytes changed`));
      }
      for (const p of got.slice(from)) {
        assert.equal(p.byteOffset % 8, 0);
        if (rxReserve.holds(p)) fromReserve++;
        if (giveBack && p.byteLength > 4096) receiver.recycle(p);
      }
    }),
    { numRuns: 25 },
  );
  assert.ok(fromReserve > 0, 'some messages were received into reserve parts');
  assert.ok(rxReserve.freeBytes < 600_000, 'the reserve was spent along the way');
  sender.close();
});
