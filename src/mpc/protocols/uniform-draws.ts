/**
 * Exactly uniform integers below a bound, for the Fisher–Yates shuffles of permutation.ts, from
 * a PRG's keystream read as a sequence of 16-bit units (little-endian).
 *
 * Lemire's multiply-and-reject method: a bound up to 8,192 takes one unit u and accepts
 * j = (u · bound) >> 16 unless the product's low 16 bits fall below 2^16 mod bound; then every
 * j in 0..bound-1 has exactly floor(2^16 / bound) accepted units, so j is exactly uniform (no
 * modulo bias), and a draw is rejected with probability below bound / 2^16 (under 1/8). A larger
 * bound takes two units as one 32-bit draw and does the same with 2^32; its 64-bit product is
 * exact (wideProduct). The units are consumed in keystream order whatever the refills, so the
 * result depends on the keystream alone: both holders of a PRG draw the same.
 */

import { Prg } from '../../crypto/prg.js';
import { keepShape } from '../../keep-shape.js';

/** Bounds up to this are drawn from 16 bits (rejection below 1/8), larger ones from 32 bits. */
export const BOUND_16 = 8192;

/**
 * Memory for the units read ahead and a kernel for the small bounds, when the draw runs on a
 * wasm arena (permute-wasm.ts): drawSmall's contract, on slots and units inside the kernel's
 * memory, with its read position in `cursor`.
 */
export interface SmallDraws {
  /** Where the units are read ahead (any content; its length bounds what fits). */
  readonly region: Uint16Array;
  readonly cursor: Int32Array;
  drawSmall(slots: Int32Array, start: number, k: number, small: number, units: Uint16Array): number;
}

export class UniformDraws {
  private units: Uint16Array;
  private next = 0;
  /** drawSmall's read position (in and out). */
  private readonly cursor: Int32Array;
  /** wideProduct's output: [high, low]. */
  private readonly parts = new Float64Array(2);
  /** The wasm kernel while the units fit its region (then drawn unit for unit as in JavaScript). */
  private kernels: SmallDraws | undefined;

  /** Reads ahead enough keystream for `expected` draws below BOUND_16 and their rejections. */
  constructor(
    private readonly prg: Prg,
    expected: number,
    kernels?: SmallDraws,
  ) {
    const words = Math.ceil((expected + (expected >>> 4) + 64) / 4);
    this.kernels = kernels !== undefined && 4 * words <= kernels.region.length ? kernels : undefined;
    this.cursor = this.kernels?.cursor ?? new Int32Array(1);
    if (this.kernels === undefined) this.units = new Uint16Array(prg.words(words).buffer);
    else {
      const region = this.kernels.region;
      prg.fill(new Uint8Array(region.buffer, region.byteOffset, 8 * words));
      this.units = region.subarray(0, 4 * words);
    }
  }

  /**
   * local[start..end) = a uniformly random permutation of start..end-1: Fisher–Yates "inside
   * out" (slot k takes what slot j, uniform in 0..k, held, and slot j takes row start + k),
   * which needs no initialising pass. The draws for bounds up to BOUND_16 run in a tight loop of
   * 32-bit integer arithmetic over keystream read ahead (products below 2^29); when the
   * rejections have used up the read-ahead, the loop leaves to read more (and, if it was in
   * the middle of a draw whose units were all rejected, draws that slot again).
   */
  shuffle(local: Int32Array, start: number, end: number): void {
    if (end <= start) return;
    // Zero-based within the bucket (slot k holds row start + k): measured faster than offsets.
    const slots = local.subarray(start, end);
    const m = end - start;
    slots[0] = start;
    const small = Math.min(m, BOUND_16);
    let k = 1;
    while (k < small) {
      this.ensure(small - k);
      this.cursor[0] = this.next;
      const kernels = this.kernels;
      k = kernels === undefined ? drawSmall(slots, start, k, small, this.units, this.cursor) : kernels.drawSmall(slots, start, k, small, this.units);
      this.next = this.cursor[0];
    }
    // Bounds above BOUND_16 (buckets of more than 8,192 rows): two units per draw, read ahead.
    if (k < m) this.ensure(2 * (m - k));
    for (; k < m; k++) {
      const j = this.below32(k + 1);
      slots[k] = slots[j];
      slots[j] = start + k;
    }
  }

