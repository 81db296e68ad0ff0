/**
 * The process cluster's start-up is bounded: party processes that never report a step (stuck
 * before their module runs) fail the start with PeerTimeoutError naming them and how far they
 * got, after startTimeoutMs; a party that dies while starting fails it with PeerLostError at once.
 * Either way no party process is left behind.
 */

import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { PeerLostError, PeerTimeoutError, UsageError } from '../../src/errors.js';
import { startProcessCluster } from '../../src/mpc/process-cluster.js';

/** Loaded before each party's own module: a start that never ends, or a death before the first word. */
const STALL = ['--import', 'data:text/javascript,setInterval(() => {}, 1000); await new Promise(() => {});'];
const DIE = ['--import', 'data:text/javascript,process.exit(3);'];

/** Live (not zombie) child processes of this process that run a party. */
async function partyChildren(): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' || Number(fields[1]) !== process.pid) continue;
      if ((await readFile(`/proc/${entry}/cmdline`, 'utf8')).includes('party-process.js')) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

test('party processes that never report: the start fails with PeerTimeoutError naming them, none is left', { timeout: 120_000 }, async () => {
  await assert.rejects(startProcessCluster({ execArgv: STALL, startTimeoutMs: 5000 }), (e: unknown) => {
    assert.ok(e instanceof PeerTimeoutError, `expected PeerTimeoutError, got ${String(e)}`);
    assert.match(e.message, /did not start within 5 s: party 0 \(pid \d+\) reported nothing/);
    assert.match(e.message, /party 2 \(pid \d+\) reported nothing/);
    return true;
  });
  assert.deepEqual(await partyChildren(), []);
});

test('a party process that dies while starting: the start fails with PeerLostError at once, none is left', { timeout: 120_000 }, async () => {
  await assert.rejects(startProcessCluster({ execArgv: DIE }), (e: unknown) => {
    assert.ok(e instanceof PeerLostError, `expected PeerLostError, got ${String(e)}`);
    assert.match(e.message, /party \d's process \(pid \d+\) exited with code 3/);
    return true;
  });
  assert.deepEqual(await partyChildren(), []);
});

test('a startTimeoutMs that is not a positive number is refused before any process starts', async () => {
  for (const startTimeoutMs of [0, -5, Number.NaN]) await assert.rejects(startProcessCluster({ startTimeoutMs }), UsageError);
  assert.deepEqual(await partyChildren(), []);
});
