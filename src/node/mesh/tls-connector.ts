/**
 * Mesh links over mutual TLS (src/net/tls.ts), set up afresh on every call: listen on this
 * node's MPC address, dial the next node, accept the previous one. The listener is closed once
 * both links are up (or the attempt failed), so every attempt starts from a clean slate and a
 * returning peer is let in by the next attempt.
 */

import { TlsMesh, type PeerAddress } from '../../net/tls.js';
import type { ReservedBytes } from '../../net/recycled-buffers.js';
import { PeerLostError, UsageError } from '../../errors.js';
import type { PartyId, PartyLinks } from '../../mpc/party.js';
import type { MeshConnector } from './connector.js';

export interface TlsMeshConnectorOptions {
  readonly party: PartyId;
  readonly key: string;
  readonly cert: string;
  readonly ca: string;
  readonly peerFingerprints: { readonly [P in PartyId]?: string };
  readonly listen: PeerAddress;
  readonly next: PeerAddress;
  /** Per attempt. */
  readonly connectTimeoutMs: number;
  /** Where the links take new receive buffers while it can spare them (the node's memory reserve). */
  readonly reserve?: ReservedBytes;
}

export class TlsMeshConnector implements MeshConnector {
  private current: TlsMesh | undefined;
  private closed = false;

  constructor(private readonly options: TlsMeshConnectorOptions) {}

  async connect(): Promise<PartyLinks> {
    if (this.closed) throw new UsageError('the mesh connector was closed');
    const o = this.options;
    const mesh = await TlsMesh.listen({
      party: o.party,
      key: o.key,
      cert: o.cert,
      ca: o.ca,
      peerFingerprints: o.peerFingerprints,
      listen: o.listen,
      connectTimeoutMs: o.connectTimeoutMs,
      ...(o.reserve ? { reserve: o.reserve } : {}),
    });
    this.current = mesh;
    try {
      if (this.closed) throw new PeerLostError('the mesh connector was closed');
      return await mesh.connect(o.next);
    } finally {
      mesh.close();
      if (this.current === mesh) this.current = undefined;
    }
  }

  /** The port actually listened on by the attempt in progress (useful with port 0). */
  get listeningPort(): number | undefined {
    return this.current?.address.port;
  }

  close(): void {
    this.closed = true;
    this.current?.close();
  }
}
