/**
 * One of the three computing parties. Party i is linked to party i+1 ("next") and party i-1
 * ("prev"), modulo 3.
 *
 * At start-up the parties check that the wiring is what they think it is and set up pairwise
 * keys over the (authenticated, encrypted) links: party i draws K(i,i+1) and sends it to i+1;
 * party 0 also draws a key known to all three. Every session derives its own PRG keys from
 * these, so concurrent computations never reuse randomness.
 */

import { randomBytes } from 'node:crypto';
import { ProtocolError, PeerTimeoutError } from '../errors.js';
import { PRG_KEY_BYTES } from '../crypto/prg.js';
import { CONTROL_SESSION, type Link } from '../net/link.js';
import { Mailbox } from '../net/mailbox.js';
import { ScratchPool } from './scratch.js';
import { Session, type SessionOptions } from './session.js';

export type PartyId = 0 | 1 | 2;
export const PARTIES: readonly PartyId[] = [0, 1, 2];
export const nextOf = (p: PartyId): PartyId => ((p + 1) % 3) as PartyId;
export const prevOf = (p: PartyId): PartyId => ((p + 2) % 3) as PartyId;

export interface PartyLinks {
  /** Link to party (id + 1) mod 3. */
  readonly next: Link;
  /** Link to party (id + 2) mod 3. */
  readonly prev: Link;
}

export interface PartyOptions {
  /** How long to wait for any expected message before failing the computation (ms). */
  readonly timeoutMs?: number;
  /**
   * The working memory to compute in (default: a new pool). A node keeps one pool for its life
   * and hands it to every party its mesh makes, so that what its start-up warm-up filled is there
   * for the first query (node/warm-up/warm-up.ts): fresh buffers there start V8's full collections.
   */
  readonly scratch?: ScratchPool;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
// Bumped whenever parties of different versions would compute a different result without an
// error (2: the shuffle's draws and round 3, the truncation's short messages).
const PROTOCOL_VERSION = 'tessera-mpc/2';

interface Hello {
  readonly protocol: string;
  readonly from: PartyId;
  readonly pairKey?: string;
  readonly commonKey?: string;
}

export class Party {
  readonly next: PartyId;
  readonly prev: PartyId;
  readonly timeoutMs: number;
  /** Working memory shared by this party's protocols (never for buffers that are sent). */
  readonly scratch: ScratchPool;
  private readonly sessions = new Map<bigint, Session>();
  private closed = false;

  private constructor(
    readonly id: PartyId,
    readonly boxNext: Mailbox,
    readonly boxPrev: Mailbox,
    readonly keyNext: Uint8Array,
    readonly keyPrev: Uint8Array,
    readonly keyCommon: Uint8Array,
    options: PartyOptions,
  ) {
    this.next = nextOf(id);
    this.prev = prevOf(id);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.scratch = options.scratch ?? new ScratchPool();
    const onDown = (error: Error): void => {
      for (const s of this.sessions.values()) s.linkLost(error);
    };
    boxNext.onLinkDown = onDown;
    boxPrev.onLinkDown = onDown;
  }

