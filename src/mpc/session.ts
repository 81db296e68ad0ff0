/**
 * One computation shared by the three parties: its own message streams on each link, its own
 * PRG keys, and counters of the bytes and rounds it used.
 *
 * Protocols are written once and run by every party (the party index is public, so branching on
 * it is fine). Within one session, messages between two parties are matched by order, so a
 * session's protocol steps must run one after another: to overlap independent work, put it in
 * the same vectors (one round for all of it), or use `fork` for a separate session.
 */

import { deriveId, deriveKey, Prg } from '../crypto/prg.js';
import { PeerLostError, ProtocolError, SessionAbortedError } from '../errors.js';
import { SENT } from '../net/link.js';
import { asBytes, fromBytes, uninitializedWords } from '../ring/z64.js';
import { keepNewest } from '../keep-shape.js';
import { zeroShareInto } from './protocols/zero-share.js';
import type { Party, PartyId } from './party.js';

/** Components of at least this many bytes are lent and received in place by reshareKept (the link copies shorter sends: StreamLink's COALESCE_MAX). */
export const IN_PLACE_MIN_BYTES = 64 * 1024 + 8;

export interface SessionOptions {
  readonly timeoutMs?: number;
}

export interface SessionStats {
  /** Payload bytes this party sent. */
  bytesSent: number;
  /** Communication rounds (sequential message exchanges), counted identically by all parties. */
  rounds: number;
  messagesSent: number;
}

export class Session {
  readonly me: PartyId;
  readonly next: PartyId;
  readonly prev: PartyId;
  /** Shared with the next party (same stream there as its `prgPrev`). */
  readonly prgNext: Prg;
  /** Shared with the previous party. */
  readonly prgPrev: Prg;
  /** Known to all three parties: public randomness (never for masking). */
  readonly prgCommon: Prg;
  /** Known to this party only. */
  readonly prgOwn: Prg;
  readonly stats: SessionStats = { bytesSent: 0, rounds: 0, messagesSent: 0 };
  readonly timeoutMs: number;
  private failure: Error | undefined;
  private forks = 0;
  /** Sub-sessions, released together with this one. */
  readonly children: Session[] = [];

  constructor(
    readonly party: Party,
    readonly id: bigint,
    options: SessionOptions,
  ) {
    this.me = party.id;
    this.next = party.next;
    this.prev = party.prev;
    this.timeoutMs = options.timeoutMs ?? party.timeoutMs;
    const label = `session:${id.toString(16)}`;
    this.prgNext = new Prg(deriveKey(party.keyNext, label));
    this.prgPrev = new Prg(deriveKey(party.keyPrev, label));
    this.prgCommon = new Prg(deriveKey(party.keyCommon, label));
    this.prgOwn = Prg.random();
    // The newest session stays reachable after its query, and with it the maps of Session, its
    // party and its stats, which every protocol's compiled code embeds (keep-shape.ts).
    keepNewest('session', this);
  }

  /** The PRG this party shares with `other`. */
  prgWith(other: PartyId): Prg {
    if (other === this.next) return this.prgNext;
    if (other === this.prev) return this.prgPrev;
    throw new RangeError(`party ${this.me} shares no PRG with itself`);
  }

  /** Counts one communication round; every party calls it at the same protocol step. */
  round(): void {
    this.stats.rounds++;
  }

  /**
   * Sends ring elements to a neighbour. Three contracts for the array, from the cheapest for the
   * caller to the cheapest for the link:
   * - copied (the default): the caller may write it or give it back to a pool as soon as send
   *   returns (the link copied what it could not write at once);
   * - `transfer`: the caller gives it up: it neither writes nor reads it again, nor gives it back
   *   to a pool (a worker link moves a whole buffer to the other thread, detaching it here);
   * - lent (sendLent): the caller may keep reading it, but neither writes it nor gives it back to
   *   a pool until the promise sendLent returns settles.
   */
  send(to: PartyId, data: BigUint64Array, transfer = false): void {
    this.sendBytes(to, asBytes(data), transfer);
  }

