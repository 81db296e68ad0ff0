/**
 * The kernels the start-up warm-up compiles stay compiled through full garbage collections:
 * after the warm-up, collections and group-by and filter queries in the same process, V8 throws
 * away no optimised code of the main kernels for "weak objects". Before keep-shape.ts it threw
 * away some twenty of them at the first full collection after the warm-up (the maps of AShare,
 * BitShare, Session, Prg, … died with the warm-up's last instances) and several more at every
 * query, so a node's first query ran them unoptimised and compiled them again
 * (docs/benchmarks.md, s10-deopt). Checked without timing, as uniform-draws-gc.test.ts does: a
 * child process runs it with V8 tracing deoptimisations.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

const module = (path: string): string => JSON.stringify(new URL(`../../../src/${path}`, import.meta.url).href);

/** Kernels of the group-by's and the filter's path that used to lose their code (a sweep of a node's log). */
const KERNELS = [
  'AShare', 'BitShare', 'get length', 'xorBits', 'sliceBits', 'notBits', 'addA', 'subA', 'sumA', 'scaleA', 'mulLocal', 'dot',
  'andLocal', 'andWords', 'recv', 'fill', 'maskForOpening', 'gather', 'drawPermutation', 'carryTrees', 'get batch', 'extract', 'chunked',
];

test('no kernel compiled by the warm-up is thrown away by a full collection', { timeout: 300_000 }, () => {
  const script = `
    const { warmUp } = await import(${module('node/warm-up/warm-up.js')});
    const { streamTrio } = await import(${module('node/warm-up/stream-trio.js')});
    const { warmUpWorkloads } = await import(${module('node/warm-up/workloads.js')});
    const { checkPlan } = await import(${module('plan/check.js')});
    const { execute } = await import(${module('ops/execute.js')});
    const { syntheticReader } = await import(${module('node/warm-up/synthetic-reader.js')});
    await warmUp({ prefaultBytes: 0 });
    const trio = await streamTrio();
    console.log('=== warm-up done');
    globalThis.gc(); globalThis.gc();
    for (let r = 0; r < 2; r++) {
      for (const w of warmUpWorkloads(1 << 14).filter((w) => w.name === 'groupby-category' || w.name === 'filter-count')) {
        const catalog = new Map(w.tables.map((t) => [t.name, t]));
        const checked = checkPlan(w.plan, { table: (n) => catalog.get(n), recipientRefusal: () => undefined });
        await trio.run((s) => execute(s, checked, syntheticReader(w.tables, w.draw)));
        globalThis.gc();
      }
    }
    trio.close();
    console.log('=== queries done');`;
  const out = execFileSync(process.execPath, ['--expose-gc', '--trace-deopt', '--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 280_000 });
  assert.match(out, /=== queries done/);
  const after = out.slice(out.indexOf('=== warm-up done'));
  const lost = after
    .split('\n')
    .filter((line) => line.includes('reason: weak objects'))
    .map((line) => /<SharedFunctionInfo ([^>]*)>/.exec(line)?.[1] ?? line)
    .filter((name) => KERNELS.includes(name));
  assert.deepEqual(lost, [], 'optimised kernels thrown away at a collection after the warm-up');
});
