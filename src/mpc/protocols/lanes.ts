/**
 * Packed lanes: 8, 16 or 32-bit elements, 64 / lane of them per word, for binary circuits on
 * values known to be narrow (compare-narrow.ts, convert-narrow.ts). Lane q of word i holds
 * element q * N + i, where N is the number of words (each lane is one contiguous run of
 * elements: packing and unpacking are plain loops, and the carry tree's layout, carry-tree.ts).
 */

import { POW2 } from '../../ring/bitops.js';

export type LaneWidth = 8 | 16 | 32;

/** The narrowest lane that holds `bits` bits (at most 32). */
export function laneWidth(bits: number): LaneWidth {
  return bits <= 8 ? 8 : bits <= 16 ? 16 : 32;
}

/** `pattern` (one lane's bits) repeated in every lane of a word. */
export function everyLane(pattern: bigint, lane: LaneWidth): bigint {
  let out = 0n;
  for (let q = 0; q < 64; q += lane) out |= pattern << BigInt(q);
  return out;
}

/**
 * out lane q of word i = (x - y)[q * N + i] mod 2^lane (x alone when y is undefined); words past
 * the elements are zero. Plain loops over typed arrays: V8 compiles them without boxing the
 * BigInts; a left shift by a variable is a multiplication by 2^k (ring/bitops.ts).
 */
export function packLanes(x: BigUint64Array, y: BigUint64Array | undefined, lane: LaneWidth, N: number, out: BigUint64Array): void {
  const mask = (1n << BigInt(lane)) - 1n;
  out.fill(0n);
  const n = x.length;
  for (let q = 0, from = 0; from < n; q++, from += N) {
    const to = Math.min(n, from + N), up = POW2[q * lane];
    if (y) for (let i = from; i < to; i++) out[i - from] |= ((x[i] - y[i]) & mask) * up;
    else for (let i = from; i < to; i++) out[i - from] |= (x[i] & mask) * up;
  }
}

/** One element per word (the lane's bits, zero above) from packed lanes: integer reads of the words' bytes. */
export function unpackLanes(packed: BigUint64Array, lane: LaneWidth, n: number, N: number): BigUint64Array {
  const out = new BigUint64Array(n);
  const dst = new Uint32Array(out.buffer, out.byteOffset, 2 * n);
  const per = 64 / lane;
  const src = lane === 8 ? new Uint8Array(packed.buffer, packed.byteOffset, packed.length * 8) : lane === 16 ? new Uint16Array(packed.buffer, packed.byteOffset, packed.length * 4) : new Uint32Array(packed.buffer, packed.byteOffset, packed.length * 2);
  // Little-endian: lane q of word i is entry i * per + q of the lane-sized view.
  for (let q = 0, from = 0; from < n; q++, from += N) {
    const to = Math.min(n, from + N);
    for (let e = from; e < to; e++) dst[2 * e] = src[(e - from) * per + q];
  }
  return out;
}

/**
 * out lanes of elements [at, at + count) |= (plus - minus + constant) mod 2^lane (an absent
 * operand counts as 0): a difference packed straight from its operands, without a vector of its
 * own (ops/predicate.ts). `out` must be zero in those lanes.
 */
export function packDifference(out: BigUint64Array, at: number, count: number, plus: BigUint64Array | undefined, minus: BigUint64Array | undefined, constant: bigint, lane: LaneWidth, N: number): void {
  const mask = (1n << BigInt(lane)) - 1n;
  for (let e = at; e < at + count; ) {
    const q = Math.floor(e / N), end = Math.min(at + count, (q + 1) * N);
    differenceKernel(out, e - q * N, plus, minus, e - at, end - e, constant, mask, POW2[q * lane]);
    e = end;
  }
}

function differenceKernel(out: BigUint64Array, o: number, plus: BigUint64Array | undefined, minus: BigUint64Array | undefined, from: number, len: number, c: bigint, mask: bigint, up: bigint): void {
  if (plus && minus) for (let i = 0; i < len; i++) out[o + i] |= ((plus[from + i] - minus[from + i] + c) & mask) * up;
  else if (plus) for (let i = 0; i < len; i++) out[o + i] |= ((plus[from + i] + c) & mask) * up;
  else if (minus) for (let i = 0; i < len; i++) out[o + i] |= ((c - minus[from + i]) & mask) * up;
  else for (let i = 0; i < len; i++) out[o + i] |= (c & mask) * up;
}
