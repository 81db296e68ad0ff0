/**
 * A node that disappears or goes silent while a cluster of node processes starts makes the
 * start fail cleanly, never hang: a typed error (NodeStartError) naming the node and what it did,
 * within the set-up's bound, and no node process left behind. Killed before it listens (during
 * its start-up warm-up), killed while the mesh is being set up, stopped (SIGSTOP: alive, holding
 * its ports, answering nothing); and a node whose parent was killed stops by itself.
 *
 * The only time in an assertion is the generous bound itself (the machine is shared and loaded).
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { initCluster } from '../../src/cli/cluster/init.js';
import type { LocalCluster } from '../../src/cli/cluster/layout.js';
import { loadTrust, probeNode } from '../../src/cli/cluster/health.js';
import { NodeStartError } from '../../src/cli/errors.js';
import { NodeProcessSet } from '../helpers/node-process-set.js';
import { withTempDir } from '../helpers/temp-dir.js';

const MAIN = fileURLToPath(new URL('../../src/node/main.js', import.meta.url));
/** What "did not hang" means here: far beyond a normal start at load ~30, far below a CI timeout. */
const BOUND_MS = 120_000;

function newCluster(dir: string, warmUp = false): Promise<LocalCluster> {
  return initCluster({ dir, warmUp, parties: [{ name: 'Hospital', roles: ['input', 'output', 'analyst'] }], timeouts: { connectMs: 1500, rpcMs: 10_000, mpcMs: 10_000 } });
}

/** Whether process `pid` is gone (or a zombie: exited, not yet reaped by whoever adopted it). */
async function gone(pid: number): Promise<boolean> {
  try {
    return /^\d+ \(.*\) Z/.test(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

async function assertNoneLeft(pids: readonly number[]): Promise<void> {
  assert.ok(pids.length > 0);
  for (const pid of pids) assert.ok(await gone(pid), `node process ${pid} is still running`);
}

/** Runs `start` and asserts it fails with NodeStartError matching `message` within BOUND_MS. */
async function failsWithin(start: Promise<void>, message: RegExp): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the start neither succeeded nor failed within ${BOUND_MS / 1000} s`)), BOUND_MS);
  });
  try {
    await assert.rejects(Promise.race([start, bound]), (e: unknown) => {
      assert.ok(e instanceof NodeStartError, `expected NodeStartError, got ${String(e)}`);
      assert.match(e.message, message);
      return true;
    });
  } finally {
    clearTimeout(timer);
  }
}

test('a node killed during its start-up warm-up, before it listens: the start fails naming it, and no node is left', { timeout: 4 * BOUND_MS }, async () => {
  await withTempDir(async (dir) => {
    const nodes = new NodeProcessSet(await newCluster(dir, true));
    try {
      nodes.startAll();
      await nodes.untilOutput(1, /warming up/);
      process.kill(nodes.pid(1), 'SIGKILL');
      await failsWithin(nodes.waitHealthy(BOUND_MS), /node-1 was killed by SIGKILL while the cluster was starting/);
    } finally {
      await nodes.stopAll();
    }
    await assertNoneLeft(nodes.startedPids());
  });
});

test('a node killed while the mesh is being set up: the start fails naming it, and no node is left', { timeout: 4 * BOUND_MS }, async () => {
  await withTempDir(async (dir) => {
    const cluster = await newCluster(dir);
    const nodes = new NodeProcessSet(cluster);
    const trust = await loadTrust(cluster);
    try {
      nodes.start(0);
      nodes.start(1);
      // Node 1 answers (degraded): it listens and is dialing node 2, which is not there yet.
      const deadline = Date.now() + BOUND_MS;
      while ((await probeNode(trust, 1, 5000)).state !== 'degraded') {
        assert.ok(Date.now() < deadline, 'node 1 never answered');
        await sleep(100);
      }
      nodes.start(2);
      process.kill(nodes.pid(1), 'SIGKILL');
      await failsWithin(nodes.waitHealthy(BOUND_MS), /node-1 was killed by SIGKILL while the cluster was starting/);
    } finally {
      await nodes.stopAll();
    }
    await assertNoneLeft(nodes.startedPids());
  });
});

test('a node that stops answering (SIGSTOP) while the cluster starts: the start fails at its bound naming it, and the teardown kills it', { timeout: 4 * BOUND_MS }, async () => {
  await withTempDir(async (dir) => {
    const cluster = await newCluster(dir);
    const nodes = new NodeProcessSet(cluster);
    const trust = await loadTrust(cluster);
    try {
      nodes.startAll();
      // Once its API listens: it keeps its ports (connections are accepted by the kernel), answers nothing.
      const deadline = Date.now() + BOUND_MS;
      while ((await probeNode(trust, 1, 5000)).state === 'unreachable') {
        assert.ok(Date.now() < deadline, 'node 1 never answered');
        await sleep(100);
      }
      process.kill(nodes.pid(1), 'SIGSTOP');
      await failsWithin(nodes.waitHealthy(15_000), /did not become healthy within 15 s[^]*node-1: its API did not answer/);
    } finally {
      // SIGTERM stays pending at a stopped process: the teardown must get to SIGKILL by itself.
      await nodes.stopAll(2000);
    }
    await assertNoneLeft(nodes.startedPids());
  });
});

test('a node whose parent is killed stops by itself (no orphan keeps its ports)', { timeout: 2 * BOUND_MS }, async () => {
  await withTempDir(async (dir) => {
    const cluster = await newCluster(dir);
    // A parent that starts node 0 with an IPC channel, as NodeProcessSet does, and prints its pid.
    const parentScript = `const c = require('node:child_process').spawn(process.execPath, [${JSON.stringify(MAIN)}, '--config', ${JSON.stringify(cluster.path(cluster.nodes[0].config))}], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] }); console.log(c.pid); setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    let node = 0;
    try {
      const [chunk] = (await once(parent.stdout!, 'data')) as [Buffer];
      node = Number(chunk.toString('utf8').trim());
      assert.ok(node > 0);
      // Once it listens (it has started for good), the parent dies without a word.
      const trust = await loadTrust(cluster);
      const deadline = Date.now() + BOUND_MS;
      while ((await probeNode(trust, 0, 5000)).state === 'unreachable') {
        assert.ok(Date.now() < deadline, 'node 0 never answered');
        await sleep(100);
      }
      parent.kill('SIGKILL');
      await once(parent, 'exit');
      while (!(await gone(node))) {
        assert.ok(Date.now() < deadline, `node process ${node} outlived its parent`);
        await sleep(100);
      }
    } finally {
      if (parent.exitCode === null && parent.signalCode === null) parent.kill('SIGKILL');
      if (node > 0 && !(await gone(node))) process.kill(node, 'SIGKILL');
    }
  });
});
