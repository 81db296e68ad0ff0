/**
 * Memory a node sets aside at start for the pools a query fills (the party's scratch pool,
 * mpc/scratch.ts; the scan's columns, node/storage/scan-memory.ts; the TLS links' receive and
 * staging buffers, net/recycled-buffers.ts): one ArrayBuffer, touched page by page when made,
 * handed out in parts that never come back to it.
 *
 * Why: V8 counts every fresh ArrayBuffer's bytes as external memory and starts a full collection
 * once 64 MiB more than at the last one were allocated (docs/system.md, "Memory and full
 * collections"). A node's first group-by at a million rows filled its pools with ~80 MB of fresh
 * buffers (~126 MB with the link's) and paid 2-3 full collections that later queries do not
 * (docs/benchmarks.md, "s12-firstq"). Parts of this
 * buffer are views: allocating one counts nothing, and its pages are already mapped. The buffer
 * itself is counted once, at start, where its collection costs no query anything.
 *
 * A part lives as long as the reserve (a view keeps the whole buffer alive): the reserve is for
 * memory a pool keeps for the life of the node. Parts must never be transferred (that would
 * detach the whole buffer, and every part with it).
 */

const PAGE_BYTES = 4096;
/** More would only cost resident memory (the warm-up's bound). */
export const MAX_RESERVE_BYTES = 1 << 30;

export class MemoryReserve {
  private readonly buffer: ArrayBuffer;
  private used = 0;

  constructor(bytes: number) {
    if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > MAX_RESERVE_BYTES || bytes % 8 !== 0) throw new RangeError(`memory reserve: a whole number of 8-byte words up to ${MAX_RESERVE_BYTES} bytes (got ${bytes})`);
    // Uninitialised (malloc, as the pre-fault's pieces, not calloc: parts hold old data anyway),
    // and every page touched now, not in a query's hot loop.
    const bytesView = Buffer.allocUnsafeSlow(bytes);
    this.buffer = bytesView.buffer as ArrayBuffer;
    for (let i = 0; i < bytes; i += PAGE_BYTES) bytesView[i] = 0;
  }

  /**
   * `words` words of the reserve (old data), or undefined once fewer are left. Never the whole
   * buffer: a view of a whole buffer is what a link moves on `transfer` (port-link.ts), and moving
   * the reserve would detach every part of it.
   */
  carve(words: number): BigUint64Array | undefined {
    const bytes = words * 8;
    if (this.used + bytes > this.buffer.byteLength || bytes === this.buffer.byteLength) return undefined;
    const part = new BigUint64Array(this.buffer, this.used, words);
    this.used += bytes;
    return part;
  }

  /** `bytes` bytes of the reserve (old data; rounded up to whole words, so 8-aligned), or undefined as carve. */
  carveBytes(bytes: number): Uint8Array | undefined {
    const part = this.carve(Math.ceil(bytes / 8));
    return part && new Uint8Array(part.buffer, part.byteOffset, bytes);
  }

  /** Whether `v` is (a view of) memory of this reserve. */
  holds(v: ArrayBufferView): boolean {
    return v.buffer === this.buffer;
  }

  get totalBytes(): number {
    return this.buffer.byteLength;
  }

  /** Bytes not yet handed out. */
  get freeBytes(): number {
    return this.buffer.byteLength - this.used;
  }
}
