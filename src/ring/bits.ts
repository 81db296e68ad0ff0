/**
 * Packed bit vectors: bit j of the vector lives in word j >>> 6, bit position j & 63.
 * Single-bit results of comparisons travel and are stored in this form (64 per word), so a
 * vector of n bits costs n/8 bytes on the wire. Bits past `length` in the last word are zero.
 */

import { inChunks } from './chunks.js';

export interface BitVector {
  readonly words: BigUint64Array;
  readonly length: number;
}

export function wordsFor(nBits: number): number {
  return (nBits + 63) >>> 6;
}

export function bitVector(nBits: number): BitVector {
  return { words: new BigUint64Array(wordsFor(nBits)), length: nBits };
}

export function getBit(v: BitVector, i: number): number {
  return Number((v.words[i >>> 6] >> BigInt(i & 63)) & 1n);
}

export function packBits(bits: ArrayLike<number | boolean>): BitVector {
  const v = bitVector(bits.length);
  const dst = new Uint32Array(v.words.buffer);
  for (let i = 0; i < bits.length; i++) if (bits[i]) dst[i >>> 5] |= 1 << (i & 31);
  return v;
}

/** One byte (0 or 1) per bit. Works 32 bits at a time in plain integers (no BigInt per bit). */
export function unpackBits(v: BitVector): Uint8Array {
  const out = new Uint8Array(v.length);
  const halves = new Uint32Array(v.words.buffer, v.words.byteOffset, v.words.length * 2);
  const used = Math.min(halves.length, Math.ceil(v.length / 32));
  // In pieces of halves (ring/chunks.ts): a quickselect's first opening is its largest.
  inChunks(used, (from, to) => unpackRange(halves, from, to, v.length, out));
  return out;
}

function unpackRange(halves: Uint32Array, from: number, to: number, length: number, out: Uint8Array): void {
  for (let h = from; h < to; h++) {
    const base = h << 5;
    const end = Math.min(32, length - base);
    const word = halves[h];
    for (let j = 0; j < end; j++) out[base + j] = (word >>> j) & 1;
  }
}

/** Clears the bits of the last word that lie past `length`. */
export function clearTail(words: BigUint64Array, nBits: number): void {
  const r = nBits & 63;
  if (r !== 0 && words.length > 0) words[words.length - 1] &= (1n << BigInt(r)) - 1n;
}

export function xorWords(a: BigUint64Array, b: BigUint64Array, out = new BigUint64Array(a.length)): BigUint64Array {
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

export function andWords(a: BigUint64Array, b: BigUint64Array, out = new BigUint64Array(a.length)): BigUint64Array {
  for (let i = 0; i < a.length; i++) out[i] = a[i] & b[i];
  return out;
}

/** Bitwise NOT (as XOR with all ones: V8 does not lower unary ~ on BigInt). */
export function notWords(a: BigUint64Array, out = new BigUint64Array(a.length)): BigUint64Array {
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ 0xffffffffffffffffn;
  return out;
}

/** Expands packed bits into one 0/1 ring element per bit (32-bit integer work, no BigInt). */
export function bitsToWords(v: BitVector): BigUint64Array {
  const out = new BigUint64Array(v.length);
  const src = new Uint32Array(v.words.buffer, v.words.byteOffset, v.words.length * 2);
  const dst = new Uint32Array(out.buffer);
  for (let i = 0; i < v.length; i++) dst[2 * i] = (src[i >>> 5] >>> (i & 31)) & 1;
  return out;
}

/** Packs bit 0 of each word into a bit vector. */
export function lowBitsToBits(words: BigUint64Array): BitVector {
  const v = bitVector(words.length);
  const src = new Uint32Array(words.buffer, words.byteOffset, words.length * 2);
  const dst = new Uint32Array(v.words.buffer);
  for (let i = 0; i < words.length; i++) dst[i >>> 5] |= (src[2 * i] & 1) << (i & 31);
  return v;
}
