/**
 * Sorts the messages arriving on one link by session and hands them out in order.
 *
 * A message may arrive before its session exists here (a faster peer): it waits in the queue.
 * Every wait has a deadline; a closed link or an abort from the peer fails all waits at once,
 * so a computation never hangs on a vanished peer.
 *
 * The deadlines share one timer per mailbox, armed for the earliest of them, instead of a timer
 * per receive: a protocol round is one receive per neighbour, and creating and clearing a node
 * timer for each cost more CPU than the rest of the mailbox (docs/transport.md, small messages).
 * The timer keeps the process alive only while some receive is waiting. A waiting receive costs
 * a count, not an entry in a set: the timer, when it fires, looks through the sessions' waits.
 * The last session's queue is kept at hand: a protocol's rounds receive on one session.
 *
 * A receive may name its destination (recvInto): a long message that starts arriving while that
 * receive is first in its session's line is written by the link straight into the caller's
 * buffer (LinkHandlers.place), with no message buffer of its own and no copy out of it; one that
 * arrived earlier, or on a link that cannot place, is copied into it once. A receive that fails
 * while its buffer is being filled (timeout, abort, lost link, release) takes the buffer back
 * from the link first (Link.unplace), so nothing writes into it once the caller has its error.
 */

import { performance } from 'node:perf_hooks';
import { PeerLostError, PeerTimeoutError, ProtocolError, SessionAbortedError } from '../errors.js';
import type { Link } from './link.js';

interface Waiter {
  resolve(payload: Uint8Array): void;
  reject(error: Error): void;
  /** performance.now() after which the wait fails; Infinity for none. */
  readonly deadline: number;
  readonly timeoutMs: number;
  /** recvInto's destination: the message is received (or copied) into it, and it is what resolve gets. */
  readonly target: Uint8Array | undefined;
  /** The link is writing a message into `target` (place): a failure must take it back (unplace). */
  placed: boolean;
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
  /** Waiting receives with a deadline; the timer fires at the earliest (or earlier, then it re-arms). */
  private timedWaits = 0;
  /** The queue of the session last looked up (none: undefined). */
  private lastSession: bigint | undefined;
  private lastQueue: SessionQueue | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (performance.now() time); Infinity when none is armed. */
  private timerAt = Infinity;
  /** Called when the link goes down, after pending receives were failed. */
  onLinkDown: ((error: Error) => void) | undefined;
  /** Called when the peer aborts a session. */
  onSessionAbort: ((session: bigint, error: Error) => void) | undefined;

