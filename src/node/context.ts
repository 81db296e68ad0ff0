/**
 * What every flow of a node works with: who it is, the collaboration, its keys, its store, the
 * mesh and the peer RPC, its verifiers of signed requests, its log. One per running node.
 */

import type { WarmUpSummary } from './warm-up/start-up.js';
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { Identity } from '../crypto/identity.js';
import { RequestVerifier, type ReceivedRequest, type RequestHead, type SignedRequestHeaders, REQUEST_HEADERS } from '../crypto/request-signing.js';
import type { NonceStore } from '../crypto/nonce-store.js';
import { PermissionDeniedError, RequestRejectedError } from '../errors.js';
import type { Collaboration, NodeIndex, PartyConfig, Role } from '../governance/collaboration.js';
import type { MemoryReserve } from '../mpc/memory-reserve.js';
import { nextOf, prevOf, type PartyId } from '../mpc/party.js';
import type { TableStore } from './storage.js';
import type { MeshManager } from './mesh/mesh-manager.js';
import type { PeerRpc } from './rpc.js';
import type { NodeTimeouts } from './config.js';
import { JobBoard } from './jobs.js';
import type { ResultStore } from './results-store.js';
import type { ContributionIndex } from './contribution-index.js';
import { CredentialChecker } from './credentials.js';
import { SharedSecretCache } from '../crypto/envelope-session.js';
import { ScanMemory } from './storage/scan-memory.js';
import type { NodeGovernance } from './governance/node-governance.js';

/** A client's signed request as one node received it, to be checked again by the peers. */
export interface ForwardedRequest {
  readonly method: string;
  /** Path and query exactly as the client sent and signed them. */
  readonly path: string;
  readonly headers: SignedRequestHeaders;
}

export interface NodeContextParts {
  readonly index: NodeIndex;
  readonly collaboration: Collaboration;
  readonly identity: Identity;
  readonly store: TableStore;
  readonly mesh: MeshManager;
  readonly rpc: PeerRpc;
  readonly results: ResultStore;
  readonly contributions: ContributionIndex;
  /** Scripts, approvals, the audit log and result attestations (docs/governance.md). */
  readonly governance: NodeGovernance;
  readonly timeouts: NodeTimeouts;
  readonly log: Logger;
  /** Replay caches, one per node as audience (default: in memory, forgotten at a restart). */
  readonly nonces?: (audience: NodeIndex) => NonceStore;
  /** The queries this node runs as jobs (default: DEFAULT_JOB_LIMITS, no step hook). */
  readonly jobs?: JobBoard;
  /** The start-up warm-up's duration, when it ran (told by the health route). */
  readonly warmUp?: WarmUpSummary;
  /** Memory set aside at start for the pools a query fills (the warm-up's; mpc/memory-reserve.ts). */
  readonly reserve?: MemoryReserve;
}

/** Scanned columns kept for the next queries at most (a million rows' group-by reads 48 MB, a describe of five columns 80 MB). */
const SCAN_MEMORY_BYTES = 256 * 2 ** 20;

export class NodeContext {
  readonly index: NodeIndex;
  readonly name: string;
  readonly collaboration: Collaboration;
  readonly identity: Identity;
  readonly store: TableStore;
  readonly mesh: MeshManager;
  readonly rpc: PeerRpc;
  readonly results: ResultStore;
  readonly contributions: ContributionIndex;
  readonly governance: NodeGovernance;
  /** Queries running or queued here as jobs (node/jobs.ts). */
  readonly jobs: JobBoard;
  /** Checks contribution credentials against append tables' owners (remembers verified batches). */
  readonly credentials: CredentialChecker;
  /** Key agreements with contributors' envelope sessions (one X25519 exchange per session, not per envelope). */
  readonly envelopeSecrets = new SharedSecretCache();
  /** The scanned columns' memory, given back by each query that completes (storage/scan-memory.ts). */
  readonly scanMemory: ScanMemory;
  /** The memory reserve the node's pools and links fill (logged with each query: what it can still give). */
  readonly reserve: MemoryReserve | undefined;
  readonly timeouts: NodeTimeouts;
  readonly log: Logger;
  readonly warmUp: WarmUpSummary | undefined;
  /** Stage id → mesh generation it was staged on (reconciliation skips the current one's). */
  readonly stagedAt = new Map<string, number>();
  /** Tables this node is uploading as coordinator right now. */
  readonly inFlight = new Set<string>();
  /** Tables whose upload this node decided to commit (answers peers asking during the commit). */
  readonly committing = new Map<string, { readonly owner: string; readonly rows: number }>();
  /** One verifier per audience: this node's own, and one per peer for the requests they forward (separate replay caches). */
  private readonly verifiers: RequestVerifier<PartyConfig>[];

