/**
 * The mutual-TLS 1.3 mesh between the three compute parties.
 *
 * Party i listens on its own address and dials party i+1; it accepts exactly one connection,
 * from party i-1. Both ends present certificates signed by the cluster CA, and both then pin the
 * peer: its certificate's SHA-256 fingerprint must equal the one configured for that party. A
 * CA-signed certificate that is not the pinned one is refused, so a leaked or re-issued leaf
 * cannot stand in for a node.
 *
 * After the handshake the acceptor sends an 8-byte status ("TSM1", version, status, party, 0),
 * so a dialer learns at once whether it was accepted instead of seeing a bare close later. Then
 * both ends hand the socket to a StreamLink.
 */

import type { OnReadOpts } from 'node:net';
import { connect as tlsConnect, createServer, type ConnectionOptions, type Server, type TLSSocket } from 'node:tls';
import { PeerAuthenticationError, PeerLostError, PeerTimeoutError, PeerUnreachableError, UsageError } from '../errors.js';
import { normalizeFingerprint } from '../crypto/fingerprint.js';
import { adoptReusedReads } from './accepted-reads.js';
import { ReusedReads } from './reused-reads.js';
import type { ReservedBytes } from './recycled-buffers.js';
import { StreamLink } from './stream-link.js';

/** Same as mpc's PartyId; restated because net/ must not import from the layer above it. */
export type MeshParty = 0 | 1 | 2;

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

export interface TlsMeshOptions {
  readonly party: MeshParty;
  /** This node's private key and certificate (PEM). */
  readonly key: string;
  readonly cert: string;
  /** The cluster CA certificate (PEM); the only trust anchor. */
  readonly ca: string;
  /** SHA-256 fingerprints of the two peers' certificates, by party (hex, colons optional). */
  readonly peerFingerprints: { readonly [P in MeshParty]?: string };
  /** Where to listen; port 0 picks a free port (read it from `TlsMesh.address`). */
  readonly listen: PeerAddress;
  /** How long `connect` may take in total, dialing with back-off and waiting for the other peer (ms). */
  readonly connectTimeoutMs?: number;
  /** TLS 1.3 cipher suites, colon-separated, in preference order (default: DEFAULT_TLS_CIPHERS). */
  readonly ciphers?: string;
  /** Where the links take new receive buffers while it can spare them (the node's memory reserve; StreamLink). */
  readonly reserve?: ReservedBytes;
}

export interface MeshLinks {
  /** Link to party (i + 1) mod 3. */
  readonly next: StreamLink;
  /** Link to party (i + 2) mod 3. */
  readonly prev: StreamLink;
}

/**
 * AES-128-GCM first: on this hardware (AES-NI) it moved an 8 MB three-party ring exchange
 * fastest of the TLS 1.3 suites (see docs/transport.md for the figures); the others stay
 * allowed so that a peer configured differently still connects.
 */
export const DEFAULT_TLS_CIPHERS = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256';
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

const STATUS_BYTES = 8;
const STATUS_MAGIC = [0x54, 0x53, 0x4d, 0x31]; // "TSM1"
const STATUS_VERSION = 1;
const ACCEPTED = 0;
const NOT_PINNED = 1;
const BUSY = 2;
const CLOSING = 3;
const BACKOFF_FIRST_MS = 25;
const BACKOFF_MAX_MS = 500;
/** Socket errors that mean "not up yet / try again", as opposed to a configuration error. */
const RETRYABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'EPIPE', 'ECONNABORTED']);