  /**
   * Sends ring elements that the caller keeps reading but neither writes nor gives back to a pool
   * until the returned promise settles (a product's share component: the protocol awaits the
   * promise before returning the share, which its callers may update in place). A link that can (StreamLink) writes a long
   * array from the caller's memory instead of copying it first; the others copy it as `send`.
   * The promise resolves once the link no longer reads the array and never rejects: a failed send
   * fails this session's receives, as `send`'s does (a session that failed already throws, as send).
   */
  sendLent(to: PartyId, data: BigUint64Array): Promise<void> {
    if (this.failure) throw this.failure;
    const bytes = asBytes(data);
    const link = this.party.boxFor(to).link;
    if (link.lend === undefined) {
      this.sendBytes(to, bytes);
      return SENT;
    }
    this.stats.bytesSent += bytes.byteLength;
    this.stats.messagesSent++;
    return link.lend(this.id, bytes).catch(this.sendFailed);
  }

  sendBytes(to: PartyId, bytes: Uint8Array, transfer = false): void {
    if (this.failure) throw this.failure;
    this.stats.bytesSent += bytes.byteLength;
    this.stats.messagesSent++;
    const sent = this.party.boxFor(to).link.send(this.id, bytes, transfer);
    // Taken at once (the common case on a TLS link): nothing can reject, so no handler per message.
    if (sent !== SENT) sent.catch(this.sendFailed);
  }

  /** A send that failed: the matching receive fails too (the link is down); remember the first cause. */
  private readonly sendFailed = (e: unknown): void => {
    this.failure ??= e instanceof Error ? e : new PeerLostError(String(e));
  };

  /** Receives exactly `words` ring elements from a neighbour. */
  async recv(from: PartyId, words: number): Promise<BigUint64Array> {
    // The body of recvBytes inlined: one async function per receive instead of two (a round's cost).
    if (this.failure) throw this.failure;
    let bytes: Uint8Array;
    try {
      bytes = await this.party.boxFor(from).recv(this.id, this.timeoutMs);
    } catch (e) {
      this.failure ??= e instanceof Error ? e : new ProtocolError(String(e));
      throw e;
    }
    if (bytes.byteLength !== words * 8) {
      throw new ProtocolError(`party ${from} sent ${bytes.byteLength} bytes where ${words * 8} were expected: the parties are running different computations`);
    }
    return fromBytes(bytes);
  }

  /**
   * Receives exactly `target.length` ring elements from a neighbour into `target`: a long message
   * that starts arriving after this call is written there by the link directly (no message buffer
   * of its own, no copy out of it; Mailbox.recvInto), an earlier one is copied there. The caller
   * must not use `target` until the promise settles. Several may wait at once, answered in order
   * (the blocks of one streamed message).
   */
  async recvInto(from: PartyId, target: BigUint64Array): Promise<void> {
    if (this.failure) throw this.failure;
    try {
      await this.party.boxFor(from).recvInto(this.id, asBytes(target), this.timeoutMs);
    } catch (e) {
      this.failure ??= e instanceof Error ? e : new ProtocolError(String(e));
      throw e;
    }
  }

  async recvBytes(from: PartyId): Promise<Uint8Array> {
    if (this.failure) throw this.failure;
    try {
      return await this.party.boxFor(from).recv(this.id, this.timeoutMs);
    } catch (e) {
      this.failure ??= e instanceof Error ? e : new ProtocolError(String(e));
      throw e;
    }
  }

  /**
   * Hands a message received from `from` back to its link once this protocol step has read it
   * for the last time and keeps no view of it: the link may receive a later message into it.
   */
  release(from: PartyId, bytes: Uint8Array): void {
    this.party.boxFor(from).link.recycle?.(bytes);
  }