  constructor(readonly link: Link) {
    link.setHandlers({
      message: (session, payload) => this.deliver(session, payload),
      place: (session, bytes) => this.place(session, bytes),
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
    if (session === this.lastSession) return this.lastQueue!;
    let q = this.queues.get(session);
    if (!q) {
      const failure = this.earlyAborts.get(session);
      if (failure) this.earlyAborts.delete(session);
      q = { messages: [], waiters: [], failure };
      this.queues.set(session, q);
    }
    this.lastSession = session;
    this.lastQueue = q;
    return q;
  }

  private deliver(session: bigint, payload: Uint8Array): void {
    const q = this.queue(session);
    const w = q.waiters.shift();
    if (!w) {
      q.messages.push(payload);
      return;
    }
    this.unwatch(w);
    if (w.target === undefined || w.target === payload) w.resolve(payload);
    else this.copyTo(w, payload);
  }

  /** The link asks where a long message of `session` starting now goes: the first waiting receive's buffer if it named one of that size. */
  private place(session: bigint, bytes: number): Uint8Array | undefined {
    const w = this.queue(session).waiters[0];
    if (w === undefined || w.target === undefined || w.placed || w.target.byteLength !== bytes) return undefined;
    w.placed = true;
    return w.target;
  }

  /** A message that was not received into `w`'s buffer (it came earlier, or the link cannot place): copied into it once, its own buffer given back to the link. */
  private copyTo(w: Waiter, payload: Uint8Array): void {
    const target = w.target!;
    if (payload.byteLength !== target.byteLength) {
      w.reject(new ProtocolError(`${this.link.peerName} sent ${payload.byteLength} bytes where ${target.byteLength} were expected: the parties are running different computations`));
      return;
    }
    target.set(payload);
    this.link.recycle?.(payload);
    w.resolve(target);
  }

  /** Fails a waiter that left its queue; a buffer the link is filling for it is taken back first. */
  private failWaiter(w: Waiter, error: Error): void {
    this.unwatch(w);
    if (w.placed) {
      w.placed = false;
      this.link.unplace?.(w.target!);
    }
    w.reject(error);
  }

  /** Receives the next message of `session`, or fails after `timeoutMs` (0 = no deadline). */
  recv(session: bigint, timeoutMs: number): Promise<Uint8Array> {
    const q = this.queue(session);
    const ready = q.messages.shift();
    if (ready) return Promise.resolve(ready);
    if (q.failure) return Promise.reject(q.failure);
    if (this.linkFailure) return Promise.reject(this.linkFailure);
    return this.wait(q, timeoutMs, undefined);
  }

  /**
   * Receives the next message of `session` into `target` (which must be exactly its size) and
   * resolves to `target`, or fails after `timeoutMs` (0 = no deadline). Until the promise settles
   * the link may write into `target` at any time: the caller must not use it meanwhile.
   * Several may wait at once (a streamed message's blocks); they are answered in order.
   */
  recvInto(session: bigint, target: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    const q = this.queue(session);
    const ready = q.messages.shift();
    if (ready) {
      return new Promise<Uint8Array>((resolve, reject) => this.copyTo({ resolve, reject, deadline: Infinity, timeoutMs, target, placed: false }, ready));
    }
    if (q.failure) return Promise.reject(q.failure);
    if (this.linkFailure) return Promise.reject(this.linkFailure);
    return this.wait(q, timeoutMs, target);
  }

  private wait(q: SessionQueue, timeoutMs: number, target: Uint8Array | undefined): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, deadline: timeoutMs > 0 ? performance.now() + timeoutMs : Infinity, timeoutMs, target, placed: false };
      q.waiters.push(waiter);
      if (timeoutMs > 0) this.watch(waiter);
    });
  }

  private watch(w: Waiter): void {
    this.timedWaits++;
    if (w.deadline < this.timerAt) this.arm(w.deadline);
    else if (this.timedWaits === 1) this.timer?.ref();
  }

  /** `w` left its queue (answered, failed or timed out); called once per waiter. */
  private unwatch(w: Waiter): void {
    if (w.deadline !== Infinity && --this.timedWaits === 0) this.timer?.unref();
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.sweep, Math.max(1, Math.ceil(at - performance.now())));
  }

  /** Fails the waits whose deadline has passed and re-arms for the earliest of the others. */
  private readonly sweep = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    const expired: Waiter[] = [];
    for (const q of this.queues.values()) {
      if (q.waiters.length === 0) continue;
      q.waiters = q.waiters.filter((w) => {
        if (w.deadline <= now) expired.push(w);
        else if (w.deadline < next) next = w.deadline;
        return w.deadline > now;
      });
    }
    for (const w of expired) {
      this.failWaiter(w, new PeerTimeoutError(`${this.link.peerName} sent nothing for ${w.timeoutMs} ms; it may be down or overloaded (raise the timeout for very large computations)`));
    }
    if (next < Infinity) this.arm(next);
  };

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
    for (const w of q.waiters.splice(0)) this.failWaiter(w, error);
    if (fromPeer) this.onSessionAbort?.(session, error);
  }

  /** Forgets a finished session. */
  release(session: bigint): void {
    this.earlyAborts.delete(session);
    const q = this.queues.get(session);
    if (!q) return;
    for (const w of q.waiters.splice(0)) this.failWaiter(w, new SessionAbortedError('the computation was closed while still waiting for a message'));
    this.queues.delete(session);
    if (session === this.lastSession) {
      this.lastSession = undefined;
      this.lastQueue = undefined;
    }
  }

  private linkDown(error: Error): void {
    if (this.linkFailure) return;
    this.linkFailure = error;
    for (const q of this.queues.values()) {
      for (const w of q.waiters.splice(0)) this.failWaiter(w, error);
    }
    this.onLinkDown?.(error);
  }
}