  constructor(parts: NodeContextParts) {
    this.index = parts.index;
    this.collaboration = parts.collaboration;
    this.name = parts.collaboration.node(parts.index).name;
    this.identity = parts.identity;
    this.store = parts.store;
    this.mesh = parts.mesh;
    this.rpc = parts.rpc;
    this.results = parts.results;
    this.contributions = parts.contributions;
    this.governance = parts.governance;
    this.jobs = parts.jobs ?? new JobBoard();
    this.credentials = new CredentialChecker(parts.collaboration);
    this.timeouts = parts.timeouts;
    this.log = parts.log;
    this.warmUp = parts.warmUp;
    this.scanMemory = new ScanMemory(SCAN_MEMORY_BYTES, parts.reserve);
    this.reserve = parts.reserve;
    this.verifiers = parts.collaboration.nodes.map(
      (node) =>
        new RequestVerifier<PartyConfig>({
          audience: node.name,
          authorize: (key) => parts.collaboration.partyBySigningKey(key),
          maxSkewMs: parts.timeouts.requestSkewMs,
          ...(parts.nonces ? { nonces: parts.nonces(node.index) } : {}),
        }),
    );
  }

  get me(): PartyId {
    return this.index;
  }

  /** The two peers, next first. */
  get peers(): readonly [PartyId, PartyId] {
    return [nextOf(this.index), prevOf(this.index)];
  }

  /** "node 2 (node-c)". */
  describe(p: PartyId): string {
    return `node ${p} (${this.collaboration.node(p as NodeIndex).name})`;
  }

  /** The key this node signs result envelopes with, when the collaboration lists one for it. */
  get resultSigningKey(): KeyObject | undefined {
    return this.collaboration.node(this.index).signingKey !== undefined ? this.identity.signingPrivateKey : undefined;
  }

  /**
   * Checks a client's signed request addressed to node `audience` (this node, or the peer that
   * forwarded it) and returns the party that signed it.
   */
  verifyRequest(audience: PartyId, request: ReceivedRequest): PartyConfig {
    return this.verifiers[audience].verify(request).party;
  }

  /**
   * Checks, before its body is read, that a request to this node is signed by a party, from its
   * headers and the body hash it declares (the full check, `verifyRequest`, follows once the body
   * is read; a stranger's body is never read).
   */
  preverifyRequest(request: RequestHead, hasBody: boolean): PartyConfig {
    return this.verifiers[this.index].preverify(request, hasBody).party;
  }

  /** Checks a request a peer forwarded: signed by a party for that peer, bodies as given. */
  verifyForwarded(from: PartyId, forwarded: unknown, body: Uint8Array): PartyConfig {
    const f = forwarded as Partial<ForwardedRequest> | null;
    if (!f || typeof f.method !== 'string' || typeof f.path !== 'string' || typeof f.headers !== 'object' || f.headers === null) {
      throw new RequestRejectedError('malformed', `${this.describe(from)} forwarded a request without its signature`);
    }
    return this.verifyRequest(from, { method: f.method, path: f.path, headers: f.headers as unknown as Record<string, string>, body });
  }

  requireRole(party: PartyConfig, role: Role, action: string): void {
    if (!party.roles.includes(role)) {
      throw new PermissionDeniedError(
        `'${party.name}' may not ${action}: that needs the '${role}' role, and collaboration '${this.collaboration.id}' gives it ${party.roles.map((r) => `'${r}'`).join(', ')}`,
      );
    }
  }
}

/** The signature headers of a received request, to forward them. */
export function forwardedRequest(method: string, path: string, headers: Readonly<Record<string, string | string[] | undefined>>): ForwardedRequest {
  const pick = (name: string): string => {
    const v = headers[name];
    return typeof v === 'string' ? v : '';
  };
  return {
    method,
    path,
    headers: {
      [REQUEST_HEADERS.signer]: pick(REQUEST_HEADERS.signer),
      [REQUEST_HEADERS.timestamp]: pick(REQUEST_HEADERS.timestamp),
      [REQUEST_HEADERS.nonce]: pick(REQUEST_HEADERS.nonce),
      [REQUEST_HEADERS.signature]: pick(REQUEST_HEADERS.signature),
    } as SignedRequestHeaders,
  };
}
