import { uninitialized } from './uninitialized.js';

/**
 * Memory set aside at start that a link may take its receive buffers from (the node's memory
 * reserve, mpc/memory-reserve.ts, satisfies it): parts that are views of one touched buffer, so
 * taking one counts no fresh external memory (no full collection) and faults in no page.
 */
export interface ReservedBytes {
  /** `bytes` bytes (8-aligned) of the reserve, or undefined once it cannot spare them. */
  carveBytes(bytes: number): Uint8Array | undefined;
}

/**
 * Receive buffers that a protocol has finished reading, kept by exact size for the next message
 * of that size. A protocol step such as the truncation receives messages of the same sizes on
 * every call, and on this machine the first touch of a fresh buffer costs more than the copy
 * into it (buffer-pool.ts); a message whose buffer the protocol keeps (a share it returns) is
 * simply never given back. Only whole, 8-aligned buffers are kept, at most `maxRetainedBytes`.
 * The node's scan memory (node/storage/scan-memory.ts) keeps its columns' vectors the same way.
 */

export class RecycledBuffers {
  private readonly free = new Map<number, Uint8Array[]>();
  private retained = 0;
  /** Parts of the reserve this instance took (`fresh`), by byte offset in the reserve: their length. Only these are kept when given back. */
  private readonly ownParts = new Map<number, number>();
  private reserveBuffer: ArrayBufferLike | undefined;

  /** `reserve`: where `fresh` takes new buffers while it can spare them (a node's memory reserve). */
  constructor(
    private readonly maxRetainedBytes: number,
    private readonly reserve?: ReservedBytes,
  ) {}

  /** A kept buffer of exactly `bytes`, or undefined. */
  take(bytes: number): Uint8Array | undefined {
    const buf = this.free.get(bytes)?.pop();
    if (!buf) return undefined;
    this.retained -= bytes;
    return buf;
  }

  /**
   * A new buffer of exactly `bytes` (8-aligned, old contents): a part of the reserve while it can
   * spare one (this instance's from then on: given back, it is kept like a whole buffer), else fresh.
   */
  fresh(bytes: number): Uint8Array {
    const part = this.reserve?.carveBytes(bytes);
    if (!part) return uninitialized(bytes);
    this.reserveBuffer = part.buffer;
    this.ownParts.set(part.byteOffset, bytes);
    return part;
  }

  /** Keeps the buffer behind `view` (a whole received message); it must not be read afterwards. */
  give(view: Uint8Array): void {
    const bytes = view.byteLength;
    const whole = view.buffer instanceof ArrayBuffer && view.byteOffset === 0 && bytes === view.buffer.byteLength && bytes > 0;
    // A part of the reserve only if this instance took exactly it: another pool's part (a scratch
    // vector) or a piece of one must never be handed out again from here.
    const own = view.buffer === this.reserveBuffer && this.ownParts.get(view.byteOffset) === bytes;
    if (!whole && !own) return;
    if (this.retained + bytes > this.maxRetainedBytes) return;
    let list = this.free.get(bytes);
    if (!list) this.free.set(bytes, (list = []));
    if (list.some((b) => b.buffer === view.buffer && b.byteOffset === view.byteOffset)) return;
    list.push(whole ? new Uint8Array(view.buffer) : view);
    this.retained += bytes;
  }

  /** Bytes kept for later takes. */
  get retainedBytes(): number {
    return this.retained;
  }
}
