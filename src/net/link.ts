/**
 * A link carries messages between this party and one peer. Messages belong to a session
 * (one computation); a link carries many sessions at once. Session 0 is the control session.
 *
 * Implementations: DirectLink (same thread, tests), PortLink (worker threads, transferred
 * buffers) and StreamLink (mutual TLS between processes, framed and chunked).
 */

export const CONTROL_SESSION = 0n;

/**
 * What `send` returns when the transport took the message before returning (it can no longer
 * fail as a send: a link that breaks afterwards fails the receives instead). One shared, resolved
 * promise: a caller that does not await its sends can compare with it and skip attaching a
 * rejection handler, which would cost a promise and a microtask per message.
 */
export const SENT: Promise<void> = Promise.resolve();

export interface LinkHandlers {
  message(session: bigint, payload: Uint8Array): void;
  abort(session: bigint, reason: string): void;
  /** The link is gone; `error` says why when it did not close on request. */
  closed(error?: Error): void;
  /**
   * Optional: where a message of `bytes` bytes of `session`, whose first frame is arriving now,
   * is to be received: a buffer its receiver named (Mailbox.recvInto), which the link then fills
   * and delivers to `message` as the payload, or undefined for a buffer of the link's own.
   */
  place?(session: bigint, bytes: number): Uint8Array | undefined;
}

export interface Link {
  /** Human-readable name of the peer, for error messages ("party 2"). */
  readonly peerName: string;
  /**
   * Queues one message. Without `transfer` the link copies the payload before returning, so the
   * caller may overwrite it at once; with `transfer` the caller gives it up entirely (worker links
   * then move the buffer instead of copying). Resolves once the transport has taken the message
   * (back-pressure), rejects if the link is down. Returns `SENT` itself when the message was
   * taken at once.
   */
  send(session: bigint, payload: Uint8Array, transfer?: boolean): Promise<void>;
  /**
   * Optional: gives back a message this link delivered, once its protocol has read it for the
   * last time (nothing may hold a view of it), so that a later message can be received into it.
   */
  recycle?(payload: Uint8Array): void;
  /**
   * Optional, with `place`: the receiver gave `target` up before its message was complete (its
   * receive failed or timed out): the rest of the message goes into a buffer of the link's own,
   * and `target` is never written again.
   */
  unplace?(target: Uint8Array): void;
  /**
   * Optional: sends `payload` without copying it where the transport can (a lent send). The
   * caller neither writes nor frees (gives back to a pool) the array until the returned promise
   * settles; it may read it meanwhile. The promise settles once the link reads the array no more
   * (written to the socket, or copied); it rejects if the link is down.
   */
  lend?(session: bigint, payload: Uint8Array): Promise<void>;
  /** Tells the peer that this party stopped the session. Best effort. */
  sendAbort(session: bigint, reason: string): void;
  setHandlers(handlers: LinkHandlers): void;
  close(): void;
  /** Total payload bytes handed to this link (for statistics). */
  readonly bytesSent: number;
}

/**
 * Returns a copy of `payload` in a fresh, exactly-sized, 8-aligned buffer. allocUnsafeSlow skips
 * the zero-fill (every byte is overwritten) and never shares a pool slab.
 */
export function ownedCopy(payload: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafeSlow(payload.byteLength);
  out.set(payload);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
