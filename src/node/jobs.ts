/**
 * Queries run as jobs (docs/system.md, "Jobs"). Each node keeps the jobs it takes part in: the
 * ones it coordinates (admitted, queued while `limits.concurrent` of its own jobs run, refused
 * beyond `limits.queued` waiting) and the ones its peers coordinate (computed at once: their
 * coordinator already admitted them, and a peer that queued them could deadlock two
 * coordinators each waiting for the other's slot). So a node computes at most three times
 * `limits.concurrent` jobs at once: its own and each peer's.
 *
 * A job holds what the status route shows (phase, step, elapsed time) and how to stop it: its
 * MPC session is aborted (the peers' sessions fail at once) and its next step throws. The
 * query's state itself stays in the results store; nothing here is durable.
 */

import { NodeUnavailableError, QueueFullError, SessionAbortedError } from '../errors.js';
import type { ExecutionProgress } from '../ops/progress.js';
import type { JobStatus } from '../wire/api.js';

export interface JobLimits {
  /** Jobs this node coordinates that compute at once. */
  readonly concurrent: number;
  /** Jobs this node coordinates that wait for a slot; more are refused (QUEUE_FULL). */
  readonly queued: number;
}

export const DEFAULT_JOB_LIMITS: JobLimits = { concurrent: 2, queued: 32 };

/** Called at the start of every step of a job computed here (tests pause jobs with it). */
export type JobStepHook = (query: string, progress: ExecutionProgress) => void | Promise<void>;

/** What a session must offer to be stopped (mpc/session.ts). */
interface Abortable {
  abort(reason: string): void;
}

export class Job {
  readonly admittedAt = Date.now();
  phase: 'queued' | 'running' = 'running';
  progress: ExecutionProgress | undefined;
  /** Set once: why the job was stopped (`cancelled by <party>`, or the node stopping). */
  stopReason: string | undefined;
  /** The coordinator started writing its decision: too late to cancel. */
  deciding = false;
  /** Settles when the job has ended here (decided, at its coordinator). */
  readonly ended: Promise<void>;
  private session: Abortable | undefined;
  private readonly stopped: Promise<void>;
  private signalStop!: () => void;
  private signalEnd!: () => void;

  constructor(
    readonly query: string,
    private readonly hook: JobStepHook | undefined,
  ) {
    this.stopped = new Promise((resolve) => (this.signalStop = resolve));
    this.ended = new Promise((resolve) => (this.signalEnd = resolve));
  }

  /** The job's MPC session, once it runs here; a job stopped before gets it aborted at once. */
  attach(session: Abortable): void {
    this.session = session;
    if (this.stopReason !== undefined) session.abort(this.stopReason);
  }

  /** Progress listener for ops/execute.ts: records the step, lets the hook pause, stops a stopped job. */
  async step(progress: ExecutionProgress): Promise<void> {
    this.progress = progress;
    this.throwIfStopped();
    if (this.hook) await Promise.race([this.hook(this.query, progress), this.stopped]);
    this.throwIfStopped();
  }

  /** Stops the job here: its session is aborted (telling the peers) and its next step throws. */
  stop(reason: string): void {
    if (this.stopReason !== undefined) return;
    this.stopReason = reason;
    this.session?.abort(reason);
    this.signalStop();
  }

  throwIfStopped(): void {
    if (this.stopReason !== undefined) throw new SessionAbortedError(`the job was stopped: ${this.stopReason}`);
  }

  end(): void {
    this.signalEnd();
  }

  /**
   * Resolves when the job has ended here or after `ms`, whichever comes first (a status ask
   * held by its node, flows/query.ts queryStatus: the asker hears of the end at once, not at its
   * next ask, which came up to a tenth of the query's time late).
   */
  async endedWithin(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  status(position?: number): JobStatus {
    const p = this.progress;
    return {
      phase: this.phase,
      ...(position !== undefined ? { position } : {}),
      ...(p ? { operator: p.operator, path: p.path, step: p.step, steps: p.steps } : {}),
      elapsedMs: Date.now() - this.admittedAt,
    };
  }
}

export class JobBoard {
  private readonly jobs = new Map<string, Job>();
  /** Jobs this node coordinates, waiting for a slot, in order, with how to start them. */
  private readonly queue: { readonly job: Job; readonly start: () => Promise<void> }[] = [];
  private running = 0;
  private closingNow = false;

  constructor(
    readonly limits: JobLimits = DEFAULT_JOB_LIMITS,
    private readonly hook?: JobStepHook,
  ) {}

  /** The node is stopping: jobs end without deciding (a restart fails them, see results-store.ts). */
  get closing(): boolean {
    return this.closingNow;
  }

  /**
   * Admits a job this node coordinates: it starts now if a slot is free, else it waits in the
   * queue; refused (nothing changed) when the queue is full. `run` computes and decides it.
   */
  admit(query: string, run: (job: Job) => Promise<void>): Job {
    this.checkCapacity();
    const job = this.track(query);
    const start = async (): Promise<void> => {
      job.phase = 'running';
      this.running++;
      try {
        await run(job);
      } finally {
        this.running--;
        this.untrack(job);
        this.startNext();
      }
    };
    if (this.running < this.limits.concurrent) void start();
    else {
      job.phase = 'queued';
      this.queue.push({ job, start });
    }
    return job;
  }

  /** Refuses (QUEUE_FULL) when a new job could neither start nor wait. */
  checkCapacity(): void {
    if (this.closingNow) throw new NodeUnavailableError('this node is stopping: submit the query again once it is back');
    if (this.running >= this.limits.concurrent && this.queue.length >= this.limits.queued) {
      throw new QueueFullError(
        `this node already runs ${this.running} queries and has ${this.queue.length} waiting (its limits: ${this.limits.concurrent} at once, ${this.limits.queued} waiting): retry once some have finished`,
      );
    }
  }

  /** A job computed here for a peer that coordinates it (or the local part of one's own). */
  track(query: string): Job {
    const job = this.jobs.get(query) ?? new Job(query, this.hook);
    this.jobs.set(query, job);
    return job;
  }

  /** The job ended here. */
  untrack(job: Job): void {
    if (this.jobs.get(job.query) === job) this.jobs.delete(job.query);
    job.end();
  }

  get(query: string): Job | undefined {
    return this.jobs.get(query);
  }

  /** Place in the queue (1: next), or undefined when not queued. */
  position(query: string): number | undefined {
    const i = this.queue.findIndex((q) => q.job.query === query);
    return i < 0 ? undefined : i + 1;
  }

  /** Takes a queued job out of the queue (it never started); false if it was not queued. */
  dequeue(query: string): boolean {
    const i = this.queue.findIndex((q) => q.job.query === query);
    if (i < 0) return false;
    const [{ job }] = this.queue.splice(i, 1);
    this.untrack(job);
    return true;
  }

  /** Stops every job (the node is stopping); resolves once they ended here, or after `graceMs`. */
  async close(graceMs: number): Promise<void> {
    this.closingNow = true;
    for (const { job } of this.queue.splice(0)) this.untrack(job);
    const jobs = [...this.jobs.values()];
    for (const job of jobs) job.stop('the node stopped during the job');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(jobs.map((j) => j.ended)), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
  }

  private startNext(): void {
    if (this.closingNow) return;
    while (this.running < this.limits.concurrent && this.queue.length > 0) void this.queue.shift()!.start();
  }
}
