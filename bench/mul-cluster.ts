/**
 * Multiplication of 2^k secret-shared elements over the local process cluster (three processes,
 * mutual TLS on loopback) and, for comparison, over the embedded runner (worker threads).
 * Prints the median over repetitions of the slowest party, measured inside the parties.
 *
 *   node dist/bench/mul-cluster.js [--log2=20] [--reps=15] [--ciphers=...]
 */

import { startEmbedded } from '../src/mpc/embedded.js';
import { startProcessCluster } from '../src/mpc/process-cluster.js';
import type { Runner } from '../src/mpc/embedded.js';

const JOBS = new URL('./jobs.js', import.meta.url).href;

function arg(name: string, fallback: string): string {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(name: string, runner: Runner, n: number, reps: number): Promise<void> {
  const warm = 3;
  const results = await runner.run<{ ms: number[]; bytes: number }>({ module: JOBS, fn: 'mulTimed', args: { n, reps: reps + warm }, timeoutMs: 60_000 });
  const ms = Math.max(...results.map((r) => median(r.ms.slice(warm))));
  const best = Math.max(...results.map((r) => Math.min(...r.ms.slice(warm))));
  const perParty = results[0].bytes / (reps + warm);
  console.log(`${name.padEnd(28)} mul of ${n} elements: median ${ms.toFixed(1)} ms, best ${best.toFixed(1)} ms, ${(n / ms / 1000).toFixed(2)} M mul/s, ${(perParty / 1e6).toFixed(1)} MB sent per party`);
}

async function main(): Promise<void> {
  const n = 2 ** Number(arg('log2', '20'));
  const reps = Number(arg('reps', '15'));
  const ciphers = arg('ciphers', '') || undefined;
  const cluster = await startProcessCluster({ timeoutMs: 60_000, ciphers });
  try {
    await measure('process cluster (TLS 1.3)', cluster, n, reps);
  } finally {
    await cluster.close();
  }
  const trio = await startEmbedded({ timeoutMs: 60_000 });
  try {
    await measure('embedded (worker threads)', trio, n, reps);
  } finally {
    await trio.close();
  }
}

await main();
