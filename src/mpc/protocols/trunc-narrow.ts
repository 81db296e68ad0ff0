/**
 * The short messages of the exact truncation (trunc.ts): the share of top(c)·top(r) that P, Q
 * and R pass around. Each of these values is only ever used multiplied by 2^(64-m), so only its
 * residue mod 2^m matters: it travels in a W-bit word, W the smallest of 16, 32 and 64 that is
 * at least m, computed mod 2^W. The masks mu and s are drawn as W-bit words too (a quarter of
 * the keystream of 64-bit masks for m <= 16); nu is a full PRG word, since y0 needs it as one,
 * of which the low W bits are used here. Every bit of every word sent is uniform (each value is
 * masked by a uniform W-bit mask), so a receiver's view does not depend on m's unused bits.
 *
 * With e = mu - s·top(r) (P -> R), d = top(c) - s (Q -> R) and w = e - d·top(r) - nu (R -> Q),
 * all mod 2^W: 2^(64-m)·w = 2^(64-m)·(mu - top(c)·top(r) - nu) mod 2^64, as in the protocol
 * with 64-bit messages. Element loops are small functions of their own (see kernels.ts); the
 * 16/32-bit family reads the 64-bit operands through 32-bit views (top(u) is the high half's
 * top bit, u mod 2^32 the low half) and never converts between number and bigint.
 */

import { ProtocolError } from '../../errors.js';

export type Narrow = Uint16Array | Uint32Array | BigUint64Array;

/** The kernels of one width; `width` is the bytes per element on the wire. */
export interface TopBitMessages {
  readonly width: 2 | 4 | 8;
  /** A view of `count` elements at `byteOffset` of `buffer` (aligned to 8). */
  view(buffer: ArrayBuffer, byteOffset: number, count: number): Narrow;
  /** As P: e = mu - s·top(r) (mu and s: W-bit masks). */
  correction(e: Narrow, mu: Narrow, s: Narrow, r: BigUint64Array): void;
  /** As Q: d = top(c) - s. */
  reveal(d: Narrow, c: BigUint64Array, s: Narrow): void;
  /** As R: w = e - d·top(r) - nu. */
  settle(w: Narrow, e: Narrow, d: Narrow, r: BigUint64Array, nu: BigUint64Array): void;
  /** out = t + 2^(64-m)·w (mod 2^64). */
  addScaled(out: BigUint64Array, t: BigUint64Array, w: Narrow): void;
  /** out = t - 2^(64-m)·mu (mod 2^64), mu a W-bit mask. */
  subScaled(out: BigUint64Array, t: BigUint64Array, mu: Narrow): void;
}

const halves = (v: BigUint64Array): Uint32Array => new Uint32Array(v.buffer, v.byteOffset, 2 * v.length);

// m <= 32: values in 16- or 32-bit words, reduced mod 2^W by storing them.

type Small = Uint16Array | Uint32Array;

function correction32(e: Small, mu: Small, s: Small, r: BigUint64Array): void {
  const r32 = halves(r);
  for (let i = 0; i < e.length; i++) e[i] = mu[i] - (s[i] & -(r32[2 * i + 1] >>> 31));
}

function reveal32(d: Small, c: BigUint64Array, s: Small): void {
  const c32 = halves(c);
  for (let i = 0; i < d.length; i++) d[i] = (c32[2 * i + 1] >>> 31) - s[i];
}

function settle32(w: Small, e: Small, d: Small, r: BigUint64Array, nu: BigUint64Array): void {
  const r32 = halves(r), nu32 = halves(nu);
  for (let i = 0; i < w.length; i++) w[i] = e[i] - (d[i] & -(r32[2 * i + 1] >>> 31)) - nu32[2 * i];
}

/**
 * 2^(64-m)·w lies in the high half (64 - m >= 32): add w << (32 - m) there, no carry into the
 * low half. Bits of w above m fall off the 32-bit shift, so w need not be reduced mod 2^m.
 */
function addScaled32(out: BigUint64Array, t: BigUint64Array, w: Small, shift: number): void {
  const o32 = halves(out), t32 = halves(t);
  for (let i = 0; i < w.length; i++) {
    o32[2 * i] = t32[2 * i];
    o32[2 * i + 1] = t32[2 * i + 1] + (w[i] << shift);
  }
}

function subScaled32(out: BigUint64Array, t: BigUint64Array, mu: Small, shift: number): void {
  const o32 = halves(out), t32 = halves(t);
  for (let i = 0; i < mu.length; i++) {
    o32[2 * i] = t32[2 * i];
    o32[2 * i + 1] = t32[2 * i + 1] - (mu[i] << shift);
  }
}

// m > 32: 64-bit words (bigint multiplications and the constant shift by 63 compile to
// machine arithmetic; variable shifts would not).

