/**
 * Keeps this node's MPC mesh (a Party linked to both peers) up.
 *
 * The mesh is all or nothing: a Party needs both links (its keys are agreed over both), so when
 * either link fails the manager closes the Party, which drops the other link too, and sets the
 * whole mesh up again in the background. The peers see the same loss and do the same, so the
 * three meet again as soon as the missing node is back. Meanwhile requests that need the peers
 * fail at once with NodeUnavailableError naming the node that went away; stored data is never
 * touched by any of this.
 *
 * The manager also reads the control session (session 0) of both links and hands every message
 * to `onControl`; the peer RPC (rpc.ts) is built on that.
 *
 * Why every loss is followed by a pause: each node's set-up attempt shares its two connections
 * with the attempts its peers are making at that moment, so when one attempt fails, closing its
 * connections fails the peers' attempts too, whose closes fail the next ones. With an immediate
 * retry after a mesh that was lost right after coming up, three nodes kept handing such a failure
 * around the ring for as long as a test ran (about ten set-ups a second, docs/transport.md). A
 * mesh that arrives with a link already down is therefore a failed attempt, a mesh lost within
 * FLASH_MESH_MS is followed by the back-off pause too, and the pauses are jittered so that the
 * three nodes fall out of step.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { NodeUnavailableError, PeerLostError, TesseraError } from '../../errors.js';
import { Party, type PartyId } from '../../mpc/party.js';
import type { ScratchPool } from '../../mpc/scratch.js';
import { decodeFrame, encodeFrame } from '../../wire/frames.js';
import type { MeshConnector } from './connector.js';

export interface MeshEvents {
  /** The mesh is up; `generation` counts mesh set-ups (messages of an older one are void). */
  up(party: Party, generation: number): void;
  /** The mesh of `generation` is gone. */
  down(error: Error, generation: number): void;
  /** A message on the control session from a peer. */
  control(from: PartyId, payload: Uint8Array, generation: number): void;
  /** A set-up attempt failed (for the log); the manager retries. */
  attemptFailed(error: Error): void;
}

export interface MeshManagerOptions {
  readonly id: PartyId;
  /** "node 2 (node-c)": how peers are named in errors. */
  readonly describe: (p: PartyId) => string;
  /** Greeting timeout when (re)connecting. */
  readonly connectTimeoutMs: number;
  /** Pause before a new attempt after a failed one (doubles up to 2 s, jittered ±50 %). */
  readonly retryDelayMs?: number;
  /** The working memory of every party this mesh makes (Party options `scratch`): the node's, filled by its warm-up. */
  readonly scratch?: ScratchPool;
}

const MAX_RETRY_DELAY_MS = 2000;
/**
 * A mesh lost sooner than this after it came up is treated like a failed attempt (pause, longer
 * back-off); one that lasted is set up again at once, so a node that merely restarted is back
 * without delay. In the flapping this guards against, meshes lived 0-10 ms.
 */
export const FLASH_MESH_MS = 200;

export class MeshManager {
  private party: Party | undefined;
  private generationCounter = 0;
  private lost: PartyId | undefined;
  /** What the surviving peer said it lost, just before it dropped the mesh too. */
  private lostHint: PartyId | undefined;
  private lastError: Error | undefined;
  private closed = false;
  private readonly stopWaiting = new AbortController();
  private readonly upWaiters: (() => void)[] = [];
  private loop: Promise<void> | undefined;

  constructor(
    private readonly options: MeshManagerOptions,
    private readonly events: MeshEvents,
  ) {}

  /** Starts keeping the mesh up with `connector` (returns at once). */
  start(connector: MeshConnector): void {
    this.connector = connector;
    this.loop = this.run(connector);
  }

  /** Uses a Party that is already connected (three nodes around a local trio). Not re-established if lost. */
  adopt(party: Party): void {
    this.install(party);
  }

  private connector: MeshConnector | undefined;

  get generation(): number {
    return this.generationCounter;
  }

  /**
   * The node whose loss brought the last mesh down (as a surviving peer reported it, or the
   * peer whose link failed first), until a new mesh is up.
   */
  get lostPeer(): PartyId | undefined {
    return this.party ? undefined : this.lost;
  }

  get isUp(): boolean {
    return this.party !== undefined;
  }

  /** The connected Party, or NodeUnavailableError saying which node is missing. */
  requireParty(): Party {
    if (this.party) return this.party;
    throw this.unavailable();
  }

  unavailable(): NodeUnavailableError {
    const { id, describe } = this.options;
    if (this.closed) return new NodeUnavailableError(`${describe(id)} is shutting down`);
    if (this.lost !== undefined) {
      return new NodeUnavailableError(`${describe(this.lost)} is unreachable from ${describe(id)}; it may be down or restarting (the nodes reconnect by themselves once it is back), nothing was changed`, { node: this.lost });
    }
    const peers = [(id + 1) % 3, (id + 2) % 3].map((p) => describe(p as PartyId)).join(' and ');
    const why = this.lastError ? ` (last attempt: ${this.lastError.message})` : '';
    return new NodeUnavailableError(`${describe(id)} is not connected to ${peers} yet; they may be down or still starting${why}`);
  }

