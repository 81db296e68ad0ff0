/**
 * Replicated secret shares held by one party.
 *
 * A secret vector x is split into three components with x = x0 + x1 + x2 (arithmetic, mod 2^64)
 * or x = x0 ^ x1 ^ x2 (binary). Party i holds components i and i+1: `a` = x_i, `b` = x_{i+1}.
 * Any two parties together can reconstruct; any single party sees uniformly random values.
 *
 * Linear operations need no communication and live here. Who holds which component, where a
 * public constant goes, dealing and reconstruction: sharing.ts.
 */

import { UsageError } from '../errors.js';
import { clearTail, wordsFor } from '../ring/bits.js';
import { keepShape } from '../keep-shape.js';

/** Arithmetic replicated shares of a vector over Z_2^64. */
export class AShare {
  constructor(
    readonly a: BigUint64Array,
    readonly b: BigUint64Array,
  ) {
    if (a.length !== b.length) throw new UsageError(`share components differ in length (${a.length} vs ${b.length})`);
  }
  get length(): number {
    return this.a.length;
  }
  static zeros(n: number): AShare {
    return new AShare(new BigUint64Array(n), new BigUint64Array(n));
  }
  /** Elements [start, end) as views (no copy). */
  slice(start: number, end: number): AShare {
    return new AShare(this.a.subarray(start, end), this.b.subarray(start, end));
  }
}

/** Binary (XOR) replicated shares: each element is a 64-bit word of bits. */
export class BShare {
  constructor(
    readonly a: BigUint64Array,
    readonly b: BigUint64Array,
  ) {
    if (a.length !== b.length) throw new UsageError(`share components differ in length (${a.length} vs ${b.length})`);
  }
  get length(): number {
    return this.a.length;
  }
  slice(start: number, end: number): BShare {
    return new BShare(this.a.subarray(start, end), this.b.subarray(start, end));
  }
}

/** Binary replicated shares of single bits, packed 64 to a word (bit j in word j>>>6). */
export class BitShare {
  constructor(
    readonly a: BigUint64Array,
    readonly b: BigUint64Array,
    readonly length: number,
  ) {
    if (a.length !== wordsFor(length) || b.length !== a.length) throw new UsageError(`bit share of ${length} bits needs ${wordsFor(length)} words per component`);
  }
}

// The share classes' maps outlive every query (keep-shape.ts): the kernels below embed them.
const NO_WORDS = new BigUint64Array(0);
keepShape(new AShare(NO_WORDS, NO_WORDS));
keepShape(new BShare(NO_WORDS, NO_WORDS));
keepShape(new BitShare(NO_WORDS, NO_WORDS, 0));

function sameLength(x: { length: number }, y: { length: number }): void {
  if (x.length !== y.length) throw new UsageError(`operands differ in length (${x.length} vs ${y.length})`);
}

// ---- arithmetic, local ----

export function addA(x: AShare, y: AShare): AShare {
  sameLength(x, y);
  const n = x.length, a = new BigUint64Array(n), b = new BigUint64Array(n);
  const xa = x.a, xb = x.b, ya = y.a, yb = y.b;
  for (let i = 0; i < n; i++) {
    a[i] = xa[i] + ya[i];
    b[i] = xb[i] + yb[i];
  }
  return new AShare(a, b);
}

export function subA(x: AShare, y: AShare): AShare {
  sameLength(x, y);
  const n = x.length, a = new BigUint64Array(n), b = new BigUint64Array(n);
  const xa = x.a, xb = x.b, ya = y.a, yb = y.b;
  for (let i = 0; i < n; i++) {
    a[i] = xa[i] - ya[i];
    b[i] = xb[i] - yb[i];
  }
  return new AShare(a, b);
}

export function negA(x: AShare): AShare {
  const n = x.length, a = new BigUint64Array(n), b = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = -x.a[i];
    b[i] = -x.b[i];
  }
  return new AShare(a, b);
}

/** Multiplies by a public scalar. */
export function scaleA(x: AShare, c: bigint): AShare {
  const k = BigInt.asUintN(64, c);
  const n = x.length, a = new BigUint64Array(n), b = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = x.a[i] * k;
    b[i] = x.b[i] * k;
  }
  return new AShare(a, b);
}

/** Multiplies element-wise by a public vector. */
export function mulPublicA(x: AShare, c: BigUint64Array): AShare {
  sameLength(x, c);
  const n = x.length, a = new BigUint64Array(n), b = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = x.a[i] * c[i];
    b[i] = x.b[i] * c[i];
  }
  return new AShare(a, b);
}

/** Inclusive prefix sums: linear, so each party sums its own components. */
export function prefixSumA(x: AShare): AShare {
  const n = x.length, a = new BigUint64Array(n), b = new BigUint64Array(n);
  const acc = new BigUint64Array(2);
  for (let i = 0; i < n; i++) {
    acc[0] += x.a[i];
    acc[1] += x.b[i];
    a[i] = acc[0];
    b[i] = acc[1];
  }
  return new AShare(a, b);
}

