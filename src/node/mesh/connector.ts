/**
 * How a node obtains links to its two peers. The mesh manager calls `connect` whenever it has
 * no working mesh (at start, and again after a loss), so a connector that can be called again
 * gives a node that heals by itself when a peer comes back.
 *
 * Implementations: TlsMeshConnector (mutual TLS between node processes) and MemoryMesh (three
 * nodes in one process, for the demo and tests). A node can also be handed a ready Party
 * (e.g. from `localTrio`), which then is never re-established.
 */

import type { PartyLinks } from '../../mpc/party.js';

export interface MeshConnector {
  /** Links to both peers; rejects when they cannot be set up now (the manager then retries). */
  connect(): Promise<PartyLinks>;
  /** Stops connecting for good (pending attempts fail). */
  close(): void;
}