  /** Resolves once the mesh is up (or rejects after `timeoutMs`). */
  waitUntilUp(timeoutMs: number): Promise<void> {
    if (this.party) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.upWaiters.indexOf(done);
        if (i >= 0) this.upWaiters.splice(i, 1);
        reject(this.unavailable());
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.upWaiters.push(done);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWaiting.abort(); // a back-off pause between attempts ends now, not up to 2 s later
    this.connector?.close();
    const party = this.party;
    this.party = undefined;
    party?.close();
    await this.loop?.catch(() => undefined);
  }

  private async run(connector: MeshConnector): Promise<void> {
    const base = this.options.retryDelayMs ?? 100;
    let delay = base;
    while (!this.closed) {
      let party: Party | undefined;
      try {
        const links = await connector.connect();
        if (this.closed) {
          links.next.close();
          links.prev.close();
          break;
        }
        party = await Party.connect(this.options.id, links, { timeoutMs: this.options.connectTimeoutMs, ...(this.options.scratch ? { scratch: this.options.scratch } : {}) }).catch((error: unknown) => {
          links.next.close();
          links.prev.close();
          throw error;
        });
        // The greetings can both have arrived on a link whose peer hung up right after sending
        // its own (its attempt had failed): that mesh is dead on arrival, not up.
        const dead = party.boxNext.down ?? party.boxPrev.down;
        if (dead) {
          party.close();
          throw dead;
        }
      } catch (error) {
        if (this.closed) break;
        this.lastError = error instanceof Error ? error : new PeerLostError(String(error));
        this.events.attemptFailed(this.lastError);
        await this.pause(delay);
        delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
        continue;
      }
      if (this.closed) {
        party.close();
        break;
      }
      const upSince = Date.now();
      await this.install(party);
      if (this.closed) break;
      if (Date.now() - upSince >= FLASH_MESH_MS) {
        delay = base;
        continue;
      }
      await this.pause(delay);
      delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
    }
  }

  /** Waits about `ms` (0.5 to 1.5 times), or until the manager is closed. */
  private async pause(ms: number): Promise<void> {
    await sleep(ms * (0.5 + Math.random()), undefined, { signal: this.stopWaiting.signal }).catch(() => undefined);
  }

  /** Makes `party` the current mesh; resolves when it is lost. */
  private install(party: Party): Promise<void> {
    const generation = ++this.generationCounter;
    this.party = party;
    this.lost = undefined;
    this.lostHint = undefined;
    this.lastError = undefined;
    return new Promise<void>((resolve) => {
      let finished = false;
      const fail = (peer: PartyId, error: unknown): void => {
        if (finished) return;
        finished = true;
        if (this.party === party) this.party = undefined;
        if (!this.closed) this.lost = this.lostHint ?? peer;
        // Tell the other peer which node went away before dropping its link too, so that its
        // errors name the node that is really missing (not this one, which merely hung up).
        const other = peer === party.next ? party.prev : party.next;
        if (!this.closed) void party.sendControl(other, encodeFrame({ mesh: 'lost', node: this.lost })).catch(() => undefined);
        setImmediate(() => party.close());
        const e = error instanceof TesseraError ? error : new PeerLostError(`the link to ${this.options.describe(peer)} failed`);
        this.events.down(e, generation);
        resolve();
      };
      for (const peer of [party.next, party.prev]) void this.readControl(party, peer, generation).catch((error: unknown) => fail(peer, error));
      this.events.up(party, generation);
      for (const w of this.upWaiters.splice(0)) w();
    });
  }

  private async readControl(party: Party, peer: PartyId, generation: number): Promise<void> {
    for (;;) {
      const payload = await party.recvControl(peer, 0);
      const notice = meshNotice(payload);
      if (notice !== undefined) {
        if (notice !== this.options.id) this.lostHint = notice;
        continue;
      }
      this.events.control(peer, payload, generation);
    }
  }
}

/** The node a peer reports lost ({ mesh: 'lost', node }), or undefined for any other message. */
function meshNotice(payload: Uint8Array): PartyId | undefined {
  // Notices are tiny; RPC messages (with their ids) are told apart without parsing big ones.
  if (payload.byteLength > 256) return undefined;
  try {
    const header = decodeFrame(payload).header as { mesh?: unknown; node?: unknown };
    if (header.mesh === 'lost' && (header.node === 0 || header.node === 1 || header.node === 2)) return header.node;
  } catch {
    return undefined;
  }
  return undefined;
}
