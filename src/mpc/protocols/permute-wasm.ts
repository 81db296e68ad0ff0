/**
 * The shuffle's passes (permute-masked.ts) and draws (permutation.ts) run by a WebAssembly kernel
 * (wasm/permute-kernels.c, compiled into permute-kernels-wasm.ts), on working memory that lives in
 * the kernel's linear memory for the whole shuffle: an arena.
 *
 * Why: V8 runs a gather over BigUint64Array at ~4–5 ns per row (a bounds check and a BigInt
 * lowering per access), wasm's i64 loads at ~2 ns; the fused gather, mask and scatter of a party
 * that applies two permutations in a row went from 8.1 to 3.8 ms per 2^20 rows, a gather with
 * its mask from 6.4 to 3.4 ms (in-thread, min of 25, docs/benchmarks.md s13-shuffle).
 *
 * An arena holds the two staging vectors (tmp, tmp2) and the index arrays of two permutations,
 * so both the scatter passes (JavaScript, writing through views) and the draws (into the index
 * views) fill it in place; only the mask chunks (Prg.chunks' 64 KiB, cache-hot) are copied in,
 * and the gathered rows out into the caller's vector, one chunk at a time. The shuffle awaits
 * between its passes, so an arena belongs to one shuffle from takeArena to giveArena: concurrent
 * shuffles of one process take different arenas. Memories are never grown (wasm-module.ts).
 */

import { UsageError } from '../../errors.js';
import type { Prg } from '../../crypto/prg.js';
import { PERMUTE_KERNELS_WASM } from './permute-kernels-wasm.js';
import type { Combine } from './permute-masked.js';
import type { DrawKernels, StagedPermutation } from './permutation.js';
import { BOUND_16 } from './uniform-draws.js';
import { compileModule, instanceOn, type WasmMemory } from './wasm-module.js';

/** Words per mask chunk: Prg.chunks' 64 KiB. */
const CHUNK = 8192;
/** Buckets of a staged permutation at most (permutation.ts MAX_BUCKETS). */
const MAX_BUCKETS = 256;
const PAGE_BYTES = 65_536;
/**
 * Rows an arena serves at most (~37 bytes per row: ~1.2 GiB at 2^25); longer columns use the
 * JavaScript passes. Tests lower it to run those passes on short columns.
 */
export const arenaLimit = { rows: 1 << 25 };
/** Arenas kept for the next shuffles, the largest: three parties in one process shuffle at once. */
const KEEP = 3;

type Args = number[];
interface Kernels {
  readonly gather: Readonly<Record<Combine, (...a: Args) => void>>;
  readonly gatherScatter: Readonly<Record<Combine, (...a: Args) => void>>;
  readonly addSub: (...a: Args) => void;
  readonly xorXor: (...a: Args) => void;
  readonly scatter: (...a: Args) => void;
  readonly scatterPair: Readonly<Record<'add' | 'xor', (...a: Args) => void>>;
  readonly layOut: (...a: Args) => void;
  readonly drawSmall: (...a: Args) => number;
}

/** Units a draw of n rows reads ahead (uniform-draws.ts), plus room for its refills below BOUND_16. */
const unitsFor = (n: number): number => 4 * Math.ceil((n + (n >>> 4) + 64) / 4) + 2 * BOUND_16 + 136;

let compiled: object | undefined;

/**
 * One shuffle's working memory in its own wasm instance, and the passes and draw kernels that run
 * on it (the arena is the DrawKernels of permutation.ts). Sized for `rows` rows; serves any
 * shorter column too (views are cut to n by the caller).
 */
export class PermuteArena implements DrawKernels {
  readonly rows: number;
  readonly region: Uint16Array;
  readonly cursor: Int32Array;
  private readonly bucketBytes: Uint8Array;
  private readonly starts: Int32Array;
  private readonly next: Int32Array;
  readonly tmp: BigUint64Array;
  readonly tmp2: BigUint64Array;
  private readonly indexArrays: readonly [Int32Array, Int32Array];
  private readonly m: BigUint64Array;
  private readonly minus: BigUint64Array;
  private readonly out: BigUint64Array;
  private readonly memory: WasmMemory;
  private readonly k: Kernels;

