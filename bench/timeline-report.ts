/**
 * The driver shared by the timeline benchmarks (shuffle-timeline.ts, mul-timeline.ts): runs a job
 * that returns every party's timeline marks per repetition (src/mpc/timeline.ts) and prints, per
 * repetition, every party's marks on one clock (ms from the earliest start) with the CPU each
 * party spent since its previous mark, then per party: wall, CPU, and the time it spent waiting
 * (wall between its marks minus CPU). Options: [--rows 1048576] [--reps 3] [--warmups 3] [--quiet]
 * [--profile DIR] [--flag F]...; `--quiet` prints only the per-party summary of each repetition and
 * their medians; `--profile` writes a CPU profile of each party process into DIR (node
 * --cpu-prof); `--flag` passes a node or V8 flag to the party processes (e.g. --flag=--trace-gc).
 */

import { parseArgs } from 'node:util';
import { startProcessCluster } from '../src/mpc/process-cluster.js';
import type { TimelineMark } from '../src/mpc/timeline.js';

/** What a timeline job is given: the vectors' length, timed repetitions and untimed warm-ups. */
export interface TimelineArgs {
  readonly rows: number;
  readonly reps: number;
  readonly warmups: number;
}

interface PartySummary {
  readonly wall: number;
  readonly cpu: number;
}

function summarise(marks: readonly TimelineMark[]): PartySummary {
  const first = marks[0], last = marks[marks.length - 1];
  return { wall: last.at - first.at, cpu: last.cpu - first.cpu };
}

function print(rep: number, perParty: readonly (readonly TimelineMark[])[], quiet: boolean): PartySummary[] {
  const t0 = Math.min(...perParty.map((m) => m[0].at));
  const end = Math.max(...perParty.map((m) => m[m.length - 1].at));
  const summaries = perParty.map(summarise);
  console.log(`rep ${rep}: ${(end - t0).toFixed(1)} ms from the first start to the last end; ` + summaries.map((p, i) => `P${i} wall ${p.wall.toFixed(1)} cpu ${p.cpu.toFixed(1)} waiting ${(p.wall - p.cpu).toFixed(1)}`).join('; '));
  if (quiet) return summaries;
  const rows = perParty.flatMap((marks) => marks.map((m, i) => ({ m, spent: i === 0 ? 0 : m.cpu - marks[i - 1].cpu, gap: i === 0 ? 0 : m.at - marks[i - 1].at })));
  rows.sort((a, b) => a.m.at - b.m.at);
  for (const { m, spent, gap } of rows) {
    const column = ' '.repeat(34 * m.party);
    console.log(`${(m.at - t0).toFixed(1).padStart(7)}  ${column}P${m.party} ${m.label.padEnd(14)} +${gap.toFixed(1).padStart(5)} cpu ${spent.toFixed(1).padStart(5)}`);
  }
  return summaries;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The command line of a timeline benchmark: parses the options above, runs `fn` of the job module
 * `job` in three party processes over TLS and prints their marks.
 */
export async function timelineMain(job: string, fn: string): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: String(1 << 20) }, reps: { type: 'string', default: '3' }, warmups: { type: 'string', default: '3' }, quiet: { type: 'boolean', default: false }, profile: { type: 'string' }, flag: { type: 'string', multiple: true, default: [] } } });
  const args: TimelineArgs = { rows: Number(values.rows), reps: Number(values.reps), warmups: Number(values.warmups) };
  for (const [k, v] of Object.entries(args)) if (!Number.isSafeInteger(v) || v < (k === 'warmups' ? 0 : 1)) throw new Error(`--${k} must be a ${k === 'warmups' ? 'non-negative' : 'positive'} integer, got ${String(v)}`);
  const cluster = await startProcessCluster({ timeoutMs: 600_000, execArgv: [...(values.profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${values.profile}`]), ...values.flag] });
  try {
    const [m0, m1, m2] = await cluster.run<TimelineMark[][], TimelineArgs>({ module: job, fn, args, timeoutMs: 600_000 });
    const all: PartySummary[][] = [];
    const spans: number[] = [];
    for (let r = 0; r < args.reps; r++) {
      const perParty = [m0[r], m1[r], m2[r]];
      all.push(print(r, perParty, values.quiet === true));
      spans.push(Math.max(...perParty.map((m) => m[m.length - 1].at)) - Math.min(...perParty.map((m) => m[0].at)));
    }
    const med = [0, 1, 2].map((p) => ({ wall: median(all.map((s) => s[p].wall)), cpu: median(all.map((s) => s[p].cpu)) }));
    console.log(`median of ${args.reps}: ` + med.map((p, i) => `P${i} wall ${p.wall.toFixed(1)} cpu ${p.cpu.toFixed(1)}`).join('; ') + `; sum of cpu / 2 = ${(med.reduce((t, p) => t + p.cpu, 0) / 2).toFixed(1)} ms; first start to last end ${median(spans).toFixed(1)} ms, slowest party ${median(all.map((s) => Math.max(...s.map((p) => p.wall)))).toFixed(1)} ms (what bench/main.ts reports)`);
  } finally {
    await cluster.close();
  }
}

