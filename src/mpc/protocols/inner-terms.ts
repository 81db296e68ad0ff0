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
 * wasm-module.ts); it is used synchronously, so concurrent sessions never share it mid-computation. Nothing depends on the data but values.
 */

import { INNER_TERMS_WASM } from './inner-terms-wasm.js';
import { UsageError } from '../../errors.js';
import { sizedKernels } from './wasm-module.js';
import type { AShare } from '../shares.js';

/** Words of left and right components per chunk (1 MiB): small enough for L2, large enough to amortise calls. */
const CHUNK_WORDS = 1 << 17;
/** Rows per chunk at least, however many vectors (fewer rows would spend the time on the copies' calls). */
const MIN_CHUNK = 256;
interface Kernel {
  readonly chunkTerms: (acc: number, totals: number, x: number, y: number, l: number, r: number, c: number) => void;
  readonly combine: (out: number, base: number, index: number, coef: number, terms: number, constant: bigint, c: number) => void;
  readonly productTerms: (z: number, xa: number, xb: number, y: number, r: number, c: number) => void;
}

/** The kernel on a memory of at least `bytes` (wasm-module.ts: a fresh one when larger, never grown). */
const instance = sizedKernels(INNER_TERMS_WASM, (e): Kernel => ({ chunkTerms: e.chunkTerms as Kernel['chunkTerms'], combine: e.combine as Kernel['combine'], productTerms: e.productTerms as Kernel['productTerms'] }));

/**
 * A right operand given as a public linear combination of base vectors: Σ coefficient · base[index]
 * plus, in each component, this party's part of a public constant (sharing.ts constantSlot).
 * Packed bins and a one-hot's derived last indicator (1 − Σ B_l) are such combinations: formed
 * in the kernel's memory chunk by chunk, they are never written to JavaScript memory.
 */
export interface RightCombination {
  readonly terms: readonly (readonly [base: number, coefficient: bigint])[];
  readonly constant?: { readonly a: bigint; readonly b: bigint };
}

/**
 * z[i * right.length + j] += Σ_k left[i].a[k] · (right[j].a[k] + right[j].b[k]) + left[i].b[k] · right[j].a[k]
 * (mod 2^64), for vectors of one length n. `rightTotals`, when given (2 · right.length words),
 * receives each right vector's own component sums: [2j] = Σ_k right[j].a[k], [2j + 1] = Σ_k right[j].b[k].
 */
export function addInnerTerms(z: BigUint64Array, left: readonly AShare[], right: readonly AShare[], n: number, rightTotals?: BigUint64Array): void {
  addCombinedInnerTerms(z, left, right, right.map((_, j) => ({ terms: [[j, 1n]] })), n, rightTotals);
}

/**
 * addInnerTerms with right[j] = the combination `rights[j]` of the `base` vectors (all of length n).
 * A combination that is one base vector as it is goes through as addInnerTerms' operands do.
 */
export function addCombinedInnerTerms(z: BigUint64Array, left: readonly AShare[], base: readonly AShare[], rights: readonly RightCombination[], n: number, rightTotals?: BigUint64Array): void {
  const R = rights.length;
  rightTotals?.fill(0n);
  for (const r of rights) for (const [i] of r.terms) if (!Number.isInteger(i) || i < 0 || i >= base.length) throw new UsageError(`addCombinedInnerTerms: a combination names base vector ${i} of ${base.length}`);
  if (R === 0 || n === 0) return;
  const spec = combinationSpec(rights);
  // Many left vectors go through in batches, so that a chunk keeps at least MIN_CHUNK rows
  // (the copies' per-call overhead) within CHUNK_WORDS where the right side allows it.
  const batch = Math.max(1, Math.floor(CHUNK_WORDS / (2 * MIN_CHUNK)) - R - spec.used.length);
  for (let i = 0; i < Math.max(1, left.length); i += batch) {
    const part = left.slice(i, i + batch);
    chunkedTerms(z.subarray(i * R, (i + part.length) * R), part, base, spec, n, i === 0 ? rightTotals : undefined);
  }
}

/** Which right vectors are a base vector as it is (`direct`), and the base vectors the others read, in their order in the chunk. */
interface CombinationSpec {
  readonly direct: readonly (number | undefined)[];
  readonly used: readonly number[];
  readonly combined: readonly { readonly right: number; readonly slots: readonly number[]; readonly coefficients: BigUint64Array; readonly constant: { readonly a: bigint; readonly b: bigint } }[];
}

function combinationSpec(rights: readonly RightCombination[]): CombinationSpec {
  const used: number[] = [];
  const slotOf = new Map<number, number>();
  const combined: CombinationSpec['combined'][number][] = [];
  const plain = (r: RightCombination): boolean => {
    const zero = r.constant === undefined || (BigInt.asUintN(64, r.constant.a) === 0n && BigInt.asUintN(64, r.constant.b) === 0n);
    return zero && r.terms.length === 1 && BigInt.asUintN(64, r.terms[0][1]) === 1n;
  };
  // A base vector that some combination reads is copied in once; a plain right operand of it is
  // then a one-term combination (a copy within the kernel's cache, not a second one from memory).
  const read = new Set(rights.filter((r) => !plain(r)).flatMap((r) => r.terms.map(([i]) => i)));
  const direct = rights.map((r, j) => {
    if (plain(r) && !read.has(r.terms[0][0])) return r.terms[0][0];
    const slots = r.terms.map(([i]) => {
      if (!slotOf.has(i)) {
        slotOf.set(i, used.length);
        used.push(i);
      }
      return slotOf.get(i)!;
    });
    const constant = { a: BigInt.asUintN(64, r.constant?.a ?? 0n), b: BigInt.asUintN(64, r.constant?.b ?? 0n) };
    combined.push({ right: j, slots, coefficients: BigUint64Array.from(r.terms, ([, c]) => BigInt.asUintN(64, c)), constant });
    return undefined;
  });
  return { direct, used, combined };
}

