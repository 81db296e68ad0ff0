/**
 * The local cluster runner: three party processes on this machine, linked by the mutual-TLS
 * mesh on loopback, with a fresh CA and node certificates in a private temporary directory
 * (removed by `close`). Same job API as the embedded runner; this is what benchmarks and
 * end-to-end tests use, since it exercises the real transport.
 */

import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeClusterCertificates } from '../crypto/certs.js';
import { PeerLostError, PeerTimeoutError, SessionAbortedError, UsageError } from '../errors.js';
import { errorFromWire, JobBook, resultsOf, rootCause, type Job, type JobOutcomes } from './job.js';
import { dispatch, type Runner, type RunnerOptions } from './runner.js';
import { PARTIES, type PartyId } from './party.js';
import { COLOCATED_PARTY_FLAGS, PARTY_ALLOCATOR_ENV } from './party-environment.js';
import type { HostRequest } from './party-host.js';
import type { FromPartyProcess, ToPartyProcess } from './party-process.js';

export interface ProcessClusterOptions extends RunnerOptions {
  /** Time for the mesh to come up: dialing, TLS handshakes, greetings (ms, default 20 000). */
  readonly connectTimeoutMs?: number;
  /** TLS 1.3 cipher suites (default: DEFAULT_TLS_CIPHERS). */
  readonly ciphers?: string;
  /** Node options for the party processes (default none, e.g. ['--cpu-prof'] to profile). */
  readonly execArgv?: readonly string[];
  /**
   * Time for the whole start-up: the processes loading, listening, and the mesh (ms, default
   * connectTimeoutMs + 60 000). A party process that is alive but never reports a step (stuck,
   * starved) fails the start with PeerTimeoutError naming it and the step, instead of a wait
   * without end.
   */
  readonly startTimeoutMs?: number;
}

export interface ProcessCluster extends Runner {
  /** Process ids of the three parties. */
  readonly pids: readonly number[];
  /** Where the cluster's certificates and keys are (private; removed by `close`). */
  readonly certificateDir: string;
  /** Kills one party process with SIGKILL, as a crash would (fault-injection tests). */
  kill(party: PartyId): void;
}

const ENTRY = fileURLToPath(new URL('./party-process.js', import.meta.url));

const HOST = '127.0.0.1';
const CLOSE_GRACE_MS = 3000;
const DEFAULT_CONNECT_TIMEOUT_MS = 20_000;
/** Beyond the mesh's own connect timeout: loading a process's modules takes seconds on a loaded machine. */
const START_MARGIN_MS = 60_000;

