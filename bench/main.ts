/**
 * `npm run bench -- --suite primitives [--transport tls|memory] [--rows 1048576[,...]] [--ops mul,lt]
 *  [--reps 3] [--warmups 1] [--back-to-back] [--json]`
 * `npm run bench -- --suite ingest [--ops upload,aggregate] [--rows 100000] [--upload-rows 1000000]
 *  [--concurrency 128] [--json]` (bench/ingest-suite.ts)
 * `npm run bench -- --suite relational [--ops filter,join,groupby_category,groupby_key,sort,crosstab]
 *  [--rows 1048576] [--json]` (bench/relational-suite.ts; each op's case in bench/relational/<op>.ts)
 * `npm run bench -- --suite stats [--ops ols,ttest,describe] [--json]` (bench/stats-suite.ts; case modules in bench/stats/cases.ts)
 *
 * Runs each operation inside three parties (three processes over mutual TLS on loopback, or three
 * worker threads with in-memory links) and prints, per operation: rows, seconds (median over
 * repetitions of the slowest party), bytes sent per party (the party that sent most), and rounds.
 * With --json, one JSON object per line: {suite, op, rows, seconds, bytesPerParty, rounds, transport}
 * (and cpuSeconds; at 2^20 rows also the target, and missedBy and why when it is missed).
 */

import { Command, Option } from 'commander';
import { resolve } from 'node:path';
import { startEmbedded } from '../src/mpc/embedded.js';
import { startProcessCluster } from '../src/mpc/process-cluster.js';
import type { Runner } from '../src/mpc/runner.js';
import { INGEST_OPS, runIngestSuite, type IngestRow } from './ingest-suite.js';
import { RELATIONAL_CASES, RELATIONAL_OPS } from './relational/cases.js';
import { runRelationalSuite, type RelationalRow } from './relational-suite.js';
import { benchNodes } from './node-cluster.js';
import { PRIMITIVE_OPS, type PrimitiveArgs, type PrimitiveRep } from './primitive-jobs.js';
import { median, repetitionTimers } from './repetition-timers.js';

const JOBS = new URL('./primitive-jobs.js', import.meta.url).href;

/**
 * Targets and physical limits for 2^20 elements (issue #2), with what bounds each operation on
 * the two-core development machine when it misses (profiled; the details are in docs/benchmarks.md).
 */
const CPU_BOUND = 'three parties share two cores, so the wall time is about 1.5 x one party\'s CPU';
const TARGETS: Record<string, { target: number; limit: number; why: string }> = {
  mul: { target: 0.04, limit: 0.015, why: `CPU, not bytes: per party two AES keystreams for the zero-sharing, TLS and system calls for 8 MB each way; ${CPU_BOUND}` },
  fxmul: { target: 0.1, limit: 0.04, why: `CPU: the costs of mul at 1.25 times the bytes (10 per element: the exact-wrap truncation's 3 rounds, its top-bit messages in 16 bits) and 3 PRG words per element; ${CPU_BOUND}` },
  lt: { target: 0.25, limit: 0.09, why: `CPU: 26 bytes per element through TLS and six carry-tree passes over the words; ${CPU_BOUND}` },
  eq: { target: 0.15, limit: 0.065, why: `CPU: 11 bytes per element and an AND tree over the words; ${CPU_BOUND}` },
  // Issue 2 asked for 80 ms; issue 8, which re-set the primitives' targets after measuring this
  // machine side by side with MP-SPDZ, asks for 120 ms: the later issue's figure is printed.
  shuffle: { target: 0.12, limit: 0.027, why: `CPU: each party draws and applies two exactly uniform permutations (in wasm, ~3.5 ms a draw and ~2-4 ms a pass), adds ~16-24 MB of mask keystream, and parties 0 and 1 pass 24 MB through TLS; ${CPU_BOUND}` },
  sort: { target: 8, limit: 2.6, why: `CPU: ~21 comparisons of (key, index) per row at ~36 bytes each; ${CPU_BOUND}` },
  sigmoid: { target: 0.4, limit: 0.2, why: 'bytes: 126 per element (a 286-gate threshold circuit, six injected bits, two powers, a truncated sum of products), ~0.5 s of TLS alone here' },
};

