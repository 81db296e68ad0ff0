/**
 * Waiting for a query's job: its state is asked for every tenth of the time waited so far (at
 * least 50 ms apart, at most 1 s: pollDelay) until it is decided, for at most `waitMs`. Every
 * change of state or step is passed to `onProgress`.
 */

import { NodeUnavailableError, PermissionDeniedError, QueryFailedError, QueryPendingError } from '../errors.js';
import type { QueryInfo, QueryStatus } from '../wire/api.js';

export interface WaitOptions {
  /** Told every change of the job's state or step (docs/system.md, "Jobs"). */
  readonly onProgress?: (status: QueryStatus) => void;
  /** How long to wait for the job at most (default 30 minutes). */
  readonly waitMs?: number;
}

export const DEFAULT_WAIT_MS = 30 * 60_000;
const FIRST_DELAY_MS = 50;
/** How long opening waits for a computed query's decision before it says what it waits for. */
export const DECISION_WAIT_MS = 10_000;
const MAX_DELAY_MS = 1_000;

/**
 * The pause before the next ask, after `waitedMs`: a tenth of the wait so far, within 50 ms to 1 s.
 * A job that ends just after an ask is then seen at most ~10 % late (or 50 ms), where a delay that
 * grew by half each time (50, 75, 112, … ms: asks at 1.04 s and 1.61 s) could see a 1.1 s job
 * half a second late; asks stay few (about 24 between 0.5 s and 10 s, then one a second).
 */
export function pollDelay(waitedMs: number): number {
  return Math.min(MAX_DELAY_MS, Math.max(FIRST_DELAY_MS, Math.round(waitedMs / 10)));
}

/** The query's public facts once it is done; QueryFailedError (with the reason) once it failed. */
export async function waitForQuery(query: string, ask: () => Promise<QueryStatus>, options: WaitOptions = {}): Promise<QueryInfo & { readonly state: 'done' }> {
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const started = Date.now();
  const deadline = started + waitMs;
  let last = '';
  for (;;) {
    const status = await ask();
    const seen = `${status.state} ${status.job?.phase ?? ''} ${status.job?.step ?? ''} ${status.job?.position ?? ''}`;
    if (seen !== last) {
      last = seen;
      options.onProgress?.(status);
    }
    if (status.state === 'done') {
      if (!status.info) throw new QueryPendingError(`query ${query} is done but the node reported no facts of it; ask for its result again`);
      return { ...status.info, state: 'done' };
    }
    if (status.state === 'failed') throw new QueryFailedError(`query ${query} failed and has no result: ${status.reason ?? 'no reason was recorded'}`);
    if (Date.now() >= deadline) {
      throw new QueryPendingError(`query ${query} is still ${status.state} after ${Math.round(waitMs / 1000)} s; wait again (handle.result(), or \`tessera status ${query}\`) or cancel it`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollDelay(Date.now() - started), Math.max(0, deadline - Date.now()))));
  }
}

/**
 * Waits while the connected node queues or computes the query (its status carries a job), at
 * most `waitMs`, and then while its computed query waits for the coordinator's decision, at most
 * `decisionWaitMs`: a decision takes milliseconds unless a node is down, and opening right after
 * the computation would otherwise race it (QueryPendingError under load). A decision that does
 * not come in that time (a node down) is not waited for: opening then says what it waits for.
 */
export async function waitWhileComputing(query: string, ask: () => Promise<QueryStatus>, waitMs = DEFAULT_WAIT_MS, decisionWaitMs = DECISION_WAIT_MS): Promise<void> {
  const started = Date.now();
  const deadline = started + waitMs;
  let decisionDeadline: number | undefined;
  for (;;) {
    // A node that cannot be asked (down) does not compute it now: opening then fetches what can be.
    const status = await ask().catch((error: unknown) => {
      // Down, or a party that may not ask (neither its requester nor a recipient): opening says why.
      if (error instanceof NodeUnavailableError || error instanceof PermissionDeniedError) return undefined;
      throw error;
    });
    if (!status) return;
    const computing = status.state === 'queued' || (status.state === 'running' && status.job !== undefined);
    if (!computing) {
      if (status.state !== 'running') return;
      decisionDeadline ??= Date.now() + decisionWaitMs;
      if (Date.now() >= decisionDeadline) return;
    }
    if (Date.now() >= deadline) throw new QueryPendingError(`query ${query} is still ${status.state} after ${Math.round(waitMs / 1000)} s; ask again later or cancel it`);
    const until = Math.min(deadline, decisionDeadline ?? deadline);
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollDelay(Date.now() - started), Math.max(0, until - Date.now()))));
  }
}