function correction64(e: BigUint64Array, mu: BigUint64Array, s: BigUint64Array, r: BigUint64Array): void {
  for (let i = 0; i < e.length; i++) e[i] = mu[i] - s[i] * (r[i] >> 63n);
}

function reveal64(d: BigUint64Array, c: BigUint64Array, s: BigUint64Array): void {
  for (let i = 0; i < d.length; i++) d[i] = (c[i] >> 63n) - s[i];
}

function settle64(w: BigUint64Array, e: BigUint64Array, d: BigUint64Array, r: BigUint64Array, nu: BigUint64Array): void {
  for (let i = 0; i < w.length; i++) w[i] = e[i] - d[i] * (r[i] >> 63n) - nu[i];
}

function addScaled64(out: BigUint64Array, t: BigUint64Array, w: BigUint64Array, up: bigint): void {
  for (let i = 0; i < w.length; i++) out[i] = t[i] + up * w[i];
}

function subScaled64(out: BigUint64Array, t: BigUint64Array, mu: BigUint64Array, up: bigint): void {
  for (let i = 0; i < mu.length; i++) out[i] = t[i] - up * mu[i];
}

/** The message kernels for truncation by m bits (1 <= m <= 62). */
export function topBitMessages(m: number): TopBitMessages {
  if (m <= 32) {
    const shift = 32 - m;
    const width = m <= 16 ? 2 : 4;
    const small = (v: Narrow): Small => v as Small;
    return {
      width,
      view: (buffer, byteOffset, count) => (width === 2 ? new Uint16Array(buffer, byteOffset, count) : new Uint32Array(buffer, byteOffset, count)),
      correction: (e, mu, s, r) => correction32(small(e), small(mu), small(s), r),
      reveal: (d, c, s) => reveal32(small(d), c, small(s)),
      settle: (w, e, d, r, nu) => settle32(small(w), small(e), small(d), r, nu),
      addScaled: (out, t, w) => addScaled32(out, t, small(w), shift),
      subScaled: (out, t, mu) => subScaled32(out, t, small(mu), shift),
    };
  }
  const up = 1n << BigInt(64 - m);
  const wide = (v: Narrow): BigUint64Array => v as BigUint64Array;
  return {
    width: 8,
    view: (buffer, byteOffset, count) => new BigUint64Array(buffer, byteOffset, count),
    correction: (e, mu, s, r) => correction64(wide(e), wide(mu), wide(s), r),
    reveal: (d, c, s) => reveal64(wide(d), c, wide(s)),
    settle: (w, e, d, r, nu) => settle64(wide(w), wide(e), wide(d), r, nu),
    addScaled: (out, t, w) => addScaled64(out, t, wide(w), up),
    subScaled: (out, t, mu) => subScaled64(out, t, wide(mu), up),
  };
}

/** A message of `wide` 64-bit words followed by `narrow` W-bit words. */
export interface Parts {
  readonly bytes: Uint8Array;
  readonly wide: BigUint64Array;
  readonly narrow: Narrow;
}

/** Lays out such a message over `words` (pool memory: the link copies what it sends). */
export function layout(k: TopBitMessages, words: BigUint64Array, wide: number, narrow: number): Parts {
  const bytes = new Uint8Array(words.buffer, words.byteOffset, 8 * wide + k.width * narrow);
  return { bytes, wide: words.subarray(0, wide), narrow: k.view(words.buffer as ArrayBuffer, words.byteOffset + 8 * wide, narrow) };
}

/** 64-bit words needed for such a message. */
export function wordsFor(k: TopBitMessages, wide: number, narrow: number): number {
  return wide + Math.ceil((k.width * narrow) / 8);
}

/** Splits a received message into its parts, refusing one of another length. */
export function parts(k: TopBitMessages, bytes: Uint8Array, wide: number, narrow: number, from: number): Parts {
  const expected = 8 * wide + k.width * narrow;
  if (bytes.byteLength !== expected) {
    throw new ProtocolError(`party ${from} sent ${bytes.byteLength} bytes where ${expected} were expected: the parties are running different computations`);
  }
  let aligned = bytes;
  if (bytes.byteOffset % 8 !== 0) {
    aligned = new Uint8Array(new ArrayBuffer(8 * Math.ceil(expected / 8)), 0, expected);
    aligned.set(bytes);
  }
  const buffer = aligned.buffer as ArrayBuffer;
  return { bytes: aligned, wide: new BigUint64Array(buffer, aligned.byteOffset, wide), narrow: k.view(buffer, aligned.byteOffset + 8 * wide, narrow) };
}

/**
 * Bytes each party sends per element truncated by m bits: 8 + W for an additive input (every
 * party sends one 64-bit word and one W-bit word per element, over the three roles), 16/3 + W
 * for a replicated one (nobody sends the third component).
 */
export function truncationBytes(m: number, replicated: boolean): number {
  const width = m <= 16 ? 2 : m <= 32 ? 4 : 8;
  return (replicated ? 16 / 3 : 8) + width;
}
