/**
 * A link over a byte stream (a mutual-TLS socket between two node processes).
 *
 * Wire format: every frame starts with a 24-byte header
 *   u8 kind | 3 bytes zero | u32 payload bytes in this frame | u64 session | f64 message length
 * kind 0 starts a message (whose total length is given), kind 1 continues it, kind 2 aborts a
 * session (payload: UTF-8 reason). Large messages are cut into frames of at most CHUNK bytes and
 * frames of different sessions are interleaved round-robin, so a long vector of one computation
 * does not stall the others. Writes respect the socket's back-pressure ('drain').
 *
 * The receiver copies each payload once, into an exactly-sized fresh buffer per message, which
 * is therefore 8-aligned and can be viewed as ring elements without another copy.
 */

import type { Duplex } from 'node:stream';
import { PeerLostError, ProtocolError } from '../errors.js';
import { ownedCopy, type Link, type LinkHandlers } from './link.js';

const HEADER = 24;
const CHUNK = 256 * 1024;
const KIND_START = 0;
const KIND_CONTINUE = 1;
const KIND_ABORT = 2;
/** Messages larger than this are refused: a corrupt or hostile length must not exhaust memory. */
export const MAX_MESSAGE_BYTES = 2 ** 32;

interface Outgoing {
  session: bigint;
  payload: Uint8Array;
  offset: number;
  kind: number;
  done: () => void;
  fail: (e: Error) => void;
}

interface Incoming {
  buf: Uint8Array;
  filled: number;
}

export class StreamLink implements Link {
  private handlers: LinkHandlers | undefined;
  private readonly early: Array<(h: LinkHandlers) => void> = [];
  /** One FIFO of outgoing messages per session; `order` cycles over sessions with work. */
  private readonly outgoing = new Map<bigint, Outgoing[]>();
  private readonly order: bigint[] = [];
  private pumping = false;
  private closedError: Error | undefined;
  private closedByUs = false;
  bytesSent = 0;

  // Receive state.
  private readonly header = new Uint8Array(HEADER);
  private readonly headerView = new DataView(this.header.buffer);
  private headerFill = 0;
  private frameRemaining = 0;
  private frameKind = 0;
  private frameSession = 0n;
  private abortBytes: Uint8Array | undefined;
  private abortFill = 0;
  private readonly incoming = new Map<bigint, Incoming>();

  constructor(
    private readonly socket: Duplex,
    readonly peerName: string,
  ) {
    socket.on('data', (chunk: Buffer) => {
      try {
        this.receive(chunk);
      } catch (e) {
        this.fail(e instanceof Error ? e : new ProtocolError(String(e)));
        socket.destroy();
      }
    });
    socket.on('error', (e: Error) => this.fail(new PeerLostError(`connection to ${peerName} failed: ${e.message}`, { cause: e })));
    socket.on('close', () => this.fail(this.closedByUs ? undefined : new PeerLostError(`connection to ${peerName} was closed by the peer`)));
  }

  setHandlers(handlers: LinkHandlers): void {
    this.handlers = handlers;
    for (const f of this.early.splice(0)) f(handlers);
  }

  private emit(f: (h: LinkHandlers) => void): void {
    if (this.handlers) f(this.handlers);
    else this.early.push(f);
  }

  /**
   * Queues a message. Unless the caller transfers it (promising never to write it again), the
   * payload is copied first: frames may wait in the socket's queue under back-pressure, and a
   * protocol that updates its own share in place after a reshare must not change bytes in flight.
   */
  send(session: bigint, payload: Uint8Array, transfer = false): Promise<void> {
    if (this.closedError || this.closedByUs) return Promise.reject(this.closedError ?? new PeerLostError(`link to ${this.peerName} is closed`));
    if (!transfer) payload = ownedCopy(payload);
    if (payload.byteLength > MAX_MESSAGE_BYTES) return Promise.reject(new RangeError(`message of ${payload.byteLength} bytes exceeds the ${MAX_MESSAGE_BYTES}-byte limit; split the computation`));
    this.bytesSent += payload.byteLength;
    return new Promise<void>((resolve, reject) => {
      this.enqueue({ session, payload, offset: 0, kind: KIND_START, done: resolve, fail: reject });
    });
  }

  sendAbort(session: bigint, reason: string): void {
    if (this.closedError || this.closedByUs) return;
    const payload = new TextEncoder().encode(reason.slice(0, 1000));
    this.enqueue({ session, payload, offset: 0, kind: KIND_ABORT, done: () => {}, fail: () => {} });
  }

  private enqueue(o: Outgoing): void {
    let q = this.outgoing.get(o.session);
    if (!q) {
      q = [];
      this.outgoing.set(o.session, q);
    }
    if (q.length === 0) this.order.push(o.session);
    q.push(o);
    if (!this.pumping) this.pump();
  }