  /** A uniform integer below bound (< 2^31) from a 32-bit draw of two units. */
  private below32(bound: number): number {
    for (;;) {
      this.ensure(2);
      const draw = this.units[this.next] + this.units[this.next + 1] * 65536;
      this.next += 2;
      const high = wideProduct(draw, bound, this.parts);
      const low = this.parts[1];
      // The rejection threshold 2^32 mod bound is below bound: compute it only when it matters.
      if (low >= bound || low >= 4294967296 % bound) return high;
    }
  }

  /** At least `count` unread units from `next` on: keeps the unread ones, appends keystream. */
  private ensure(count: number): void {
    if (this.units.length - this.next >= count) return;
    const left = this.units.subarray(this.next);
    const words = Math.ceil((count + 64) / 4);
    const region = this.kernels?.region;
    if (region !== undefined && left.length + 4 * words <= region.length) {
      // In the kernel's region (units always start at its first entry): the unread units
      // moved to the front, the keystream appended behind them.
      region.copyWithin(0, this.next, this.units.length);
      this.prg.fill(new Uint8Array(region.buffer, region.byteOffset + 2 * left.length, 8 * words));
      this.units = region.subarray(0, left.length + 4 * words);
      this.next = 0;
      return;
    }
    // Too many for the region (a bucket above BOUND_16 rows): JavaScript arrays from here on.
    this.kernels = undefined;
    const fresh = new Uint16Array(this.prg.words(words).buffer);
    const units = new Uint16Array(left.length + fresh.length);
    units.set(left);
    units.set(fresh, left.length);
    this.units = units;
    this.next = 0;
  }
}

// Its map outlives every shuffle (keep-shape.ts): drawPermutation's compiled code embeds it.
keepShape(new UniformDraws(new Prg(new Uint8Array(16)), 0));

/**
 * Slots k .. small - 1 of a bucket (bounds k + 1 up to BOUND_16) from the units at cursor[0] on;
 * returns the first slot not drawn (small, or earlier when the units ran out: in the middle of
 * a slot's rejections, those units stay consumed and the caller reads more and draws that slot
 * again) and leaves the read position in cursor[0].
 *
 * A function of its arguments alone, not a method: V8's optimised code for a method that reads
 * its fields was thrown away at every full garbage collection ("weak objects"), and the first
 * draw after one ran unoptimised at 2-3 times the cost (docs/benchmarks.md, s9-shuffle).
 */
function drawSmall(slots: Int32Array, start: number, k: number, small: number, units: Uint16Array, cursor: Int32Array): number {
  const limit = units.length;
  let next = cursor[0];
  for (; k < small && next < limit; k++) {
    const bound = k + 1;
    let product = units[next++] * bound;
    if ((product & 0xffff) < bound) {
      // Rare (below bound / 2^16): compute the threshold 2^16 mod bound only now.
      const threshold = 65536 % bound;
      while ((product & 0xffff) < threshold && next < limit) product = units[next++] * bound;
      // Every unit read ahead was rejected: read more and draw slot k again.
      if ((product & 0xffff) < threshold) break;
    }
    const j = product >>> 16;
    slots[k] = slots[j];
    slots[j] = start + k;
  }
  cursor[0] = next;
  return k;
}

/**
 * The 64-bit product of a 32-bit draw and a bound below 2^31, exactly, as parts[0] = high 32
 * bits and parts[1] = low 32 bits; returns the high part. One double suffices below 2^21
 * (product < 2^53); above, the draw is split into 16-bit halves whose products are exact.
 */
export function wideProduct(draw: number, bound: number, parts: Float64Array): number {
  if (bound < 2097152) {
    const product = draw * bound;
    const high = Math.floor(product / 4294967296);
    parts[0] = high;
    parts[1] = product - high * 4294967296;
    return high;
  }
  const upper = (draw >>> 16) * bound; // < 2^47
  const upperHigh = Math.floor(upper / 65536);
  const rest = (upper - upperHigh * 65536) * 65536 + (draw & 0xffff) * bound; // < 2^49
  const carry = Math.floor(rest / 4294967296);
  parts[0] = upperHigh + carry;
  parts[1] = rest - carry * 4294967296;
  return parts[0];
}
