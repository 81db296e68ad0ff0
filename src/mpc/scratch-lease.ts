/**
 * One buffer of the party's scratch pool (scratch.ts) handed out in parts, for arrays that die
 * together: a protocol's intermediate results that outlive one step but not the caller (the
 * one-hot's field indicators live through its blocks loop, then all go). Every part is given
 * back at once by `close`; after that no part may be read or written.
 *
 * Fresh arrays are what V8 counts as external memory: at 64 MiB of them since the last full
 * collection it starts another (docs/system.md, "Memory"), however little the heap holds. Parts
 * of a pooled buffer are views, which allocate nothing.
 *
 * Parts hold old data: callers overwrite every word they read. A lease asked for more than it
 * was sized for hands out fresh (zeroed) arrays: slower, never wrong.
 */

import { UsageError } from '../errors.js';
import type { ScratchPool } from './scratch.js';

export class ScratchLease {
  private readonly buffer: BigUint64Array;
  private at = 0;
  private closed = false;

  constructor(
    private readonly pool: ScratchPool,
    words: number,
  ) {
    this.buffer = pool.take(words);
  }

  /** `words` words of the lease (old data), or fresh ones past its size. */
  part(words: number): BigUint64Array {
    if (this.closed) throw new UsageError('ScratchLease.part after close: its memory is back in the pool; take a new lease');
    if (this.at + words > this.buffer.length) return new BigUint64Array(words);
    return this.buffer.subarray(this.at, (this.at += words));
  }

  /** Gives the buffer back to the pool: every part is dead from here on. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pool.give(this.buffer);
  }
}