  /** Writes frames round-robin over sessions until the socket asks us to wait. */
  private pump(): void {
    this.pumping = true;
    while (this.order.length > 0 && !this.closedError) {
      const session = this.order.shift()!;
      const q = this.outgoing.get(session)!;
      const o = q[0];
      const n = Math.min(CHUNK, o.payload.byteLength - o.offset);
      const h = new Uint8Array(HEADER);
      const v = new DataView(h.buffer);
      v.setUint8(0, o.offset === 0 ? o.kind : KIND_CONTINUE);
      v.setUint32(4, n, true);
      v.setBigUint64(8, session, true);
      v.setFloat64(16, o.payload.byteLength, true);
      const piece = o.payload.subarray(o.offset, o.offset + n);
      o.offset += n;
      this.socket.cork();
      this.socket.write(h);
      const more = n > 0 ? this.socket.write(piece) : true;
      this.socket.uncork();
      if (o.offset >= o.payload.byteLength) {
        q.shift();
        o.done();
      }
      if (q.length > 0) this.order.push(session);
      else this.outgoing.delete(session);
      if (!more) {
        this.socket.once('drain', () => this.pump());
        return;
      }
    }
    this.pumping = false;
  }

  private receive(chunk: Uint8Array): void {
    let p = 0;
    while (p < chunk.byteLength) {
      if (this.headerFill < HEADER) {
        const n = Math.min(HEADER - this.headerFill, chunk.byteLength - p);
        this.header.set(chunk.subarray(p, p + n), this.headerFill);
        this.headerFill += n;
        p += n;
        if (this.headerFill < HEADER) return;
        this.startFrame();
        if (this.frameRemaining === 0) this.endFrame();
        continue;
      }
      const n = Math.min(this.frameRemaining, chunk.byteLength - p);
      const piece = chunk.subarray(p, p + n);
      if (this.frameKind === KIND_ABORT) {
        this.abortBytes!.set(piece, this.abortFill);
        this.abortFill += n;
      } else {
        const m = this.incoming.get(this.frameSession)!;
        m.buf.set(piece, m.filled);
        m.filled += n;
      }
      this.frameRemaining -= n;
      p += n;
      if (this.frameRemaining === 0) this.endFrame();
    }
  }

  private startFrame(): void {
    const v = this.headerView;
    this.frameKind = v.getUint8(0);
    this.frameRemaining = v.getUint32(4, true);
    this.frameSession = v.getBigUint64(8, true);
    const total = v.getFloat64(16, true);
    if (this.frameKind === KIND_START) {
      if (this.incoming.has(this.frameSession)) throw new ProtocolError(`${this.peerName} started a new message before finishing the previous one`);
      if (!Number.isInteger(total) || total < 0 || total > MAX_MESSAGE_BYTES) throw new ProtocolError(`${this.peerName} announced a message of ${total} bytes`);
      this.incoming.set(this.frameSession, { buf: new Uint8Array(total), filled: 0 });
    } else if (this.frameKind === KIND_CONTINUE) {
      if (!this.incoming.has(this.frameSession)) throw new ProtocolError(`${this.peerName} continued a message it never started`);
    } else if (this.frameKind === KIND_ABORT) {
      if (this.frameRemaining > 4096) throw new ProtocolError(`${this.peerName} sent an oversized abort frame`);
      this.abortBytes = new Uint8Array(this.frameRemaining);
      this.abortFill = 0;
    } else {
      throw new ProtocolError(`${this.peerName} sent an unknown frame kind ${this.frameKind}`);
    }
    const m = this.incoming.get(this.frameSession);
    if (m && m.filled + this.frameRemaining > m.buf.byteLength) throw new ProtocolError(`${this.peerName} sent more bytes than it announced`);
  }

  private endFrame(): void {
    this.headerFill = 0;
    const session = this.frameSession;
    if (this.frameKind === KIND_ABORT) {
      const reason = new TextDecoder().decode(this.abortBytes);
      this.abortBytes = undefined;
      this.emit((h) => h.abort(session, reason));
      return;
    }
    const m = this.incoming.get(session)!;
    if (m.filled === m.buf.byteLength) {
      this.incoming.delete(session);
      const buf = m.buf;
      this.emit((h) => h.message(session, buf));
    }
  }

  private fail(error: Error | undefined): void {
    if (this.closedError) return;
    this.closedError = error ?? new PeerLostError(`link to ${this.peerName} is closed`);
    for (const q of this.outgoing.values()) for (const o of q) o.fail(this.closedError);
    this.outgoing.clear();
    this.order.length = 0;
    this.emit((h) => h.closed(error));
  }

  close(): void {
    this.closedByUs = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}
