/**
 * The group-by and crosstab operators alone (bench/relational/groupby.ts groupbyOps), three
 * parties in worker threads of this process with in-memory links (no TLS, no node, no storage):
 *
 *   npm run build && node dist/bench/relational/groupby-ops.js [--rows 1000000] [--ops groupby_category,groupby_key,crosstab]
 */

import { Command } from 'commander';
import { startEmbedded } from '../../src/mpc/embedded.js';
import { GROUPBY_OPS, type GroupbyArgs, type GroupbyOp } from './groupby.js';

const JOBS = new URL('./groupby.js', import.meta.url).href;

const o = new Command().option('--rows <n>', 'rows', '1000000').option('--ops <list>', 'cases', GROUPBY_OPS.join(',')).option('--reps <n>', 'repetitions', '1').parse().opts<{ rows: string; ops: string; reps: string }>();
const runner = await startEmbedded({ timeoutMs: 1_800_000 });
try {
  for (const op of o.ops.split(',') as GroupbyOp[]) {
    if (!GROUPBY_OPS.includes(op)) throw new Error(`unknown case '${op}'; choose from ${GROUPBY_OPS.join(', ')}`);
    const per = await runner.run<{ seconds: number; cpuSeconds: number; bytes: number; rounds: number; groups?: number }[], GroupbyArgs>({ module: JOBS, fn: 'groupbyOps', args: { op, rows: Number(o.rows), reps: Number(o.reps) }, timeoutMs: 1_800_000 });
    for (let r = 0; r < per[0].length; r++) {
      const seconds = Math.max(...per.map((p) => p[r].seconds));
      const bytes = Math.max(...per.map((p) => p[r].bytes));
      console.log(JSON.stringify({ suite: 'relational-ops', op, rows: Number(o.rows), seconds, cpuSeconds: Math.max(...per.map((p) => p[r].cpuSeconds)), bytesPerParty: bytes, bytesPerRow: bytes / Number(o.rows), rounds: per[0][r].rounds, groups: per[0][r].groups, transport: 'memory' }));
    }
  }
} finally {
  await runner.close();
}
