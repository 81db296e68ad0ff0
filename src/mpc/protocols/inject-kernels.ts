/**
 * The element loops of bit injection (inject.ts), one per role, run by a WebAssembly kernel
 * (wasm/inject-kernels.c, compiled into inject-kernels-wasm.ts).
 *
 * Why: in V8 each of the injection's BigUint64Array loops (the bits widened to masks, then
 * d (1 - 2 rho) - r01 + r02 and the like) costs a few ns per element, ~15 % of a 100-level
 * group-by's CPU in the node processes (s8-onehot's profile); wasm's i64 instructions read the
 * bits straight from the packed words and do the arithmetic at well under 1 ns.
 *
 * The vectors live in JavaScript memory, so elements go through the kernel's linear memory in
 * chunks of CHUNK (L1/L2-sized): the chunk's operands are copied in, the bits' words too (as the
 * BitShares hold them, with the bit offset passed along), the results copied out. The memory is
 * used synchronously, so concurrent sessions never share it mid-computation. Nothing depends on
 * the data but values.
 */

import { INJECT_KERNELS_WASM } from './inject-kernels-wasm.js';
import { sizedKernels } from './wasm-module.js';
import type { BitShare } from '../shares.js';

/** Elements per chunk: 64 KiB per vector, a multiple of 64. */
const CHUNK = 8192;
/** Bit words per chunk and component: a chunk's bits may start anywhere in a word. */
const BIT_WORDS = CHUNK / 64 + 2;

type Pointers = (number | bigint)[];
interface Kernels {
  readonly first: (...args: Pointers) => void;
  readonly second: (...args: Pointers) => void;
  readonly third: (...args: Pointers) => void;
}

/** The kernel on a memory of at least `bytes` (wasm-module.ts: a fresh one when larger, never grown). */
const instance = sizedKernels(INJECT_KERNELS_WASM, (e): Kernels => ({ first: e.first as Kernels['first'], second: e.second as Kernels['second'], third: e.third as Kernels['third'] }));
type Kernel = ReturnType<typeof instance>;

/** Bits [start, start + length) of the concatenation of `bits`, component a, b or both. */
export interface BitRange {
  readonly bits: readonly BitShare[];
  readonly start: number;
  readonly which: 'a' | 'b' | 'both';
}

/**
 * Runs `call` over chunks: each input's chunk copied into the kernel's memory, then for every
 * BitShare the chunk overlaps, its words copied in and `call(outs, ins, bitsA, bitsB, off, at, count)`
 * with byte addresses (vectors offset to element `at` of the chunk), then the outputs copied out.
 */
function chunked(outputs: readonly BigUint64Array[], inputs: readonly BigUint64Array[], range: BitRange, call: (k: Kernel, outs: number[], ins: number[], bitsA: number, bitsB: number, off: number, count: number) => void): void {
  const length = outputs[0].length;
  if (length === 0) return;
  const O = outputs.length, I = inputs.length;
  // Layout (words): outputs, inputs, then the bits of components a and b.
  const bitsA = (O + I) * CHUNK, bitsB = bitsA + BIT_WORDS;
  const k = instance(8 * (bitsB + BIT_WORDS));
  const mem = new BigUint64Array(k.memory.buffer);
  for (let c0 = 0; c0 < length; c0 += CHUNK) {
    const c1 = Math.min(length, c0 + CHUNK);
    inputs.forEach((v, i) => mem.set(v.subarray(c0, c1), (O + i) * CHUNK));
    // Chunk elements c0..c1-1 are bits range.start + c0 .. of the concatenation.
    const from = range.start + c0, to = range.start + c1;
    let offset = 0;
    for (const b of range.bits) {
      const lo = Math.max(from, offset), hi = Math.min(to, offset + b.length);
      if (lo < hi) {
        const first = (lo - offset) >>> 6, last = (hi - offset - 1) >>> 6;
        if (range.which !== 'b') mem.set(b.a.subarray(first, last + 1), bitsA);
        if (range.which !== 'a') mem.set(b.b.subarray(first, last + 1), range.which === 'both' ? bitsB : bitsA);
        const at = lo - from;
        call(k, outputs.map((_, o) => 8 * (o * CHUNK + at)), inputs.map((_, i) => 8 * ((O + i) * CHUNK + at)), 8 * bitsA, 8 * bitsB, lo - offset - 64 * first, hi - lo);
      }
      offset += b.length;
    }
    outputs.forEach((v, o) => v.set(mem.subarray(o * CHUNK, o * CHUNK + (c1 - c0)), c0));
  }
}

/** As party P: z0 = d1 (1 - 2 rho) - r01 + r02 and a = z0 + rho, rho the bits of `range` (component a). */
export function firstRole(z0: BigUint64Array, a: BigUint64Array, d1: BigUint64Array, r01: BigUint64Array, r02: BigUint64Array, range: BitRange): void {
  chunked([z0, a], [d1, r01, r02], range, (k, [z, x], [d, r1, r2], bits, _, off, count) => k.first(z, x, d, r1, r2, bits, off, count));
}

/** As party Q: d2 = d - d1, d = c1 ^ c2 the bits of `range` (which 'both'). */
export function secondRole(d2: BigUint64Array, d1: BigUint64Array, range: BitRange): void {
  chunked([d2], [d1], range, (k, [out], [d], bitsA, bitsB, off, count) => k.second(out, d, bitsA, bitsB, off, count));
}

/** As party R: z2 = d2 (1 - 2 rho) - r02 and b = z0 + rho, rho the bits of `range` (component b). */
export function thirdRole(z2: BigUint64Array, b: BigUint64Array, d2: BigUint64Array, z0: BigUint64Array, r02: BigUint64Array, range: BitRange): void {
  chunked([z2, b], [d2, z0, r02], range, (k, [z, y], [d, z0p, r2], bits, _, off, count) => k.third(z, y, d, z0p, r2, bits, off, count));
}
