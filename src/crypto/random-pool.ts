/**
 * Random bytes from node:crypto, drawn a few kilobytes at a time: a contribution needs ~100
 * random bytes in half a dozen small pieces (share masks, submission id, envelope nonces), and
 * each call into node:crypto costs a few microseconds whatever its size. The bytes are the same
 * CSPRNG output; they only wait in this process's memory, which holds the values they mask.
 */

import { randomFillSync } from 'node:crypto';

const BLOCK_BYTES = 4096;

export class RandomPool {
  private block = Buffer.alloc(0);
  private offset = 0;

  /** `n` fresh random bytes (a view; never handed out twice, since a used block is replaced, not refilled). */
  take(n: number): Buffer {
    if (n > BLOCK_BYTES) return randomFillSync(Buffer.allocUnsafe(n));
    if (this.offset + n > this.block.byteLength) {
      this.block = randomFillSync(Buffer.allocUnsafe(BLOCK_BYTES));
      this.offset = 0;
    }
    const out = this.block.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
}

/** The pool of this process (or worker) for small, frequent draws. */
export const randomPool = new RandomPool();
