/**
 * Links between parties living in the same thread: used by tests and property checks, where
 * three parties run as interleaved async tasks. Delivery is asynchronous (as on a real network)
 * and copies unless the sender transfers ownership, so aliasing bugs show up here too.
 */

import { PeerLostError } from '../errors.js';
import { ownedCopy, type Link, type LinkHandlers } from './link.js';

export class DirectLink implements Link {
  private handlers: LinkHandlers | undefined;
  private pending: Array<() => void> = [];
  private other!: DirectLink;
  private open = true;
  bytesSent = 0;

  private constructor(
    readonly peerName: string,
    private readonly observe: ((session: bigint, payload: Uint8Array) => void) | undefined,
  ) {}

  /**
   * Creates the two ends of a link; `nameOfB` is how end A names its peer. `observe`, if given,
   * sees every message delivered (toB: delivered to end B), for tests that record a party's view.
   */
  static pair(nameOfB: string, nameOfA: string, observe?: (toB: boolean, session: bigint, payload: Uint8Array) => void): [DirectLink, DirectLink] {
    const a = new DirectLink(nameOfB, observe && ((s, p) => observe(false, s, p)));
    const b = new DirectLink(nameOfA, observe && ((s, p) => observe(true, s, p)));
    a.other = b;
    b.other = a;
    return [a, b];
  }

  setHandlers(handlers: LinkHandlers): void {
    this.handlers = handlers;
    const queued = this.pending;
    this.pending = [];
    for (const deliver of queued) deliver();
  }

  async send(session: bigint, payload: Uint8Array, transfer = false): Promise<void> {
    if (!this.open) throw new PeerLostError(`link to ${this.peerName} is closed`);
    const data = transfer && payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength ? payload : ownedCopy(payload);
    this.bytesSent += data.byteLength;
    const target = this.other;
    setImmediate(() =>
      target.deliver(() => {
        target.observe?.(session, data);
        target.handlers?.message(session, data);
      }),
    );
  }

  sendAbort(session: bigint, reason: string): void {
    if (!this.open) return;
    const target = this.other;
    setImmediate(() => target.deliver(() => target.handlers?.abort(session, reason)));
  }

  private deliver(fn: () => void): void {
    if (!this.open) return;
    if (this.handlers) fn();
    else this.pending.push(fn);
  }

  close(): void {
    this.shutdown(undefined);
    this.other.shutdown(new PeerLostError(`${this.other.peerName} closed the link`));
  }

  /** Simulates the peer vanishing without a goodbye (tests of fault handling). */
  sever(): void {
    this.shutdown(new PeerLostError(`connection to ${this.peerName} was lost`));
    this.other.shutdown(new PeerLostError(`connection to ${this.other.peerName} was lost`));
  }

  private shutdown(error: Error | undefined): void {
    if (!this.open) return;
    this.open = false;
    const h = this.handlers;
    setImmediate(() => h?.closed(error));
  }
}
