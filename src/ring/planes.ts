/**
 * Bit planes: the transposed ("bit-sliced") layout of a vector of 64-bit words. Plane j of an
 * n-element vector holds bit j of every element, packed like a BitVector (element i at bit
 * i & 63 of word i >>> 6), so one 64-bit operation on plane words acts on 64 elements at once
 * and a binary circuit costs one bit per gate per element on the wire, whatever its shape.
 *
 * The transposition works on 32-bit halves with plain integer operations: V8 lowers those to
 * machine instructions, while the BigInt version (ring/bitops transpose64) allocates a BigInt
 * per step (measured on 2^20 words: 19 ms here against 180 ms).
 */

import { transpose32 } from './transpose32.js';

const BLOCK = new Int32Array(32);

/**
 * Transposes 64 consecutive words of `src` (as 32-bit halves, starting at word `from`; missing
 * words past `count` read as zero) and stores bit-row j (j < bits) into planes[j][word].
 * A 64x64 matrix is four 32x32 blocks: rows 0-31 / 32-63 times low / high halves.
 */
function transposeBlockToPlanes(src32: Uint32Array, from: number, count: number, bits: number, planes32: Uint32Array[], word: number): void {
  for (let block = 0; block < 4; block++) {
    const rowBase = (block >> 1) * 32; // which 32 elements
    const half = block & 1; // which 32 bits of each element
    if (half * 32 >= bits) continue;
    for (let r = 0; r < 32; r++) {
      const e = rowBase + r;
      BLOCK[r] = e < count ? src32[2 * (from + e) + half] : 0;
    }
    transpose32(BLOCK);
    // BLOCK[c] now holds bit (half*32 + c) of the 32 elements, i.e. half `rowBase/32` of plane word.
    const limit = Math.min(32, bits - half * 32);
    for (let c = 0; c < limit; c++) planes32[half * 32 + c][2 * word + (rowBase >> 5)] = BLOCK[c];
  }
}

/**
 * Writes bits 0..bits-1 of src[start, end) into the planes, element start + i landing at bit
 * position i of the planes' words starting at word `wordOffset` (start must be a multiple of
 * 64 relative to the plane layout the caller wants; the tail of the last word is zero).
 */
export function toPlanes(src: BigUint64Array, start: number, end: number, bits: number, planes: BigUint64Array[], wordOffset: number): void {
  if (bits < 1 || bits > 64 || planes.length < bits) throw new RangeError(`toPlanes: ${bits} planes requested, ${planes.length} given`);
  const src32 = new Uint32Array(src.buffer, src.byteOffset, src.length * 2);
  const planes32 = planes.slice(0, bits).map((p) => new Uint32Array(p.buffer, p.byteOffset, p.length * 2));
  let word = wordOffset;
  for (let e = start; e < end; e += 64, word++) transposeBlockToPlanes(src32, e, Math.min(64, end - e), bits, planes32, word);
}

/**
 * Bits 0..bits-1 (bits <= 32) of (src[i] + add) mod 2^bits for i in [0, n), into words 0 …
 * ⌈n/64⌉ − 1 of the planes (the tail of the last word zero). Below 2^32 a sum's bits depend only
 * on the addends' low 32 bits, so each element is one 32-bit load and add: no shifted copy of the
 * column (value-planes.ts's −min), no high halves read, 32 elements per transposition.
 * `add` is the constant's low 32 bits.
 */
export function toPlanesLow(src: BigUint64Array, n: number, bits: number, add: number, planes: readonly BigUint64Array[]): void {
  if (bits < 1 || bits > 32 || planes.length < bits || n > src.length) throw new RangeError(`toPlanesLow: ${bits} planes of ${n} elements requested, ${planes.length} planes given`);
  const src32 = new Uint32Array(src.buffer, src.byteOffset, src.length * 2);
  const planes32: Uint32Array[] = [];
  for (let c = 0; c < bits; c++) planes32.push(new Uint32Array(planes[c].buffer, planes[c].byteOffset, planes[c].length * 2));
  const full = n & ~31;
  lowBlocks(src32, full, add, planes32, bits);
  if (full < n) lowTail(src32, full, n, add, planes32, bits);
  // The last word's upper half when no element reaches it (n mod 64 in 1 … 32): zero.
  const halves = (n + 31) >>> 5;
  if ((halves & 1) !== 0) for (let c = 0; c < bits; c++) planes32[c][halves] = 0;
}

/**
 * toPlanesLow's whole blocks of 32 elements, a function of its own with nothing after the loop:
 * in toPlanesLow itself the loop's optimized (on-stack-replaced) code left it at the untaken tail
 * branch with a deoptimization on every call, and the calls took 13–58 ms each (against 5 ms)
 * for their first ~18 calls, more than a node makes in a describe (10 per party).
 */
