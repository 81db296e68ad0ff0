/**
 * Three nodes in one process, linked by in-memory links (the demo and tests). Like a real
 * network it can be cut and healed: a node that stops (or whose mesh fails) drops its links,
 * and the three get fresh links as soon as all three ask for them again.
 */

import { DirectLink } from '../../net/direct-link.js';
import type { Link, LinkHandlers } from '../../net/link.js';
import { PeerLostError } from '../../errors.js';
import type { PartyId, PartyLinks } from '../../mpc/party.js';
import type { MeshConnector } from './connector.js';

/** Told of each message `from` sends `to`; returning false drops it. */
export type MeshTap = (from: PartyId, payload: Uint8Array, to: PartyId) => unknown;

interface Waiting {
  resolve(links: PartyLinks): void;
  reject(error: Error): void;
}

export class MemoryMesh {
  private readonly waiting = new Map<PartyId, Waiting>();
  /** The links of the current round, [0-1, 1-2, 2-0], for fault-injection tests. */
  links: readonly [DirectLink, DirectLink][] = [];

  /**
   * Sees every message any node sends (tests check that no node ever receives a value). A tap
   * that returns false drops the message, as if its sender had died just before sending it.
   */
  constructor(private readonly tap?: MeshTap) {}

  /** The connector for node `party`. */
  connector(party: PartyId): MeshConnector {
    let closed = false;
    return {
      connect: () => {
        if (closed) return Promise.reject(new PeerLostError('this node left the in-memory mesh'));
        return new Promise<PartyLinks>((resolve, reject) => {
          this.waiting.get(party)?.reject(new PeerLostError('replaced by a newer connection attempt'));
          this.waiting.set(party, { resolve, reject });
          this.maybeLink();
        });
      },
      close: () => {
        closed = true;
        const w = this.waiting.get(party);
        this.waiting.delete(party);
        w?.reject(new PeerLostError('this node left the in-memory mesh'));
      },
    };
  }

  /** Cuts every link of the current round (a network failure between all nodes). */
  sever(): void {
    for (const [a] of this.links) a.sever();
  }

  private maybeLink(): void {
    if (this.waiting.size < 3) return;
    const l01 = DirectLink.pair('node 1', 'node 0');
    const l12 = DirectLink.pair('node 2', 'node 1');
    const l20 = DirectLink.pair('node 0', 'node 2');
    this.links = [l01, l12, l20];
    const w = [this.waiting.get(0)!, this.waiting.get(1)!, this.waiting.get(2)!];
    this.waiting.clear();
    const t = (from: PartyId, to: PartyId, link: DirectLink): Link => (this.tap ? new TappedLink(link, (p) => this.tap!(from, p, to)) : link);
    w[0].resolve({ next: t(0, 1, l01[0]), prev: t(0, 2, l20[1]) });
    w[1].resolve({ next: t(1, 2, l12[0]), prev: t(1, 0, l01[1]) });
    w[2].resolve({ next: t(2, 0, l20[0]), prev: t(2, 1, l12[1]) });
  }
}

/** A link that shows every payload it sends to an observer first (which may drop it). */
class TappedLink implements Link {
  constructor(
    private readonly inner: DirectLink,
    private readonly observe: (payload: Uint8Array) => unknown,
  ) {}
  get peerName(): string {
    return this.inner.peerName;
  }
  get bytesSent(): number {
    return this.inner.bytesSent;
  }
  send(session: bigint, payload: Uint8Array, transfer?: boolean): Promise<void> {
    if (this.observe(payload.slice()) === false) return Promise.resolve();
    return this.inner.send(session, payload, transfer);
  }
  sendAbort(session: bigint, reason: string): void {
    this.inner.sendAbort(session, reason);
  }
  setHandlers(handlers: LinkHandlers): void {
    this.inner.setHandlers(handlers);
  }
  close(): void {
    this.inner.close();
  }
}
