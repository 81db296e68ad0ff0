import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { generateClusterCertificates, type ClusterCertificates } from '../../src/crypto/certs.js';
import { PeerLostError, ProtocolError } from '../../src/errors.js';
import { StreamLink } from '../../src/net/stream-link.js';
import { SENT, type LinkHandlers } from '../../src/net/link.js';
import { tlsPair as tlsPairOf } from '../helpers/tls-pair.js';

let certs: ClusterCertificates;

before(async () => {
  certs = await generateClusterCertificates();
});

/** Two ends of one TLS 1.3 connection on loopback. */
const tlsPair = (): Promise<[TLSSocket, TLSSocket]> => tlsPairOf(certs);

interface Received {
  session: bigint;
  payload: Uint8Array;
}

/** Records what arrives on a link; `next(k)` waits for the k-th message. */
function recorder(link: StreamLink): { got: Received[]; aborts: string[]; closed: Promise<Error | undefined>; count(k: number): Promise<void> } {
  const got: Received[] = [];
  const aborts: string[] = [];
  const waiters: Array<{ k: number; resolve(): void }> = [];
  let onClosed!: (e: Error | undefined) => void;
  const closed = new Promise<Error | undefined>((r) => (onClosed = r));
  const handlers: LinkHandlers = {
    message(session, payload) {
      got.push({ session, payload });
      for (const w of waiters.filter((x) => got.length >= x.k)) w.resolve();
    },
    abort(session, reason) {
      aborts.push(`${session}: ${reason}`);
    },
    closed: (e) => onClosed(e),
  };
  link.setHandlers(handlers);
  return { got, aborts, closed, count: (k) => (got.length >= k ? Promise.resolve() : new Promise((resolve) => waiters.push({ k, resolve }))) };
}