/** Sum of all elements, as a one-element share. */
export function sumA(x: AShare): AShare {
  const acc = new BigUint64Array(2);
  for (let i = 0; i < x.length; i++) {
    acc[0] += x.a[i];
    acc[1] += x.b[i];
  }
  return new AShare(acc.subarray(0, 1), acc.subarray(1, 2));
}

/** A rows × cols matrix stored by rows, transposed (cols × rows by rows), both components: local. */
export function transposeA(x: AShare, rows: number, cols: number): AShare {
  const out = AShare.zeros(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      out.a[j * rows + i] = x.a[i * cols + j];
      out.b[j * rows + i] = x.b[i * cols + j];
    }
  }
  return out;
}

export function concatA(parts: readonly AShare[]): AShare {
  let n = 0;
  for (const p of parts) n += p.length;
  const a = new BigUint64Array(n), b = new BigUint64Array(n);
  let o = 0;
  for (const p of parts) {
    a.set(p.a, o);
    b.set(p.b, o);
    o += p.length;
  }
  return new AShare(a, b);
}

/** Splits a share into consecutive pieces (views). */
export function splitA(x: AShare, lengths: readonly number[]): AShare[] {
  const out: AShare[] = [];
  let o = 0;
  for (const n of lengths) {
    out.push(x.slice(o, o + n));
    o += n;
  }
  if (o !== x.length) throw new UsageError(`split lengths sum to ${o}, share has ${x.length}`);
  return out;
}

// ---- binary, local ----

export function xorB(x: BShare, y: BShare): BShare {
  sameLength(x, y);
  const n = x.length, a = new BigUint64Array(n), b = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = x.a[i] ^ y.a[i];
    b[i] = x.b[i] ^ y.b[i];
  }
  return new BShare(a, b);
}

export function xorBits(x: BitShare, y: BitShare): BitShare {
  return xorBitsInto(x, y, new BigUint64Array(x.a.length), new BigUint64Array(x.a.length));
}

/** xorBits into the components `a` and `b` (every word overwritten). */
export function xorBitsInto(x: BitShare, y: BitShare, a: BigUint64Array, b: BigUint64Array): BitShare {
  sameLength(x, y);
  const n = x.a.length;
  if (a.length !== n || b.length !== n) throw new UsageError(`xorBitsInto: outputs of ${a.length} and ${b.length} words for ${n}`);
  for (let i = 0; i < n; i++) {
    a[i] = x.a[i] ^ y.a[i];
    b[i] = x.b[i] ^ y.b[i];
  }
  return new BitShare(a, b, x.length);
}

export function concatBits(parts: readonly BitShare[]): BitShare {
  let n = 0;
  for (const p of parts) n += p.length;
  const a = new BigUint64Array(wordsFor(n)), b = new BigUint64Array(wordsFor(n));
  let o = 0;
  for (const p of parts) {
    appendBits(a, o, p.a, p.length);
    appendBits(b, o, p.b, p.length);
    o += p.length;
  }
  return new BitShare(a, b, n);
}

/** Copies `n` packed bits from `src` into `dst` starting at bit `offset`. */
export function appendBits(dst: BigUint64Array, offset: number, src: BigUint64Array, n: number): void {
  const shift = BigInt(offset & 63);
  const base = offset >>> 6;
  const words = wordsFor(n);
  if (shift === 0n) {
    for (let k = 0; k < words; k++) dst[base + k] |= src[k];
  } else {
    const back = 64n - shift;
    for (let k = 0; k < words; k++) {
      const w = src[k];
      dst[base + k] |= w << shift;
      if (base + k + 1 < dst.length) dst[base + k + 1] |= w >> back;
    }
  }
}

/** Bits [start, start+n) of a packed bit share, as a new share. */
export function sliceBits(x: BitShare, start: number, n: number): BitShare {
  return new BitShare(extractBits(x.a, start, n), extractBits(x.b, start, n), n);
}

export function extractBits(src: BigUint64Array, start: number, n: number): BigUint64Array {
  return extractBitsInto(new BigUint64Array(wordsFor(n)), src, start, n);
}

/** extractBits into `out` (wordsFor(n) words, every one overwritten). */
export function extractBitsInto(out: BigUint64Array, src: BigUint64Array, start: number, n: number): BigUint64Array {
  if (out.length !== wordsFor(n)) throw new UsageError(`extractBitsInto: ${out.length} words for ${n} bits`);
  const shift = BigInt(start & 63);
  const base = start >>> 6;
  for (let k = 0; k < out.length; k++) {
    let w = src[base + k] >> shift;
    if (shift !== 0n && base + k + 1 < src.length) w |= src[base + k + 1] << (64n - shift);
    out[k] = w;
  }
  clearTail(out, n);
  return out;
}
