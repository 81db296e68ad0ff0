/**
 * Receive buffers that a protocol has finished reading, kept by exact size for the next message
 * of that size. A protocol step such as the truncation receives messages of the same sizes on
 * every call, and on this machine the first touch of a fresh buffer costs more than the copy
 * into it (buffer-pool.ts); a message whose buffer the protocol keeps (a share it returns) is
 * simply never given back. Only whole, 8-aligned buffers are kept, at most `maxRetainedBytes`.
 * The node's scan memory (node/storage/scan-memory.ts) keeps its columns' vectors the same way.
 */

export class RecycledBuffers {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private retained = 0;

  constructor(private readonly maxRetainedBytes: number) {}

  /** A kept buffer of exactly `bytes`, or undefined. */
  take(bytes: number): Uint8Array | undefined {
    const ab = this.free.get(bytes)?.pop();
    if (!ab) return undefined;
    this.retained -= bytes;
    return new Uint8Array(ab);
  }

  /** Keeps the buffer behind `view` (a whole received message); it must not be read afterwards. */
  give(view: Uint8Array): void {
    const ab = view.buffer;
    if (!(ab instanceof ArrayBuffer) || view.byteOffset !== 0 || view.byteLength !== ab.byteLength || ab.byteLength === 0) return;
    if (this.retained + ab.byteLength > this.maxRetainedBytes) return;
    let list = this.free.get(ab.byteLength);
    if (!list) this.free.set(ab.byteLength, (list = []));
    if (list.includes(ab)) return;
    list.push(ab);
    this.retained += ab.byteLength;
  }

  /** Bytes kept for later takes. */
  get retainedBytes(): number {
    return this.retained;
  }
}
