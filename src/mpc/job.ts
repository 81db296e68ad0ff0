/**
 * Jobs: what the multi-threaded and multi-process runners execute.
 *
 * A job names an exported function of a compiled module; each party imports the module and calls
 * `fn(session, args, party)` in the same new session. Runners keep the three outcomes of every
 * job (a `JobBook`) and report one: the results, or the error that best explains the failure.
 * Errors cross thread and process boundaries as plain data and are rebuilt as the same typed
 * classes, so callers can still branch on `instanceof` or `code`.
 */

import { randomBytes } from 'node:crypto';
import {
  JobError,
  PeerAuthenticationError,
  PeerLostError,
  PeerTimeoutError,
  PeerUnreachableError,
  ProtocolError,
  RangeCheckError,
  SessionAbortedError,
  TesseraError,
  UsageError,
} from '../errors.js';
import type { Party, PartyId } from './party.js';
import type { Session } from './session.js';

/** The function a job names: runs on every party in the job's session. */
export type JobFunction<A = unknown, R = unknown> = (session: Session, args: A, party: PartyId) => Promise<R> | R;

export interface Job<A = unknown> {
  /** Absolute file URL of a compiled ES module, e.g. `new URL('./jobs.js', import.meta.url).href`. */
  readonly module: string;
  /** Name of the exported JobFunction. */
  readonly fn: string;
  /** Arguments given to all three parties (structured-clonable). */
  readonly args?: A;
  /** Per-party arguments instead of `args`, so a party's private input goes to that party only. */
  readonly partyArgs?: readonly [A, A, A];
  /** Receive timeout for this job's session (ms); default: the runner's. */
  readonly timeoutMs?: number;
}

/** The three parties' outcomes of one job. */
export type JobOutcomes<R> = [PromiseSettledResult<R>, PromiseSettledResult<R>, PromiseSettledResult<R>];

/** An error as it crosses a thread or process boundary. */
export interface WireError {
  readonly name: string;
  readonly code: string | undefined;
  readonly message: string;
}

export function errorToWire(e: unknown): WireError {
  if (e instanceof TesseraError) return { name: e.name, code: e.code, message: e.message };
  if (e instanceof Error) return { name: e.name, code: undefined, message: e.message };
  return { name: 'Error', code: undefined, message: String(e) };
}

const BY_CODE: Record<string, new (message: string) => TesseraError> = {
  RANGE_CHECK: RangeCheckError,
  PEER_TIMEOUT: PeerTimeoutError,
  PEER_LOST: PeerLostError,
  SESSION_ABORTED: SessionAbortedError,
  PROTOCOL: ProtocolError,
  USAGE: UsageError,
  PEER_AUTH: PeerAuthenticationError,
  PEER_UNREACHABLE: PeerUnreachableError,
  JOB_FAILED: JobError,
};

/** Rebuilds a typed error; non-Tessera errors become JobError. The message says which party failed. */
export function errorFromWire(w: WireError, party: PartyId): TesseraError {
  const Ctor = (w.code && BY_CODE[w.code]) || JobError;
  const detail = Ctor === JobError && !w.code ? `${w.name}: ${w.message}` : w.message;
  return new Ctor(`party ${party}: ${detail}`);
}

/**
 * A fresh session identifier for a job: 64 random bits from node:crypto (never 0, the control
 * session). All three parties must get the same one, so the runner draws it and sends it along.
 */
export function newSessionId(): bigint {
  return randomBytes(8).readBigUInt64LE(0) | 1n;
}

/**
 * Errors that are consequences of another party's failure rank below the failure itself, so
 * that the caller sees the cause: a job's own exception beats the aborts it triggered.
 */
function rank(e: unknown, deaths: ReadonlySet<unknown>): number {
  if (deaths.has(e)) return 0; // a party that died explains everything its peers saw
  if (e instanceof SessionAbortedError) return 4;
  if (e instanceof PeerTimeoutError) return 3;
  if (e instanceof PeerLostError) return 2;
  return 1;
}

