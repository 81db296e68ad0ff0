/**
 * The start-up warm-up of a node process (docs/system.md, "Start-up warm-up"): before the node
 * listens, it runs the warm-up workloads (workloads.ts) a few times in an in-process three-party
 * trio linked by the node's own stream framing over in-memory byte streams (stream-trio.ts) on
 * synthetic random tables, then the node-side paths (node-paths.ts). Before them it faults in
 * 32 MiB of the allocator's heap (prefault.ts, WARM_UP_PREFAULT_BYTES), which their collections
 * free for a first query, and sets aside the 224 MiB memory reserve (mpc/memory-reserve.ts,
 * WARM_UP_RESERVE_BYTES) that the node's pools and links fill from, so that a first query's pool
 * fills count no fresh memory for V8 and start no full collection; it also faults in a shuffle
 * arena for 1M rows (protocols/permute-wasm.ts).
 *
 * Why: V8 runs a function's first calls in its interpreter and compiles it only once it has run
 * hot, and a process touches fresh memory page by page; a node's first query used to pay both,
 * at up to twice the CPU of the same query run again (docs/benchmarks.md, "s8-warmup"). After
 * the warm-up the kernels are compiled and the allocator's heap has been faulted in.
 *
 * What it may touch: nothing stored, no key of the node, no network (the trio's links are
 * in-memory); randomness from node:crypto only (the trio's pairwise keys, the synthetic values).
 * It is bounded: a fixed list of small plans at a fixed size. A workload that fails is reported
 * and skipped: the warm-up only ever costs time, never a node's ability to serve.
 */

import { streamTrio } from './stream-trio.js';
import { execute } from '../../ops/execute.js';
import { checkPlan } from '../../plan/check.js';
import { decodeSyntheticColumn, sealSyntheticResult } from './node-paths.js';
import { MAX_PREFAULT_BYTES, prefaultHeap } from './prefault.js';
import { arenaLimit, prefaultArena } from '../../mpc/protocols/permute-wasm.js';
import { MAX_RESERVE_BYTES, MemoryReserve } from '../../mpc/memory-reserve.js';
import { syntheticReader } from './synthetic-reader.js';
import { warmUpWorkloads } from './workloads.js';

export interface WarmUpOptions {
  /** Rows of the synthetic tables (default WARM_UP_ROWS). */
  readonly rows?: number;
  /** How many times each workload runs (default WARM_UP_ROUNDS). */
  readonly rounds?: number;
  /** Bytes of allocator heap to fault in first (default WARM_UP_PREFAULT_BYTES; 0: none; prefault.ts). */
  readonly prefaultBytes?: number;
  /** Bytes of the memory reserve handed to the node's pools (default WARM_UP_RESERVE_BYTES; 0: none; mpc/memory-reserve.ts). */
  readonly reserveBytes?: number;
  /** Rows of the shuffle arena faulted in and kept (default WARM_UP_ARENA_ROWS; 0: none; protocols/permute-wasm.ts). */
  readonly arenaRows?: number;
}

export interface WarmUpStep {
  readonly name: string;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Why the step failed (the warm-up goes on with the next). */
  readonly error?: string;
}

export interface WarmUpReport {
  readonly rows: number;
  readonly rounds: number;
  readonly wallMs: number;
  /** CPU of the whole process meanwhile (V8's compiler threads included). */
  readonly cpuMs: number;
  readonly steps: readonly WarmUpStep[];
  /** The memory set aside for the node's pools (its scratch pool, its scan memory), when asked for. */
  readonly reserve?: MemoryReserve;
}

export const WARM_UP_ROWS = 1 << 13;
export const WARM_UP_ROUNDS = 1;
/**
 * About the fresh memory a first query at 1M rows takes in a node beside what its pools and links
 * take from the reserve (docs/benchmarks.md "s9-firstquery", "s12-firstq", "s13-firstq"): the two
 * together touch the 256 MiB the pre-fault alone touched before the reserve, so a start costs what it did.
 */
