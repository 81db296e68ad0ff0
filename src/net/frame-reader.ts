/**
 * The receiving half of StreamLink's wire format (stream-link.ts): parses the frames out of the
 * socket's chunks and hands out whole messages and aborts.
 *
 * Every payload byte is copied once, into the message's own buffer: a short message (at most
 * SLAB_MESSAGE_MAX) into an 8-aligned view of a shared slab (fromSlab), a longer one into the
 * buffer its receiver named (`place`, Mailbox.recvInto), a buffer its protocol gave back
 * (`recycled`) or a new one (a part of the node's memory reserve while it lasts, else fresh),
 * exactly sized and 8-aligned so it can be viewed as ring elements without another copy.
 *
 * Built for a protocol round's message, which arrives as one chunk holding one frame
 * (docs/transport.md, "How StreamLink receives"): the header is read byte by byte into a fixed
 * buffer and the payload copied straight from the chunk (no view of the chunk, which for a node
 * Buffer costs a Buffer construction); the message being received lives in two fields, and only
 * a message whose frames are interleaved with other sessions' waits in the `incoming` map; a run
 * of frames of one session decodes its id once (no BigInt per frame).
 */

import { ProtocolError } from '../errors.js';
import { copyBytes } from './copy-bytes.js';
import { RecycledBuffers } from './recycled-buffers.js';
import { uninitialized } from './uninitialized.js';

export const HEADER = 24;
export const KIND_START = 0;
export const KIND_CONTINUE = 1;
export const KIND_ABORT = 2;
/** Messages larger than this are refused: a corrupt or hostile length must not exhaust memory. */
export const MAX_MESSAGE_BYTES = 2 ** 32;
/** An abort's reason travels in one frame of at most this many bytes. */
export const MAX_ABORT_BYTES = 4096;
/** Incoming messages up to this size are views of a shared slab of SLAB_BYTES (fromSlab). */
const SLAB_MESSAGE_MAX = 4096;
const SLAB_BYTES = 64 * 1024;
const EMPTY = new Uint8Array(0);

/** Where whole messages and aborts go. */
export interface FrameSink {
  message(session: bigint, payload: Uint8Array): void;
  abort(session: bigint, reason: string): void;
  /** Optional: the receiver's own buffer for a message longer than SLAB_MESSAGE_MAX (LinkHandlers.place), filled instead of one of the reader's. */
  place?(session: bigint, bytes: number): Uint8Array | undefined;
}

interface Incoming {
  readonly buf: Uint8Array;
  readonly filled: number;
}

export { uninitialized };

export class FrameReader {
  private readonly header = new Uint8Array(HEADER);
  private readonly headerView = new DataView(this.header.buffer);
  private headerFill = 0;
  private frameRemaining = 0;
  private frameKind = 0;
  private frameSession = 0n;
  /** The id bits of `frameSession`, to reuse its BigInt for the next frame of the same session. */
  private sessionLow = -1;
  private sessionHigh = -1;
  /** The message the current frame's payload goes to, and how many of its bytes are filled. */
  private target: Uint8Array = EMPTY;
  private targetFilled = 0;
  /** target.byteLength, kept: in node 20 a typed array's length is a call even in optimized code. */
  private targetBytes = 0;
  /** Messages started and not finished whose next frame has not come yet (frames interleaved across sessions). */
  private readonly incoming = new Map<bigint, Incoming>();
  private abortBytes: Uint8Array = EMPTY;
  private abortFill = 0;
  /** Where short messages are received (fromSlab); `slabUsed` bytes of it are handed out. */
  private slab = new ArrayBuffer(0);
  private slabUsed = 0;
  /** slab.byteLength, kept (0 until the first short message). */
  private slabBytes = 0;

  constructor(
    private readonly peerName: string,
    private readonly sink: FrameSink,
    private readonly recycled: RecycledBuffers,
  ) {}

  /** Consumes one chunk of the stream (valid only during the call: every byte kept is copied). */
  receive(chunk: Uint8Array): void {
    const end = chunk.byteLength;
    let p = 0;
    while (p < end) {
      if (this.headerFill < HEADER) {
        const at = this.headerFill;
        const n = Math.min(HEADER - at, end - p);
        const header = this.header;
        for (let i = 0; i < n; i++) header[at + i] = chunk[p + i];
        this.headerFill = at + n;
        p += n;
        if (this.headerFill < HEADER) return;
        this.startFrame();
        if (this.frameRemaining === 0) this.endFrame();
        continue;
      }
      const n = Math.min(this.frameRemaining, end - p);
      if (this.frameKind === KIND_ABORT) {
        copyBytes(this.abortBytes, this.abortFill, chunk, p, n);
        this.abortFill += n;
      } else {
        copyBytes(this.target, this.targetFilled, chunk, p, n);
        this.targetFilled += n;
      }
      this.frameRemaining -= n;
      p += n;
      if (this.frameRemaining === 0) this.endFrame();
    }
  }

