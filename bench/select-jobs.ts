/**
 * describe's selection (the radix search, mpc/protocols/radix-select.ts, or the quickselect,
 * mpc/protocols/order-statistics.ts) as a job of each party process
 * (bench/select-processes.ts starts them): five columns of `rows` values in the stats bench's
 * range (hundredths in [−1000, 1000]: 18 key bits), ranks 0, the quartiles' pairs and n − 1.
 * Every repetition is timed in CPU of this process; the first one runs in a fresh process, as
 * describe does at a node (its kernels not yet compiled), the later ones warm. The opened values
 * are checked against a plaintext sort (party 0).
 */

import { input, open } from '../src/mpc/protocols/io.js';
import { selectRanks } from '../src/mpc/protocols/order-statistics.js';
import { selectRanks as radixRanks } from '../src/mpc/protocols/radix-select.js';
import type { Session } from '../src/mpc/session.js';
import { seedPairwise } from '../test/helpers/seeded-session.js';

export interface SelectArgs {
  readonly rows: number;
  readonly columns: number;
  readonly reps: number;
  /** Fixes the pairwise PRG keys (so the shuffles and the quickselect's work) per repetition. */
  readonly seed?: string;
  /** Which selection: the radix search or the shuffle and quickselect. */
  readonly algo: 'radix' | 'quickselect';
  /** The range's bits (at least KEY_BITS; default KEY_BITS) and whether only the median pair is wanted. */
  readonly keyBits?: number;
  readonly median?: boolean;
}

export interface SelectFigures {
  readonly cpuSeconds: number;
  readonly seconds: number;
  readonly bytes: number;
  readonly rounds: number;
  readonly levels: number;
}

/** Bits of a value above the column's minimum (values in ±100,000). */
export const KEY_BITS = 18;

export function columnValues(n: number, j: number): BigUint64Array {
  const v = new BigUint64Array(n);
  let x = 0x9e3779b9 + j;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    v[i] = BigInt.asUintN(64, BigInt((x % 200_001) - 100_000));
  }
  return v;
}

/** describe's order statistics: min, the quartiles (both neighbours of a fractional rank) and max. */
export function wantedRanks(n: number): number[] {
  const out = new Set<number>([0, n - 1]);
  for (const p of [0.25, 0.5, 0.75]) {
    const h = (n - 1) * p;
    out.add(Math.floor(h));
    if (h % 1 !== 0) out.add(Math.floor(h) + 1);
  }
  return [...out].sort((a, b) => a - b);
}

export async function select(s: Session, args: SelectArgs): Promise<SelectFigures[]> {
  const { rows: n, columns } = args;
  const ranks = args.median ? wantedRanks(n).filter((r) => r > 0 && r < n - 1 && Math.abs(r - (n - 1) / 2) < 1) : wantedRanks(n);
  const plain = Array.from({ length: columns }, (_, j) => columnValues(n, j));
  const out: SelectFigures[] = [];
  for (let rep = 0; rep < args.reps; rep++) {
    if (args.seed !== undefined) seedPairwise(s, { '01': `${args.seed}${rep}01`, '12': `${args.seed}${rep}12`, '02': `${args.seed}${rep}02` });
    const shared = [];
    for (const v of plain) shared.push({ values: await input(s, 0, s.me === 0 ? v : n), min: -100_000n, keyBits: args.keyBits ?? KEY_BITS, ranks });
    const bytes0 = s.stats.bytesSent, rounds0 = s.stats.rounds, t0 = performance.now(), c0 = process.cpuUsage();
    const selected = args.algo === 'radix' ? await radixRanks(s, shared) : await selectRanks(s, shared);
    const c = process.cpuUsage(c0);
    out.push({ cpuSeconds: (c.user + c.system) / 1e6, seconds: (performance.now() - t0) / 1000, bytes: s.stats.bytesSent - bytes0, rounds: s.stats.rounds - rounds0, levels: selected.levels });
    for (const [j, v] of selected.values.entries()) {
      const opened = await open(s, v);
      if (s.me !== 0) continue;
      const sorted = [...plain[j]].map((x) => BigInt.asIntN(64, x)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      ranks.forEach((r, t) => {
        if (BigInt.asIntN(64, opened[t]) !== sorted[r]) throw new Error(`column ${j} rank ${r}: ${BigInt.asIntN(64, opened[t])}, a plaintext sort says ${sorted[r]}`);
      });
    }
  }
  return out;
}
