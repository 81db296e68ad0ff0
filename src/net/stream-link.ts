/**
 * A link over a byte stream (a mutual-TLS socket between two node processes).
 *
 * Wire format: every frame starts with a 24-byte header
 *   u8 kind | 3 bytes zero | u32 payload bytes in this frame | u64 session | f64 message length
 * kind 0 starts a message (whose total length is given), kind 1 continues it, kind 2 aborts a
 * session (payload: UTF-8 reason). Messages are cut into frames of at most FRAME bytes, and when
 * several sessions have data queued their frames are interleaved round-robin, so a long vector of
 * one computation does not stall the others.
 *
 * Sending (profiled in docs/transport.md): every byte is copied once, into a staging buffer that
 * is reused from write to write, and each socket write carries many frames at once: a message sent
 * to an idle link goes out whole in a single write, straight from the caller's array into the
 * staging buffer, and send() is then already settled. At most one write is in flight; its callback
 * starts the next one (no 'drain' wait and no promise per frame). A short message sent while a
 * write is in flight, with nothing queued, is framed at once into a pending buffer that the next
 * write carries first (frameBehind). A long message the caller gave up (`transfer`) sent to an
 * idle link is not copied at all: its header and its own bytes go out in two writes
 * (writeTransferred). Only a message that must queue behind a write in flight is
 * copied first (the caller may reuse its array once send returns); a long one alone in the queue
 * is copied as its frame and, still alone when the write completes, written from that copy
 * (writeQueuedAlone: a protocol's next round behind its last one), otherwise copied twice.
 * A lent message (`lend`: the caller keeps it unchanged until settled) over 64 KiB is written
 * from the caller's memory like a transferred one, also at one frame, and settled once written.
 * A single buffer per write matters for TLS: node's TLS socket
 * concatenates the buffers of a vectored (corked) write into a fresh allocation, and a fresh
 * multi-megabyte buffer costs page faults on every send.
 *
 * Receiving (frame-reader.ts): each payload is copied once, into a buffer of the message's own:
 * exactly sized and 8-aligned (viewable as ring elements without another copy), or for a short
 * message an 8-aligned view of a shared slab. On a socket made with node's `onread` option the
 * bytes arrive in one reused read buffer (reused-reads.ts) instead of a fresh Buffer per TLS record.
 */

import { Buffer } from 'node:buffer';
import type { Duplex } from 'node:stream';
import { PeerLostError, ProtocolError } from '../errors.js';
import { BufferPool, sizeClass } from './buffer-pool.js';
import { RecycledBuffers, type ReservedBytes } from './recycled-buffers.js';
import { SENT, type Link, type LinkHandlers } from './link.js';
import type { ReadSource } from './reused-reads.js';
import { copyBytes } from './copy-bytes.js';
import { FrameReader, HEADER, KIND_ABORT, KIND_CONTINUE, KIND_START, MAX_MESSAGE_BYTES, uninitialized } from './frame-reader.js';

/** Payload bytes per frame: the unit in which sessions with queued data take turns. */
const FRAME = 1024 * 1024;
/** Bytes gathered into one socket write when several messages are queued. */
const BATCH = 4 * 1024 * 1024;
/** A message up to this size sent to an idle link goes out in one write (one copy, never two). */
const WHOLE_MAX = 64 * 1024 * 1024;
/**
 * A staging buffer grown beyond this, and the spare buffers, are given back once the link has
 * completed no write for a whole STAGING_IDLE_MS (between one and two such periods of idleness).
 * Until s12-link the timer released them STAGING_IDLE_MS after the first idle moment, busy or
 * not since: in the 64 MiB ring (an exchange every 0.2–1 s) every party re-allocated and faulted
 * in a fresh 64 MiB staging buffer every 2 s, and its external memory forced a full collection.
 */
const STAGING_KEEP = 16 * 1024 * 1024;
/**
 * The staging buffer a link takes from the reserve, once (at least this, at most STAGING_KEEP):
 * what a protocol's long rounds need (a 1 MiB-framed budget of 8 MiB and its headers), so that
 * it is not outgrown, nor dropped for a larger one, in a query.
 */
const RESERVED_STAGING = 8 * 1024 * 1024 + 64 * 1024;
const STAGING_IDLE_MS = 2000;
/**
 * Bytes of spare buffers kept for copies of queued messages: two framed copies of the longest
 * message sent whole (2 × 72 MiB). A protocol whose long rounds follow each other queues each
 * message behind the previous one's write, which is itself often written from a spare copy
 * (writeQueuedAlone): one copy is in flight while the next is made. With one kept, the second
 * was allocated fresh every other message and dropped again (a full collection each time).
 */