  constructor(rows: number) {
    this.rows = rows;
    const bucketBytes = 8 * Math.ceil(rows / 8), units = unitsFor(rows);
    const bytes = 32 * rows + 3 * 8 * CHUNK + bucketBytes + 2 * units + 4 * (2 * MAX_BUCKETS + 3); // + alignment of the ints
    compiled ??= compileModule(PERMUTE_KERNELS_WASM);
    const { exports: e, memory } = instanceOn(compiled, Math.ceil(bytes / PAGE_BYTES));
    this.memory = memory;
    const f = (name: string): ((...a: Args) => void) => e[name] as (...a: Args) => void;
    this.k = {
      gather: { add: f('gather_add'), sub: f('gather_sub'), xor: f('gather_xor') },
      gatherScatter: { add: f('gather_add_scatter'), sub: f('gather_sub_scatter'), xor: f('gather_xor_scatter') },
      scatter: f('scatter'),
      scatterPair: { add: f('scatter_add'), xor: f('scatter_xor') },
      addSub: f('gather_add_sub'),
      xorXor: f('gather_xor_xor'),
      layOut: f('lay_out'),
      drawSmall: e.draw_small as (...a: Args) => number,
    };
    const buf = this.memory.buffer;
    // Layout (bytes): tmp 8n, tmp2 8n, two index arrays of 2n entries, three chunks, then the
    // draws' keystream (bucket bytes, units) and the buckets' starts and write heads.
    this.tmp = new BigUint64Array(buf, 0, rows);
    this.tmp2 = new BigUint64Array(buf, 8 * rows, rows);
    this.indexArrays = [new Int32Array(buf, 16 * rows, 2 * rows), new Int32Array(buf, 24 * rows, 2 * rows)];
    const chunks = 32 * rows;
    this.m = new BigUint64Array(buf, chunks, CHUNK);
    this.minus = new BigUint64Array(buf, chunks + 8 * CHUNK, CHUNK);
    this.out = new BigUint64Array(buf, chunks + 16 * CHUNK, CHUNK);
    const draws = chunks + 24 * CHUNK;
    this.bucketBytes = new Uint8Array(buf, draws, bucketBytes);
    this.region = new Uint16Array(buf, draws + bucketBytes, units);
    const ints = draws + bucketBytes + 2 * units + ((2 * units) % 4);
    this.starts = new Int32Array(buf, ints, MAX_BUCKETS + 1);
    this.next = new Int32Array(buf, ints + 4 * (MAX_BUCKETS + 1), MAX_BUCKETS);
    this.cursor = new Int32Array(buf, ints + 4 * (2 * MAX_BUCKETS + 1), 1);
  }

  /** DrawKernels (permutation.ts): the bucket bytes drawn here, the rows laid out in wasm. */
  layOut(prg: Prg, n: number, buckets: number, place: Int32Array): Int32Array {
    const bytes = this.bucketBytes.subarray(0, 8 * Math.ceil(n / 8));
    prg.fill(bytes);
    const starts = this.starts.subarray(0, buckets + 1);
    starts.fill(0);
    this.next.fill(0, 0, buckets);
    this.k.layOut(bytes.byteOffset, n, buckets - 1, starts.byteOffset, this.next.byteOffset, this.address(place));
    return starts;
  }

  /** SmallDraws (uniform-draws.ts): drawSmall in wasm, on slots and units in this arena. */
  drawSmall(slots: Int32Array, start: number, k: number, small: number, units: Uint16Array): number {
    return this.k.drawSmall(this.address(slots), start, k, small, this.address(units), units.length, this.cursor.byteOffset);
  }

  /** Touches every page of the arena's memory once (a start-up warm-up's pre-fault); returns its bytes. */
  touch(): number {
    const bytes = new Uint8Array(this.memory.buffer);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = 0;
    return bytes.length;
  }

  /** Memory for drawPermutation's two index arrays (2n entries), one of two slots; the arena is its kernels. */
  indices(slot: 0 | 1): Int32Array {
    return this.indexArrays[slot];
  }