  /** release for a message received by `recv` (its words view the whole received buffer). */
  releaseWords(from: PartyId, words: BigUint64Array): void {
    this.release(from, new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
  }

  /**
   * The reshare step of replicated sharing: send own component to the previous party, receive
   * the next party's component. One round.
   */
  async reshare(mine: BigUint64Array): Promise<BigUint64Array> {
    this.round();
    this.send(this.prev, mine);
    return this.recv(this.next, mine.length);
  }

  /**
   * reshare with the next party's component received into `into` (exactly mine.length words; not
   * to be used until this settles) and, if `lend`, `mine` lent to the link (sendLent), which this
   * awaits before returning: the caller may write `mine` again once this settles. One round.
   */
  async reshareInto(mine: BigUint64Array, into: BigUint64Array, lend: boolean): Promise<BigUint64Array> {
    this.round();
    const lent = lend ? this.sendLent(this.prev, mine) : undefined;
    if (!lend) this.send(this.prev, mine);
    await this.recvInto(this.next, into);
    // `mine` goes back to the caller as its share, which it may update in place: not before the link is done with it.
    if (lent) await lent;
    return into;
  }

  /**
   * reshare of a component that is not written while the reshare runs (a product's z, which
   * becomes the caller's share): a long one (IN_PLACE_MIN_BYTES) is lent and the next party's
   * component received straight into a fresh vector; a short one as reshare (a copy costs less
   * than a second socket write). The caller may update both in place once this settles.
   */
  reshareKept(mine: BigUint64Array): Promise<BigUint64Array> {
    return mine.byteLength >= IN_PLACE_MIN_BYTES ? this.reshareInto(mine, uninitializedWords(mine.length), true) : this.reshare(mine);
  }

  /**
   * Arithmetic zero-sharing: F(K(i,i+1)) - F(K(i-1,i)); the three values sum to zero.
   *
   * Both pairwise streams are needed, one AES keystream each: the component party i sends to
   * party i-1 in a reshare must be masked by a stream party i-1 cannot compute (K(i,i+1)), and
   * only party i+1 can cancel that stream, so party i also subtracts K(i-1,i)'s stream to cancel
   * party i-1's mask. The vector is not zero-filled first: the keystream overwrites every word.
   */
  zeroShare(n: number): BigUint64Array {
    return this.zeroShareInto(uninitializedWords(n));
  }

  /**
   * zeroShare into `out` (every word overwritten): for callers that lend scratch memory. The
   * subtraction of the two streams runs in WebAssembly (protocols/zero-share.ts).
   */
  zeroShareInto(out: BigUint64Array): BigUint64Array {
    return zeroShareInto(this, out);
  }

  /** Binary zero-sharing: the three values XOR to zero (every word overwritten, as above). */
  zeroShareXor(n: number): BigUint64Array {
    return this.zeroShareXorInto(uninitializedWords(n));
  }

  /** zeroShareXor into `out` (every word overwritten): for callers that lend scratch memory. */
  zeroShareXorInto(out: BigUint64Array): BigUint64Array {
    return Prg.xor(this.prgNext, this.prgPrev, out);
  }

  /** A sub-session with its own streams and randomness, for work that runs concurrently. */
  fork(label = `fork${this.forks++}`): Session {
    const child = this.party.session(deriveId(this.id, label), { timeoutMs: this.timeoutMs });
    this.children.push(child);
    return child;
  }

  /** Stops the computation here and tells both peers why. */
  abort(reason: string): void {
    if (!this.failure) this.failure = new SessionAbortedError(`party ${this.me} stopped the computation: ${reason}`);
    for (const p of [this.next, this.prev]) {
      const box = this.party.boxFor(p);
      box.link.sendAbort(this.id, reason);
      box.failSession(this.id, this.failure);
    }
  }

  /** Called by the party when a link goes down. */
  linkLost(error: Error): void {
    this.failure ??= error;
  }
}