  /** Checks the wiring and agrees on pairwise keys with both neighbours. */
  static async connect(id: PartyId, links: PartyLinks, options: PartyOptions = {}): Promise<Party> {
    const boxNext = new Mailbox(links.next);
    const boxPrev = new Mailbox(links.prev);
    const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const keyNext = randomBytes(PRG_KEY_BYTES);
    const common = id === 0 ? randomBytes(PRG_KEY_BYTES) : undefined;
    const encode = (h: Hello): Uint8Array => new TextEncoder().encode(JSON.stringify(h));
    const helloNext: Hello = { protocol: PROTOCOL_VERSION, from: id, pairKey: keyNext.toString('base64'), commonKey: common?.toString('base64') };
    const helloPrev: Hello = { protocol: PROTOCOL_VERSION, from: id, commonKey: common?.toString('base64') };
    await Promise.all([links.next.send(CONTROL_SESSION, encode(helloNext)), links.prev.send(CONTROL_SESSION, encode(helloPrev))]);
    const read = async (box: Mailbox, expected: PartyId): Promise<Hello> => {
      let raw: Uint8Array;
      try {
        raw = await box.recv(CONTROL_SESSION, timeout);
      } catch (e) {
        if (e instanceof PeerTimeoutError) throw new PeerTimeoutError(`party ${expected} did not greet party ${id} within ${timeout} ms`);
        throw e;
      }
      let h: Hello;
      try {
        h = JSON.parse(new TextDecoder().decode(raw)) as Hello;
      } catch {
        throw new ProtocolError(`${box.link.peerName} sent an unreadable greeting`);
      }
      if (h.protocol !== PROTOCOL_VERSION) throw new ProtocolError(`${box.link.peerName} speaks ${String(h.protocol)}, this party speaks ${PROTOCOL_VERSION}: upgrade the older node`);
      if (h.from !== expected) throw new ProtocolError(`party ${id} expected party ${expected} on this link but it says it is party ${String(h.from)}: check the peer addresses in the configuration`);
      return h;
    };
    const [fromNext, fromPrev] = await Promise.all([read(boxNext, nextOf(id)), read(boxPrev, prevOf(id))]);
    if (!fromPrev.pairKey) throw new ProtocolError(`party ${prevOf(id)} sent no pairwise key`);
    const keyPrev = Buffer.from(fromPrev.pairKey, 'base64');
    const commonB64 = id === 0 ? common!.toString('base64') : id === 1 ? fromPrev.commonKey : fromNext.commonKey;
    if (!commonB64) throw new ProtocolError('party 0 sent no common key');
    const keyCommon = Buffer.from(commonB64, 'base64');
    if (keyPrev.byteLength !== PRG_KEY_BYTES || keyCommon.byteLength !== PRG_KEY_BYTES) throw new ProtocolError('a peer sent a key of the wrong size');
    return new Party(id, boxNext, boxPrev, keyNext, keyPrev, keyCommon, options);
  }

  /** Opens (or returns) the session with this identifier; all three parties must use the same id. */
  session(sessionId: bigint, options: SessionOptions = {}): Session {
    if (this.closed) throw new ProtocolError('this party has been closed');
    if (sessionId === CONTROL_SESSION) throw new RangeError('session 0 is reserved for control messages');
    let s = this.sessions.get(sessionId);
    if (!s) {
      s = new Session(this, sessionId, { timeoutMs: this.timeoutMs, ...options });
      this.sessions.set(sessionId, s);
    }
    return s;
  }

  /** Runs `body` in a fresh session; on failure the peers are told at once, so nobody waits. */
  async run<T>(sessionId: bigint, body: (s: Session) => Promise<T>, options: SessionOptions = {}): Promise<T> {
    const s = this.session(sessionId, options);
    try {
      return await body(s);
    } catch (e) {
      s.abort(e instanceof Error ? e.message : String(e));
      throw e;
    } finally {
      this.forget(s);
    }
  }

  /** Releases a session's queues. */
  forget(s: Session): void {
    this.sessions.delete(s.id);
    this.boxNext.release(s.id);
    this.boxPrev.release(s.id);
    for (const f of s.children) this.forget(f);
  }

  /** Control-session messages (barriers, job descriptions) for the runtime built on top. */
  sendControl(to: PartyId, payload: Uint8Array): Promise<void> {
    return this.boxFor(to).link.send(CONTROL_SESSION, payload);
  }

  recvControl(from: PartyId, timeoutMs = this.timeoutMs): Promise<Uint8Array> {
    return this.boxFor(from).recv(CONTROL_SESSION, timeoutMs);
  }

  boxFor(p: PartyId): Mailbox {
    if (p === this.next) return this.boxNext;
    if (p === this.prev) return this.boxPrev;
    throw new RangeError(`party ${this.id} has no link to itself`);
  }

  /** Payload bytes this party has sent on both links since it started. */
  get bytesSent(): number {
    return this.boxNext.link.bytesSent + this.boxPrev.link.bytesSent;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.boxNext.link.close();
    this.boxPrev.link.close();
  }
}
