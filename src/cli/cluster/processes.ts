/**
 * Starting and stopping a local cluster's three node processes (`tessera cluster up` / `down`).
 *
 * Each node runs as `node <cli> node --config DIR/node<i>/node.json`, detached (its own process
 * group, so Ctrl-C in the terminal that started it does not stop it), output appended to
 * DIR/node<i>/node.log, pid in DIR/node<i>/node.pid. A pid is trusted only while /proc shows
 * the same command line (a stale pid file may name an unrelated process after a reboot).
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { NodeIndex } from '../../governance/collaboration.js';
import { COLOCATED_PARTY_FLAGS, PARTY_ALLOCATOR_ENV } from '../../mpc/party-environment.js';
import { NodeStartError } from '../errors.js';
import { loadTrust, probeCluster, type NodeState } from './health.js';
import type { ClusterNodeEntry, LocalCluster } from './layout.js';

const CLI_ENTRY = fileURLToPath(new URL('../main.js', import.meta.url));
const POLL_MS = 150;

export interface RunningNode {
  readonly index: NodeIndex;
  readonly name: string;
  readonly pid: number;
}

export async function readPid(cluster: LocalCluster, node: ClusterNodeEntry): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(cluster.path(node.pidFile), 'utf8')).trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` is alive and is this node's process (not a zombie, not a recycled pid). */
export async function isNodeProcess(pid: number, configPath: string): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false; // gone (ESRCH), or someone else's process (EPERM): not a node we started
  }
  try {
    const statText = await readFile(`/proc/${pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) Z/.test(statText)) return false;
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return argv.includes(configPath);
  } catch {
    // No /proc (macOS): the signal check is all there is.
    return process.platform !== 'linux';
  }
}

/** Nodes of this cluster whose processes are running now. */
export async function runningNodes(cluster: LocalCluster): Promise<RunningNode[]> {
  const running: RunningNode[] = [];
  for (const node of cluster.nodes) {
    const pid = await readPid(cluster, node);
    if (pid !== undefined && (await isNodeProcess(pid, cluster.path(node.config)))) running.push({ index: node.index, name: node.name, pid });
  }
  return running;
}

// ---- up ------------------------------------------------------------------------------------

export type UpEvent =
  | { readonly kind: 'already-running'; readonly node: ClusterNodeEntry; readonly pid: number }
  | { readonly kind: 'started'; readonly node: ClusterNodeEntry; readonly pid: number }
  | { readonly kind: 'state'; readonly node: ClusterNodeEntry; readonly state: NodeState };

export interface UpOptions {
  /** How long to wait for all three to be healthy with the mesh up (default 60 s: each node warms up first). */
  readonly timeoutMs?: number;
  readonly onEvent?: (event: UpEvent) => void;
  /** Extra environment for the node processes. */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra node.js flags for the node processes (e.g. --cpu-prof). */
  readonly execArgv?: readonly string[];
}

export interface UpResult {
  readonly nodes: readonly { readonly index: NodeIndex; readonly pid: number; readonly started: boolean }[];
  /** True when every node was running already. */
  readonly alreadyUp: boolean;
}

export async function clusterUp(cluster: LocalCluster, options: UpOptions = {}): Promise<UpResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const emit = options.onEvent ?? ((): void => undefined);
  const trust = await loadTrust(cluster);
  const pids: number[] = [];
  const started: { node: ClusterNodeEntry; child: ChildProcess; logOffset: number }[] = [];
  let exited: { node: ClusterNodeEntry; code: number | null; signal: NodeJS.Signals | null } | undefined;

  for (const node of cluster.nodes) {
    const configPath = cluster.path(node.config);
    const pid = await readPid(cluster, node);
    if (pid !== undefined && (await isNodeProcess(pid, configPath))) {
      pids[node.index] = pid;
      emit({ kind: 'already-running', node, pid });
      continue;
    }
    if (pid !== undefined) await rm(cluster.path(node.pidFile), { force: true }); // stale
    const logPath = cluster.path(node.log);
    const logOffset = await fileSize(logPath);
    const fd = openSync(logPath, 'a', 0o600);
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [...COLOCATED_PARTY_FLAGS, ...(options.execArgv ?? []), CLI_ENTRY, 'node', '--config', configPath], {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: { ...PARTY_ALLOCATOR_ENV, ...process.env, ...options.env },
      });
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) throw new NodeStartError(`could not start a process for ${node.name} (${process.execPath} did not run)`);
    child.once('exit', (code, signal) => (exited ??= { node, code, signal }));
    child.unref();
    pids[node.index] = child.pid;
    await writeFile(cluster.path(node.pidFile), `${child.pid}\n`, { mode: 0o644 });
    started.push({ node, child, logOffset });
    emit({ kind: 'started', node, pid: child.pid });
  }

  const states: (NodeState | undefined)[] = [undefined, undefined, undefined];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = await probeCluster(trust, 1000);
    const failed = exited; // set by an exit listener meanwhile
    if (failed) {
      await stopStarted(cluster, started);
      const entry = started.find((s) => s.node === failed.node);
      const how = failed.signal ? `was killed by ${failed.signal}` : `exited with code ${failed.code}`;
      throw new NodeStartError(
        `${failed.node.name} ${how} while starting.${await logTail(cluster, failed.node, entry?.logOffset ?? 0)}\n${stoppedNote(started, failed.node)}Fix the cause and run \`tessera cluster up ${cluster.dir}\` again.`,
      );
    }
    for (const h of health) {
      if (states[h.index] !== h.state) {
        states[h.index] = h.state;
        emit({ kind: 'state', node: cluster.nodes[h.index], state: h.state });
      }
    }
    if (health.every((h) => h.state === 'ok')) break;
    if (Date.now() > deadline) {
      await stopStarted(cluster, started);
      const lagging = health.filter((h) => h.state !== 'ok');
      const details: string[] = [];
      for (const h of lagging) {
        const node = cluster.nodes[h.index];
        const entry = started.find((s) => s.node === node);
        const why = h.state === 'degraded' ? 'it runs, but its mesh to the other nodes is not up' : 'its API cannot be reached';
        details.push(`${node.name}: ${why}.${await logTail(cluster, node, entry?.logOffset ?? 0)}`);
      }
      throw new NodeStartError(
        `the cluster did not become healthy within ${Math.round(timeoutMs / 1000)} s.\n${details.join('\n')}\n${stoppedNote(started)}Check the logs, then run \`tessera cluster up ${cluster.dir}\` again (--timeout gives more time).`,
      );
    }
    await sleep(POLL_MS);
  }
  return {
    nodes: cluster.nodes.map((n) => ({ index: n.index, pid: pids[n.index], started: started.some((s) => s.node === n) })),
    alreadyUp: started.length === 0,
  };
}

