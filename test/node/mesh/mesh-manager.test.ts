/**
 * The mesh manager against scripted peers: two real parties (1 and 2) greet node 0 over in-memory
 * links, and the test decides when a peer hangs up. This is how the TLS mesh of three node
 * processes flapped for as long as a test ran after a kill -9 under load (docs/transport.md): a
 * peer whose own attempt had failed sent its greeting and hung up, node 0 counted the mesh as up,
 * lost it at once, retried at once, and its hang-up failed the next node's attempt in turn.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PeerLostError } from '../../../src/errors.js';
import { Party, type PartyId, type PartyLinks } from '../../../src/mpc/party.js';
import { DirectLink } from '../../../src/net/direct-link.js';
import type { Link, LinkHandlers } from '../../../src/net/link.js';
import type { MeshConnector } from '../../../src/node/mesh/connector.js';
import { FLASH_MESH_MS, MeshManager, type MeshEvents } from '../../../src/node/mesh/mesh-manager.js';

const describe = (p: PartyId): string => `node ${p}`;

/** Node 0's end of a link to a peer that hangs up right after its first message (its greeting). */
class HangsUpAfterGreeting implements Link {
  constructor(private readonly inner: DirectLink) {}
  get peerName(): string {
    return this.inner.peerName;
  }
  get bytesSent(): number {
    return this.inner.bytesSent;
  }
  send(session: bigint, payload: Uint8Array): Promise<void> {
    return this.inner.send(session, payload);
  }
  sendAbort(session: bigint, reason: string): void {
    this.inner.sendAbort(session, reason);
  }
  setHandlers(handlers: LinkHandlers): void {
    let hungUp = false;
    this.inner.setHandlers({
      message: (session, payload) => {
        handlers.message(session, payload);
        if (hungUp) return;
        // As a TCP peer's greeting followed by its FIN: the data is delivered, then the end.
        hungUp = true;
        handlers.closed(new PeerLostError(`connection to ${this.inner.peerName} was closed by the peer`));
        this.inner.close();
      },
      abort: (session, reason) => handlers.abort(session, reason),
      closed: (error) => {
        if (!hungUp) handlers.closed(error);
      },
    });
  }
  close(): void {
    this.inner.close();
  }
}

interface Attempt {
  /** Node 0's links. */
  readonly links: PartyLinks;
  /** The peers' parties, once their greetings are done (undefined if their attempt failed). */
  readonly peers: Promise<(Party | undefined)[]>;
  /** Hangs up peer 1's link to node 0. */
  hangUp(): void;
}

/** Fresh links between node 0 and two real peers that greet it (as MemoryMesh links them). */
function attempt(options: { peer1HangsUpAfterGreeting: boolean }): Attempt {
  const l01 = DirectLink.pair('party 1', 'party 0');
  const l12 = DirectLink.pair('party 2', 'party 1');
  const l20 = DirectLink.pair('party 0', 'party 2');
  const peers = Promise.all([
    Party.connect(1, { next: l12[0], prev: l01[1] }, { timeoutMs: 5000 }).catch(() => undefined),
    Party.connect(2, { next: l20[0], prev: l12[1] }, { timeoutMs: 5000 }).catch(() => undefined),
  ]);
  const next: Link = options.peer1HangsUpAfterGreeting ? new HangsUpAfterGreeting(l01[0]) : l01[0];
  return { links: { next, prev: l20[1] }, peers, hangUp: () => l01[1].close() };
}

/** A connector that hands out scripted attempts, then waits (until closed) on the next call. */
function scripted(make: (call: number) => Attempt | undefined): { connector: MeshConnector; calls: number[]; attempts: Attempt[] } {
  const calls: number[] = [];
  const attempts: Attempt[] = [];
  let stop: ((e: Error) => void) | undefined;
  const connector: MeshConnector = {
    connect: () => {
      calls.push(Date.now());
      const a = make(calls.length);
      if (a) {
        attempts.push(a);
        return Promise.resolve(a.links);
      }
      return new Promise<PartyLinks>((_resolve, reject) => (stop = reject));
    },
    close: () => stop?.(new PeerLostError('connector closed')),
  };
  return { connector, calls, attempts };
}

function events(overrides: Partial<MeshEvents>): MeshEvents {
  return { up: () => {}, down: () => {}, control: () => {}, attemptFailed: () => {}, ...overrides };
}

async function closeAll(manager: MeshManager, attempts: Attempt[]): Promise<void> {
  await manager.close();
  for (const a of attempts) for (const p of await a.peers) p?.close();
}

test('a mesh whose link is already down once the greetings are done is a failed attempt, never up', async () => {
  const { connector, attempts } = scripted((call) => (call === 1 ? attempt({ peer1HangsUpAfterGreeting: true }) : undefined));
  let first!: (what: string, error?: Error) => void;
  const outcome = new Promise<[string, Error | undefined]>((resolve) => (first = (what, error) => resolve([what, error])));
  const manager = new MeshManager({ id: 0, describe, connectTimeoutMs: 5000, retryDelayMs: 10 }, events({ up: () => first('up'), attemptFailed: (e) => first('attempt failed', e) }));
  manager.start(connector);
  try {
    const [what, error] = await outcome;
    assert.equal(what, 'attempt failed', 'the manager must not report a mesh that is already lost as up');
    assert.ok(error instanceof PeerLostError && /closed by the peer/.test(error.message), String(error));
    assert.equal(manager.isUp, false);
  } finally {
    await closeAll(manager, attempts);
  }
});

test('a mesh lost right after it came up (a flash) is set up again only after the back-off pause, not at once', async () => {
  const retryDelayMs = 300;
  const { connector, calls, attempts } = scripted((call) => (call <= 2 ? attempt({ peer1HangsUpAfterGreeting: false }) : undefined));
  const ups: number[] = [];
  const downs: number[] = [];
  let secondCall!: () => void;
  const secondCalled = new Promise<void>((resolve) => (secondCall = resolve));
  const manager = new MeshManager(
    { id: 0, describe, connectTimeoutMs: 5000, retryDelayMs },
    events({
      up: () => {
        ups.push(Date.now());
        attempts[attempts.length - 1].hangUp(); // the peer hangs up as soon as the mesh is up
      },
      down: () => {
        downs.push(Date.now());
        // The next connect() comes after this; resolve once it has.
        const wait = (): void => void (calls.length >= 2 ? secondCall() : setTimeout(wait, 5));
        wait();
      },
    }),
  );
  manager.start(connector);
  try {
    await secondCalled;
    assert.ok(downs[0] - ups[0] < FLASH_MESH_MS, `the mesh lived ${downs[0] - ups[0]} ms: the process stalled, the scenario did not happen`);
    // Only a lower bound (a loaded machine makes the pause longer, never shorter): the jittered
    // pause is at least half the retry delay. Retrying at once is what kept the three nodes flapping.
    assert.ok(calls[1] - downs[0] >= retryDelayMs / 2, `the next attempt came ${calls[1] - downs[0]} ms after the loss`);
  } finally {
    await closeAll(manager, attempts);
  }
});
