import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from '../../src/errors.js';
import { FrameReader, HEADER, KIND_ABORT, KIND_CONTINUE, KIND_START } from '../../src/net/frame-reader.js';
import { RecycledBuffers } from '../../src/net/recycled-buffers.js';

interface Frame {
  kind: number;
  session: bigint;
  total: number;
  payload: Uint8Array;
}

function encode(frames: Frame[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + HEADER + f.payload.byteLength, 0));
  const v = new DataView(out.buffer);
  let at = 0;
  for (const f of frames) {
    v.setUint32(at, f.kind, true);
    v.setUint32(at + 4, f.payload.byteLength, true);
    v.setBigUint64(at + 8, f.session, true);
    v.setFloat64(at + 16, f.total, true);
    out.set(f.payload, at + HEADER);
    at += HEADER + f.payload.byteLength;
  }
  return out;
}

function pattern(bytes: number, seed: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 29 + seed * 7) & 0xff;
  return out;
}

/** A message cut into frames of at most `frame` bytes (at least one frame). */
function framesOf(session: bigint, payload: Uint8Array, frame: number): Frame[] {
  const out: Frame[] = [];
  for (let at = 0; at === 0 || at < payload.byteLength; at += frame) {
    out.push({ kind: at === 0 ? KIND_START : KIND_CONTINUE, session, total: payload.byteLength, payload: payload.subarray(at, Math.min(payload.byteLength, at + frame)) });
  }
  return out;
}

function reader(): { r: FrameReader; got: Array<{ session: bigint; payload: Uint8Array }>; aborts: string[] } {
  const got: Array<{ session: bigint; payload: Uint8Array }> = [];
  const aborts: string[] = [];
  const r = new FrameReader('peer', { message: (session, payload) => got.push({ session, payload }), abort: (session, reason) => aborts.push(`${session}:${reason}`) }, new RecycledBuffers(1 << 20));
  return { r, got, aborts };
}

/** The stream fed in chunks of the given sizes (cycled), each chunk a Buffer at an odd offset of a larger one, as node's reads may be. */
function feed(r: FrameReader, stream: Uint8Array, sizes: number[]): void {
  let at = 0;
  for (let i = 0; at < stream.byteLength; i++) {
    const n = Math.min(sizes[i % sizes.length], stream.byteLength - at);
    const holder = Buffer.alloc(n + 3);
    holder.set(stream.subarray(at, at + n), 3);
    r.receive(holder.subarray(3, 3 + n));
    at += n;
  }
}

// Two sessions whose ids differ only in their high 32 bits, and one only in the low bits: the
// reader reuses the last frame's session id when its bits repeat, and must not confuse these.
const A = 0x1234_5678_9abc_def0n;
const B = 0x1234_5679_9abc_def0n;
const C = 0x1234_5678_9abc_def1n;

test('messages cut anywhere by the stream, frames interleaved across sessions, arrive whole, in order, with their session', () => {
  const sizes = [0, 1, 7, 8, 63, 64, 65, 1000, 4096, 4097, 20_000];
  const messages = sizes.map((n, i) => ({ session: [A, B, C][i % 3], payload: pattern(n, i) }));
  // Frames of at most 1000 bytes, the sessions' frames interleaved round-robin as the sender does.
  const queues = [A, B, C].map((s) => messages.filter((m) => m.session === s).flatMap((m) => framesOf(s, m.payload, 1000)));
  const frames: Frame[] = [];
  while (queues.some((q) => q.length > 0)) for (const q of queues) if (q.length > 0) frames.push(q.shift()!);
  const stream = encode(frames);
  for (const chunking of [[1], [3], [7], [HEADER], [HEADER + 1], [HEADER - 1, 2], [4096], [stream.byteLength], [5, 100, 17, 2000]]) {
    const { r, got } = reader();
    feed(r, stream, chunking);
    for (const s of [A, B, C]) {
      const want = messages.filter((m) => m.session === s);
      const have = got.filter((m) => m.session === s);
      assert.equal(have.length, want.length, `session ${s.toString(16)}, chunks ${chunking}`);
      have.forEach((m, i) => {
        assert.deepEqual(Buffer.from(m.payload), Buffer.from(want[i].payload), `session ${s.toString(16)} message ${i}, chunks ${chunking}`);
        assert.equal(m.payload.byteOffset % 8, 0);
      });
    }
  }
});

test('an abort frame is delivered with its reason, between the session\'s messages', () => {
  const { r, got, aborts } = reader();
  const reason = new TextEncoder().encode('stopped: bad input');
  feed(r, encode([...framesOf(A, pattern(10, 1), 100), { kind: KIND_ABORT, session: A, total: reason.byteLength, payload: reason }, ...framesOf(B, pattern(3, 2), 100)]), [5]);
  assert.deepEqual(aborts, [`${A}:stopped: bad input`]);
  assert.deepEqual(got.map((m) => m.session), [A, B]);
});

test('frames that break the format are refused with a protocol error', () => {
  const cases: Array<[string, Frame[], RegExp]> = [
    ['continue without start', [{ kind: KIND_CONTINUE, session: A, total: 8, payload: pattern(8, 0) }], /never started/],
    ['start twice', [{ kind: KIND_START, session: A, total: 16, payload: pattern(8, 0) }, { kind: KIND_START, session: A, total: 8, payload: pattern(8, 0) }], /before finishing/],
    ['more than announced', [{ kind: KIND_START, session: A, total: 4, payload: pattern(8, 0) }], /more bytes than it announced/],
    ['more than announced over two frames', [{ kind: KIND_START, session: A, total: 10, payload: pattern(8, 0) }, { kind: KIND_CONTINUE, session: A, total: 10, payload: pattern(8, 0) }], /more bytes than it announced/],
    ['an absurd length', [{ kind: KIND_START, session: A, total: 2 ** 40, payload: pattern(8, 0) }], /announced a message of/],
    ['a fractional length', [{ kind: KIND_START, session: A, total: 8.5, payload: pattern(8, 0) }], /announced a message of/],
    ['an unknown kind', [{ kind: 7, session: A, total: 8, payload: pattern(8, 0) }], /unknown frame kind 7/],
  ];
  for (const [name, frames, message] of cases) {
    const { r } = reader();
    assert.throws(() => feed(r, encode(frames), [1000]), (e: unknown) => e instanceof ProtocolError && message.test(e.message), name);
  }
});
