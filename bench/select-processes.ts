/**
 * describe's selection in three fresh party processes over TLS (src/mpc/process-cluster.ts: the
 * party processes' allocator settings and V8 flags), the job in bench/select-jobs.ts.
 *   npm run build && node dist/bench/select-processes.js [rows] [reps] [columns] [seed] [radix|quickselect]
 * Prints per repetition the CPU seconds of the busiest party (the first repetition cold, as a
 * node meets describe), bytes sent per row and column by the busiest party, rounds and levels.
 * PROFILE=dir writes a CPU profile of each party process into dir.
 */

import { startProcessCluster } from '../src/mpc/process-cluster.js';
import type { SelectArgs, SelectFigures } from './select-jobs.js';

const rows = Number(process.argv[2] ?? 1 << 18);
const reps = Number(process.argv[3] ?? 2);
const columns = Number(process.argv[4] ?? 5);
const seed = process.argv[5] ?? 'a';
const algo = process.argv[6] === 'quickselect' ? 'quickselect' : 'radix';
// KEY_BITS=b widens the declared range; MEDIAN=1 selects only the median pair.
const keyBits = process.env.KEY_BITS ? Number(process.env.KEY_BITS) : undefined;
const median = process.env.MEDIAN === '1';
// PROFILE=dir: a CPU profile of each party process there.
const profile = process.env.PROFILE;
const cluster = await startProcessCluster({ timeoutMs: 600_000, ...(profile ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${profile}`] } : {}) });
try {
  const module = new URL('./select-jobs.js', import.meta.url).href;
  const perParty = await cluster.run<SelectFigures[], SelectArgs>({ module, fn: 'select', args: { rows, columns, reps, seed, algo, keyBits, median }, timeoutMs: 600_000 });
  for (let r = 0; r < reps; r++) {
    const cpu = perParty.map((p) => p[r].cpuSeconds);
    const bytes = Math.max(...perParty.map((p) => p[r].bytes));
    console.log(`rep ${r} (${r === 0 ? 'cold' : 'warm'}): CPU per party ${cpu.map((c) => c.toFixed(2)).join(' / ')} s, ${(bytes / rows / columns).toFixed(1)} B sent/row/col (busiest), ${perParty[0][r].rounds} rounds, ${perParty[0][r].levels} levels, ${perParty[0][r].seconds.toFixed(1)} s wall`);
  }
} finally {
  await cluster.close();
}