  private startFrame(): void {
    const v = this.headerView;
    const kind = v.getUint8(0);
    this.frameKind = kind;
    this.frameRemaining = v.getUint32(4, true);
    const low = v.getUint32(8, true);
    const high = v.getUint32(12, true);
    if (low !== this.sessionLow || high !== this.sessionHigh) {
      this.sessionLow = low;
      this.sessionHigh = high;
      this.frameSession = v.getBigUint64(8, true);
    }
    const session = this.frameSession;
    if (kind === KIND_START) {
      const total = v.getFloat64(16, true);
      if (this.incoming.size > 0 && this.incoming.has(session)) throw new ProtocolError(`${this.peerName} started a new message before finishing the previous one`);
      if (!Number.isInteger(total) || total < 0 || total > MAX_MESSAGE_BYTES) throw new ProtocolError(`${this.peerName} announced a message of ${total} bytes`);
      this.target = total <= SLAB_MESSAGE_MAX ? this.fromSlab(total) : (this.sink.place?.(session, total) ?? this.recycled.take(total) ?? this.recycled.fresh(total));
      this.targetFilled = 0;
      this.targetBytes = total;
    } else if (kind === KIND_CONTINUE) {
      const m = this.incoming.get(session);
      if (!m) throw new ProtocolError(`${this.peerName} continued a message it never started`);
      this.incoming.delete(session);
      this.target = m.buf;
      this.targetFilled = m.filled;
      this.targetBytes = m.buf.byteLength;
    } else if (kind === KIND_ABORT) {
      if (this.frameRemaining > MAX_ABORT_BYTES) throw new ProtocolError(`${this.peerName} sent an oversized abort frame`);
      this.abortBytes = new Uint8Array(this.frameRemaining);
      this.abortFill = 0;
      return;
    } else {
      throw new ProtocolError(`${this.peerName} sent an unknown frame kind ${kind}`);
    }
    if (this.targetFilled + this.frameRemaining > this.targetBytes) throw new ProtocolError(`${this.peerName} sent more bytes than it announced`);
  }

  private endFrame(): void {
    this.headerFill = 0;
    const session = this.frameSession;
    if (this.frameKind === KIND_ABORT) {
      const reason = new TextDecoder().decode(this.abortBytes);
      this.abortBytes = EMPTY;
      this.sink.abort(session, reason);
      return;
    }
    const buf = this.target;
    this.target = EMPTY;
    if (this.targetFilled === this.targetBytes) this.sink.message(session, buf);
    else this.incoming.set(session, { buf, filled: this.targetFilled });
  }

  /**
   * The receiver gave up `target` (a buffer it placed) before its message was complete: the bytes
   * so far move to a buffer of the reader's own, which takes the rest of the message and is
   * delivered instead (one copy, only on this failure path); `target` is never written again.
   */
  unplace(target: Uint8Array): void {
    if (this.target === target) {
      this.target = uninitialized(this.targetBytes);
      this.target.set(target.subarray(0, this.targetFilled));
      return;
    }
    for (const [session, m] of this.incoming) {
      if (m.buf !== target) continue;
      const own = uninitialized(target.byteLength);
      own.set(target.subarray(0, m.filled));
      this.incoming.set(session, { buf: own, filled: m.filled });
    }
  }

  /**
   * Room for a short incoming message: an 8-aligned view of the current slab (a new slab when it
   * is used up). One slab serves thousands of protocol rounds' messages instead of a fresh
   * ArrayBuffer each, whose allocation, zeroing and collection cost more than the message's
   * bytes. The view is the receiver's to keep: a slab is never reused, only dropped by the
   * collector once no message in it is referenced.
   */
  private fromSlab(bytes: number): Uint8Array {
    if (this.slabUsed + bytes > this.slabBytes) {
      this.slab = new ArrayBuffer(SLAB_BYTES);
      this.slabBytes = SLAB_BYTES;
      this.slabUsed = 0;
    }
    const view = new Uint8Array(this.slab, this.slabUsed, bytes);
    this.slabUsed += (bytes + 7) & ~7;
    return view;
  }
}
