/**
 * Reusable working memory for protocols. Fresh typed arrays cost page faults on first touch
 * (measured: 4 ms per 8 MB, against 0.2 ms to rewrite memory already mapped), which dominated
 * the comparison circuits; buffers that never leave the party are therefore taken from here
 * and given back. A buffer sent with `transfer` must never come from the pool (the transport
 * keeps it); one sent without is copied before `send` returns (net/link.ts) and may be reused.
 *
 * A pool given a reserve (memory-reserve.ts: a node's, set aside at its start) makes its new
 * buffers there while the reserve lasts: views that V8 does not count as fresh external memory,
 * so filling the pool on a node's first query starts no full collection.
 *
 * Taken buffers contain old data: callers clear what they rely on being zero.
 */

import type { MemoryReserve } from './memory-reserve.js';

// Eight, not four: a level of the radix selection holds its masks, their products, the popcount's
// layers and the injection's lease at once, and with four kept one of them was made afresh at
// every level (s11-gc). Kept buffers are the largest the party used together, nothing more.
const KEEP = 8;

export class ScratchPool {
  /** Whole buffers (views from offset 0 of their memory, or parts of the reserve) free to take. */
  private readonly free: BigUint64Array[] = [];
  /** Buffers of the reserve taken and not yet given back: a view given back is found among them. */
  private readonly lent: BigUint64Array[] = [];

  constructor(private readonly reserve?: MemoryReserve) {}

  take(words: number): BigUint64Array {
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.length >= words && (best < 0 || b.length < this.free[best].length)) best = i;
    }
    const whole = best >= 0 ? this.free.splice(best, 1)[0] : (this.reserve?.carve(words) ?? new BigUint64Array(words));
    if (this.reserve?.holds(whole)) this.lent.push(whole);
    return whole.length === words ? whole : whole.subarray(0, words);
  }

  give(v: BigUint64Array): void {
    const whole = this.reserve?.holds(v) ? this.returned(v) : wholeOf(v);
    if (!whole || this.free.some((f) => f.buffer === whole.buffer && f.byteOffset === whole.byteOffset)) return;
    this.free.push(whole);
    // Keep the largest few: they serve every smaller request too.
    if (this.free.length > KEEP) {
      this.free.sort((x, y) => y.length - x.length);
      this.free.length = KEEP;
    }
  }

  /** The part of the reserve lent out that `v` views (undefined: not lent by this pool, never kept). */
  private returned(v: BigUint64Array): BigUint64Array | undefined {
    const i = this.lent.findIndex((w) => v.byteOffset >= w.byteOffset && v.byteOffset < w.byteOffset + w.byteLength);
    return i < 0 ? undefined : this.lent.splice(i, 1)[0];
  }
}

/** The whole buffer behind `v`, as words (any view of an ordinary buffer gives it all back, as before). */
function wholeOf(v: BigUint64Array): BigUint64Array | undefined {
  const buf = v.buffer;
  return buf instanceof ArrayBuffer && buf.byteLength >= 8 ? new BigUint64Array(buf, 0, Math.floor(buf.byteLength / 8)) : undefined;
}
