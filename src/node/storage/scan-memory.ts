/**
 * The memory of the columns a query's scan decodes (secret-scan.ts), kept between queries.
 *
 * A scan makes two vectors of 8 bytes per row for every column it reads (48 MB per node for a
 * group-by's three columns at a million rows), live for the whole query. Fresh each time, they
 * are what V8 counts as external memory: 64 MiB of it since the last full collection starts
 * another, and these alone were most of that per query (docs/benchmarks.md, "s11-gc"). Here the
 * query flow gives them back once the query is computed and its outputs are sealed and stored
 * (copies), and the next scan of the same row count takes them again.
 *
 * Only whole vectors of exactly the size asked are reused; at most `maxRetainedBytes` are kept.
 * A query that fails gives nothing back (its vectors are left to the collector: a protocol step
 * may still have been reading them).
 *
 * Given the node's reserve (mpc/memory-reserve.ts), new vectors are parts of it while it lasts,
 * so that the first query's scan counts no fresh memory for V8 (s12-firstq); those parts are kept
 * by size beside the recycled buffers, which take whole buffers only.
 */

import type { MemoryReserve } from '../../mpc/memory-reserve.js';
import { RecycledBuffers } from '../../net/recycled-buffers.js';

export class ScanMemory {
  private readonly kept: RecycledBuffers;
  /** Parts of the reserve free to take again, by length in words (bounded by the reserve). */
  private readonly reserved = new Map<number, BigUint64Array[]>();

  constructor(
    maxRetainedBytes: number,
    private readonly reserve?: MemoryReserve,
  ) {
    this.kept = new RecycledBuffers(maxRetainedBytes);
  }

  /** A lease for one query's scan: what it takes goes back together (`release`). */
  lease(): ScanLease {
    return new ScanLease(this);
  }

  /** `words` words, kept from an earlier query (old data: the caller overwrites every word) or fresh. */
  take(words: number): BigUint64Array {
    const part = this.reserved.get(words)?.pop();
    if (part) return part;
    const kept = this.kept.take(words * 8);
    return kept ? new BigUint64Array(kept.buffer) : (this.reserve?.carve(words) ?? new BigUint64Array(words));
  }

  /** Keeps the buffer behind `v` (a whole vector this pool or `take` made); it must not be used afterwards. */
  give(v: BigUint64Array): void {
    if (!this.reserve?.holds(v)) return this.kept.give(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    let list = this.reserved.get(v.length);
    if (!list) this.reserved.set(v.length, (list = []));
    if (!list.some((w) => w.byteOffset === v.byteOffset)) list.push(v);
  }

  /** Bytes kept for the next scans. */
  get retainedBytes(): number {
    let reserved = 0;
    for (const list of this.reserved.values()) for (const v of list) reserved += v.byteLength;
    return this.kept.retainedBytes + reserved;
  }
}

export class ScanLease {
  private readonly taken: BigUint64Array[] = [];
  private released = false;

  constructor(private readonly memory: ScanMemory) {}

  /** `words` words for a column being decoded (old data: every word is overwritten by the decoder). */
  readonly take = (words: number): BigUint64Array => {
    const v = this.memory.take(words);
    if (!this.released) this.taken.push(v);
    return v;
  };

  /** The query is done with every vector taken: they go back to the pool. Called once, only after success. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const v of this.taken) this.memory.give(v);
    this.taken.length = 0;
  }
}
