/**
 * `node --single-threaded-gc --no-incremental-marking dist/bench/first-query.js [workload] [rows] [runs] [--no-warm-up] [--churn]`:
 * the first query against later ones in one process. Runs the node's start-up warm-up (unless
 * told not to), then one warm-up workload (workloads.ts, default filter-count) at `rows` rows
 * `runs` times in the warm-up's in-process trio, on tables shared once beforehand (so the
 * sharing is not timed), and prints per run the process CPU, minor page faults, collections
 * and heap sizes: what the first run pays that later ones do not. Three parties share the
 * thread, so its CPU is about three nodes' worth. `--churn`: before the runs, allocate and drop
 * 600 MiB of buffers and objects and idle 10 s, as an upload between the warm-up and a query does.
 */

import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { streamTrio } from '../src/node/warm-up/stream-trio.js';
import { warmUp } from '../src/node/warm-up/warm-up.js';
import { warmUpWorkloads } from '../src/node/warm-up/workloads.js';
import { syntheticReader } from '../src/node/warm-up/synthetic-reader.js';
import { execute } from '../src/ops/execute.js';
import { checkPlan } from '../src/plan/check.js';
import type { StoredSecretTable, StoredTableReader } from '../src/ops/table-reader.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const name = args[0] ?? 'filter-count';
const rows = Number(args[1] ?? 1 << 20);
const runs = Number(args[2] ?? 3);
const gc = { count: 0, ms: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.count++;
    gc.ms += e.duration;
  }
}).observe({ entryTypes: ['gc'] });
const mib = (b: number): string => (b / 2 ** 20).toFixed(0);
const spaces = (): string => getHeapSpaceStatistics().filter((s) => s.space_size > 0).map((s) => `${s.space_name.replace('_space', '')} ${mib(s.space_size)}`).join(', ');

if (!process.argv.includes('--no-warm-up')) {
  const report = await warmUp();
  console.log(`warm-up: ${report.wallMs.toFixed(0)} ms wall, ${report.cpuMs.toFixed(0)} ms CPU; RSS ${mib(process.memoryUsage().rss)} MiB`);
}
const workload = warmUpWorkloads(rows).find((w) => w.name === name);
if (!workload) throw new Error(`no warm-up workload named ${name}`);
const catalog = new Map(workload.tables.map((t) => [t.name, t]));
const checked = checkPlan(workload.plan, { table: (n) => catalog.get(n), recipientRefusal: () => undefined });
const trio = await streamTrio();
const source = syntheticReader(workload.tables, workload.draw);
const tables = await trio.run((s) => source.read(s, checked));
/** Each party's tables as shared above: the runs time the query, not the sharing. */
const reader = (): StoredTableReader => ({ read: async (s) => tables[s.me] as ReadonlyMap<string, StoredSecretTable> });
if (process.argv.includes('--churn')) {
  // What an upload does between the warm-up and a first query: many buffers and objects, then idle.
  let keep: unknown[] = [];
  for (let i = 0; i < 600; i++) {
    keep.push(Buffer.alloc(1 << 20), Array.from({ length: 2000 }, (_, k) => ({ k, s: String(k) })));
    if (keep.length > 40) keep = [];
  }
  await new Promise((r) => setTimeout(r, 10_000));
  console.log('churned 600 MiB and idled 10 s');
}
console.log(`${name} at ${rows} rows; RSS ${mib(process.memoryUsage().rss)} MiB; heap: ${spaces()}`);
for (let run = 0; run < runs; run++) {
  const r0 = process.resourceUsage(), g0 = { ...gc }, t0 = performance.now();
  await trio.run((s) => execute(s, checked, reader()));
  const r1 = process.resourceUsage();
  const cpu = (r1.userCPUTime + r1.systemCPUTime - r0.userCPUTime - r0.systemCPUTime) / 1000;
  console.log(`run ${run + 1}: ${(performance.now() - t0).toFixed(0)} ms wall, CPU ${cpu.toFixed(0)} ms (sys ${((r1.systemCPUTime - r0.systemCPUTime) / 1000).toFixed(0)}), minor faults ${r1.minorPageFault - r0.minorPageFault}, GC ${gc.count - g0.count} (${(gc.ms - g0.ms).toFixed(0)} ms), RSS ${mib(process.memoryUsage().rss)} MiB, heap: ${spaces()}`);
}
trio.close();