interface Row {
  suite: string;
  op: string;
  rows: number;
  seconds: number;
  /** CPU seconds of the busiest party (process CPU time; with --transport memory, the whole process). */
  cpuSeconds: number;
  bytesPerParty: number;
  rounds: number;
  transport: string;
  /** The other timers (bench/repetition-timers.ts): first start to last end, party 0 alone, and the spread of the starts. */
  spanSeconds: number;
  party0Seconds: number;
  startSpreadMs: number;
  /** Every repetition's slowest-party wall and busiest-party CPU, in order (seconds). */
  repSeconds: number[];
  repCpuSeconds: number[];
}

async function runPrimitive(runner: Runner, op: string, rows: number, reps: number, warmups: number, backToBack: boolean): Promise<Omit<Row, 'suite' | 'transport'>> {
  const perParty = await runner.run<PrimitiveRep[], PrimitiveArgs>({ module: JOBS, fn: 'primitive', args: { op, rows, reps, warmups, backToBack }, timeoutMs: 600_000 });
  const t = repetitionTimers(perParty);
  const bytesPerParty = Math.max(...perParty.map((p) => p[0].bytes));
  return { op, rows, seconds: median(t.slowest), cpuSeconds: median(t.busiestCpu), bytesPerParty, rounds: perParty[0][0].rounds, spanSeconds: median(t.span), party0Seconds: median(t.party0), startSpreadMs: median(t.startSpread) * 1000, repSeconds: t.slowest, repCpuSeconds: t.busiestCpu };
}