function lowBlocks(src32: Uint32Array, full: number, add: number, planes32: readonly Uint32Array[], bits: number): void {
  for (let e = 0; e < full; e += 32) {
    // Element e + r's low half is src32[2(e + r)] (little-endian, as every typed array here).
    for (let r = 0; r < 32; r++) BLOCK[r] = (src32[2 * (e + r)] + add) | 0;
    transpose32(BLOCK);
    // Elements e … e + 31 are half (e >> 5) & 1 of plane word e >> 6: Uint32 index e >> 5.
    for (let c = 0; c < bits; c++) planes32[c][e >>> 5] = BLOCK[c];
  }
}

/** The last block, its missing elements zero. */
function lowTail(src32: Uint32Array, full: number, n: number, add: number, planes32: readonly Uint32Array[], bits: number): void {
  for (let r = 0; r < 32; r++) BLOCK[r] = full + r < n ? (src32[2 * (full + r)] + add) | 0 : 0;
  transpose32(BLOCK);
  for (let c = 0; c < bits; c++) planes32[c][full >>> 5] = BLOCK[c];
}

/**
 * Fresh planes holding bits 0..bits-1 (bits <= lane) of n elements kept in packed lanes of 8, 16
 * or 32 bits (mpc/protocols/lanes.ts: lane q of word i is element q * N + i), read straight from
 * the lanes: no vector of one word per element in between (convert-narrow.ts a2bNarrowPlanes).
 */
export function lanePlanes(packed: BigUint64Array, lane: 8 | 16 | 32, n: number, N: number, bits: number): BigUint64Array[] {
  if (bits < 1 || bits > lane) throw new RangeError(`lanePlanes: ${bits} planes of ${lane}-bit lanes`);
  const planes = Array.from({ length: bits }, () => new BigUint64Array((n + 63) >>> 6));
  const planes32 = planes.map((p) => new Uint32Array(p.buffer, p.byteOffset, p.length * 2));
  const per = 64 / lane;
  const src = lane === 8 ? new Uint8Array(packed.buffer, packed.byteOffset, packed.length * 8) : lane === 16 ? new Uint16Array(packed.buffer, packed.byteOffset, packed.length * 4) : new Uint32Array(packed.buffer, packed.byteOffset, packed.length * 2);
  // (q, i): the lane and word of element e, advanced with e.
  let q = 0, i = 0;
  for (let e = 0; e < n; e += 32) {
    const count = Math.min(32, n - e);
    for (let r = 0; r < 32; r++) {
      if (r < count) {
        BLOCK[r] = src[i * per + q];
        if (++i === N) {
          i = 0;
          q++;
        }
      } else BLOCK[r] = 0;
    }
    transpose32(BLOCK);
    // Elements e..e+31 are half (e >> 5) & 1 of plane word e >> 6: Uint32 index e >> 5.
    for (let c = 0; c < bits; c++) planes32[c][e >>> 5] = BLOCK[c];
  }
  return planes;
}

/** Fresh planes holding bits 0..bits-1 of every element of `src`. */
export function planesOf(src: BigUint64Array, bits: number): BigUint64Array[] {
  const words = (src.length + 63) >>> 6;
  const planes = Array.from({ length: bits }, () => new BigUint64Array(words));
  toPlanes(src, 0, src.length, bits, planes, 0);
  return planes;
}

/**
 * Element masks from packed bits: out[outOffset + i - from] = all ones if bit i is set, else 0,
 * for bits from..to-1. The literal one-bit shift of a typed-array value stays on V8's fast path.
 */
export function bitMasks(words: BigUint64Array, from: number, to: number, out: BigUint64Array, outOffset = 0): void {
  const acc = new BigUint64Array(1);
  let o = outOffset;
  let i = from;
  while (i < to) {
    const k = i >>> 6;
    const skip = i & 63;
    acc[0] = skip === 0 ? words[k] : words[k] >> BigInt(skip);
    const end = Math.min(to, (k + 1) << 6);
    for (; i < end; i++) {
      out[o++] = 0n - (acc[0] & 1n);
      acc[0] >>= 1n;
    }
  }
}

// ---- plaintext bit-sliced arithmetic on planes (for values a party knows in the clear) ----

/** Planes of v + 1 over the given width (wrapping). */
export function incrementPlanes(planes: readonly BigUint64Array[]): BigUint64Array[] {
  return addOnePlanes(planes, false);
}

/** Planes of v - 1 over the given width (wrapping). */
export function decrementPlanes(planes: readonly BigUint64Array[]): BigUint64Array[] {
  return addOnePlanes(planes, true);
}

/** v + 1, or v - 1 = NOT(NOT(v) + 1), bit-sliced with a ripple carry. */
function addOnePlanes(planes: readonly BigUint64Array[], down: boolean): BigUint64Array[] {
  const words = planes.length > 0 ? planes[0].length : 0;
  const flip = down ? 0xffffffffffffffffn : 0n;
  const carry = new BigUint64Array(words).fill(0xffffffffffffffffn);
  return planes.map((p) => {
    const out = new BigUint64Array(words);
    for (let i = 0; i < words; i++) {
      const v = p[i] ^ flip;
      out[i] = v ^ carry[i] ^ flip;
      carry[i] &= v;
    }
    return out;
  });
}
