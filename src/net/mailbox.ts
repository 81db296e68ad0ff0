/**
 * Sorts the messages arriving on one link by session and hands them out in order.
 *
 * A message may arrive before its session exists here (a faster peer): it waits in the queue.
 * Every wait has a deadline; a closed link or an abort from the peer fails all waits at once,
 * so a computation never hangs on a vanished peer.
 */

import { PeerLostError, PeerTimeoutError, SessionAbortedError } from '../errors.js';
import type { Link } from './link.js';

interface Waiter {
  resolve(payload: Uint8Array): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
}

interface SessionQueue {
  messages: Uint8Array[];
  waiters: Waiter[];
  failure: Error | undefined;
}

/** Aborts remembered for sessions that have no queue here (finished, or not started yet). */
const MAX_EARLY_ABORTS = 1024;

export class Mailbox {
  private readonly queues = new Map<bigint, SessionQueue>();
  /**
   * A peer may abort a session this party already finished (or has not reached yet). Creating a
   * queue for it would leak; the failure waits here, bounded, for a queue that may never come.
   */
  private readonly earlyAborts = new Map<bigint, Error>();
  private linkFailure: Error | undefined;
  /** Called when the link goes down, after pending receives were failed. */
  onLinkDown: ((error: Error) => void) | undefined;
  /** Called when the peer aborts a session. */
  onSessionAbort: ((session: bigint, error: Error) => void) | undefined;

  constructor(readonly link: Link) {
    link.setHandlers({
      message: (session, payload) => this.deliver(session, payload),
      abort: (session, reason) => this.failSession(session, new SessionAbortedError(`${link.peerName} stopped the computation: ${reason}`), true),
      closed: (error) => this.linkDown(error ?? new PeerLostError(`the link to ${link.peerName} was closed`)),
    });
  }

  get down(): Error | undefined {
    return this.linkFailure;
  }

  /** Sessions with state here (for tests of leaks). */
  get openSessions(): number {
    return this.queues.size + this.earlyAborts.size;
  }

  private queue(session: bigint): SessionQueue {
    let q = this.queues.get(session);
    if (!q) {
      const failure = this.earlyAborts.get(session);
      if (failure) this.earlyAborts.delete(session);
      q = { messages: [], waiters: [], failure };
      this.queues.set(session, q);
    }
    return q;
  }

  private deliver(session: bigint, payload: Uint8Array): void {
    const q = this.queue(session);
    const w = q.waiters.shift();
    if (w) {
      if (w.timer) clearTimeout(w.timer);
      w.resolve(payload);
    } else {
      q.messages.push(payload);
    }
  }

  /** Receives the next message of `session`, or fails after `timeoutMs` (0 = no deadline). */
  recv(session: bigint, timeoutMs: number): Promise<Uint8Array> {
    const q = this.queue(session);
    const ready = q.messages.shift();
    if (ready) return Promise.resolve(ready);
    if (q.failure) return Promise.reject(q.failure);
    if (this.linkFailure) return Promise.reject(this.linkFailure);
    return new Promise<Uint8Array>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined };
      if (timeoutMs > 0) {
        waiter.timer = setTimeout(() => {
          const i = q.waiters.indexOf(waiter);
          if (i >= 0) q.waiters.splice(i, 1);
          reject(new PeerTimeoutError(`${this.link.peerName} sent nothing for ${timeoutMs} ms; it may be down or overloaded (raise the timeout for very large computations)`));
        }, timeoutMs);
      }
      q.waiters.push(waiter);
    });
  }

  /** Fails every current and future receive of `session`. */
  failSession(session: bigint, error: Error, fromPeer = false): void {
    if (fromPeer && !this.queues.has(session)) {
      this.earlyAborts.set(session, error);
      if (this.earlyAborts.size > MAX_EARLY_ABORTS) this.earlyAborts.delete(this.earlyAborts.keys().next().value!);
      this.onSessionAbort?.(session, error);
      return;
    }
    const q = this.queue(session);
    if (!q.failure) q.failure = error;
    for (const w of q.waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(error);
    }
    if (fromPeer) this.onSessionAbort?.(session, error);
  }

  /** Forgets a finished session. */
  release(session: bigint): void {
    this.earlyAborts.delete(session);
    const q = this.queues.get(session);
    if (!q) return;
    for (const w of q.waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(new SessionAbortedError('the computation was closed while still waiting for a message'));
    }
    this.queues.delete(session);
  }

  private linkDown(error: Error): void {
    if (this.linkFailure) return;
    this.linkFailure = error;
    for (const q of this.queues.values()) {
      for (const w of q.waiters.splice(0)) {
        if (w.timer) clearTimeout(w.timer);
        w.reject(error);
      }
    }
    this.onLinkDown?.(error);
  }
}