function human(r: Row): string {
  const t = TARGETS[r.op];
  const fmtS = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`);
  const bytes = r.bytesPerParty >= 1e6 ? `${(r.bytesPerParty / 1e6).toFixed(1)} MB` : `${(r.bytesPerParty / 1e3).toFixed(1)} kB`;
  let note = '';
  if (t !== undefined && r.rows === 1 << 20) {
    const target = `target ${fmtS(t.target)} (physical limit ~${fmtS(t.limit)})`;
    note = r.seconds <= t.target ? `${target}: met` : `${target}: missed by ${fmtS(r.seconds - t.target)}\n${''.padEnd(12)}why: ${t.why}`;
  }
  const timers = `${''.padEnd(12)}first start to last end ${fmtS(r.spanSeconds)}, party 0 ${fmtS(r.party0Seconds)}, starts spread ${r.startSpreadMs.toFixed(1)} ms; every repetition: ${r.repSeconds.map((x) => (x * 1000).toFixed(1)).join(', ')} ms (CPU ${r.repCpuSeconds.map((x) => (x * 1000).toFixed(1)).join(', ')})`;
  return `${r.op.padEnd(10)} ${String(r.rows).padStart(9)} ${fmtS(r.seconds).padStart(10)} ${fmtS(r.cpuSeconds).padStart(10)} ${bytes.padStart(10)} ${(r.bytesPerParty / r.rows).toFixed(1).padStart(8)} B/row ${String(r.rounds).padStart(6)}   ${note}\n${timers}`;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('bench')
    .addOption(new Option('--suite <name>', 'benchmark suite').choices(['primitives', 'ingest', 'relational', 'stats', 'governance']).default('primitives'))
    .addOption(new Option('--transport <kind>', 'three processes over TLS, or worker threads (primitives)').choices(['tls', 'memory']).default('tls'))
    .option('--rows <list>', 'primitives: comma-separated vector lengths; ingest: patients submitting for aggregate (default 100000)', String(1 << 20))
    .option('--upload-rows <n>', 'ingest: rows of the uploaded CSV (5 columns)', '1000000')
    .option('--concurrency <n>', 'ingest: submissions in flight at once', '128')
    .option('--ops <list>', `operations (primitives: ${PRIMITIVE_OPS.join(',')}; ingest: ${INGEST_OPS.join(',')}; relational: ${RELATIONAL_OPS.join(',')})`)
    .option('--reps <n>', 'timed repetitions per operation (median reported)', '3')
    .option('--warmups <n>', 'primitives: untimed repetitions before the timed ones', '1')
    .option('--back-to-back', 'primitives (mul, dot): time the repetitions one after another, without a barrier or a forced collection between them, as MP-SPDZ\'s mulbench does (bench/linear-check.ts checks them)')
    .option('--json', 'one JSON object per line')
    .option('--profile <dir>', 'write a CPU profile of every party (primitives, tls) or node process (relational) into <dir>')
    .option('--warm', 'relational: run each query a second time in the same node processes and print that too (the verdict stays on the first)')
    .option('--no-warm-up', 'relational, stats, ingest: start the nodes without their start-up warm-up (the first query then runs cold)')
    .parse();
  const o = program.opts<{ suite: string; transport: 'tls' | 'memory'; rows: string; uploadRows: string; concurrency: string; ops?: string; reps: string; warmups: string; json?: boolean; profile?: string; warm?: boolean; warmUp: boolean; backToBack?: boolean }>();
  benchNodes.warmUp = o.warmUp;
  if (o.suite === 'ingest') return ingest(o, program.getOptionValueSource('rows') === 'default');
  if (o.suite === 'relational') return relational(o);
  if (o.suite === 'stats') return (await import('./stats-main.js')).stats(o);
  if (o.suite === 'governance') return (await import('./governance.js')).runGovernanceSuite(Number(o.reps), o.json === true);
  const rowsList = o.rows.split(',').map((x) => Number(x));
  if (rowsList.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--rows must be positive integers, got '${o.rows}'`);
  const ops = o.ops ? o.ops.split(',') : PRIMITIVE_OPS;
  for (const op of ops) if (!PRIMITIVE_OPS.includes(op)) throw new Error(`unknown operation '${op}'; choose from ${PRIMITIVE_OPS.join(', ')}`);
  const reps = Number(o.reps);
  const execArgv = o.profile ? ['--cpu-prof', `--cpu-prof-dir=${o.profile}`] : [];
  const runner: Runner = o.transport === 'tls' ? await startProcessCluster({ timeoutMs: 600_000, execArgv }) : await startEmbedded({ timeoutMs: 600_000 });
  try {
    if (!o.json) console.log(`suite ${o.suite}, transport ${o.transport === 'tls' ? 'three processes, mutual TLS 1.3 on loopback' : 'three worker threads, in-memory links'}\n${'op'.padEnd(10)} ${'rows'.padStart(9)} ${'seconds'.padStart(10)} ${'cpu/party'.padStart(10)} ${'sent/party'.padStart(10)} ${'per row'.padStart(14)} ${'rounds'.padStart(6)}`);
    for (const rows of rowsList) {
      for (const op of ops) {
        const r: Row = { suite: o.suite, transport: o.transport, ...(await runPrimitive(runner, op, rows, op === 'sort' && o.reps === '3' ? 1 : reps, positive(o.warmups, '--warmups'), o.backToBack === true)) };
        console.log(o.json ? JSON.stringify({ ...r, ...verdict(r) }) : human(r));
      }
    }
  } finally {
    await runner.close();
  }
}

