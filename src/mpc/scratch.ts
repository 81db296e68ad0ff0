/**
 * Reusable working memory for protocols. Fresh typed arrays cost page faults on first touch
 * (measured: 4 ms per 8 MB, against 0.2 ms to rewrite memory already mapped), which dominated
 * the comparison circuits; buffers that never leave the party are therefore taken from here
 * and given back. A buffer sent with `transfer` must never come from the pool (the transport
 * keeps it); one sent without is copied before `send` returns (net/link.ts) and may be reused.
 *
 * Taken buffers contain old data: callers clear what they rely on being zero.
 */

// Eight, not four: a level of the radix selection holds its masks, their products, the popcount's
// layers and the injection's lease at once, and with four kept one of them was made afresh at
// every level (s11-gc). Kept buffers are the largest the party used together, nothing more.
const KEEP = 8;

export class ScratchPool {
  private readonly free: ArrayBuffer[] = [];

  take(words: number): BigUint64Array {
    const bytes = words * 8;
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.byteLength >= bytes && (best < 0 || b.byteLength < this.free[best].byteLength)) best = i;
    }
    const buf = best >= 0 ? this.free.splice(best, 1)[0] : new ArrayBuffer(bytes);
    return new BigUint64Array(buf, 0, words);
  }

  give(v: BigUint64Array): void {
    const buf = v.buffer;
    if (!(buf instanceof ArrayBuffer) || this.free.includes(buf)) return;
    this.free.push(buf);
    // Keep the largest few: they serve every smaller request too.
    if (this.free.length > KEEP) {
      this.free.sort((x, y) => y.byteLength - x.byteLength);
      this.free.length = KEEP;
    }
  }
}
