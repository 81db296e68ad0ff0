/**
 * Waiting for a query's job: its state is asked for with backoff (50 ms, growing to 1 s between
 * asks) until it is decided, for at most `waitMs`. Every change of state or step is passed to
 * `onProgress`.
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

/** The query's public facts once it is done; QueryFailedError (with the reason) once it failed. */
export async function waitForQuery(query: string, ask: () => Promise<QueryStatus>, options: WaitOptions = {}): Promise<QueryInfo & { readonly state: 'done' }> {
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const deadline = Date.now() + waitMs;
  let delay = FIRST_DELAY_MS;
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
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(0, deadline - Date.now()))));
    delay = Math.min(MAX_DELAY_MS, Math.round(delay * 1.5));
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
  const deadline = Date.now() + waitMs;
  let decisionDeadline: number | undefined;
  let delay = FIRST_DELAY_MS;
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
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(0, until - Date.now()))));
    delay = Math.min(MAX_DELAY_MS, Math.round(delay * 1.5));
  }
}
