/**
 * A link between worker threads over a MessagePort. A message whose sender gives up its buffer
 * (`transfer`) is moved, not copied; otherwise structured cloning copies it once.
 */

import type { MessagePort } from 'node:worker_threads';
import { PeerLostError } from '../errors.js';
import type { Link, LinkHandlers } from './link.js';

type Wire =
  | { k: 'm'; s: bigint; p: ArrayBuffer; o: number; n: number }
  | { k: 'a'; s: bigint; r: string }
  | { k: 'bye' };

export class PortLink implements Link {
  private handlers: LinkHandlers | undefined;
  private readonly early: Wire[] = [];
  private closed = false;
  bytesSent = 0;

  constructor(
    private readonly port: MessagePort,
    readonly peerName: string,
  ) {
    port.on('message', (w: Wire) => {
      if (this.handlers) this.dispatch(w, this.handlers);
      else this.early.push(w);
    });
    port.on('close', () => this.shutdown(new PeerLostError(`the channel to ${peerName} closed`)));
  }

  setHandlers(handlers: LinkHandlers): void {
    this.handlers = handlers;
    for (const w of this.early.splice(0)) this.dispatch(w, handlers);
  }

  private dispatch(w: Wire, h: LinkHandlers): void {
    if (w.k === 'm') h.message(w.s, new Uint8Array(w.p, w.o, w.n));
    else if (w.k === 'a') h.abort(w.s, w.r);
    else this.shutdown(new PeerLostError(`${this.peerName} left`));
  }

  async send(session: bigint, payload: Uint8Array, transfer = false): Promise<void> {
    if (this.closed) throw new PeerLostError(`link to ${this.peerName} is closed`);
    this.bytesSent += payload.byteLength;
    const whole = payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength;
    if (transfer && whole && payload.buffer instanceof ArrayBuffer) {
      this.port.postMessage({ k: 'm', s: session, p: payload.buffer, o: 0, n: payload.byteLength } satisfies Wire, [payload.buffer]);
    } else {
      const copy = payload.slice();
      this.port.postMessage({ k: 'm', s: session, p: copy.buffer, o: 0, n: copy.byteLength } satisfies Wire, [copy.buffer]);
    }
  }

  sendAbort(session: bigint, reason: string): void {
    if (!this.closed) this.port.postMessage({ k: 'a', s: session, r: reason } satisfies Wire);
  }

  close(): void {
    if (this.closed) return;
    try {
      this.port.postMessage({ k: 'bye' } satisfies Wire);
    } catch {
      /* the port may already be gone */
    }
    this.shutdown(undefined);
    this.port.close();
  }

  private shutdown(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers?.closed(error);
  }
}