const nextOf = (p: MeshParty): MeshParty => ((p + 1) % 3) as MeshParty;
const prevOf = (p: MeshParty): MeshParty => ((p + 2) % 3) as MeshParty;
const fmt = (a: PeerAddress): string => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`);

function statusFrame(status: number, party: MeshParty): Buffer {
  return Buffer.from([...STATUS_MAGIC, STATUS_VERSION, status, party, 0]);
}

function errorCode(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * No Nagle delay: every protocol round is a latency-bound exchange. Keep-alive notices a peer
 * host that vanished without a FIN even between jobs. (Larger socket buffers were measured and
 * brought nothing: docs/transport.md.)
 */
function tuneSocket(socket: TLSSocket): void {
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 10_000);
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: Error): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // observed by connect(); never an unhandled rejection
  return { promise, resolve, reject };
}

export class TlsMesh {
  private readonly accepted = deferred<TLSSocket>();
  private acceptedSocket: TLSSocket | undefined;
  /** Why connections were refused, for the error when the real peer never shows up. */
  private readonly refusals: string[] = [];
  private readonly pins: { next: string; prev: string };
  private closed = false;
  /** The reads of each socket this mesh dialed (made with `onread`: they emit no 'data' events). */
  private readonly dialedReads = new WeakMap<TLSSocket, ReusedReads>();

  private constructor(
    private readonly options: TlsMeshOptions,
    private readonly server: Server,
    readonly address: PeerAddress,
  ) {
    const fp = options.peerFingerprints;
    const pinFor = (p: MeshParty): string => {
      const f = fp[p];
      if (!f) throw new UsageError(`no certificate fingerprint configured for party ${p}: party ${options.party} must pin both peers`);
      return normalizeFingerprint(f);
    };
    this.pins = { next: pinFor(nextOf(options.party)), prev: pinFor(prevOf(options.party)) };
    server.on('secureConnection', (socket: TLSSocket) => this.onSecureConnection(socket));
    server.on('tlsClientError', (e: Error, socket: TLSSocket) => {
      // With rejectUnauthorized node drops an untrusted client without an alert; the reason is
      // left on the socket as `authorizationError` (e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE).
      const why = socket.authorizationError ? `its certificate is not trusted (${String(socket.authorizationError)})` : `it failed the TLS handshake (${errorCode(e) || e.message})`;
      this.refuse(`a connection${socket.remoteAddress ? ` from ${socket.remoteAddress}` : ''} was refused: ${why}`);
    });
  }

  /** Starts listening. Connections from the previous party are accepted from now on. */
  static async listen(options: TlsMeshOptions): Promise<TlsMesh> {
    const server = createServer({
      key: options.key,
      cert: options.cert,
      ca: options.ca,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.3',
      ciphers: options.ciphers ?? DEFAULT_TLS_CIPHERS,
      // A connection that never finishes its handshake must not hold the slot.
      handshakeTimeout: Math.min(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, 10_000),
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error): void => reject(new UsageError(`party ${options.party} cannot listen on ${fmt(options.listen)}: ${e.message}`));
      server.once('error', onError);
      server.listen(options.listen.port, options.listen.host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    const bound = server.address();
    const port = typeof bound === 'object' && bound ? bound.port : options.listen.port;
    let mesh: TlsMesh;
    try {
      mesh = new TlsMesh(options, server, { host: options.listen.host, port });
    } catch (e) {
      server.close();
      throw e;
    }
    return mesh;
  }

  private refuse(reason: string): void {
    if (this.refusals.length < 5 && !this.refusals.includes(reason)) this.refusals.push(reason);
  }

  private onSecureConnection(socket: TLSSocket): void {
    const me = this.options.party;
    const prev = prevOf(me);
    // An unhandled 'error' would crash the process: refused sockets' errors are of no interest,
    // and an accepted socket's are the StreamLink's business once it takes over.
    socket.on('error', () => {});
    const fingerprint = socket.getPeerCertificate().fingerprint256 ?? '';
    let status = ACCEPTED;
    if (!socket.authorized || fingerprint !== this.pins.prev) {
      status = NOT_PINNED;
      this.refuse(`a node at ${socket.remoteAddress ?? '?'} presented certificate ${fingerprint || '(none)'}, which is not the one pinned for party ${prev}`);
    } else if (this.closed) {
      status = CLOSING;
    } else if (this.acceptedSocket) {
      status = BUSY;
      this.refuse(`a second connection for party ${prev} came from ${socket.remoteAddress ?? '?'} and was refused`);
    }
    if (status !== ACCEPTED) {
      socket.end(statusFrame(status, me));
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    this.acceptedSocket = socket;
    tuneSocket(socket);
    socket.write(statusFrame(ACCEPTED, me));
    this.accepted.resolve(socket);
    this.server.close(); // exactly one connection: stop listening once party i-1 is in
  }

  /**
   * Dials the next party (retrying until the deadline while it is not up) and waits for the
   * previous party to dial in. Resolves with both links, ready for `Party.connect`.
   */
  async connect(next: PeerAddress): Promise<MeshLinks> {
    const me = this.options.party;
    const dialed = this.dialNext(next);
    const accepted = this.acceptPrev();
    try {
      const [nextSocket, prevSocket] = await Promise.all([dialed, accepted]);
      for (const [sock, p] of [[nextSocket, nextOf(me)], [prevSocket, prevOf(me)]] as const) {
        if (sock.destroyed) throw new PeerLostError(`party ${p} closed its connection to party ${me} while the mesh was being set up`);
      }
      // The accepted socket reads into a reused buffer too (accepted-reads.ts), where node allows it.
      const prevReads = new ReusedReads();
      const links = {
        next: new StreamLink(nextSocket, `party ${nextOf(me)}`, this.dialedReads.get(nextSocket), undefined, this.options.reserve),
        prev: new StreamLink(prevSocket, `party ${prevOf(me)}`, adoptReusedReads(prevSocket, prevReads) ? prevReads : undefined, undefined, this.options.reserve),
      };
      // The dialed socket was paused after the status frame; a 'data' listener alone does not restart it,
      // and an accepted socket whose buffer filled before the link took over stopped reading.
      nextSocket.resume();
      prevSocket.resume();
      return links;
    } catch (e) {
      // Whichever side failed, do not leave the other half of the mesh open.
      dialed.then((s) => s.destroy(), () => {});
      accepted.then((s) => s.destroy(), () => {});
      this.close();
      throw e;
    }
  }

  /**
   * Waits (until the connect deadline) for the previous party to dial in and pass the pin check.
   * The socket is authenticated and pinned; most callers want `connect` instead.
   */
  acceptPrev(): Promise<TLSSocket> {
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const me = this.options.party;
    const prev = prevOf(me);
    return new Promise<TLSSocket>((resolve, reject) => {
      const timer = setTimeout(() => {
        const why = this.refusals.length > 0 ? `; refused meanwhile: ${this.refusals.join('; ')}` : '';
        const msg = `party ${prev} did not connect to party ${me} (listening at ${fmt(this.address)}) within ${timeoutMs} ms${why}`;
        reject(this.refusals.length > 0 ? new PeerAuthenticationError(msg) : new PeerTimeoutError(`${msg}; check that it is running and configured with this address`));
      }, timeoutMs);
      this.accepted.promise.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  /**
   * Dials the next party, retrying with back-off while it is not up, until the connect deadline.
   * Resolves with an authenticated, pinned and accepted socket, paused (call resume after
   * attaching a reader). Its bytes arrive through a reused read buffer, not 'data' events
   * (reused-reads.ts), so only `connect` can read it: most callers want `connect` instead.
   */
  dialNext(address: PeerAddress): Promise<TLSSocket> {
    return this.dial(address, Date.now() + (this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS));
  }

  private async dial(address: PeerAddress, deadline: number): Promise<TLSSocket> {
    const target = nextOf(this.options.party);
    let backoff = BACKOFF_FIRST_MS;
    let last = '';
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const r = await this.attempt(address, remaining);
      if (r.socket) return r.socket;
      last = r.retry ?? '';
      const pause = Math.min(backoff, deadline - Date.now());
      if (pause <= 0) break;
      await new Promise((res) => setTimeout(res, pause));
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    }
    throw new PeerUnreachableError(
      `party ${this.options.party} could not reach party ${target} at ${fmt(address)} within ${this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS} ms` +
        `${last ? ` (last error: ${last})` : ''}; check that the node is running and that the address is right`,
    );
  }

  /** One connection attempt: a socket, a retryable failure, or a thrown fatal (authentication) error. */
  private attempt(address: PeerAddress, timeoutMs: number): Promise<{ socket?: TLSSocket; retry?: string }> {
    const o = this.options;
    const target = nextOf(o.party);
    const where = `party ${target} at ${fmt(address)}`;
    return new Promise((resolve, reject) => {
      let done = false;
      // Every read lands in one reused buffer instead of a fresh Buffer per TLS record (reused-reads.ts).
      const reads = new ReusedReads();
      // node's TLS client passes `onread` on to its socket; @types/node lists it for net only.
      const options: ConnectionOptions & { onread: OnReadOpts } = {
        onread: reads.onread,
        host: address.host,
        port: address.port,
        key: o.key,
        cert: o.cert,
        ca: o.ca,
        minVersion: 'TLSv1.3',
        ciphers: o.ciphers ?? DEFAULT_TLS_CIPHERS,
        rejectUnauthorized: true,
      };
      const socket = tlsConnect(options);
      let got: Buffer = Buffer.alloc(0);
      const detach = (): void => {
        clearTimeout(timer);
        socket.off('error', onError);
        socket.off('close', onClose);
        reads.deliverTo(undefined);
      };
      const finish = (fatal: Error | undefined, retry?: string): void => {
        if (done) return;
        done = true;
        detach();
        socket.on('error', () => {}); // late errors of a discarded socket
        socket.destroy();
        if (fatal) reject(fatal);
        else resolve({ retry });
      };
      const onError = (e: Error): void => {
        const code = errorCode(e);
        if (RETRYABLE.has(code)) return finish(undefined, code);
        // Certificate verification failures and TLS alerts: retrying will not help.
        finish(new PeerAuthenticationError(`the TLS connection to ${where} failed: ${e.message}${code ? ` (${code})` : ''}; check that both nodes use certificates from the same cluster CA`, { cause: e }));
      };
      let secured = false;
      const onClose = (): void => {
        // Closed after our handshake completed but before the status frame: node's TLS server
        // drops an untrusted client certificate silently (TLS 1.3 checks it after the client is done).
        if (secured) finish(new PeerAuthenticationError(`${where} closed the connection right after the TLS handshake without accepting it: it most likely does not trust this node's certificate (issued by a different CA?)`));
        else finish(undefined, 'connection closed during the handshake');
      };
      // The chunk lives in the reused read buffer: keep a copy.
      const onData = (chunk: Uint8Array): void => {
        got = Buffer.concat([got, chunk]);
        if (got.byteLength < STATUS_BYTES) return;
        const okMagic = STATUS_MAGIC.every((b, i) => got[i] === b) && got[4] === STATUS_VERSION;
        const status = got[5];
        if (!okMagic) return finish(new PeerAuthenticationError(`${where} is not a Tessera node of this protocol version`));
        if (status === NOT_PINNED) return finish(new PeerAuthenticationError(`${where} refused this node's certificate: it is not the one pinned there for party ${o.party}; check its configured fingerprints`));
        if (status === BUSY) return finish(new PeerAuthenticationError(`${where} already has a connection from party ${o.party}: is another node running with the same identity?`));
        if (status === CLOSING) return finish(new PeerUnreachableError(`${where} gave up setting up the mesh (see its log for why)`));
        if (status !== ACCEPTED) return finish(new PeerAuthenticationError(`${where} answered with unknown status ${status}`));
        done = true;
        detach();
        // Until a StreamLink takes over, an error must not go unhandled (it would crash the process);
        // connect() checks for a socket that died meanwhile.
        socket.on('error', () => {});
        // Hold the stream (and anything that came with the status) until the StreamLink takes over.
        socket.pause();
        reads.unread(got.subarray(STATUS_BYTES));
        this.dialedReads.set(socket, reads);
        tuneSocket(socket);
        resolve({ socket });
      };
      const timer = setTimeout(() => finish(undefined, 'no TLS handshake before the deadline'), timeoutMs);
      socket.on('error', onError);
      socket.on('close', onClose);
      socket.once('secureConnect', () => {
        const fingerprint = socket.getPeerCertificate().fingerprint256 ?? '';
        if (fingerprint !== this.pins.next) {
          return finish(new PeerAuthenticationError(`${where} presented certificate ${fingerprint || '(none)'}, but party ${target} is pinned to ${this.pins.next}: check the address and the configured fingerprints`));
        }
        secured = true;
        reads.deliverTo(onData);
      });
    });
  }

  /** Stops listening (links already handed out stay up). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.server.close();
    this.accepted.reject(new PeerUnreachableError('the mesh listener was closed'));
  }
}

/** Listens, dials the next party and waits for the previous one: the whole mesh set-up in one call. */
export async function connectTlsMesh(options: TlsMeshOptions & { readonly next: PeerAddress }): Promise<MeshLinks> {
  const mesh = await TlsMesh.listen(options);
  try {
    return await mesh.connect(options.next);
  } finally {
    mesh.close();
  }
}