  /**
   * permute-masked.ts gatherMaskedRows with tmp and p's index arrays in this arena: out[offset + j]
   * = tmp[local[j]] combined with mask word j (and minus `minus[offset + j]`) for rows [from, to).
   */
  gatherMaskedRows(tmp: BigUint64Array, p: StagedPermutation, out: BigUint64Array, offset: number, prg: Prg, combine: Combine, from: number, to: number, minus?: BigUint64Array): void {
    const t = this.address(tmp), local = this.address(p.local);
    const m = this.m, mi = this.minus, o = this.out, k = this.k;
    const gather = k.gather[combine], two = combine === 'xor' ? k.xorXor : k.addSub;
    const at0 = offset + from;
    prg.chunks(to - from, (chunk, at) => {
      const c = chunk.length;
      m.set(chunk);
      if (minus === undefined) gather(t, local + 4 * (from + at), o.byteOffset, m.byteOffset, c);
      else {
        mi.set(minus.subarray(at0 + at, at0 + at + c));
        two(t, local + 4 * (from + at), o.byteOffset, m.byteOffset, mi.byteOffset, c);
      }
      out.set(c === CHUNK ? o : o.subarray(0, c), at0 + at);
    });
  }

  /** permute-masked.ts gatherMaskedScatter with tmp, tmp2 and both permutations in this arena. */
  gatherMaskedScatter(tmp: BigUint64Array, p: StagedPermutation, prg: Prg, combine: Combine, next: StagedPermutation, tmp2: BigUint64Array): void {
    const t = this.address(tmp), local = this.address(p.local), place = this.address(next.place), t2 = this.address(tmp2);
    const m = this.m, scatter = this.k.gatherScatter[combine];
    prg.chunks(p.n, (chunk, at) => {
      m.set(chunk);
      scatter(t, local + 4 * at, place + 4 * at, t2, m.byteOffset, chunk.length);
    });
  }

  /**
   * permute-masked.ts scatterRows with place and tmp in this arena: tmp[place[row + i]] =
   * src[offset + i] for i < count, src (a received block) copied in a chunk at a time.
   */
  scatterRows(src: BigUint64Array, offset: number, place: Int32Array, row: number, count: number, tmp: BigUint64Array): void {
    const t = this.address(tmp), at = this.address(place) + 4 * row, m = this.m, scatter = this.k.scatter;
    for (let i = 0; i < count; i += CHUNK) {
      const c = Math.min(CHUNK, count - i);
      m.set(src.subarray(offset + i, offset + i + c));
      scatter(m.byteOffset, at + 4 * i, t, c);
    }
  }

  /** permute-masked.ts scatterSum with place and tmp in this arena (a and b copied in by chunks). */
  scatterSum(a: BigUint64Array, b: BigUint64Array, place: Int32Array, tmp: BigUint64Array, xor: boolean): void {
    const t = this.address(tmp), p = this.address(place), m = this.m, mi = this.minus, pair = this.k.scatterPair[xor ? 'xor' : 'add'];
    const n = place.length;
    for (let i = 0; i < n; i += CHUNK) {
      const c = Math.min(CHUNK, n - i);
      m.set(a.subarray(i, i + c));
      mi.set(b.subarray(i, i + c));
      pair(m.byteOffset, mi.byteOffset, p + 4 * i, t, c);
    }
  }

  /** A view's byte address in the arena's memory (a view of any other memory is a caller's bug). */
  private address(v: BigUint64Array | Int32Array | Uint16Array): number {
    if (v.buffer !== this.memory.buffer) throw new UsageError('permute-wasm: a vector outside the arena');
    return v.byteOffset;
  }
}

const free: PermuteArena[] = [];

/** An arena for a shuffle of n rows (undefined above arenaLimit.rows), the smallest free one that fits. */
export function takeArena(n: number): PermuteArena | undefined {
  if (n > arenaLimit.rows) return undefined;
  let best = -1;
  for (let i = 0; i < free.length; i++) if (free[i].rows >= n && (best < 0 || free[i].rows < free[best].rows)) best = i;
  return best >= 0 ? free.splice(best, 1)[0] : new PermuteArena(n);
}

/** Gives an arena back once its shuffle is done; only the largest few are kept. */
export function giveArena(a: PermuteArena): void {
  free.push(a);
  if (free.length > KEEP) {
    free.sort((x, y) => y.rows - x.rows);
    free.length = KEEP;
  }
}

/**
 * Makes an arena for `rows` rows with its pages faulted in and keeps it for the next shuffle (a
 * node's start-up warm-up): a first query's shuffle of up to that many rows then touches no fresh
 * page, as its staging vectors did when they came from the scratch pool's reserve. Returns the
 * bytes touched.
 */
export function prefaultArena(rows: number): number {
  const arena = takeArena(rows);
  if (arena === undefined) return 0;
  const bytes = arena.touch();
  giveArena(arena);
  return bytes;
}
