/**
 * The embedded runner: three parties in worker threads of this process, linked pairwise by
 * MessageChannels (PortLink moves buffers instead of copying them). One command, no network:
 * what the demo and most tests use.
 *
 *   const trio = await startEmbedded({ timeoutMs: 10_000 });
 *   const [r0, r1, r2] = await trio.run({ module: new URL('./jobs.js', import.meta.url).href, fn: 'mulTest', args });
 *   await trio.close();
 */

import { MessageChannel, Worker } from 'node:worker_threads';
import { PeerLostError, SessionAbortedError } from '../errors.js';
import { errorFromWire, JobBook, resultsOf, type Job, type JobOutcomes } from './job.js';
import { PARTIES, type PartyId } from './party.js';
import type { HostRequest } from './party-host.js';
import { dispatch, type Runner, type RunnerOptions } from './runner.js';
import type { WorkerInit, WorkerMessage } from './embedded-worker.js';

export type { Runner, RunnerOptions } from './runner.js';

export interface EmbeddedTrio extends Runner {
  /** Terminates one party's worker at once (fault-injection tests). */
  kill(party: PartyId): Promise<void>;
}

const WORKER_URL = new URL('./embedded-worker.js', import.meta.url);
const CLOSE_GRACE_MS = 2000;

export async function startEmbedded(options: RunnerOptions = {}): Promise<EmbeddedTrio> {
  const c01 = new MessageChannel();
  const c12 = new MessageChannel();
  const c20 = new MessageChannel();
  // Party i: next = its end of the channel to i+1, prev = its end of the channel to i-1.
  const ends = [
    { next: c01.port1, prev: c20.port2 },
    { next: c12.port1, prev: c01.port2 },
    { next: c20.port1, prev: c12.port2 },
  ];
  const book = new JobBook();
  let closing = false;
  const exited: Promise<void>[] = [];
  const workers = PARTIES.map((p) => {
    const init: WorkerInit = { party: p, ...ends[p], timeoutMs: options.timeoutMs };
    const w = new Worker(WORKER_URL, { workerData: init, transferList: [ends[p].next, ends[p].prev] });
    let crash: Error | undefined;
    w.on('error', (e: Error) => (crash = e));
    exited.push(
      new Promise<void>((resolve) =>
        w.once('exit', (code: number) => {
          const why = closing
            ? new SessionAbortedError('the embedded runner was closed while the job was running')
            : new PeerLostError(`party ${p}'s worker thread ${crash ? `crashed: ${crash.message}` : `exited (code ${code})`}; the runner cannot continue, start a new one`);
          book.failParty(p, why);
          resolve();
        }),
      ),
    );
    return w;
  });

  const ready = PARTIES.map(
    (p) =>
      new Promise<void>((resolve, reject) => {
        const w = workers[p];
        const onMessage = (m: WorkerMessage): void => {
          if (m.t === 'ready') resolve();
          else if (m.t === 'start-failed') reject(errorFromWire(m.error, p));
          else if (m.t === 'result') book.settle(m.id, p, m.ok ? { status: 'fulfilled', value: m.value } : { status: 'rejected', reason: errorFromWire(m.error, p) });
        };
        w.on('message', onMessage);
        w.once('error', (e: Error) => reject(new PeerLostError(`party ${p}'s worker thread failed to start: ${e.message}`)));
        w.once('exit', (code: number) => reject(new PeerLostError(`party ${p}'s worker thread exited (code ${code}) before it was ready`)));
      }),
  );
  try {
    await Promise.all(ready);
  } catch (e) {
    closing = true;
    await Promise.all(workers.map((w) => w.terminate()));
    throw e;
  }

  const post = (p: PartyId, req: HostRequest): void => workers[p].postMessage(req);
  const runSettled = <R, A>(job: Job<A>): Promise<JobOutcomes<R>> => dispatch(book, job, post) as Promise<JobOutcomes<R>>;
  return {
    runSettled,
    async run<R, A>(job: Job<A>): Promise<[R, R, R]> {
      return resultsOf(await runSettled<R, A>(job), book.deaths);
    },
    async kill(p: PartyId): Promise<void> {
      await workers[p].terminate();
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
      const timer = setTimeout(() => void Promise.all(workers.map((w) => w.terminate())), CLOSE_GRACE_MS);
      await Promise.all(exited);
      clearTimeout(timer);
    },
  };
}
