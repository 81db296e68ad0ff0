import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { StreamLink } from '../../src/net/stream-link.js';
import { SENT, type LinkHandlers } from '../../src/net/link.js';

const MIB = 1024 * 1024;

function pattern(bytes: number, seed: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** A link on a socket that records every write and completes it only when the test says so. */
function heldWrites(): { link: StreamLink; writes: Buffer[]; bytes: Buffer[]; complete(): Promise<void>; socket: Duplex } {
  const writes: Buffer[] = [];
  /** What each write carried when it was made (the staging buffer is reused once a write completed). */
  const bytes: Buffer[] = [];
  const pending: Array<() => void> = [];
  const socket = new Duplex({
    read() {},
    write: (chunk: Buffer, _encoding, done) => {
      writes.push(chunk);
      bytes.push(Buffer.from(chunk));
      pending.push(() => done());
    },
  });
  return {
    link: new StreamLink(socket, 'peer'),
    writes,
    bytes,
    socket,
    complete: async () => {
      pending.shift()!();
      await new Promise((r) => setImmediate(r));
    },
  };
}

/** The messages a receiving StreamLink makes of `writes`. */
async function decode(writes: readonly Buffer[], count: number): Promise<Uint8Array[]> {
  const socket = new Duplex({ read() {}, write: (_c, _e, done) => done() });
  const got: Uint8Array[] = [];
  const handlers: LinkHandlers = { message: (_s, p) => void got.push(p), abort() {}, closed() {} };
  new StreamLink(socket, 'sender').setHandlers(handlers);
  for (const w of writes) socket.push(Uint8Array.from(w));
  while (got.length < count) await new Promise((r) => setImmediate(r));
  socket.destroy();
  return got;
}

const settled = async (p: Promise<void>): Promise<boolean> => Promise.race([p.then(() => true), new Promise<boolean>((r) => setImmediate(() => r(false)))]);

test('lend, one frame to an idle link: written from the caller\'s memory, settled only once that write completed', async () => {
  const t = heldWrites();
  const block = pattern(MIB, 3);
  const lent = t.link.lend(7n, block);
  assert.notEqual(lent, SENT);
  await t.complete(); // the header
  assert.equal(t.writes.length, 2, 'its header, then its bytes');
  assert.equal(t.writes[0].byteLength, 24);
  assert.equal(t.writes[1].buffer, block.buffer, 'the caller\'s memory, not a staged copy');
  assert.equal(await settled(lent), false, 'settled while the socket still held the caller\'s array');
  await t.complete();
  assert.equal(await settled(lent), true);
  const [got] = await decode(t.bytes, 1);
  assert.ok(Buffer.from(got).equals(Buffer.from(pattern(MIB, 3))));
  t.link.close();
  t.socket.destroy();
});

test('lend, queued alone behind a write in flight: written from the caller\'s memory when that write completes, settled after its own', async () => {
  const t = heldWrites();
  assert.equal(t.link.send(2n, pattern(100, 1)), SENT);
  const block = pattern(MIB, 4);
  const lent = t.link.lend(2n, block);
  await t.complete(); // the short message
  assert.equal(await settled(lent), false);
  await t.complete(); // the lent block's header
  assert.equal(t.writes[2].buffer, block.buffer, 'not copied');
  assert.equal(await settled(lent), false);
  await t.complete();
  assert.equal(await settled(lent), true);
  const got = await decode(t.bytes, 2);
  assert.ok(Buffer.from(got[1]).equals(Buffer.from(pattern(MIB, 4))));
  t.link.close();
  t.socket.destroy();
});

test('lend behind other queued messages is copied with them and settled then: the caller may write it at once after', async () => {
  const t = heldWrites();
  assert.equal(t.link.send(1n, pattern(100, 1)), SENT);
  const queued = t.link.send(1n, pattern(2 * MIB, 2));
  const block = pattern(MIB, 5);
  const lent = t.link.lend(1n, block);
  await t.complete();
  await queued;
  await lent;
  block.fill(0xee);
  while (t.writes.length < 2) await new Promise((r) => setImmediate(r));
  await t.complete();
  const got = await decode(t.bytes, 3);
  assert.ok(Buffer.from(got[2]).equals(Buffer.from(pattern(MIB, 5))), 'the lent bytes were read after the promise settled');
  t.link.close();
  t.socket.destroy();
});

test('lend of a short message is an ordinary copied send, settled at once', async () => {
  const t = heldWrites();
  const short = pattern(4096, 6);
  assert.equal(t.link.lend(3n, short), SENT);
  short.fill(0);
  await t.complete();
  const [got] = await decode(t.bytes, 1);
  assert.deepEqual(got, pattern(4096, 6));
  t.link.close();
  t.socket.destroy();
});

test('lend, the link fails while the lent array is being written: the promise settles, nothing hangs', async () => {
  const t = heldWrites();
  const lent = t.link.lend(4n, pattern(2 * MIB, 7));
  t.socket.destroy(new Error('connection reset'));
  await lent;
});
