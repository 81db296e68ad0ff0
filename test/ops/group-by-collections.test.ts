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
 *
 * And a first group-by (pools empty) in pools backed by a memory reserve, as a node's are after
 * its warm-up (mpc/memory-reserve.ts, "s12-firstq"), counts no fresh memory for filling them:
 * here ~170 MB at 2^18 rows, three parties, and 4–5 full collections where the pools start empty.
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
  scratch: '../../src/mpc/scratch.js',
  reserve: '../../src/mpc/memory-reserve.js',
  execute: '../../src/ops/execute.js',
  check: '../../src/plan/check.js',
};

interface Counts {
  readonly majors: number;
  readonly majorMs: number;
  readonly minors: number;
}

interface Runs {
  /** Runs before the forced collection (1: the pools are filled; 0: the counted runs start with them empty). */
  readonly before: number;
  /** Runs counted after it. */
  readonly counted: number;
  /** Each party's pool backed by a memory reserve of this many bytes (0: none). */
  readonly reserveBytes?: number;
}

/** Runs warm-up workload `name` at `rows` rows `before` times, then `counted` times after a forced collection, counting collections in those runs. */
function collections(name: string, rows: number, runs: Runs): { counts: Counts; trace: string } {
  const url = (m: string): string => JSON.stringify(new URL(m, import.meta.url).href);
  const script = `
    import { PerformanceObserver, constants } from 'node:perf_hooks';
    import { streamTrio } from ${url(MODULES.trio)};
    import { warmUpWorkloads } from ${url(MODULES.workloads)};
    import { syntheticReader } from ${url(MODULES.reader)};
    import { execute } from ${url(MODULES.execute)};
    import { checkPlan } from ${url(MODULES.check)};
    import { ScratchPool } from ${url(MODULES.scratch)};
    import { MemoryReserve } from ${url(MODULES.reserve)};
    const workload = warmUpWorkloads(${rows}).find((w) => w.name === ${JSON.stringify(name)});
    const catalog = new Map(workload.tables.map((t) => [t.name, t]));
    const checked = checkPlan(workload.plan, { table: (n) => catalog.get(n), recipientRefusal: () => undefined });
    const reserveBytes = ${runs.reserveBytes ?? 0};
    const trio = await streamTrio(reserveBytes > 0 ? () => new ScratchPool(new MemoryReserve(reserveBytes)) : undefined);
    const tables = await trio.run((s) => syntheticReader(workload.tables, workload.draw).read(s, checked));
    const reader = () => ({ read: async (s) => tables[s.me] });
    for (let run = 0; run < ${runs.before}; run++) await trio.run((s) => execute(s, checked, reader()));
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
    for (let run = 0; run < ${runs.counted}; run++) await trio.run((s) => execute(s, checked, reader()));
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
  const { counts, trace } = collections('groupby-category', 1 << 18, { before: 1, counted: 4 });
  assert.ok(counts.minors > 0, 'the runs allocated (scavenges seen)');
  assert.equal(counts.majors, 0, `full collections during the warm runs (${counts.majorMs.toFixed(0)} ms); the process's mark-compacts:\n${trace}`);
});

test('warm describe runs (radix selection, 2^18 rows, three parties in one process) start no full collection', () => {
  const { counts, trace } = collections('describe', 1 << 18, { before: 1, counted: 3 });
  assert.equal(counts.majors, 0, `full collections during the warm runs (${counts.majorMs.toFixed(0)} ms); the process's mark-compacts:\n${trace}`);
});

test('a first group-by (2^18 rows, pools empty) in reserve-backed pools fills them without full collections of its own', () => {
  const cold = collections('groupby-category', 1 << 18, { before: 0, counted: 1 });
  const reserved = collections('groupby-category', 1 << 18, { before: 0, counted: 1, reserveBytes: 64 * 2 ** 20 });
  // What is left are the in-memory links' first receive buffers and the inputs' (not the pools': src/net/).
  assert.ok(reserved.counts.majors <= 2, `full collections in the first run with a reserve: ${reserved.counts.majors}; the process's mark-compacts:\n${reserved.trace}`);
  assert.ok(reserved.counts.majors <= cold.counts.majors - 2, `a reserve saved ${cold.counts.majors - reserved.counts.majors} of ${cold.counts.majors} full collections, not two or more`);
});
