/**
 * Bit manipulation on 64-bit words that stays on V8's fast path.
 *
 * V8 compiles BigInt arithmetic on BigUint64Array elements to native 64-bit instructions only
 * in some shapes (measured on Node 20, 2^20 words): a right shift must have a literal amount
 * and apply to a value V8 knows is 64-bit (a typed-array load or BigInt.asUintN(64, ...)):
 * 2 ms; a right shift by a variable, of a computed value, or through a helper: 25-38 ms.
 * Left shifts by a variable are fast when written as a multiplication by 2^k. So every right
 * shift by a level-dependent amount goes through one of the literal loops below.
 */

/** All 64 bits set. XOR with it instead of unary ~, which V8 does not lower (32 ms vs 1.3 ms). */
export const ONES = 0xffffffffffffffffn;

/** dst[i] = src[i] >> k for k in {1, 2, 4, 8, 16, 32}, with a literal shift per case. */
export function shiftRightWords(src: BigUint64Array, k: number, dst: BigUint64Array = new BigUint64Array(src.length), count = src.length): BigUint64Array {
  switch (k) {
    case 1:
      for (let i = 0; i < count; i++) dst[i] = src[i] >> 1n;
      break;
    case 2:
      for (let i = 0; i < count; i++) dst[i] = src[i] >> 2n;
      break;
    case 4:
      for (let i = 0; i < count; i++) dst[i] = src[i] >> 4n;
      break;
    case 8:
      for (let i = 0; i < count; i++) dst[i] = src[i] >> 8n;
      break;
    case 16:
      for (let i = 0; i < count; i++) dst[i] = src[i] >> 16n;
      break;
    case 32:
      for (let i = 0; i < count; i++) dst[i] = src[i] >> 32n;
      break;
    default:
      throw new RangeError(`shiftRightWords supports 1, 2, 4, 8, 16, 32; got ${k}`);
  }
  return dst;
}

/** 32-bit view of a word array (little-endian: word i is halves 2i (low) and 2i+1 (high)). */
export function halves(v: BigUint64Array): Uint32Array {
  return new Uint32Array(v.buffer, v.byteOffset, v.length * 2);
}

/**
 * Gathers bit `bit` (0..63) of words src[from .. from+count) into bits [to, to+count) of `dst`
 * (a packed bit vector), with plain 32-bit integer operations: bit twiddling through BigInt
 * needs variable shifts, which V8 does not compile to native code. `to` and `count` must be
 * multiples of 32, except that the last group may be partial.
 */
export function gatherBit(src: Uint32Array, from: number, count: number, bit: number, dst: Uint32Array, to: number): void {
  const half = bit >>> 5, shift = bit & 31;
  for (let t0 = 0; t0 < count; t0 += 32) {
    const end = Math.min(32, count - t0);
    let acc = 0;
    let idx = 2 * (from + t0) + half;
    for (let t = 0; t < end; t++, idx += 2) acc |= ((src[idx] >>> shift) & 1) << t;
    dst[(to + t0) >>> 5] = acc >>> 0;
  }
}

const TRANSPOSE32 = new Uint32Array(32);

/**
 * Transposes the 32x32 bit matrix whose rows are src[from + i * step] (i = 0..31) into `out`:
 * afterwards bit t of out[r] is bit r of row t. Five swap stages with integer operations: taking
 * one bit position from 32 words this way costs about a tenth of gathering it bit by bit.
 */
export function transpose32(src: Uint32Array, from: number, step: number, out: Uint32Array): void {
  const a = TRANSPOSE32;
  for (let i = 0; i < 32; i++) a[i] = src[from + i * step];
  for (let k = 0; k < 16; k++) {
    const t = ((a[k] >>> 16) ^ a[k + 16]) & 0x0000ffff;
    a[k + 16] ^= t;
    a[k] ^= t << 16;
  }
  for (let b = 0; b < 32; b += 16) {
    for (let k = b; k < b + 8; k++) {
      const t = ((a[k] >>> 8) ^ a[k + 8]) & 0x00ff00ff;
      a[k + 8] ^= t;
      a[k] ^= t << 8;
    }
  }
  for (let b = 0; b < 32; b += 8) {
    for (let k = b; k < b + 4; k++) {
      const t = ((a[k] >>> 4) ^ a[k + 4]) & 0x0f0f0f0f;
      a[k + 4] ^= t;
      a[k] ^= t << 4;
    }
  }
  for (let b = 0; b < 32; b += 4) {
    for (let k = b; k < b + 2; k++) {
      const t = ((a[k] >>> 2) ^ a[k + 2]) & 0x33333333;
      a[k + 2] ^= t;
      a[k] ^= t << 2;
    }
  }
  for (let k = 0; k < 32; k += 2) {
    const t = ((a[k] >>> 1) ^ a[k + 1]) & 0x55555555;
    a[k + 1] ^= t;
    a[k] ^= t << 1;
  }
  for (let i = 0; i < 32; i++) out[i] = a[i] >>> 0;
}

/** Packs bit 63 of each word into a bit vector (bit e of the result = bit 63 of v[e]). */
export function packTopBits(v: BigUint64Array): BigUint64Array {
  const out = new BigUint64Array((v.length + 63) >>> 6);
  gatherBit(halves(v), 0, v.length, 63, halves(out), 0);
  return out;
}

/** Powers of two 2^0..2^63 as BigInt, for left shifts by a variable amount (as a multiply). */
export const POW2: readonly bigint[] = Array.from({ length: 64 }, (_, k) => 1n << BigInt(k));

/**
 * dst[i] = src[i] >> m for any 0 <= m < 64, as at most six passes with literal shifts
 * (one per set bit of m), each on V8's fast path.
 */
export function shiftRightBy(src: BigUint64Array, m: number, dst: BigUint64Array = new BigUint64Array(src.length)): BigUint64Array {
  if (!Number.isInteger(m) || m < 0 || m > 63) throw new RangeError(`shift of ${m} bits`);
  if (m === 0) {
    if (dst !== src) dst.set(src);
    return dst;
  }
  let from = src;
  for (const k of [32, 16, 8, 4, 2, 1]) {
    if (m & k) {
      shiftRightWords(from, k, dst, src.length);
      from = dst;
    }
  }
  return dst;
}
