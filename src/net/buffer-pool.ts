/**
 * Reusable byte buffers for a link's copies of queued messages.
 *
 * On the development machine (a virtual machine) the first touch of fresh memory costs far more
 * than the copy itself: filling a freshly allocated 8 MiB buffer took 60-90 ms, filling a reused
 * one 0.6 ms (docs/transport.md). A link that must hold a copy of a message (because a write is
 * still in flight) therefore takes a buffer from here and gives it back once the bytes are framed.
 * Buffers come in size classes of eight steps per doubling (sizeClass); at most `maxRetainedBytes`
 * are kept between uses.
 */

const MIN_CLASS = 64 * 1024;
/** Size classes per doubling above MIN_CLASS: a buffer is at most 1/CLASSES_PER_DOUBLING larger than asked. */
const CLASSES_PER_DOUBLING = 8;

export class BufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private retained = 0;

  constructor(private readonly maxRetainedBytes: number) {}

  /** A buffer of exactly `bytes` (a view of a pooled one; its contents are arbitrary). */
  take(bytes: number): Uint8Array {
    const size = sizeClass(bytes);
    const ab = this.free.get(size)?.pop();
    if (ab) {
      this.retained -= size;
      return new Uint8Array(ab, 0, bytes);
    }
    const b = Buffer.allocUnsafeSlow(size);
    return new Uint8Array(b.buffer, b.byteOffset, bytes);
  }

  /** Returns a buffer from `take`; it must not be used afterwards. */
  give(view: Uint8Array): void {
    const ab = view.buffer;
    if (!(ab instanceof ArrayBuffer) || ab.byteLength !== sizeClass(ab.byteLength)) return;
    if (this.retained + ab.byteLength > this.maxRetainedBytes) return;
    this.retained += ab.byteLength;
    let list = this.free.get(ab.byteLength);
    if (!list) this.free.set(ab.byteLength, (list = []));
    list.push(ab);
  }

  /** Drops every kept buffer (the link has been idle): the collector may free them. */
  clear(): void {
    this.free.clear();
    this.retained = 0;
  }

  /** Bytes kept for later takes. */
  get retainedBytes(): number {
    return this.retained;
  }
}

/**
 * The size a buffer of `bytes` is allocated with: the next of eight steps per doubling (at most
 * 12.5 % more than asked), not the next power of two. Why: a long message's copy is its frame,
 * 24 header bytes beyond a power of two (64 MiB + 24), and rounded to the next power of two it
 * took 128 MiB, twice what the pool may keep: every 64 MiB message that queued behind a write in
 * flight then allocated and faulted in a fresh 128 MiB buffer, and its external memory forced a
 * full collection about every other message (docs/benchmarks.md, "s11-link").
 */
export function sizeClass(bytes: number): number {
  if (bytes <= MIN_CLASS) return MIN_CLASS;
  const step = 2 ** (Math.ceil(Math.log2(bytes)) - 1) / CLASSES_PER_DOUBLING;
  return Math.ceil(bytes / step) * step;
}