const SPARE_KEEP = 2 * sizeClass(WHOLE_MAX + HEADER);
/** A message up to this size sent while a write is in flight is framed at once behind it (frameBehind). */
const COALESCE_MAX = 64 * 1024;
/** At most this many bytes of frames wait behind a write in flight; beyond, messages queue. */
const PENDING_MAX = 256 * 1024;
/** Bytes of receive buffers kept once their protocol gave them back (`recycle`). */
const RECYCLED_KEEP = 64 * 1024 * 1024;
export { MAX_MESSAGE_BYTES };

interface Outgoing {
  readonly session: bigint;
  readonly kind: number;
  /** Length of the whole message, as announced in every frame header. */
  readonly total: number;
  /** The bytes not yet framed; `owned` once the link holds its own copy (or the caller transferred them). */
  rest: Uint8Array;
  owned: boolean;
  /** The link's copy of the message, from the spare pool, given back once framed (or written, if `framed`). */
  pooled?: Uint8Array;
  /** `pooled` holds the whole message as one frame (header included): written as it is if the message is still alone (writeQueuedAlone). */
  framed?: boolean;
  /** Every byte is framed into the staging buffer (the message left the queue). */
  staged?: boolean;
  /** Lent (lend): written from the caller's memory even at one frame, and settled only once that write completed. */
  lent?: boolean;
  /** Settles the promise send() returned, for a message that had to queue. */
  done?: () => void;
  fail?: (e: Error) => void;
}

const frameCount = (bytes: number): number => Math.max(1, Math.ceil(bytes / FRAME));

export class StreamLink implements Link {
  private handlers: LinkHandlers | undefined;
  private readonly early: Array<(h: LinkHandlers) => void> = [];
  /** One FIFO of outgoing messages per session; `order` cycles over sessions with work. */
  private readonly outgoing = new Map<bigint, Outgoing[]>();
  private readonly order: bigint[] = [];
  /** A socket write is in flight; the next one starts from its callback. */
  private writing = false;
  private staging: Uint8Array = new Uint8Array(0);
  private stagingView = new DataView(this.staging.buffer);
  /** The last write's bytes of the staging buffer as a Buffer (stagedBytes); undefined once the staging buffer changes. */
  private writeView: Buffer | undefined;
  private writeViewBytes = 0;
  /** staging.byteLength, kept (a typed array's length is a call). */
  private stagingBytes = 0;
  private releaseTimer: NodeJS.Timeout | undefined;
  /** Writes completed so far: the idle release frees the buffers only if none completed for a whole period. */
  private writesDone = 0;
  /** Frames of short messages sent while a write was in flight (frameBehind); written next, first. */
  private pending: Uint8Array = new Uint8Array(0);
  private pendingView = new DataView(this.pending.buffer);
  private pendingUsed = 0;
  private pendingBytes = 0;
  /** Buffers for copies of messages that queue behind a write in flight. */
  private readonly spare = new BufferPool(SPARE_KEEP);
  /** The spare buffer the write in flight was made from (writeQueuedAlone): given back once written. */
  private inFlightSpare: Uint8Array | undefined;
  /** Settles the lent message the write in flight reads (lend): called once written. */
  private inFlightLent: (() => void) | undefined;
  private closedError: Error | undefined;
  private closedByUs = false;
  bytesSent = 0;

  private readonly recycled: RecycledBuffers;
  /** Where the link's one kept staging buffer comes from while it can spare one (`reservedStaging`). */
  private readonly reserve: ReservedBytes | undefined;
  /** The staging buffer taken from the reserve (once per link): staging again once a larger, fresh one is given back when idle. */
  private reservedStaging: Uint8Array | undefined;
  private readonly reader: FrameReader;