/** The error to report for a job: the root cause among the parties' failures, if any failed. */
export function rootCause<R>(outcomes: JobOutcomes<R>, deaths: ReadonlySet<unknown> = new Set()): unknown {
  let best: unknown;
  let bestRank = Infinity;
  for (const o of outcomes) {
    if (o.status === 'rejected' && rank(o.reason, deaths) < bestRank) {
      best = o.reason;
      bestRank = rank(o.reason, deaths);
    }
  }
  return best;
}

/** Results of a job whose three parts all succeeded, or its root-cause error. */
export function resultsOf<R>(outcomes: JobOutcomes<R>, deaths?: ReadonlySet<unknown>): [R, R, R] {
  const cause = rootCause(outcomes, deaths);
  if (cause !== undefined) throw cause;
  return outcomes.map((o) => (o as PromiseFulfilledResult<R>).value) as [R, R, R];
}

const loaded = new Map<string, Promise<Record<string, unknown>>>();

async function loadFunction(module: string, fn: string): Promise<JobFunction> {
  if (!module.startsWith('file:')) throw new UsageError(`job module must be an absolute file URL (got "${module}"); use new URL('./jobs.js', import.meta.url).href`);
  let m = loaded.get(module);
  if (!m) {
    m = import(module) as Promise<Record<string, unknown>>;
    loaded.set(module, m);
    m.catch(() => loaded.delete(module));
  }
  const f = (await m)[fn];
  if (typeof f !== 'function') throw new UsageError(`module ${module} has no exported function "${fn}"`);
  return f as JobFunction;
}

/** Runs one job on this party (inside a worker or a party process). */
export function executeJob(
  party: Party,
  sessionId: bigint,
  module: string,
  fn: string,
  args: unknown,
  timeoutMs: number | undefined,
  onSession?: (s: Session) => void,
): Promise<unknown> {
  // Loading happens inside the session, so that a missing module aborts the peers at once too.
  return party.run(
    sessionId,
    async (s) => {
      onSession?.(s);
      return (await loadFunction(module, fn))(s, args, party.id);
    },
    timeoutMs === undefined ? {} : { timeoutMs },
  );
}

interface Pending {
  readonly outcomes: (PromiseSettledResult<unknown> | undefined)[];
  readonly resolve: (o: JobOutcomes<unknown>) => void;
}

/**
 * Book-keeping of running jobs on the runner side: three outcomes per job; a job is done once
 * all three parts settled. When a party dies, all its parts fail at once (`failParty`).
 */
export class JobBook {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Set once a party is gone: the mesh is broken, later jobs fail at once. */
  broken: Error | undefined;
  /** The errors that stand for a party's death (preferred as the cause of a failed job). */
  readonly deaths = new Set<unknown>();

  /** Registers a job; returns its id and the promise of its outcomes. */
  open<R>(): { id: number; outcomes: Promise<JobOutcomes<R>> } {
    const id = this.nextId++;
    const outcomes = new Promise<JobOutcomes<unknown>>((resolve) => this.pending.set(id, { outcomes: [undefined, undefined, undefined], resolve }));
    return { id, outcomes: outcomes as Promise<JobOutcomes<R>> };
  }

  settle(id: number, party: PartyId, outcome: PromiseSettledResult<unknown>): void {
    const p = this.pending.get(id);
    if (!p || p.outcomes[party]) return;
    p.outcomes[party] = outcome;
    if (p.outcomes.every((o) => o !== undefined)) {
      this.pending.delete(id);
      p.resolve(p.outcomes as JobOutcomes<unknown>);
    }
  }

  /** Fails every unfinished part of `party` with `error` (the party died or was closed). */
  failParty(party: PartyId, error: Error): void {
    this.broken ??= error;
    this.deaths.add(error);
    for (const id of [...this.pending.keys()]) this.settle(id, party, { status: 'rejected', reason: error });
  }

  get size(): number {
    return this.pending.size;
  }
}
