/**
 * Vectors over the ring Z_2^64, stored in BigUint64Array.
 *
 * Stores into a BigUint64Array wrap modulo 2^64 by themselves, so loops write `a[i] + b[i]`
 * without BigInt.asUintN: V8 lowers such monomorphic loops to native 64-bit arithmetic.
 * Never carry a BigInt accumulator across iterations (it would allocate); accumulate into
 * a one-element BigUint64Array instead.
 */

export type Z64 = BigUint64Array;

export const RING_BITS = 64;
export const MASK64 = (1n << 64n) - 1n;

export function zeros(n: number): Z64 {
  return new BigUint64Array(n);
}

/**
 * A fresh vector of n words whose contents are whatever the allocator left there (earlier data
 * of this process, possibly secret): only for a caller that overwrites every word before anything
 * reads it or it leaves the function. Skips the zero-fill, which on a 2^20-word share vector is
 * ~5 % of a multiplication's local work (docs/benchmarks.md, "s6-mul").
 */
export function uninitializedWords(n: number): Z64 {
  const b = Buffer.allocUnsafeSlow(8 * n);
  return new BigUint64Array(b.buffer, b.byteOffset, n);
}

export function fromBigInts(values: readonly bigint[]): Z64 {
  const out = new BigUint64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt.asUintN(64, values[i]);
  return out;
}

/** Interprets ring elements as two's-complement signed 64-bit integers. */
export function toSigned(v: Z64): bigint[] {
  const out = new Array<bigint>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = BigInt.asIntN(64, v[i]);
  return out;
}

export function add(a: Z64, b: Z64, out: Z64 = new BigUint64Array(a.length)): Z64 {
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

export function sub(a: Z64, b: Z64, out: Z64 = new BigUint64Array(a.length)): Z64 {
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

export function neg(a: Z64, out: Z64 = new BigUint64Array(a.length)): Z64 {
  for (let i = 0; i < a.length; i++) out[i] = -a[i];
  return out;
}

export function mulScalar(a: Z64, c: bigint, out: Z64 = new BigUint64Array(a.length)): Z64 {
  const k = BigInt.asUintN(64, c);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * k;
  return out;
}

export function addScalar(a: Z64, c: bigint, out: Z64 = new BigUint64Array(a.length)): Z64 {
  const k = BigInt.asUintN(64, c);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + k;
  return out;
}

/** Element-wise product modulo 2^64 (plaintext; used by references and public operands). */
export function mul(a: Z64, b: Z64, out: Z64 = new BigUint64Array(a.length)): Z64 {
  for (let i = 0; i < a.length; i++) out[i] = a[i] * b[i];
  return out;
}

export function sum(a: Z64): bigint {
  const acc = new BigUint64Array(1);
  for (let i = 0; i < a.length; i++) acc[0] += a[i];
  return acc[0];
}

/** Inclusive prefix sums modulo 2^64. */
export function prefixSum(a: Z64, out: Z64 = new BigUint64Array(a.length)): Z64 {
  const acc = new BigUint64Array(1);
  for (let i = 0; i < a.length; i++) {
    acc[0] += a[i];
    out[i] = acc[0];
  }
  return out;
}

/** Arithmetic shift right by `bits` of each element read as signed (floor division by 2^bits). */
export function shiftRightSigned(a: Z64, bits: number, out: Z64 = new BigUint64Array(a.length)): Z64 {
  const s = BigInt(bits);
  for (let i = 0; i < a.length; i++) out[i] = BigInt.asUintN(64, BigInt.asIntN(64, a[i]) >> s);
  return out;
}

export function equal(a: Z64, b: Z64): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Copies `src` into a fresh array (a buffer handed to a transport must not be written again). */
export function copy(src: Z64): Z64 {
  return src.slice();
}

/** Concatenates vectors, so that independent work shares one network round. */
export function concat(parts: readonly Z64[]): Z64 {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new BigUint64Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Splits a vector into consecutive views of the given lengths (no copies). */
export function split(v: Z64, lengths: readonly number[]): Z64[] {
  const out: Z64[] = [];
  let o = 0;
  for (const n of lengths) {
    out.push(v.subarray(o, o + n));
    o += n;
  }
  if (o !== v.length) throw new RangeError(`split: lengths sum to ${o}, vector has ${v.length}`);
  return out;
}

/** Views the bytes of a vector (for transports). */
export function asBytes(v: Z64): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** Views received bytes as ring elements; copies only when the bytes are not 8-aligned. */
export function fromBytes(bytes: Uint8Array): Z64 {
  // Each read once: in node 20 a typed array's length and offset are calls even in optimized code,
  // and this runs for every message a protocol receives.
  const n = bytes.byteLength;
  const offset = bytes.byteOffset;
  if (n % 8 !== 0) throw new RangeError(`fromBytes: ${n} bytes is not a whole number of 64-bit words`);
  if (offset % 8 === 0) return new BigUint64Array(bytes.buffer, offset, n / 8);
  const out = new BigUint64Array(n / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
