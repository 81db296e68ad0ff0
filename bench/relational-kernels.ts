/**
 * Micro-benchmark of the MPC relational kernels (src/mpc/oblivious/), three parties in worker
 * threads of this process with in-memory links (no TLS: the kernels' own cost).
 *
 *   npm run build && node dist/bench/relational-kernels.js [--rows 65536,1048576] [--ops join,...] [--reps 1] [--json]
 *
 * Columns as in the primitives suite: wall seconds (median of the repetitions, slowest party),
 * CPU of the busiest party (the whole process here: all three parties), bytes sent per party,
 * rounds. With --json, one object per line: {suite, op, rows, seconds, cpuSeconds, bytesPerParty,
 * rounds, transport}.
 */

import { Command } from 'commander';
import { startEmbedded } from '../src/mpc/embedded.js';
import type { RepFigures } from './primitive-jobs.js';
import { RELATIONAL_OPS, type RelationalArgs } from './relational-jobs.js';

const JOBS = new URL('./relational-jobs.js', import.meta.url).href;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmtS = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`);
const fmtB = (b: number): string => (b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(1)} kB`);

async function main(): Promise<void> {
  const o = new Command()
    .name('relational-kernels')
    .option('--rows <list>', 'comma-separated row counts', `${1 << 16},${1 << 20}`)
    .option('--ops <list>', `kernels (${RELATIONAL_OPS.join(',')})`, RELATIONAL_OPS.join(','))
    .option('--reps <n>', 'timed repetitions (median reported)', '1')
    .option('--json', 'one JSON object per line')
    .parse()
    .opts<{ rows: string; ops: string; reps: string; json?: boolean }>();
  const rowsList = o.rows.split(',').map(Number);
  if (rowsList.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--rows must be positive integers, got '${o.rows}'`);
  const ops = o.ops.split(',');
  for (const op of ops) if (!RELATIONAL_OPS.includes(op)) throw new Error(`unknown kernel '${op}'; choose from ${RELATIONAL_OPS.join(', ')}`);
  const reps = Number(o.reps);
  const runner = await startEmbedded({ timeoutMs: 1_200_000 });
  try {
    if (!o.json) console.log(`suite relational-kernels, transport three worker threads, in-memory links\n${'op'.padEnd(15)} ${'rows'.padStart(9)} ${'seconds'.padStart(10)} ${'cpu'.padStart(10)} ${'sent/party'.padStart(10)} ${'per row'.padStart(14)} ${'rounds'.padStart(6)}`);
    for (const rows of rowsList) {
      for (const op of ops) {
        const per = await runner.run<RepFigures[], RelationalArgs>({ module: JOBS, fn: 'relational', args: { op, rows, reps }, timeoutMs: 1_200_000 });
        const seconds = median(per[0].map((_, r) => Math.max(...per.map((p) => p[r].seconds))));
        const cpuSeconds = median(per[0].map((_, r) => Math.max(...per.map((p) => p[r].cpuSeconds))));
        const bytesPerParty = Math.max(...per.map((p) => p[0].bytes));
        const row = { suite: 'relational-kernels', op, rows, seconds, cpuSeconds, bytesPerParty, rounds: per[0][0].rounds, transport: 'memory' };
        console.log(o.json ? JSON.stringify(row) : `${op.padEnd(15)} ${String(rows).padStart(9)} ${fmtS(seconds).padStart(10)} ${fmtS(cpuSeconds).padStart(10)} ${fmtB(bytesPerParty).padStart(10)} ${(bytesPerParty / rows).toFixed(1).padStart(8)} B/row ${String(row.rounds).padStart(6)}`);
      }
    }
  } finally {
    await runner.close();
  }
}

await main();