function stoppedNote(started: readonly { node: ClusterNodeEntry }[], except?: ClusterNodeEntry): string {
  const others = started.filter((s) => s.node !== except).map((s) => s.node.name);
  return others.length > 0 ? `Stopped the nodes started now (${others.join(', ')}).\n` : '';
}

async function stopStarted(cluster: LocalCluster, started: readonly { node: ClusterNodeEntry; child: ChildProcess }[]): Promise<void> {
  await Promise.all(started.map(({ node, child }) => (child.pid !== undefined ? stopProcess(cluster, node, child.pid, 3000) : undefined)));
}

// ---- down ----------------------------------------------------------------------------------

export type DownEvent =
  | { readonly kind: 'stopped'; readonly node: ClusterNodeEntry; readonly pid: number; readonly forced: boolean }
  | { readonly kind: 'not-running'; readonly node: ClusterNodeEntry; readonly stalePidFile: boolean };

export async function clusterDown(cluster: LocalCluster, options: { graceMs?: number; onEvent?: (event: DownEvent) => void } = {}): Promise<void> {
  const emit = options.onEvent ?? ((): void => undefined);
  await Promise.all(
    cluster.nodes.map(async (node) => {
      const pid = await readPid(cluster, node);
      if (pid === undefined || !(await isNodeProcess(pid, cluster.path(node.config)))) {
        if (pid !== undefined) await rm(cluster.path(node.pidFile), { force: true });
        emit({ kind: 'not-running', node, stalePidFile: pid !== undefined });
        return;
      }
      const forced = await stopProcess(cluster, node, pid, options.graceMs ?? 10_000);
      emit({ kind: 'stopped', node, pid, forced });
    }),
  );
}

/** SIGTERM, then SIGKILL after `graceMs`; removes the pid file. True when SIGKILL was needed. */
async function stopProcess(cluster: LocalCluster, node: ClusterNodeEntry, pid: number, graceMs: number): Promise<boolean> {
  const configPath = cluster.path(node.config);
  let forced = false;
  if (signal(pid, 'SIGTERM')) {
    const deadline = Date.now() + graceMs;
    while ((await isNodeProcess(pid, configPath)) && Date.now() < deadline) await sleep(50);
    if (await isNodeProcess(pid, configPath)) {
      forced = true;
      signal(pid, 'SIGKILL');
      const killDeadline = Date.now() + 5000;
      while ((await isNodeProcess(pid, configPath)) && Date.now() < killDeadline) await sleep(50);
    }
  }
  await rm(cluster.path(node.pidFile), { force: true });
  return forced;
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false; // already gone
  }
}

// ---- helpers -------------------------------------------------------------------------------

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** The last lines the node wrote since `offset`, indented, for an error message. */
export async function logTail(cluster: LocalCluster, node: ClusterNodeEntry, offset = 0, lines = 12): Promise<string> {
  const path = cluster.path(node.log);
  let text = '';
  try {
    const file = await open(path, 'r');
    try {
      const size = (await file.stat()).size;
      const start = Math.max(offset, size - 16_384);
      const buffer = Buffer.alloc(size - start);
      await file.read(buffer, 0, buffer.length, start);
      text = buffer.toString('utf8');
    } finally {
      await file.close();
    }
  } catch {
    return ` (no log at ${path})`;
  }
  const tail = text.split('\n').filter((l) => l.trim().length > 0).slice(-lines);
  if (tail.length === 0) return ` Its log (${path}) is empty.`;
  return ` The end of its log (${path}):\n${tail.map((l) => `    ${l.length > 400 ? l.slice(0, 400) + '…' : l}`).join('\n')}`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
