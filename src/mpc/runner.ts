/**
 * What the runners (worker threads: embedded.ts; TLS processes: process-cluster.ts) have in
 * common: their public interface and how a job is handed to the three parties.
 */

import { TesseraError, UsageError } from '../errors.js';
import { newSessionId, type Job, type JobBook, type JobOutcomes } from './job.js';
import { PARTIES, type PartyId } from './party.js';
import type { HostRequest } from './party-host.js';

export interface RunnerOptions {
  /** Receive timeout of every session (ms); default: the Party default (60 s). */
  readonly timeoutMs?: number;
}

/** What both runners (threads, processes) offer. */
export interface Runner {
  /** Runs a job on the three parties in one new session; resolves with their three results. */
  run<R = unknown, A = unknown>(job: Job<A>): Promise<[R, R, R]>;
  /** Like `run`, but reports every party's outcome instead of the first cause of failure. */
  runSettled<R = unknown, A = unknown>(job: Job<A>): Promise<JobOutcomes<R>>;
  /** Stops the parties; jobs still running fail. */
  close(): Promise<void>;
}

/** Posts a job to each party; if one cannot take it, the others are told to stop it at once. */
export async function dispatch<A>(book: JobBook, job: Job<A>, post: (p: PartyId, req: HostRequest) => void): Promise<JobOutcomes<unknown>> {
  if (job.partyArgs !== undefined && job.partyArgs.length !== 3) throw new UsageError(`partyArgs must have one entry per party (3), got ${job.partyArgs.length}`);
  if (book.broken) throw book.broken;
  const { id, outcomes } = book.open<unknown>();
  const session = newSessionId();
  const started: PartyId[] = [];
  for (const p of PARTIES) {
    const args = job.partyArgs ? job.partyArgs[p] : job.args;
    try {
      post(p, { t: 'job', id, session, module: job.module, fn: job.fn, args, timeoutMs: job.timeoutMs });
      started.push(p);
    } catch (e) {
      const reason = `the job could not be sent to party ${p}: ${e instanceof Error ? e.message : String(e)}`;
      for (const q of started) {
        try {
          post(q, { t: 'abort', session, reason });
        } catch {
          /* that party is gone too; its exit fails its part */
        }
      }
      // Cloning failures are the caller's to fix; a vanished party explains itself.
      const error = e instanceof TesseraError ? e : new UsageError(`${reason}; job arguments must be structured-clonable`);
      for (const q of PARTIES) if (!started.includes(q)) book.settle(id, q, { status: 'rejected', reason: error });
      break;
    }
  }
  return outcomes;
}
