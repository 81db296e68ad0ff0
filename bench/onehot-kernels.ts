/**
 * The one-hot path's kernels alone (mpc/oblivious/one-hot.ts), three parties in worker threads of
 * this process with in-memory links: bit injection of `bits` vectors, mulPairs of 2 × 8 vectors and
 * the inner products of 13 × 24 vectors (the shapes of groupby_category's blocks), or a whole
 * groupByDomain. CPU is the process's (all three parties) over each step, bytes party 0's.
 *
 *   npm run build && node dist/bench/onehot-kernels.js [--rows 262144] [--reps 3] [--steps inject,mul,inner,domain,crosstab] [--warm 4096]
 */

import { Command } from 'commander';
import { startEmbedded } from '../src/mpc/embedded.js';
import type { KernelArgs, KernelFigures } from './onehot-kernel-jobs.js';

const JOBS = new URL('./onehot-kernel-jobs.js', import.meta.url).href;
const o = new Command().option('--rows <n>', 'rows', '262144').option('--reps <n>', 'repetitions', '3').option('--steps <list>', 'steps', 'inject,mul,inner,domain,crosstab').option('--warm <rows>', 'first run each step once at this many rows (JIT warm-up apart from first-touch memory)', '0').parse().opts<{ rows: string; reps: string; steps: string; warm: string }>();
const runner = await startEmbedded({ timeoutMs: 1_800_000 });
try {
  for (const step of o.steps.split(',')) {
    if (Number(o.warm) > 0) await runner.run<KernelFigures[], KernelArgs>({ module: JOBS, fn: 'oneHotKernel', args: { step, rows: Number(o.warm), reps: 1 }, timeoutMs: 1_800_000 });
    const per = await runner.run<KernelFigures[], KernelArgs>({ module: JOBS, fn: 'oneHotKernel', args: { step, rows: Number(o.rows), reps: Number(o.reps) }, timeoutMs: 1_800_000 });
    for (let r = 0; r < per[0].length; r++) {
      console.log(JSON.stringify({ step, rows: Number(o.rows), rep: r, cpuSeconds: Math.max(...per.map((p) => p[r].cpuSeconds)), bytesPerRow: per[0][r].bytes / Number(o.rows), rounds: per[0][r].rounds }));
    }
  }
} finally {
  await runner.close();
}
