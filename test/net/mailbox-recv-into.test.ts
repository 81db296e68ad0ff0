import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Duplex } from 'node:stream';
import { DirectLink } from '../../src/net/direct-link.js';
import { Mailbox } from '../../src/net/mailbox.js';
import { StreamLink } from '../../src/net/stream-link.js';
import { PeerLostError, PeerTimeoutError, ProtocolError, SessionAbortedError } from '../../src/errors.js';

const MIB = 1024 * 1024;

function pattern(bytes: number, seed: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** One frame of kind `kind` (0 start, 1 continue) carrying `payload` of a message of `total` bytes. */
function frame(kind: number, session: bigint, payload: Uint8Array, total: number): Uint8Array {
  const out = new Uint8Array(24 + payload.byteLength);
  const v = new DataView(out.buffer);
  v.setUint32(0, kind, true);
  v.setUint32(4, payload.byteLength, true);
  v.setBigUint64(8, session, true);
  v.setFloat64(16, total, true);
  out.set(payload, 24);
  return out;
}

/** A mailbox on a StreamLink whose socket's incoming bytes the test pushes itself (chunk by chunk). */
function receiver(): { box: Mailbox; push(bytes: Uint8Array): Promise<void>; socket: Duplex } {
  const socket = new Duplex({ read() {}, write: (_c, _e, done) => done() });
  const box = new Mailbox(new StreamLink(socket, 'party 1'));
  return {
    box,
    socket,
    push: async (bytes) => {
      socket.push(Buffer.from(bytes));
      await new Promise((r) => setImmediate(r));
    },
  };
}

const unsettled = Symbol('unsettled');
/** What `p` settled to so far (after a turn of the event loop), or `unsettled`. */
async function peek<T>(p: Promise<T>): Promise<T | Error | typeof unsettled> {
  return Promise.race([p.then((v) => v, (e: Error) => e), new Promise<typeof unsettled>((r) => setImmediate(() => r(unsettled)))]);
}

test('recvInto, message after the call: the link writes the frames straight into the caller\'s buffer', async () => {
  const rx = receiver();
  const message = pattern(2 * MIB + 8, 3);
  const target = new Uint8Array(message.byteLength);
  const got = rx.box.recvInto(4n, target, 10_000);
  // The first half arrives: its bytes are in the target already, before the message is whole.
  await rx.push(frame(0, 4n, message.subarray(0, MIB), message.byteLength));
  assert.equal(await peek(got), unsettled);
  assert.ok(Buffer.from(target.subarray(0, MIB)).equals(Buffer.from(message.subarray(0, MIB))), 'received in place, not into a buffer of the link');
  await rx.push(frame(1, 4n, message.subarray(MIB), message.byteLength));
  assert.equal(await got, target, 'resolves to the caller\'s own buffer');
  assert.ok(Buffer.from(target).equals(Buffer.from(message)));
  rx.socket.destroy();
});

test('recvInto, message before the call: copied into the caller\'s buffer once; a short message too', async () => {
  const rx = receiver();
  const long = pattern(MIB + 16, 1);
  const short = pattern(40, 2);
  await rx.push(frame(0, 2n, long, long.byteLength));
  await rx.push(frame(0, 2n, short, short.byteLength));
  const longTarget = new Uint8Array(long.byteLength);
  assert.equal(await rx.box.recvInto(2n, longTarget, 1000), longTarget);
  assert.ok(Buffer.from(longTarget).equals(Buffer.from(long)));
  const shortTarget = new Uint8Array(short.byteLength);
  await rx.box.recvInto(2n, shortTarget, 1000);
  assert.deepEqual(shortTarget, short);
  rx.socket.destroy();
});

test('recvInto waits in line with recv, and a target of the wrong size is a protocol error, not a truncated copy', async () => {
  const rx = receiver();
  const a = pattern(MIB, 5), b = pattern(MIB, 6), c = pattern(MIB, 7);
  const first = rx.box.recv(1n, 10_000);
  const second = new Uint8Array(MIB);
  const secondGot = rx.box.recvInto(1n, second, 10_000);
  const wrong = assert.rejects(rx.box.recvInto(1n, new Uint8Array(MIB - 8), 10_000), (e: unknown) => e instanceof ProtocolError && /sent 1048576 bytes where 1048568 were expected/.test(e.message));
  for (const m of [a, b, c]) await rx.push(frame(0, 1n, m, m.byteLength));
  assert.ok(Buffer.from(await first).equals(Buffer.from(a)));
  await secondGot;
  assert.ok(Buffer.from(second).equals(Buffer.from(b)));
  await wrong;
  rx.socket.destroy();
});

test('recvInto, two sessions interleaved frame by frame: each message lands whole in its own target', async () => {
  const rx = receiver();
  const m1 = pattern(3 * MIB, 11), m2 = pattern(2 * MIB + 24, 12);
  const t1 = new Uint8Array(m1.byteLength), t2 = new Uint8Array(m2.byteLength);
  const got1 = rx.box.recvInto(1n, t1, 10_000);
  const got2 = rx.box.recvInto(2n, t2, 10_000);
  // Frames of 1 MiB, the sessions taking turns (as the sender's round-robin cuts them).
  await rx.push(frame(0, 1n, m1.subarray(0, MIB), m1.byteLength));
  await rx.push(frame(0, 2n, m2.subarray(0, MIB), m2.byteLength));
  await rx.push(frame(1, 1n, m1.subarray(MIB, 2 * MIB), m1.byteLength));
  await rx.push(frame(1, 2n, m2.subarray(MIB, 2 * MIB), m2.byteLength));
  await rx.push(frame(1, 1n, m1.subarray(2 * MIB), m1.byteLength));
  await rx.push(frame(1, 2n, m2.subarray(2 * MIB), m2.byteLength));
  await Promise.all([got1, got2]);
  assert.ok(Buffer.from(t1).equals(Buffer.from(m1)));
  assert.ok(Buffer.from(t2).equals(Buffer.from(m2)));
  rx.socket.destroy();
});

test('recvInto, the peer aborts mid-message: the receive fails and the rest of the message never touches the caller\'s buffer', async () => {
  const rx = receiver();
  const message = pattern(2 * MIB, 9);
  const target = new Uint8Array(message.byteLength);
  const got = rx.box.recvInto(6n, target, 10_000);
  await rx.push(frame(0, 6n, message.subarray(0, MIB), message.byteLength));
  rx.box.failSession(6n, new SessionAbortedError('party 1 stopped the computation: test'), true);
  await assert.rejects(got, SessionAbortedError);
  // The caller has its buffer back: it reuses it, and the message's second half must not land there.
  target.fill(0xaa);
  await rx.push(frame(1, 6n, message.subarray(MIB), message.byteLength));
  assert.ok(target.every((x) => x === 0xaa), 'the link wrote into a buffer its receiver had given up');
  rx.socket.destroy();
});

test('recvInto, a stalled peer: the receive times out mid-message, the message still arrives whole for a later receive', async () => {
  const rx = receiver();
  const message = pattern(2 * MIB, 13);
  const target = new Uint8Array(message.byteLength);
  const got = rx.box.recvInto(8n, target, 40);
  await rx.push(frame(0, 8n, message.subarray(0, MIB), message.byteLength));
  await assert.rejects(got, PeerTimeoutError);
  target.fill(0x55);
  const later = rx.box.recv(8n, 10_000);
  await rx.push(frame(1, 8n, message.subarray(MIB), message.byteLength));
  assert.ok(target.every((x) => x === 0x55), 'written after its receive had failed');
  assert.ok(Buffer.from(await later).equals(Buffer.from(message)), 'the bytes received into the given-up buffer were kept');
  rx.socket.destroy();
});

test('recvInto, the link goes down mid-message: every waiting receive fails at once', async () => {
  const rx = receiver();
  const message = pattern(2 * MIB, 15);
  const a = rx.box.recvInto(3n, new Uint8Array(message.byteLength), 0);
  const b = rx.box.recvInto(3n, new Uint8Array(MIB), 0);
  await rx.push(frame(0, 3n, message.subarray(0, MIB), message.byteLength));
  rx.socket.push(null);
  await assert.rejects(a, PeerLostError);
  await assert.rejects(b, PeerLostError);
  rx.socket.destroy();
});

test('recvInto on a link that cannot place (worker and same-thread links): the message is copied into the target', async () => {
  const [a, b] = DirectLink.pair('party 1', 'party 0');
  const box = new Mailbox(b);
  new Mailbox(a);
  const target = new Uint8Array(16);
  const got = box.recvInto(5n, target, 1000);
  await a.send(5n, pattern(16, 4));
  assert.equal(await got, target);
  assert.deepEqual(target, pattern(16, 4));
  a.close();
});
