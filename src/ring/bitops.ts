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

/**
 * Transposes the 64x64 bit matrix held in words src[o..o+64) (word = row, bit j = column j)
 * into dst[d..d+64): afterwards bit t of dst[d+j] is bit j of src[o+t].
 */
export function transpose64(src: BigUint64Array, o: number, dst: BigUint64Array, d: number): void {
  const m = TRANSPOSE_BLOCK;
  for (let i = 0; i < 64; i++) m[i] = src[o + i];
  // Swap off-diagonal blocks of size 32, 16, ..., 1 (each with its literal shift).
  for (let i = 0; i < 32; i++) {
    const t = ((m[i] >> 32n) ^ m[i + 32]) & 0x00000000ffffffffn;
    m[i + 32] ^= t;
    m[i] ^= t << 32n;
  }
  for (let b = 0; b < 64; b += 32) {
    for (let i = b; i < b + 16; i++) {
      const t = ((m[i] >> 16n) ^ m[i + 16]) & 0x0000ffff0000ffffn;
      m[i + 16] ^= t;
      m[i] ^= t << 16n;
    }
  }
  for (let b = 0; b < 64; b += 16) {
    for (let i = b; i < b + 8; i++) {
      const t = ((m[i] >> 8n) ^ m[i + 8]) & 0x00ff00ff00ff00ffn;
      m[i + 8] ^= t;
      m[i] ^= t << 8n;
    }
  }
  for (let b = 0; b < 64; b += 8) {
    for (let i = b; i < b + 4; i++) {
      const t = ((m[i] >> 4n) ^ m[i + 4]) & 0x0f0f0f0f0f0f0f0fn;
      m[i + 4] ^= t;
      m[i] ^= t << 4n;
    }
  }
  for (let b = 0; b < 64; b += 4) {
    for (let i = b; i < b + 2; i++) {
      const t = ((m[i] >> 2n) ^ m[i + 2]) & 0x3333333333333333n;
      m[i + 2] ^= t;
      m[i] ^= t << 2n;
    }
  }
  for (let i = 0; i < 64; i += 2) {
    const t = ((m[i] >> 1n) ^ m[i + 1]) & 0x5555555555555555n;
    m[i + 1] ^= t;
    m[i] ^= t << 1n;
  }
  for (let j = 0; j < 64; j++) dst[d + j] = m[j];
}

const TRANSPOSE_BLOCK = new BigUint64Array(64);

/** Packs bit 63 of each word into a bit vector (bit e of the result = bit 63 of v[e]). */
export function packTopBits(v: BigUint64Array): BigUint64Array {
  const n = v.length;
  const out = new BigUint64Array((n + 63) >>> 6);
  const acc = new BigUint64Array(1);
  for (let k = 0; k < out.length; k++) {
    const base = k << 6;
    const end = Math.min(64, n - base);
    acc[0] = 0n;
    for (let j = end - 1; j >= 0; j--) acc[0] = (acc[0] << 1n) | (v[base + j] >> 63n);
    out[k] = acc[0];
  }
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