export const WARM_UP_PREFAULT_BYTES = 32 << 20;
/**
 * What a node's pools and links hold after a first query at 1M rows, with ~30 MB to spare for
 * the next kind of query: a group-by on a category keeps ~80 MB in its party's scratch pool,
 * 48 MB of scanned columns and ~40 MB of link buffers (receive buffers ~24 MB, two staging
 * buffers ~8 MB); 192 MiB left 1.4 MB on two nodes of three (docs/benchmarks.md, "s12-firstq",
 * "s13-firstq").
 */
export const WARM_UP_RESERVE_BYTES = 224 << 20;
/**
 * A shuffle's arena for 1M rows (~39 MB of wasm memory: staging vectors, index arrays, draw
 * keystream): what its passes took from the reserve before they ran in wasm (s13-shuffle).
 */
export const WARM_UP_ARENA_ROWS = 1 << 20;
/** The synthetic stored column decoded by the node-side step: 2 MiB, two read slices. */
const COLUMN_ROWS = 1 << 18;

export async function warmUp(options: WarmUpOptions = {}): Promise<WarmUpReport> {
  const rows = options.rows ?? WARM_UP_ROWS;
  const rounds = options.rounds ?? WARM_UP_ROUNDS;
  if (!Number.isSafeInteger(rows) || rows < 256 || !Number.isSafeInteger(rounds) || rounds < 1) throw new RangeError(`warm-up: rows must be a whole number ≥ 256 and rounds ≥ 1 (got ${rows}, ${rounds})`);
  const prefault = options.prefaultBytes ?? WARM_UP_PREFAULT_BYTES;
  if (!Number.isSafeInteger(prefault) || prefault < 0 || prefault > MAX_PREFAULT_BYTES) throw new RangeError(`warm-up: prefaultBytes must be a whole number from 0 to ${MAX_PREFAULT_BYTES} (got ${prefault})`);
  const reserveBytes = options.reserveBytes ?? WARM_UP_RESERVE_BYTES;
  if (!Number.isSafeInteger(reserveBytes) || reserveBytes < 0 || reserveBytes > MAX_RESERVE_BYTES || reserveBytes % 8 !== 0) throw new RangeError(`warm-up: reserveBytes must be a whole number of 8-byte words from 0 to ${MAX_RESERVE_BYTES} (got ${reserveBytes})`);
  const arenaRows = options.arenaRows ?? WARM_UP_ARENA_ROWS;
  if (!Number.isSafeInteger(arenaRows) || arenaRows < 0 || arenaRows > arenaLimit.rows) throw new RangeError(`warm-up: arenaRows must be a whole number from 0 to ${arenaLimit.rows} (got ${arenaRows})`);
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const steps: WarmUpStep[] = [];
  const timed = async (name: string, body: () => Promise<unknown> | unknown): Promise<void> => {
    const t0 = performance.now(), c0 = process.cpuUsage();
    let error: string | undefined;
    try {
      await body();
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const c = process.cpuUsage(c0);
    steps.push({ name, wallMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, ...(error !== undefined ? { error } : {}) });
  };
  // First the reserve: its pages are touched once, and the full collection its size starts
  // happens here, with it live (later collections keep it counted at their level, not as fresh).
  let reserve: MemoryReserve | undefined;
  if (reserveBytes > 0) await timed('reserve', () => (reserve = new MemoryReserve(reserveBytes)));
  // Then the pre-fault, so that the workloads' collections free what it touched (prefault.ts).
  if (prefault > 0) await timed('prefault', () => prefaultHeap(prefault));
  if (arenaRows > 0) await timed('shuffle-arena', () => prefaultArena(arenaRows));
  const trio = await streamTrio();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const w of warmUpWorkloads(rows)) {
        await timed(w.name, async () => {
          const catalog = new Map(w.tables.map((t) => [t.name, t]));
          const checked = checkPlan(w.plan, { table: (n) => catalog.get(n), recipientRefusal: () => undefined });
          const reader = syntheticReader(w.tables, w.draw);
          const [first] = await trio.run((s) => execute(s, checked, reader));
          sealSyntheticResult(first.outputs);
        });
      }
    }
  } finally {
    trio.close();
  }
  for (let round = 0; round < rounds; round++) await timed('stored-column', () => decodeSyntheticColumn(COLUMN_ROWS));
  const cpu = process.cpuUsage(cpu0);
  return { rows, rounds, wallMs: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, steps, ...(reserve ? { reserve } : {}) };
}
