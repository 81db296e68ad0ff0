/**
 * The party side of a runner: receives job requests from the runner (over a worker's parentPort
 * or a child process's IPC channel), runs them on the local Party, and replies with results or
 * errors as plain data. Shared by the embedded worker and the party process.
 */

import { errorToWire, executeJob, type WireError } from './job.js';
import type { Party } from './party.js';
import type { Session } from './session.js';

export type HostRequest =
  | { readonly t: 'job'; readonly id: number; readonly session: bigint; readonly module: string; readonly fn: string; readonly args: unknown; readonly timeoutMs: number | undefined }
  /** The runner could not hand this job to every party: stop it here too, so that nobody waits. */
  | { readonly t: 'abort'; readonly session: bigint; readonly reason: string }
  | { readonly t: 'close' };

export type HostReply =
  | { readonly t: 'result'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly t: 'result'; readonly id: number; readonly ok: false; readonly error: WireError };

export class PartyHost {
  private readonly running = new Map<bigint, Session>();
  private readonly aborted = new Map<bigint, string>();

  constructor(
    readonly party: Party,
    private readonly reply: (r: HostReply) => void,
    private readonly onClose: () => void,
  ) {}

  handle(req: HostRequest): void {
    if (req.t === 'job') this.runJob(req);
    else if (req.t === 'abort') this.abort(req.session, req.reason);
    else if (req.t === 'close') {
      this.party.close();
      this.onClose();
    }
  }

  private runJob(req: Extract<HostRequest, { t: 'job' }>): void {
    const cancelled = this.aborted.get(req.session);
    const body = (s: Session): void => {
      this.running.set(req.session, s);
      if (cancelled !== undefined) s.abort(cancelled);
    };
    executeJob(this.party, req.session, req.module, req.fn, req.args, req.timeoutMs, body).then(
      (value) => this.send(req.id, { t: 'result', id: req.id, ok: true, value }),
      (e: unknown) => this.send(req.id, { t: 'result', id: req.id, ok: false, error: errorToWire(e) }),
    ).finally(() => {
      this.running.delete(req.session);
      this.aborted.delete(req.session);
    });
  }

  private abort(session: bigint, reason: string): void {
    const s = this.running.get(session);
    if (s) s.abort(reason);
    else this.aborted.set(session, reason);
  }

  private send(id: number, r: HostReply): void {
    try {
      this.reply(r);
    } catch (e) {
      // Typically a result that cannot be cloned (a function, a class instance with a socket...).
      const message = `the job's result could not be sent back: ${e instanceof Error ? e.message : String(e)}; return plain data (numbers, strings, typed arrays, plain objects)`;
      this.reply({ t: 'result', id, ok: false, error: { name: 'UsageError', code: 'USAGE', message } });
    }
  }
}