/** For --json at 2^20 rows: the target, and by how much and why it was missed. */
function verdict(r: Row): { target?: number; missedBy?: number; why?: string } {
  const t = TARGETS[r.op];
  if (t === undefined || r.rows !== 1 << 20) return {};
  return r.seconds <= t.target ? { target: t.target } : { target: t.target, missedBy: r.seconds - t.target, why: t.why };
}

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got '${text}'`);
  return n;
}

async function ingest(o: { rows: string; uploadRows: string; concurrency: string; ops?: string; json?: boolean }, rowsDefaulted: boolean): Promise<void> {
  const ops = o.ops ? o.ops.split(',') : INGEST_OPS;
  for (const op of ops) if (!INGEST_OPS.includes(op)) throw new Error(`unknown ingest operation '${op}'; choose from ${INGEST_OPS.join(', ')}`);
  const patients = rowsDefaulted ? 100_000 : positive(o.rows, '--rows');
  const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
  if (!o.json) {
    console.log('suite ingest, transport three node processes, mutual TLS 1.3 on loopback; the client (SDK) in this process');
    console.log(`${'op'.padEnd(10)} ${'rows'.padStart(9)} ${'seconds'.padStart(10)} ${'cpu (max)'.padStart(10)} ${'rows/s'.padStart(10)}   received per node`);
  }
  await runIngestSuite({
    ops,
    uploadRows: positive(o.uploadRows, '--upload-rows'),
    patients,
    concurrency: positive(o.concurrency, '--concurrency'),
    onProgress: o.json ? undefined : (text) => process.stderr.write(`  … ${text}\n`),
    onRow: (r: IngestRow) => {
      if (o.json) console.log(JSON.stringify({ suite: 'ingest', transport: 'tls', ...r }));
      else console.log(`${r.op.padEnd(10)} ${String(r.rows).padStart(9)} ${`${r.seconds.toFixed(2)} s`.padStart(10)} ${`${r.cpuSeconds.toFixed(2)} s`.padStart(10)} ${Math.round(r.rowsPerSecond).toString().padStart(10)}   ${r.bytesReceivedPerNode.map(mb).join(', ')}`);
    },
  });
}

async function relational(o: { rows: string; ops?: string; json?: boolean; profile?: string; warm?: boolean }): Promise<void> {
  const ops = o.ops ? o.ops.split(',') : RELATIONAL_OPS;
  for (const op of ops) if (!RELATIONAL_OPS.includes(op)) throw new Error(`unknown relational operation '${op}'; choose from ${RELATIONAL_OPS.join(', ')}`);
  const missing = ops.filter((op) => !RELATIONAL_CASES.some((c) => c.op === op));
  if (o.ops && missing.length > 0) throw new Error(`no benchmark case for ${missing.join(', ')} in this build (bench/relational/cases.ts lists ${RELATIONAL_CASES.map((c) => c.op).join(', ')})`);
  const cases = RELATIONAL_CASES.filter((c) => ops.includes(c.op));
  const rows = positive(o.rows, '--rows');
  const fmtS = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`);
  if (!o.json) {
    console.log(`suite relational, transport three node processes, mutual TLS 1.3 on loopback; the client (SDK) in this process; every result checked against DuckDB`);
    if (missing.length > 0) console.log(`(no case yet for ${missing.join(', ')})`);
    console.log(`${'op'.padEnd(10)} ${'rows'.padStart(9)} ${'seconds'.padStart(10)} ${'cpu/node'.padStart(10)} ${'read/node'.padStart(10)} ${'rounds'.padStart(7)}   target`);
  }
  await runRelationalSuite({
    cases,
    rows,
    ...(o.profile ? { profileDir: resolve(o.profile) } : {}),
    warm: o.warm === true,
    onProgress: o.json ? undefined : (text) => process.stderr.write(`  … ${text}\n`),
    onRow: (r: RelationalRow) => {
      if (o.json) return console.log(JSON.stringify({ suite: 'relational', transport: 'tls', ...r }));
      const verdictText = r.rows !== 1 << 20 ? `${fmtS(r.target)} at 1048576 rows` : r.missedBy === undefined ? `${fmtS(r.target)}: met` : `${fmtS(r.target)}: missed by ${fmtS(r.missedBy)}\n${''.padEnd(12)}why: ${r.why}`;
      console.log(`${r.op.padEnd(10)} ${String(r.rows).padStart(9)} ${fmtS(r.seconds).padStart(10)} ${fmtS(r.cpuSeconds).padStart(10)} ${`${(r.bytesPerParty / 1e6).toFixed(1)} MB`.padStart(10)} ${String(r.rounds).padStart(7)}   ${verdictText}`);
      console.log(`${''.padEnd(12)}minor page faults, busiest node: ${r.minorFaults}`);
      if (r.warmSeconds !== undefined && r.warmCpuSeconds !== undefined) console.log(`${''.padEnd(12)}warm (the same query again, same node processes): ${fmtS(r.warmSeconds)}, cpu/node ${fmtS(r.warmCpuSeconds)}, minor page faults ${r.warmMinorFaults ?? '?'}`);
    },
  });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
