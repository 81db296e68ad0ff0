/**
 * A warm group-by (and describe) starts no full collection (docs/benchmarks.md, "s11-gc").
 *
 * V8 starts a mark-compact when the external memory (every ArrayBuffer's bytes, fresh or not yet
 * swept) has grown 64 MiB past its level at the last one, however little the JS heap holds: the
 * nodes ran 2–3 per warm group-by at a million rows, each freeing almost nothing. The protocols
 * now take their working memory from the party's pools. A child process, with the nodes' GC
 * flags and the three parties in its one thread, runs the query once (filling the pools), forces
 * a collection (the baseline), then runs it again several times: it must take no full
 * collection. Before the fix the group-by's runs made ~48 MB of fresh arrays each here (2^18
 * rows, three parties), describe's ~150 MB at 2^18 rows: a collection every run or two.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { COLOCATED_PARTY_FLAGS } from '../../src/mpc/party-environment.js';

const MODULES = {
  trio: '../../src/node/warm-up/stream-trio.js',
  workloads: '../../src/node/warm-up/workloads.js',
  reader: '../../src/node/warm-up/synthetic-reader.js',
  execute: '../../src/ops/execute.js',
  check: '../../src/plan/check.js',
};

interface Counts {
  readonly majors: number;
  readonly majorMs: number;
  readonly minors: number;
}

/** Runs warm-up workload `name` at `rows` rows once, then `runs` times after a forced collection, counting collections in those runs. */
function warmCollections(name: string, rows: number, runs: number): { counts: Counts; trace: string } {
  const url = (m: string): string => JSON.stringify(new URL(m, import.meta.url).href);
  const script = `
    import { PerformanceObserver, constants } from 'node:perf_hooks';
    import { streamTrio } from ${url(MODULES.trio)};
    import { warmUpWorkloads } from ${url(MODULES.workloads)};
    import { syntheticReader } from ${url(MODULES.reader)};
    import { execute } from ${url(MODULES.execute)};
    import { checkPlan } from ${url(MODULES.check)};
    const workload = warmUpWorkloads(${rows}).find((w) => w.name === ${JSON.stringify(name)});
    const catalog = new Map(workload.tables.map((t) => [t.name, t]));
    const checked = checkPlan(workload.plan, { table: (n) => catalog.get(n), recipientRefusal: () => undefined });
    const trio = await streamTrio();
    const tables = await trio.run((s) => syntheticReader(workload.tables, workload.draw).read(s, checked));
    const reader = () => ({ read: async (s) => tables[s.me] });
    await trio.run((s) => execute(s, checked, reader()));
    globalThis.gc();
    const counts = { majors: 0, majorMs: 0, minors: 0 };
    let counting = true;
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (!counting) continue;
        if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) { counts.majors++; counts.majorMs += e.duration; }
        else if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MINOR) counts.minors++;
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    // The forced collection's entry is delivered asynchronously: let it pass before counting.
    await new Promise((r) => setTimeout(r, 50));
    counts.majors = 0; counts.majorMs = 0; counts.minors = 0;
    for (let run = 0; run < ${runs}; run++) await trio.run((s) => execute(s, checked, reader()));
    await new Promise((r) => setTimeout(r, 50));
    counting = false;
    observer.disconnect();
    trio.close();
    console.log('COUNTS ' + JSON.stringify(counts));`;
  const flags = ['--expose-gc', '--trace-gc', ...COLOCATED_PARTY_FLAGS];
  const child = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('.', import.meta.url)), timeout: 300_000, maxBuffer: 64 * 2 ** 20 });
  assert.equal(child.status, 0, child.stderr);
  const line = child.stdout.split('\n').find((l) => l.startsWith('COUNTS '));
  assert.ok(line, child.stdout);
  return { counts: JSON.parse(line.slice('COUNTS '.length)) as Counts, trace: child.stdout.split('\n').filter((l) => l.includes('Mark-Compact')).join('\n') };
}

test('warm group-by runs (one-hot, 2^18 rows, three parties in one process) start no full collection', () => {
  const { counts, trace } = warmCollections('groupby-category', 1 << 18, 4);
  assert.ok(counts.minors > 0, 'the runs allocated (scavenges seen)');
  assert.equal(counts.majors, 0, `full collections during the warm runs (${counts.majorMs.toFixed(0)} ms); the process's mark-compacts:\n${trace}`);
});

test('warm describe runs (radix selection, 2^18 rows, three parties in one process) start no full collection', () => {
  const { counts, trace } = warmCollections('describe', 1 << 18, 3);
  assert.equal(counts.majors, 0, `full collections during the warm runs (${counts.majorMs.toFixed(0)} ms); the process's mark-compacts:\n${trace}`);
});