function chunkedTerms(z: BigUint64Array, left: readonly AShare[], base: readonly AShare[], spec: CombinationSpec, n: number, rightTotals: BigUint64Array | undefined): void {
  const L = left.length, R = spec.direct.length, U = spec.used.length;
  const chunk = Math.min(n, Math.max(MIN_CHUNK, Math.floor(CHUNK_WORDS / (2 * (L + R + U)))));
  // Layout (in words): accumulators, the right totals, the combinations' coefficients and base
  // indices (int32: T for the a components, then T for the b), then the left chunk (2L vectors), the right
  // (2R) and the base vectors the combinations read (2U).
  const T = spec.combined.reduce((acc, c) => acc + c.slots.length, 0);
  const acc = 0, totals = L * R, coefficients = totals + 2 * R, indices = coefficients + T, x = indices + T;
  const y = x + 2 * L * chunk, u = y + 2 * R * chunk;
  const k = instance(8 * (u + 2 * U * chunk));
  // The views are made after choosing the instance (a larger need gets a fresh memory).
  const mem = new BigUint64Array(k.memory.buffer);
  const index32 = new Int32Array(k.memory.buffer);
  mem.set(z, acc);
  mem.fill(0n, totals, totals + 2 * R);
  let t = 0;
  const terms = spec.combined.map((c) => {
    const at = t;
    mem.set(c.coefficients, coefficients + at);
    // Base vector s's component a is vector 2s of the base region, b is 2s + 1.
    c.slots.forEach((slot, q) => {
      index32[2 * indices + at + q] = 2 * slot;
      index32[2 * indices + T + at + q] = 2 * slot + 1;
    });
    t += c.slots.length;
    return at;
  });
  for (let start = 0; start < n; start += chunk) {
    const c = Math.min(chunk, n - start), end = start + c;
    for (let i = 0; i < L; i++) {
      mem.set(left[i].a.subarray(start, end), x + 2 * i * c);
      mem.set(left[i].b.subarray(start, end), x + (2 * i + 1) * c);
    }
    spec.direct.forEach((b, j) => {
      if (b === undefined) return;
      mem.set(base[b].a.subarray(start, end), y + 2 * j * c);
      mem.set(base[b].b.subarray(start, end), y + (2 * j + 1) * c);
    });
    spec.used.forEach((b, slot) => {
      mem.set(base[b].a.subarray(start, end), u + 2 * slot * c);
      mem.set(base[b].b.subarray(start, end), u + (2 * slot + 1) * c);
    });
    spec.combined.forEach((comb, q) => {
      const at = terms[q], count = comb.slots.length;
      k.combine(8 * (y + 2 * comb.right * c), 8 * u, 4 * (2 * indices + at), 8 * (coefficients + at), count, comb.constant.a, c);
      k.combine(8 * (y + (2 * comb.right + 1) * c), 8 * u, 4 * (2 * indices + T + at), 8 * (coefficients + at), count, comb.constant.b, c);
    });
    k.chunkTerms(8 * acc, 8 * totals, 8 * x, 8 * y, L, R, c);
  }
  z.set(mem.subarray(acc, acc + L * R));
  rightTotals?.set(mem.subarray(totals, totals + 2 * R));
}

/**
 * z[(i · right.length + j) · n + k] += left[i].a[k] · (right[j].a[k] + right[j].b[k]) + left[i].b[k] · right[j].a[k]
 * (mod 2^64): the local terms of every element-wise product left[i] · right[j] (arith.ts mulPairs),
 * through the kernel's memory in chunks like the inner products' (V8's loop: ~3 ns an element).
 */
export function addProductTerms(z: BigUint64Array, left: readonly AShare[], right: readonly AShare[], n: number): void {
  const R = right.length;
  if (R === 0 || n === 0) return;
  // Per chunk (words): the left vector's two components, the right's 2R, the outputs' R.
  const chunk = Math.min(n, Math.max(MIN_CHUNK, Math.floor(CHUNK_WORDS / (2 + 3 * R))));
  const x = 0, y = 2 * chunk, out = y + 2 * R * chunk;
  const k = instance(8 * (out + R * chunk));
  const mem = new BigUint64Array(k.memory.buffer);
  left.forEach((v, i) => {
    for (let start = 0; start < n; start += chunk) {
      const c = Math.min(chunk, n - start), end = start + c;
      mem.set(v.a.subarray(start, end), x);
      mem.set(v.b.subarray(start, end), x + c);
      for (let j = 0; j < R; j++) {
        mem.set(right[j].a.subarray(start, end), y + 2 * j * c);
        mem.set(right[j].b.subarray(start, end), y + (2 * j + 1) * c);
        const at = (i * R + j) * n;
        mem.set(z.subarray(at + start, at + end), out + j * c);
      }
      k.productTerms(8 * out, 8 * x, 8 * (x + c), 8 * y, R, c);
      for (let j = 0; j < R; j++) z.set(mem.subarray(out + j * c, out + (j + 1) * c), (i * R + j) * n + start);
    }
  });
}