  /**
   * `reads`: where the socket's bytes arrive if it was made with node's `onread` option
   * (reused-reads.ts); otherwise 'data' events. `idleReleaseMs`: how long the link must complete
   * no write before it gives back its large buffers (STAGING_IDLE_MS; shorter in tests).
   * `reserve`: where new receive buffers come from while it can spare them (the node's memory
   * reserve: a node's first query then counts no fresh bytes for them, recycled-buffers.ts).
   */
  constructor(
    private readonly socket: Duplex,
    readonly peerName: string,
    reads?: ReadSource,
    private readonly idleReleaseMs = STAGING_IDLE_MS,
    reserve?: ReservedBytes,
  ) {
    this.recycled = new RecycledBuffers(RECYCLED_KEEP, reserve);
    this.reserve = reserve;
    this.reader = new FrameReader(peerName, {
      message: (session, payload) => {
        if (this.handlers) this.handlers.message(session, payload);
        else this.early.push((h) => h.message(session, payload));
      },
      abort: (session, reason) => this.emit((h) => h.abort(session, reason)),
      place: (session, bytes) => this.handlers?.place?.(session, bytes),
    }, this.recycled);
    const reader = this.reader;
    const onBytes = (chunk: Uint8Array): void => {
      try {
        reader.receive(chunk);
      } catch (e) {
        this.fail(e instanceof Error ? e : new ProtocolError(String(e)));
        socket.destroy();
      }
    };
    if (reads) reads.deliverTo(onBytes);
    else socket.on('data', onBytes);
    socket.on('error', (e: Error) => this.fail(new PeerLostError(`connection to ${peerName} failed: ${e.message}`, { cause: e })));
    // The peer's end of stream is its close: a link is never half-closed on purpose, and every
    // byte it sent has been delivered by then. 'close' follows only once our side has flushed
    // and shut down too, which under load took tens of milliseconds, long enough for a mesh
    // set-up to take a link whose peer had already hung up for a working one (docs/transport.md).
    socket.on('end', () => this.fail(this.closedByUs ? undefined : this.peerClosed()));
    socket.on('close', () => this.fail(this.closedByUs ? undefined : this.peerClosed()));
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
   * Queues a message. The caller may reuse its array as soon as this returns: the bytes are in
   * the staging buffer already, or copied into one the link owns (unless `transfer`).
   */
  send(session: bigint, payload: Uint8Array, transfer = false): Promise<void> {
    if (this.closedError || this.closedByUs) return Promise.reject(this.closedError ?? new PeerLostError(`link to ${this.peerName} is closed`));
    // Read once: in node 20 a typed array's length is a call even in optimized code.
    const n = payload.byteLength;
    if (n > MAX_MESSAGE_BYTES) return Promise.reject(new RangeError(`message of ${n} bytes exceeds the ${MAX_MESSAGE_BYTES}-byte limit; split the computation`));
    this.bytesSent += n;
    if (this.order.length === 0) {
      if (!this.writing && n <= FRAME) {
        this.writeAlone(session, payload, n);
        return SENT;
      }
      if (transfer && !this.writing && this.pendingUsed === 0 && n <= WHOLE_MAX) {
        this.writeTransferred(session, payload, n);
        return SENT;
      }
      if (this.writing && n <= COALESCE_MAX && this.pendingUsed + HEADER + n <= PENDING_MAX) {
        this.frameBehind(session, payload, n);
        return SENT;
      }
    }
    return this.enqueue({ session, kind: KIND_START, total: n, rest: payload, owned: transfer });
  }

  /**
   * A lent send (Link.lend): a message longer than COALESCE_MAX is written from the caller's
   * memory, never copied (its header in a write of its own, as writeTransferred), at once to an
   * idle link or, queued alone, when the write in flight completes (writeQueuedAlone); settled
   * once its write completed. Behind other queued messages it is framed (copied) with them and
   * settled then. Shorter ones are copied as any message (a copy costs less than a second write).
   */
  lend(session: bigint, payload: Uint8Array): Promise<void> {
    const n = payload.byteLength;
    if (n <= COALESCE_MAX || n > WHOLE_MAX || this.closedError || this.closedByUs) return this.send(session, payload);
    this.bytesSent += n;
    if (this.order.length === 0 && !this.writing && this.pendingUsed === 0) {
      return new Promise<void>((resolve) => {
        this.inFlightLent = resolve;
        this.writeTransferred(session, payload, n);
      });
    }
    return this.enqueue({ session, kind: KIND_START, total: n, rest: payload, owned: true, lent: true });
  }

  /**
   * A short message while a write is in flight and nothing is queued (the next round's message
   * when the previous write's completion has not come back yet: node's TLS socket reports every
   * write complete one event-loop turn later). Framed at once into the pending frames, which the
   * write's callback sends ahead of anything queued later, so send() is settled at once: no copy
   * into a pooled buffer, no queue entry, no promise.
   */
  private frameBehind(session: bigint, payload: Uint8Array, n: number): void {
    const at = this.pendingUsed;
    if (this.pendingBytes < at + HEADER + n) {
      const grown = uninitialized(Math.min(PENDING_MAX, Math.max(2 * this.pendingBytes, at + HEADER + n, 4096)));
      grown.set(this.pending.subarray(0, at));
      this.pending = grown;
      this.pendingBytes = grown.byteLength;
      this.pendingView = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
    }
    const v = this.pendingView;
    v.setUint32(at, KIND_START, true);
    v.setUint32(at + 4, n, true);
    v.setBigUint64(at + 8, session, true);
    v.setFloat64(at + 16, n, true);
    copyBytes(this.pending, at + HEADER, payload, 0, n);
    this.pendingUsed = at + HEADER + n;
  }

  /**
   * A message of one frame to an idle link (a protocol round's typical message): framed straight
   * into the staging buffer and written, the same bytes pump() would write, without the queue's
   * bookkeeping (a queue entry, a per-session array and map entry, the round-robin order), which
   * was a measurable part of a small message's CPU.
   */
  private writeAlone(session: bigint, payload: Uint8Array, n: number): void {
    const staging = this.stage(HEADER + n);
    const v = this.stagingView;
    v.setUint32(0, KIND_START, true);
    v.setUint32(4, n, true);
    v.setBigUint64(8, session, true);
    v.setFloat64(16, n, true);
    copyBytes(staging, HEADER, payload, 0, n);
    this.writing = true;
    this.socket.write(this.stagedBytes(HEADER + n), this.written);
  }

  /**
   * A long message the caller gave up (`transfer`) to an idle link: written from the caller's own
   * memory, after its header in a write of its own, instead of copied into the staging buffer (an
   * 8 MiB copy fewer per message). Two writes, not one vectored write: node's TLS socket
   * concatenates the buffers of a vectored write into a fresh allocation. node's writable stream
   * may hold the payload until the header's write completes (a loop turn): the caller gave it up.
   */
  private writeTransferred(session: bigint, payload: Uint8Array, n: number): void {
    this.stage(HEADER);
    const v = this.stagingView;
    v.setUint32(0, KIND_START, true);
    v.setUint32(4, n, true);
    v.setBigUint64(8, session, true);
    v.setFloat64(16, n, true);
    this.writing = true;
    // The staging buffer is free again only once both writes completed: `written` runs after the second.
    this.socket.write(this.stagedBytes(HEADER));
    this.socket.write(Buffer.from(payload.buffer, payload.byteOffset, n), this.written);
  }

  /**
   * The first `bytes` of the staging buffer, as the Buffer node's write wants (it wraps any other
   * Uint8Array in a new Buffer on every write), kept for the next write of the same length: a
   * protocol's rounds send messages of one size. Reused only once the previous write completed.
   */
  private stagedBytes(bytes: number): Buffer {
    let view = this.writeView;
    if (view === undefined || this.writeViewBytes !== bytes) {
      view = Buffer.from(this.staging.buffer, this.staging.byteOffset, bytes);
      this.writeView = view;
      this.writeViewBytes = bytes;
    }
    return view;
  }

  /** The receiver gave up a buffer it placed (LinkHandlers.place): the reader stops writing into it. */
  unplace(target: Uint8Array): void {
    this.reader.unplace(target);
  }

  /** A received message's buffer, read to the end by its protocol: the next message of its size is received into it. */
  recycle(payload: Uint8Array): void {
    this.recycled.give(payload);
  }

  sendAbort(session: bigint, reason: string): void {
    if (this.closedError || this.closedByUs) return;
    const payload = new TextEncoder().encode(reason.slice(0, 1000));
    this.enqueue({ session, kind: KIND_ABORT, total: payload.byteLength, rest: payload, owned: true }).catch(() => {});
  }

  private enqueue(o: Outgoing): Promise<void> {
    let q = this.outgoing.get(o.session);
    if (!q) {
      q = [];
      this.outgoing.set(o.session, q);
    }
    if (q.length === 0) this.order.push(o.session);
    q.push(o);
    // Nothing is queued while no write is in flight, so this message is alone: send it whole.
    if (!this.writing) this.pump(o.total <= WHOLE_MAX ? Math.max(o.total, BATCH) : BATCH);
    if (o.staged) return SENT;
    if (!o.owned) {
      const n = o.rest.byteLength;
      if (o.kind === KIND_START && n > COALESCE_MAX && n <= WHOLE_MAX && this.order.length === 1 && q.length === 1) {
        // Alone in the queue: copied as its frame, so that if it is still alone when the write
        // in flight completes, that copy is written as it is instead of copied again.
        const framed = this.spare.take(HEADER + n);
        const v = new DataView(framed.buffer, framed.byteOffset, HEADER);
        v.setUint32(0, KIND_START, true);
        v.setUint32(4, n, true);
        v.setBigUint64(8, o.session, true);
        v.setFloat64(16, n, true);
        framed.set(o.rest, HEADER);
        o.rest = framed.subarray(HEADER);
        o.pooled = framed;
        o.framed = true;
      } else {
        const copy = this.spare.take(n);
        copy.set(o.rest);
        o.rest = copy;
        o.pooled = copy;
      }
      o.owned = true;
    }
    return new Promise<void>((resolve, reject) => {
      o.done = resolve;
      o.fail = reject;
    });
  }

  /**
   * A staging buffer of at least `bytes`, grown geometrically so it is rarely reallocated. The
   * first one of more than 64 KiB (and at most STAGING_KEEP) is taken from the reserve, at least
   * RESERVED_STAGING, once per link: a part never goes back to the reserve, so taking one at every
   * growth, or again after an idle period freed a larger one, would drain it. Larger ones are fresh.
   */
  private stage(bytes: number): Uint8Array {
    if (this.stagingBytes < bytes) {
      const size = Math.max(bytes, Math.min(2 * this.stagingBytes, WHOLE_MAX + 64 * HEADER));
      const reserved = this.reservedStaging === undefined && size > 64 * 1024 && size <= STAGING_KEEP ? this.reserve?.carveBytes(Math.max(size, RESERVED_STAGING)) : undefined;
      if (reserved) this.reservedStaging = reserved;
      this.staging = reserved ?? uninitialized(size);
      this.stagingBytes = this.staging.byteLength;
      this.stagingView = new DataView(this.staging.buffer, this.staging.byteOffset, this.staging.byteLength);
      this.writeView = undefined;
    }
    return this.staging;
  }

  /**
   * Frames queued messages round-robin into the staging buffer, up to `budget` payload bytes,
   * and writes them with one socket write. Messages fully framed are settled at once.
   */
  private pump(budget: number): void {
    if ((this.order.length === 0 && this.pendingUsed === 0) || this.closedError) {
      // Keep large buffers while large messages keep coming; give them back once idle.
      if ((this.stagingBytes > STAGING_KEEP || this.spare.retainedBytes > 0) && !this.releaseTimer) this.releaseWhenIdle();
      return;
    }
    // Room for the frames of `budget` bytes, plus the headers of a few short messages' frames.
    // The pending frames were sent before anything now queued: they go first.
    const ahead = this.pendingUsed;
    const staging = this.stage(ahead + budget + HEADER * (frameCount(budget) + 64));
    const v = this.stagingView;
    if (ahead > 0) staging.set(this.pending.subarray(0, ahead));
    this.pendingUsed = 0;
    let used = ahead;
    let payloadBytes = 0;
    while (this.order.length > 0 && payloadBytes < budget) {
      const session = this.order.shift()!;
      const q = this.outgoing.get(session)!;
      const o = q[0];
      const room = staging.byteLength - used - HEADER;
      const n = Math.min(FRAME, o.rest.byteLength, budget - payloadBytes, Math.max(room, 0));
      const first = o.total - o.rest.byteLength === 0;
      // An abort's reason (at most 4 KiB) always travels in one frame.
      if (room < 0 || (n === 0 && o.rest.byteLength > 0) || (o.kind === KIND_ABORT && n < o.rest.byteLength)) {
        this.order.unshift(session);
        break;
      }
      v.setUint32(used, first ? o.kind : KIND_CONTINUE, true);
      v.setUint32(used + 4, n, true);
      v.setBigUint64(used + 8, session, true);
      v.setFloat64(used + 16, o.total, true);
      staging.set(n === o.rest.byteLength ? o.rest : o.rest.subarray(0, n), used + HEADER);
      used += HEADER + n;
      payloadBytes += n;
      o.rest = o.rest.subarray(n);
      if (o.rest.byteLength === 0) {
        q.shift();
        o.staged = true;
        if (o.pooled) this.spare.give(o.pooled);
        o.done?.();
      }
      if (q.length > 0) this.order.push(session);
      else this.outgoing.delete(session);
    }
    this.writing = true;
    this.socket.write(this.stagedBytes(used), this.written);
  }

  /**
   * Gives back a large staging buffer and the spare buffers once no write completed for a whole
   * idle period; while writes keep completing it looks again one period later (a timer per
   * period, not per write).
   */
  private releaseWhenIdle(): void {
    const seen = this.writesDone;
    this.releaseTimer = setTimeout(() => {
      this.releaseTimer = undefined;
      if (this.writing || this.writesDone !== seen) {
        this.releaseWhenIdle();
        return;
      }
      this.spare.clear();
      if (this.stagingBytes <= STAGING_KEEP) return;
      this.staging = this.reservedStaging ?? new Uint8Array(0);
      this.stagingBytes = this.staging.byteLength;
      this.stagingView = new DataView(this.staging.buffer, this.staging.byteOffset, this.staging.byteLength);
      this.writeView = undefined;
    }, this.idleReleaseMs).unref();
  }

  /**
   * A long message that queued behind the previous write and is still alone (nothing pending,
   * no other message queued): its copy was made as its frame (enqueue), so it is written as it
   * is, not framed into the staging buffer by a second copy; one the caller gave up (`transfer`)
   * is written from its own memory, not copied at all. Returns whether it was.
   */
  private writeQueuedAlone(): boolean {
    if (this.order.length !== 1 || this.pendingUsed > 0) return false;
    const session = this.order[0];
    const q = this.outgoing.get(session)!;
    const o = q[0];
    if (q.length !== 1 || o.rest.byteLength !== o.total) return false;
    if (!o.framed) {
      // A long message the caller gave up or lent: written from its own memory (writeTransferred).
      if (o.kind !== KIND_START || !o.owned || o.pooled !== undefined || (o.total <= FRAME && !o.lent) || o.total > WHOLE_MAX) return false;
      this.order.length = 0;
      this.outgoing.delete(session);
      const payload = o.rest;
      o.rest = o.rest.subarray(o.total);
      o.staged = true;
      // A lent message's caller may write its array again once the write completed, not before.
      if (o.lent) this.inFlightLent = o.done;
      else o.done?.();
      this.writeTransferred(session, payload, o.total);
      return true;
    }
    const framed = o.pooled!;
    this.order.length = 0;
    this.outgoing.delete(session);
    o.rest = o.rest.subarray(o.total);
    o.staged = true;
    o.done?.();
    this.inFlightSpare = framed;
    this.writing = true;
    this.socket.write(Buffer.from(framed.buffer, framed.byteOffset, HEADER + o.total), this.written);
    return true;
  }

  /** The write in flight has been handed to the socket: the staging buffer is free again. */
  private readonly written = (error?: Error | null): void => {
    this.writing = false;
    this.writesDone++;
    if (this.inFlightSpare) {
      this.spare.give(this.inFlightSpare);
      this.inFlightSpare = undefined;
    }
    if (this.inFlightLent) {
      const settle = this.inFlightLent;
      this.inFlightLent = undefined;
      settle();
    }
    if (error) this.fail(new PeerLostError(`connection to ${this.peerName} failed while sending: ${error.message}`, { cause: error }));
    else if (!this.writeQueuedAlone()) this.pump(BATCH);
    // close() waited for this write; end once the queue it left behind is out too.
    if (this.closedByUs && !this.writing) this.endStream();
  };

  private endStream(): void {
    if (!this.socket.writableEnded && !this.socket.destroyed) this.socket.end();
  }

  private peerClosed(): PeerLostError {
    return new PeerLostError(`connection to ${this.peerName} was closed by the peer`);
  }

  private fail(error: Error | undefined): void {
    if (this.closedError) return;
    this.closedError = error ?? new PeerLostError(`link to ${this.peerName} is closed`);
    for (const q of this.outgoing.values()) for (const o of q) o.fail?.(this.closedError);
    // A lent array in the write in flight is not written any more: its caller may have it back.
    this.inFlightLent?.();
    this.inFlightLent = undefined;
    this.outgoing.clear();
    this.order.length = 0;
    this.pendingUsed = 0;
    this.emit((h) => h.closed(error));
  }

  /**
   * Sends what is already queued (a goodbye such as the mesh's "lost" notice may be waiting
   * behind a large write), then ends the stream; a peer that does not take it within a second
   * is cut off. Nothing is written after the end: a write after end() makes node destroy the
   * socket at once, dropping what was still queued.
   */
  close(): void {
    if (this.closedByUs) return;
    this.closedByUs = true;
    if (!this.writing) this.endStream();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}