function pattern(bytes: number, seed: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

test('messages of every size arrive intact, in order, 8-aligned', async () => {
  const [a, b] = await tlsPair();
  const sender = new StreamLink(a, 'b');
  const rx = recorder(new StreamLink(b, 'a'));
  const sizes = [0, 1, 7, 24, 4096, 1024 * 1024 - 1, 1024 * 1024 + 1, 3 * 1024 * 1024 + 5, 9 * 1024 * 1024 + 3];
  const sent = sizes.map((n, i) => pattern(n, i));
  await Promise.all(sent.map((p) => sender.send(5n, p)));
  await rx.count(sizes.length);
  assert.deepEqual(rx.got.map((m) => m.payload.byteLength), sizes);
  rx.got.forEach((m, i) => {
    assert.equal(m.session, 5n);
    assert.equal(m.payload.byteOffset % 8, 0);
    assert.ok(Buffer.from(m.payload).equals(Buffer.from(sent[i])), `message ${i} (${sizes[i]} bytes) differs`);
  });
  assert.equal(sender.bytesSent, sizes.reduce((x, y) => x + y, 0));
  sender.close();
  assert.ok((await rx.closed) instanceof PeerLostError, 'the receiving end learns that its peer closed');
});

test('the caller may overwrite its array as soon as send returns, also while a write is in flight', async () => {
  const [a, b] = await tlsPair();
  const sender = new StreamLink(a, 'b');
  const rx = recorder(new StreamLink(b, 'a'));
  // The first message goes out at once; the next ones queue behind its write and must be copied.
  const payloads = [pattern(6 * 1024 * 1024, 1), pattern(5 * 1024 * 1024, 2), pattern(100, 3), pattern(2 * 1024 * 1024, 4)];
  const expected = payloads.map((p) => p.slice());
  const sends = payloads.map((p) => {
    const s = sender.send(9n, p);
    p.fill(0xee);
    return s;
  });
  await Promise.all(sends);
  await rx.count(payloads.length);
  rx.got.forEach((m, i) => assert.ok(Buffer.from(m.payload).equals(Buffer.from(expected[i])), `message ${i} was changed in flight`));
  sender.close();
});

test('sessions take turns: a short message is not held up by a long one queued before it', async () => {
  const [a, b] = await tlsPair();
  const sender = new StreamLink(a, 'b');
  const rx = recorder(new StreamLink(b, 'a'));
  const first = sender.send(1n, pattern(8 * 1024 * 1024, 1)); // in flight
  const long = sender.send(1n, pattern(16 * 1024 * 1024, 2)); // queued, many frames
  const short = sender.send(2n, pattern(64, 3)); // queued after it, other session
  await Promise.all([first, long, short]);
  await rx.count(3);
  assert.deepEqual(rx.got.map((m) => [m.session, m.payload.byteLength]), [[1n, 8 * 1024 * 1024], [2n, 64], [1n, 16 * 1024 * 1024]]);
  sender.close();
});

test('aborts arrive in order with the session\'s messages', async () => {
  const [a, b] = await tlsPair();
  const sender = new StreamLink(a, 'b');
  const rx = recorder(new StreamLink(b, 'a'));
  void sender.send(3n, pattern(5 * 1024 * 1024, 1));
  void sender.send(3n, pattern(10, 2));
  sender.sendAbort(3n, 'x'.repeat(5000));
  await rx.count(2);
  while (rx.aborts.length === 0) await new Promise((r) => setImmediate(r));
  assert.equal(rx.aborts[0], `3: ${'x'.repeat(1000)}`);
  sender.close();
});

test('a peer that vanishes fails queued sends and reports the link down', async () => {
  const [a, b] = await tlsPair();
  const sender = new StreamLink(a, 'b');
  const senderSide = recorder(sender);
  const rx = new StreamLink(b, 'a');
  rx.setHandlers({ message() {}, abort() {}, closed() {} });
  void sender.send(1n, pattern(32 * 1024 * 1024, 1)).catch(() => {});
  const queued = sender.send(1n, pattern(32 * 1024 * 1024, 2));
  b.destroy();
  await assert.rejects(queued, PeerLostError);
  assert.ok((await senderSide.closed) instanceof PeerLostError);
  await assert.rejects(sender.send(1n, new Uint8Array(8)), PeerLostError);
});

test('a malformed frame closes the link with a protocol error', async () => {
  const [a, b] = await tlsPair();
  const rx = recorder(new StreamLink(b, 'a'));
  const frame = new Uint8Array(24);
  frame[0] = 9; // no such kind
  a.write(frame);
  const e = await rx.closed;
  assert.ok(e instanceof ProtocolError, String(e));
  assert.match(e.message, /unknown frame kind 9/);
  a.destroy();
});

/** One frame that carries a whole message (the wire format in stream-link.ts). */
function wholeMessageFrame(session: bigint, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(24 + payload.byteLength);
  const v = new DataView(frame.buffer);
  v.setUint32(4, payload.byteLength, true);
  v.setBigUint64(8, session, true);
  v.setFloat64(16, payload.byteLength, true);
  frame.set(payload, 24);
  return frame;
}

test('a peer that hangs up is reported at its end of stream, after what it sent, without waiting for the socket to close', async () => {
  // A TLS socket emits 'close' only once this side has flushed and shut down too; under load that
  // took tens of milliseconds after 'end', during which the node mesh took a link whose peer had
  // already hung up for a working one. A half-open stream that never closes makes the gap endless.
  const socket = new Duplex({ allowHalfOpen: true, read() {}, write: (_chunk, _encoding, done) => done() });
  const rx = recorder(new StreamLink(socket, 'peer'));
  let closedAfter = -1;
  void rx.closed.then(() => (closedAfter = rx.got.length));
  socket.push(wholeMessageFrame(4n, pattern(100, 1)));
  socket.push(null);
  await once(socket, 'end');
  await new Promise((r) => setImmediate(r));
  assert.equal(rx.got.length, 1, 'the message sent before the end is delivered');
  assert.equal(closedAfter, 1, 'the link is reported closed at the end of stream, after the message');
  assert.ok((await rx.closed) instanceof PeerLostError);
  assert.equal(socket.destroyed, false, 'the socket itself has not closed (nothing else would have told the link)');
  socket.destroy();
});

test('close() sends what is queued behind a write in flight, then ends; nothing is written after the end', async () => {
  const [a, b] = await tlsPair();
  const sender = new StreamLink(a, 'b');
  const senderSide = recorder(sender);
  const rx = recorder(new StreamLink(b, 'a'));
  try {
    void sender.send(1n, pattern(8 * 1024 * 1024, 1)).catch(() => {}); // one write, in flight until its callback
    const goodbye = sender.send(0n, pattern(40, 2)); // queued behind it (like the mesh's "lost" notice)
    goodbye.catch(() => {});
    sender.close();
    // Ending at once and writing the queue afterwards made node destroy the socket: the peer lost
    // the goodbye and the sender saw "write after end".
    const closedWith = await rx.closed;
    assert.deepEqual(rx.got.map((m) => [m.session, m.payload.byteLength]), [[1n, 8 * 1024 * 1024], [0n, 40]]);
    assert.ok(closedWith instanceof PeerLostError, 'the receiver sees its peer close');
    await goodbye;
    assert.equal(await senderSide.closed, undefined, 'the sender closed on request, without an error');
  } finally {
    a.destroy();
    b.destroy();
  }
});

/** A socket that records each write and completes it only when told to (pending, in order). */
function recordingSocket(): { writes: Uint8Array[]; pending: Array<() => void>; socket: Duplex } {
  const writes: Uint8Array[] = [];
  const pending: Array<() => void> = [];
  const socket = new Duplex({
    read() {},
    write: (chunk: Buffer, _encoding, done) => {
      writes.push(Uint8Array.from(chunk));
      pending.push(() => done());
    },
  });
  return { writes, pending, socket };
}

test('a short message to an idle link is one write of exactly its frame; behind a write in flight it queues', async () => {
  const { writes, pending, socket } = recordingSocket();
  const link = new StreamLink(socket, 'peer');
  const first = pattern(40, 1);
  const expected = first.slice();
  await link.send(3n, first); // settled at once: the bytes are in the staging buffer
  first.fill(0xee);
  assert.equal(writes.length, 1);
  assert.deepEqual(writes[0], wholeMessageFrame(3n, expected), 'one write: the header and the payload, nothing else');
  // The write is still in flight: these two queue (copied), and go out together from its callback.
  const second = pattern(16, 2), third = pattern(8, 3);
  const queued = [link.send(3n, second), link.send(4n, third)];
  second.fill(0xee);
  assert.equal(writes.length, 1, 'nothing is written while a write is in flight');
  pending.shift()!();
  await Promise.all(queued);
  assert.equal(writes.length, 2);
  const both = new Uint8Array([...wholeMessageFrame(3n, pattern(16, 2)), ...wholeMessageFrame(4n, pattern(8, 3))]);
  assert.deepEqual(writes[1], both);
  pending.shift()!();
  link.close();
  socket.destroy();
});

test('short messages sent while a write is in flight are settled at once and go out next, ahead of what queues after them', async () => {
  const { writes, pending, socket } = recordingSocket();
  const link = new StreamLink(socket, 'peer');
  assert.equal(link.send(3n, pattern(40, 1)), SENT, 'to an idle link: written at once');
  // Behind the write in flight: framed at once (no copy to keep, no promise), even for another session.
  const a = pattern(16, 2), b = pattern(8, 3);
  assert.equal(link.send(3n, a), SENT);
  assert.equal(link.send(4n, b), SENT);
  a.fill(0xee);
  b.fill(0xee);
  // A long message must queue; a short one of the same session after it must stay behind it.
  const long = pattern(2 * 1024 * 1024, 4);
  const queuedLong = link.send(3n, long);
  const queuedShort = link.send(3n, pattern(24, 5));
  assert.notEqual(queuedShort, SENT, 'behind a queued message a short one queues too (order within the session)');
  assert.equal(writes.length, 1, 'nothing is written while a write is in flight');
  // Feed every write to a receiving link and check what arrives, in which order.
  const rxSocket = new Duplex({ read() {}, write: (_c, _e, done) => done() });
  const rx = recorder(new StreamLink(rxSocket, 'sender'));
  while (pending.length > 0) {
    pending.shift()!();
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all([queuedLong, queuedShort]);
  for (const w of writes) rxSocket.push(w);
  await rx.count(5);
  assert.deepEqual(rx.got.map((m) => [m.session, m.payload.byteLength]), [[3n, 40], [3n, 16], [4n, 8], [3n, 2 * 1024 * 1024], [3n, 24]]);
  assert.deepEqual(writes[1].subarray(0, 2 * 24 + 16 + 8), new Uint8Array([...wholeMessageFrame(3n, pattern(16, 2)), ...wholeMessageFrame(4n, pattern(8, 3))]), 'the short frames lead the next write');
  assert.ok(Buffer.from(rx.got[3].payload).equals(Buffer.from(pattern(2 * 1024 * 1024, 4))));
  assert.ok(Buffer.from(rx.got[4].payload).equals(Buffer.from(pattern(24, 5))));
  link.close();
  socket.destroy();
  rxSocket.destroy();
});

test('a long message queued alone behind a write in flight goes out as one frame from its own copy, settled when written', async () => {
  const { writes, pending, socket } = recordingSocket();
  const link = new StreamLink(socket, 'peer');
  assert.equal(link.send(5n, pattern(100, 1)), SENT);
  // A protocol's next round: a long message while the last write is still in flight.
  const long = pattern(3 * 1024 * 1024 + 5, 2);
  const queued = link.send(5n, long);
  assert.notEqual(queued, SENT, 'it queues behind the write in flight');
  long.fill(0xee); // the link holds its own copy
  let settled = false;
  void queued.then(() => (settled = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(settled, false);
  pending.shift()!();
  await queued;
  assert.equal(writes.length, 2);
  assert.deepEqual(writes[1], wholeMessageFrame(5n, pattern(3 * 1024 * 1024 + 5, 2)), 'one write of one frame: header and payload, as sent');
  // Its copy goes back to the link's pool once written; the next one of that size is copied into it, intact.
  pending.shift()!();
  assert.equal(link.send(5n, pattern(100, 3)), SENT, 'to an idle link: written at once');
  const next = pattern(3 * 1024 * 1024 + 5, 6);
  const queuedNext = link.send(5n, next);
  next.fill(0xee);
  pending.shift()!();
  await queuedNext;
  assert.equal(writes.length, 4);
  assert.deepEqual(writes[3], wholeMessageFrame(5n, pattern(3 * 1024 * 1024 + 5, 6)));
  pending.shift()!();
  link.close();
  socket.destroy();
});

test('short messages received into shared slabs stay intact and 8-aligned while the receiver keeps them', async () => {
  const socket = new Duplex({ read() {}, write: (_c, _e, done) => done() });
  const rx = recorder(new StreamLink(socket, 'peer'));
  // Sizes up to the slab limit and above it, odd lengths (the next message must still start 8-aligned),
  // many more bytes than one slab holds, and all kept: a slab is never reused for later messages.
  const sizes: number[] = [];
  for (let i = 0; i < 400; i++) sizes.push([0, 1, 8, 13, 777, 4095, 4096, 4097][i % 8]);
  const frames = sizes.map((n, i) => wholeMessageFrame(BigInt(i % 3), pattern(n, i)));
  // In odd-sized pieces, so that headers and payloads are split across reads.
  const all = new Uint8Array(frames.reduce((s, f) => s + f.byteLength, 0));
  let at = 0;
  for (const f of frames) {
    all.set(f, at);
    at += f.byteLength;
  }
  for (let p = 0; p < all.byteLength; p += 1000) socket.push(all.slice(p, p + 1000));
  await rx.count(sizes.length);
  rx.got.forEach((m, i) => {
    assert.equal(m.session, BigInt(i % 3));
    assert.equal(m.payload.byteOffset % 8, 0, `message ${i} is not 8-aligned`);
    assert.ok(Buffer.from(m.payload).equals(Buffer.from(pattern(sizes[i], i))), `message ${i} (${sizes[i]} bytes) was changed`);
  });
  socket.destroy();
});

test('a recycled receive buffer takes the next message of its size, intact; other sizes and partial views are not kept', async () => {
  const [a, b] = await tlsPair();
  const sender = new StreamLink(a, 'b');
  const receiver = new StreamLink(b, 'a');
  const rx = recorder(receiver);
  const big = 3 * 1024 * 1024 + 8;
  await sender.send(1n, pattern(big, 1));
  await rx.count(1);
  const first = rx.got[0].payload;
  receiver.recycle(first);
  // A view of part of a message is not a whole buffer: refused (its buffer is still in use). The
  // messages are above the slab size (short ones share slabs, which are never recycled).
  await sender.send(1n, pattern(8192, 2));
  await rx.count(2);
  receiver.recycle(rx.got[1].payload.subarray(8));
  await sender.send(1n, pattern(100, 3));
  await sender.send(1n, pattern(big, 4));
  await sender.send(1n, pattern(8192, 5));
  await rx.count(5);
  assert.ok(Buffer.from(rx.got[3].payload).equals(Buffer.from(pattern(big, 4))), 'the message received into the recycled buffer is intact');
  assert.equal(rx.got[3].payload.buffer, first.buffer, 'the message of the same size reused the recycled buffer');
  assert.notEqual(rx.got[2].payload.buffer, first.buffer, 'a message of another size did not');
  assert.notEqual(rx.got[4].payload.buffer, rx.got[1].payload.buffer, 'a partial view was not kept');
  assert.ok(Buffer.from(rx.got[4].payload).equals(Buffer.from(pattern(8192, 5))));
  sender.close();
});

test('a long message the caller gave up (transfer) goes out from its own memory: its header, then its bytes, uncopied', async () => {
  const writes: Buffer[] = [];
  const pending: Array<() => void> = [];
  const socket = new Duplex({
    read() {},
    write: (chunk: Buffer, _encoding, done) => {
      writes.push(chunk);
      pending.push(() => done());
    },
  });
  const link = new StreamLink(socket, 'peer');
  const long = pattern(2 * 1024 * 1024 + 3, 7);
  assert.equal(link.send(6n, long, true), SENT, 'to an idle link: taken at once');
  // The header's write is in flight: the payload waits in node's writable buffer, then follows it.
  pending.shift()!();
  await new Promise((r) => setImmediate(r));
  assert.equal(writes.length, 2);
  assert.deepEqual(Uint8Array.from(writes[0]), wholeMessageFrame(6n, long).subarray(0, 24), 'the header alone, announcing the whole message as one frame');
  assert.equal(writes[1].buffer, long.buffer, 'the payload is the caller\'s memory, not a copy');
  assert.equal(writes[1].byteLength, long.byteLength);
  // A short message sent meanwhile goes out after it, as a frame of its own.
  assert.equal(link.send(6n, pattern(8, 1)), SENT);
  pending.shift()!();
  await new Promise((r) => setImmediate(r));
  assert.equal(writes.length, 3);
  const rxSocket = new Duplex({ read() {}, write: (_c, _e, done) => done() });
  const rx = recorder(new StreamLink(rxSocket, 'sender'));
  for (const w of writes) rxSocket.push(Uint8Array.from(w));
  await rx.count(2);
  assert.ok(Buffer.from(rx.got[0].payload).equals(Buffer.from(pattern(2 * 1024 * 1024 + 3, 7))));
  assert.deepEqual(rx.got[1].payload, pattern(8, 1));
  pending.shift()!();
  link.close();
  socket.destroy();
  rxSocket.destroy();
});

test('a long message given up (transfer) that queued alone behind a write in flight is written from its own memory too', async () => {
  const writes: Buffer[] = [];
  const pending: Array<() => void> = [];
  const socket = new Duplex({
    read() {},
    write: (chunk: Buffer, _encoding, done) => {
      writes.push(chunk);
      pending.push(() => done());
    },
  });
  const link = new StreamLink(socket, 'peer');
  assert.equal(link.send(2n, pattern(100, 1)), SENT);
  const long = pattern(3 * 1024 * 1024 + 1, 4);
  const queued = link.send(2n, long, true);
  assert.notEqual(queued, SENT, 'it queues behind the write in flight');
  pending.shift()!();
  await queued;
  await new Promise((r) => setImmediate(r));
  pending.shift()!(); // the header
  await new Promise((r) => setImmediate(r));
  assert.equal(writes.length, 3);
  assert.deepEqual(Uint8Array.from(writes[1]), wholeMessageFrame(2n, long).subarray(0, 24));
  assert.equal(writes[2].buffer, long.buffer, "the payload is the caller's memory, not a copy");
  pending.shift()!();
  link.close();
  socket.destroy();
});