export async function startProcessCluster(options: ProcessClusterOptions = {}): Promise<ProcessCluster> {
  if (options.startTimeoutMs !== undefined && !(Number.isFinite(options.startTimeoutMs) && options.startTimeoutMs > 0)) {
    throw new UsageError(`startTimeoutMs must be a positive number of milliseconds, not ${String(options.startTimeoutMs)}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'tessera-cluster-'));
  const book = new JobBook();
  let closing = false;
  const children: ChildProcess[] = [];
  const exited: Promise<void>[] = [];
  let startTimer: NodeJS.Timeout | undefined;
  const cleanup = async (): Promise<void> => {
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const { certs, files } = await writeClusterCertificates(dir);
    const fingerprints = certs.nodes.map((n) => n.fingerprint256) as [string, string, string];
    const waiters = PARTIES.map(() => new Map<string, (m: FromPartyProcess) => void>());
    const failures: Error[] = [];
    let failStartup: ((e: Error) => void) | undefined;
    const startupFailed = new Promise<never>((_, reject) => (failStartup = reject));
    startupFailed.catch(() => {});
    // The last start-up step each party reported: a party that stays silent is named with it.
    const reached: (FromPartyProcess['t'] | undefined)[] = PARTIES.map(() => undefined);
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const startTimeoutMs = options.startTimeoutMs ?? connectTimeoutMs + START_MARGIN_MS;
    startTimer = setTimeout(() => {
      const silent = PARTIES.filter((p) => reached[p] !== 'ready').map((p) => `party ${p} (pid ${children[p]?.pid ?? '?'}) ${reached[p] ? `reported '${reached[p]}' but not 'ready'` : 'reported nothing (still loading, or stuck)'}`);
      failStartup?.(new PeerTimeoutError(`the process cluster did not start within ${Math.round(startTimeoutMs / 1000)} s: ${silent.join('; ')}; the machine may be overloaded or a process is stuck (startTimeoutMs gives more time)`));
    }, startTimeoutMs);

    for (const p of PARTIES) {
      const child = fork(ENTRY, [], { serialization: 'advanced', execArgv: [...COLOCATED_PARTY_FLAGS, ...(options.execArgv ?? [])], env: { ...PARTY_ALLOCATOR_ENV, ...process.env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      child.on('message', (m: FromPartyProcess) => {
        if (m.t === 'result') {
          book.settle(m.id, p, m.ok ? { status: 'fulfilled', value: m.value } : { status: 'rejected', reason: errorFromWire(m.error, p) });
        } else if (m.t === 'start-failed') {
          const e = errorFromWire(m.error, p);
          failures.push(e);
          // Give the other parties a moment to report theirs: the first failure is often a consequence.
          setTimeout(() => failStartup?.(rootCause(failures.map((reason) => ({ status: 'rejected', reason })) as JobOutcomes<never>) as Error), 100);
        } else {
          reached[p] = m.t;
          waiters[p].get(m.t)?.(m);
        }
      });
      child.on('error', () => {}); // reported through 'exit'
      exited.push(
        new Promise<void>((resolve) =>
          child.once('exit', (code, signal) => {
            const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
            const why = closing
              ? new SessionAbortedError('the process cluster was closed while the job was running')
              : new PeerLostError(`party ${p}'s process (pid ${child.pid}) ${how}; the cluster cannot continue, start a new one`);
            book.failParty(p, why);
            failStartup?.(why);
            resolve();
          }),
        ),
      );
    }
    const expect = <T extends FromPartyProcess['t']>(p: PartyId, t: T): Promise<Extract<FromPartyProcess, { t: T }>> =>
      Promise.race([new Promise<Extract<FromPartyProcess, { t: T }>>((resolve) => waiters[p].set(t, resolve as (m: FromPartyProcess) => void)), startupFailed]);
    const send = (p: PartyId, m: ToPartyProcess): void => void children[p].send(m);

    const listening = PARTIES.map((p) => expect(p, 'listening'));
    for (const p of PARTIES) {
      send(p, {
        t: 'init',
        party: p,
        files: { key: files.nodes[p].key, cert: files.nodes[p].cert, ca: files.caCert },
        fingerprints,
        host: HOST,
        timeoutMs: options.timeoutMs,
        connectTimeoutMs,
        ciphers: options.ciphers,
      });
    }
    const ports = (await Promise.all(listening)).map((m) => m.port);
    const ready = PARTIES.map((p) => expect(p, 'ready'));
    for (const p of PARTIES) send(p, { t: 'peers', next: { host: HOST, port: ports[(p + 1) % 3] } });
    await Promise.all(ready);
    failStartup = undefined;
    clearTimeout(startTimer);
  } catch (e) {
    clearTimeout(startTimer);
    closing = true;
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(exited);
    await cleanup();
    throw e;
  }

  const post = (p: PartyId, req: HostRequest): void => {
    if (!children[p].connected) throw new PeerLostError(`party ${p}'s process is gone`);
    children[p].send(req);
  };
  const runSettled = <R, A>(job: Job<A>): Promise<JobOutcomes<R>> => dispatch(book, job, post) as Promise<JobOutcomes<R>>;
  return {
    pids: children.map((c) => c.pid ?? -1),
    certificateDir: dir,
    runSettled,
    async run<R, A>(job: Job<A>): Promise<[R, R, R]> {
      return resultsOf(await runSettled<R, A>(job), book.deaths);
    },
    kill(p: PartyId): void {
      children[p].kill('SIGKILL');
    },
    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      for (const p of PARTIES) {
        try {
          post(p, { t: 'close' });
        } catch {
          /* already gone */
        }
      }
      const timer = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), CLOSE_GRACE_MS);
      await Promise.all(exited);
      clearTimeout(timer);
      await cleanup();
    },
  };
}
