/**
 * The three node processes of a process test, started and stopped with bounds on every wait:
 *   - each node runs `src/node/main.js --config …` with an IPC channel, so it stops when the test
 *     process goes away (crashed, killed, timed out): no orphan keeps its ports or its CPU;
 *   - `waitHealthy` asks every node's /v1/health with a bound per attempt (a node that accepts a
 *     connection and stays silent cannot hold it), fails at once with NodeStartError naming the
 *     node, its exit and the end of its output when a node exits while starting, and fails with
 *     NodeStartError naming each node's state when the deadline passes;
 *   - `stop` sends SIGTERM, then SIGKILL after a grace period, and waits for the exit with a bound
 *     (a stopped or stuck node cannot hold the teardown).
 * Hooks that use it should carry their own timeout (node:test's test timeouts do not cover hooks).
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { NodeStartError } from '../../src/cli/errors.js';
import { loadTrust, probeNode, type ClusterTrust, type NodeHealth } from '../../src/cli/cluster/health.js';
import type { LocalCluster } from '../../src/cli/cluster/layout.js';
import type { NodeIndex } from '../../src/governance/collaboration.js';

const MAIN = fileURLToPath(new URL('../../src/node/main.js', import.meta.url));
/** Bytes of each node's output kept for error messages. */
const TAIL_BYTES = 4096;
/** Per health request: far above what an answering node needs, even at load ~30. */
const PROBE_MS = 10_000;
const POLL_MS = 150;
/** After SIGKILL: the kernel ends the process at once, so this only guards against the impossible. */
const KILL_WAIT_MS = 10_000;
const INDICES: readonly NodeIndex[] = [0, 1, 2];

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  readonly tail: Buffer[];
  exit?: { readonly code: number | null; readonly signal: NodeJS.Signals | null };
}

export class NodeProcessSet {
  private readonly running: (Running | undefined)[] = [undefined, undefined, undefined];
  private trust: ClusterTrust | undefined;
  private readonly started: number[] = [];

  constructor(private readonly cluster: LocalCluster) {}

  /** Starts every node that is not running. */
  startAll(): void {
    for (const i of INDICES) if (!this.isRunning(i)) this.start(i);
  }

