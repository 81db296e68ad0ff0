/**
 * A bound on the request-body bytes a node holds at once. A request reserves its declared
 * Content-Length before a byte of its body is read and gives it back when its response is done;
 * when the budget is spent the request is refused at once (503, retry) rather than queued, so that
 * neither memory nor waiting connections pile up.
 */

import { TesseraError } from '../../errors.js';

export class BodyBudget {
  private used = 0;
  /** Most bytes ever reserved at once (tests and metrics). */
  peak = 0;

  constructor(
    readonly capacity: number,
    private readonly what: string,
  ) {}

  /** Reserves `bytes`; returns the function that releases them (idempotent), or throws NODE_BUSY. */
  reserve(bytes: number): () => void {
    if (this.used + bytes > this.capacity) {
      throw new TesseraError('NODE_BUSY', `this node is holding as many ${this.what} as it accepts at once (${this.capacity} bytes); send the request again in a moment`);
    }
    this.used += bytes;
    if (this.used > this.peak) this.peak = this.used;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= bytes;
    };
  }

  get inUse(): number {
    return this.used;
  }
}
