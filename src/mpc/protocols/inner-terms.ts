/**
 * The local terms of inner products (inner-products.ts), computed by a WebAssembly kernel
 * (wasm/inner-terms.c, compiled into inner-terms-wasm.ts).
 *
 * Why: V8 runs a BigUint64Array product loop at ~3 ns per local term (two 64-bit products and
 * two additions), while the same loop compiled to wasm's i64 instructions runs at ~1 ns; a
 * 100-level group-by computes ~130 terms per row (measured in-thread on 12 × 11 vectors of
 * 72,000 rows: 24–34 ms in JavaScript against 10–12 ms in wasm, its copies included).
 *
 * The vectors live in JavaScript memory, so rows go through the kernel's linear memory in chunks
 * sized to stay in the L2 cache (CHUNK_WORDS): each chunk's components are copied in (a memcpy,
 * then read from cache), the kernel adds the chunk's terms to the accumulators kept there. The
 * memory is replaced by a larger one only to fit the accumulators and one chunk (never grown:
 * instance()); it is used synchronously, so concurrent sessions never share it mid-computation. Nothing depends on the data but values.
 */

import { INNER_TERMS_WASM } from './inner-terms-wasm.js';
import type { AShare } from '../shares.js';

/** Words of left and right components per chunk (1 MiB): small enough for L2, large enough to amortise calls. */
const CHUNK_WORDS = 1 << 17;
/** Rows per chunk at least, however many vectors (fewer rows would spend the time on the copies' calls). */
const MIN_CHUNK = 256;
const PAGE_BYTES = 65_536;

/** The few WebAssembly JS-API members used here (the project's TypeScript libraries do not declare them). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Table: new (descriptor: { initial: number; element: 'anyfunc' }) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface Kernel {
  readonly memory: WasmMemory;
  readonly chunkTerms: (acc: number, totals: number, x: number, y: number, l: number, r: number, c: number) => void;
}

let kernel: Kernel | undefined;
let compiled: object | undefined;

/**
 * A kernel whose memory holds `bytes`. A larger need gets a fresh memory and instance, never
 * `memory.grow`: growing detaches the memory's previous ArrayBuffer, and the first detach in a
 * process invalidates V8's ArrayBufferDetaching protector, which deoptimizes at once every
 * optimized function that touches a typed array (the start-up warm-up's kernels among them, so a
 * node's first filter compiled them again) and makes all later typed-array code check for
 * detached buffers (docs/benchmarks.md "s9-firstquery"). Sizes are rounded up to a power of two
 * pages, so a node makes a handful of instances in its life.
 */
function instance(bytes: number): Kernel {
  if (kernel && kernel.memory.buffer.byteLength >= bytes) return kernel;
  compiled ??= new wasm.Module(Buffer.from(INNER_TERMS_WASM, 'base64'));
  const pages = 2 ** Math.ceil(Math.log2(Math.max(1, Math.ceil(bytes / PAGE_BYTES))));
  const memory = new wasm.Memory({ initial: pages });
  const table = new wasm.Table({ initial: 0, element: 'anyfunc' });
  const exports = new wasm.Instance(compiled, { env: { __linear_memory: memory, __indirect_function_table: table } }).exports;
  kernel = { memory, chunkTerms: exports.chunkTerms as Kernel['chunkTerms'] };
  return kernel;
}

/**
 * z[i * right.length + j] += Σ_k left[i].a[k] · (right[j].a[k] + right[j].b[k]) + left[i].b[k] · right[j].a[k]
 * (mod 2^64), for vectors of one length n. `rightTotals`, when given (2 · right.length words),
 * receives each right vector's own component sums: [2j] = Σ_k right[j].a[k], [2j + 1] = Σ_k right[j].b[k].
 */
export function addInnerTerms(z: BigUint64Array, left: readonly AShare[], right: readonly AShare[], n: number, rightTotals?: BigUint64Array): void {
  const R = right.length;
  rightTotals?.fill(0n);
  if (R === 0 || n === 0) return;
  // Many left vectors go through in batches, so that a chunk keeps at least MIN_CHUNK rows
  // (the copies' per-call overhead) within CHUNK_WORDS where the right side allows it.
  const batch = Math.max(1, Math.floor(CHUNK_WORDS / (2 * MIN_CHUNK)) - R);
  for (let i = 0; i < Math.max(1, left.length); i += batch) {
    const part = left.slice(i, i + batch);
    chunkedTerms(z.subarray(i * R, (i + part.length) * R), part, right, n, i === 0 ? rightTotals : undefined);
  }
}

function chunkedTerms(z: BigUint64Array, left: readonly AShare[], right: readonly AShare[], n: number, rightTotals: BigUint64Array | undefined): void {
  const L = left.length, R = right.length;
  const chunk = Math.min(n, Math.max(MIN_CHUNK, Math.floor(CHUNK_WORDS / (2 * (L + R)))));
  // Layout (in words): accumulators, the right totals, then the left chunk (2L vectors), then the right (2R).
  const acc = 0, totals = L * R, x = totals + 2 * R, y = x + 2 * L * chunk;
  const k = instance(8 * (y + 2 * R * chunk));
  const mem = new BigUint64Array(k.memory.buffer);
  mem.set(z, acc);
  mem.fill(0n, totals, totals + 2 * R);
  for (let start = 0; start < n; start += chunk) {
    const c = Math.min(chunk, n - start), end = start + c;
    for (let i = 0; i < L; i++) {
      mem.set(left[i].a.subarray(start, end), x + 2 * i * c);
      mem.set(left[i].b.subarray(start, end), x + (2 * i + 1) * c);
    }
    for (let j = 0; j < R; j++) {
      mem.set(right[j].a.subarray(start, end), y + 2 * j * c);
      mem.set(right[j].b.subarray(start, end), y + (2 * j + 1) * c);
    }
    k.chunkTerms(8 * acc, 8 * totals, 8 * x, 8 * y, L, R, c);
  }
  z.set(mem.subarray(acc, acc + L * R));
  rightTotals?.set(mem.subarray(totals, totals + 2 * R));
}