  /** Starts node `i` (again). */
  start(i: NodeIndex): ChildProcess {
    if (this.isRunning(i)) throw new Error(`node ${i} is running already`);
    const logs = process.env.NODE_LOGS ? 'inherit' : 'pipe';
    const child = spawn(process.execPath, [MAIN, '--config', this.cluster.path(this.cluster.nodes[i].config)], { stdio: ['ignore', logs, 'pipe', 'ipc'] });
    const tail: Buffer[] = [];
    const keep = (chunk: Buffer): void => {
      tail.push(chunk);
      let bytes = tail.reduce((n, c) => n + c.byteLength, 0);
      while (bytes > TAIL_BYTES && tail.length > 1) bytes -= tail.shift()!.byteLength;
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', () => undefined); // a failed spawn also ends in 'exit' (or never started: pid undefined)
    const entry: Running = {
      child,
      tail,
      exited: new Promise((resolve) =>
        child.once('exit', (code, signal) => {
          entry.exit = { code, signal };
          resolve();
        }),
      ),
    };
    this.running[i] = entry;
    if (child.pid !== undefined) this.started.push(child.pid);
    return child;
  }

  /** Resolves once node `i` has written a line matching `pattern` (stdout or stderr); rejects after `timeoutMs`. */
  async untilOutput(i: NodeIndex, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    const r = this.running[i];
    if (!r) throw new Error(`node ${i} was not started`);
    const seen = (): boolean => pattern.test(Buffer.concat(r.tail).toString('utf8'));
    if (seen()) return;
    let onData: (() => void) | undefined;
    const matched = new Promise<void>((resolve) => {
      onData = () => {
        if (seen()) resolve();
      };
      r.child.stdout?.on('data', onData);
      r.child.stderr?.on('data', onData);
    });
    try {
      if (!(await settlesWithin(Promise.race([matched, r.exited]), timeoutMs)) || !seen()) {
        throw new NodeStartError(`${this.cluster.nodes[i].name} did not write ${String(pattern)} within ${Math.round(timeoutMs / 1000)} s.${this.tailOf(i)}`);
      }
    } finally {
      r.child.stdout?.off('data', onData!);
      r.child.stderr?.off('data', onData!);
    }
  }

  isRunning(i: NodeIndex): boolean {
    const r = this.running[i];
    return r !== undefined && r.exit === undefined && r.child.pid !== undefined;
  }

  /** The process id of node `i` as started last. */
  pid(i: NodeIndex): number {
    const pid = this.running[i]?.child.pid;
    if (pid === undefined) throw new Error(`node ${i} is not running`);
    return pid;
  }

  /** Every process id started so far (stopped ones too), for checks that none is left. */
  startedPids(): readonly number[] {
    return this.started;
  }

  /**
   * Resolves once every node answers /v1/health with ok (its mesh to both peers is up). Fails
   * with NodeStartError as soon as a node exits, or when `timeoutMs` passes; the caller stops
   * the nodes (stopAll) either way.
   */
  async waitHealthy(timeoutMs = 120_000): Promise<void> {
    this.trust ??= await loadTrust(this.cluster);
    const trust = this.trust;
    const deadline = Date.now() + timeoutMs;
    let last: NodeHealth[] = [];
    for (;;) {
      this.throwIfExited();
      const left = deadline - Date.now();
      last = await Promise.all(INDICES.map((i) => probeNode(trust, i, Math.max(1000, Math.min(PROBE_MS, left)))));
      this.throwIfExited();
      if (last.every((h) => h.state === 'ok')) return;
      if (Date.now() >= deadline) break;
      await sleep(POLL_MS);
    }
    const lagging = last.filter((h) => h.state !== 'ok').map((h) => {
      const why = h.state === 'degraded' ? 'it answers, but its mesh to the other nodes is not up' : `its API did not answer (${h.error ?? 'no reason given'})`;
      return `${this.cluster.nodes[h.index].name}: ${why}.${this.tailOf(h.index)}`;
    });
    throw new NodeStartError(`the cluster did not become healthy within ${Math.round(timeoutMs / 1000)} s.\n${lagging.join('\n')}`);
  }

  /** SIGTERM (or `signal`), then SIGKILL after `graceMs`; resolves once node `i` has exited. */
  async stop(i: NodeIndex, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    const r = this.running[i];
    if (!r || r.child.pid === undefined) return;
    if (r.exit === undefined) {
      r.child.kill(signal);
      if (!(await settlesWithin(r.exited, graceMs))) {
        r.child.kill('SIGKILL');
        if (!(await settlesWithin(r.exited, KILL_WAIT_MS))) throw new NodeStartError(`${this.cluster.nodes[i].name} (pid ${r.child.pid}) did not exit even after SIGKILL`);
      }
    }
    this.running[i] = undefined;
  }

  /** Stops every node that runs (for `after`: safe after a set-up that failed half-way). */
  async stopAll(graceMs = 10_000): Promise<void> {
    const results = await Promise.allSettled(INDICES.map((i) => this.stop(i, 'SIGTERM', graceMs)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private throwIfExited(): void {
    for (const i of INDICES) {
      const exit = this.running[i]?.exit;
      if (!exit) continue;
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      throw new NodeStartError(`${this.cluster.nodes[i].name} ${how} while the cluster was starting.${this.tailOf(i)}`);
    }
  }

  private tailOf(i: NodeIndex): string {
    const text = Buffer.concat(this.running[i]?.tail ?? []).toString('utf8');
    const lines = text.split('\n').filter((l) => l.trim().length > 0).slice(-6);
    return lines.length > 0 ? ` The end of its output:\n${lines.map((l) => `    ${l.length > 300 ? `${l.slice(0, 300)}…` : l}`).join('\n')}` : '';
  }
}

/** Whether `promise` settles within `ms` (the timer does not keep the process alive). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
