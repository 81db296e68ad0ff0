/**
 * The client's connection to one node's API: HTTPS with the node's certificate pinned (its
 * SHA-256 fingerprint from the collaboration file), optionally also checked against the cluster
 * CA; keep-alive connections (undici) so that many requests share one TLS handshake; error
 * bodies turned back into typed errors; "cannot connect" turned into NodeUnavailableError.
 *
 * Connections are shared between clients in one process that talk to the same node with the
 * same trust settings (a process submitting for many contributors opens a few sockets, not one
 * per contributor).
 */

import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { canonicalJsonBytes } from '../crypto/canonical-json.js';
import { BODY_SHA256_HEADER, requestBodySha256, signRequest, type RequestToSign } from '../crypto/request-signing.js';
import type { Identity } from '../crypto/identity.js';
import { errorFromWire, NodeUnavailableError, PeerAuthenticationError, TesseraError } from '../errors.js';
import type { NodeConfig } from '../governance/collaboration.js';
import type { ErrorBody } from '../wire/api.js';
import { FRAME_CONTENT_TYPE } from '../wire/frames.js';

interface SharedAgent {
  readonly agent: Agent;
  refs: number;
  /** Pending close after the last user left (clients that come and go keep the connections warm). */
  idle?: NodeJS.Timeout;
}

/** How long an unused shared connection pool stays open for the next client. */
const IDLE_CLOSE_MS = 2000;
/** TCP connect and TLS handshake, and a connecting client's health check (Tessera.connect). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

const agents = new Map<string, SharedAgent>();

function acquireAgent(node: NodeConfig, ca: string | undefined, connectTimeoutMs: number): { agent: Agent; release: () => Promise<void> } {
  const key = `${node.apiUrl}|${node.tlsCertificateFingerprint}|${ca ? createHash('sha256').update(ca).digest('hex') : ''}`;
  let shared = agents.get(key);
  if (!shared) {
    shared = { agent: new Agent({ connect: pinnedConnector(node, ca, connectTimeoutMs), keepAliveTimeout: 60_000, connections: 256 }), refs: 0 };
    agents.set(key, shared);
  }
  shared.refs++;
  if (shared.idle) clearTimeout(shared.idle);
  shared.idle = undefined;
  const s = shared;
  let released = false;
  return {
    agent: s.agent,
    release: async () => {
      if (released) return;
      released = true;
      if (--s.refs === 0) {
        s.idle = setTimeout(() => {
          if (s.refs === 0 && agents.get(key) === s) {
            agents.delete(key);
            void s.agent.close();
          }
        }, IDLE_CLOSE_MS);
        s.idle.unref();
      }
    },
  };
}

/** Connects like undici does, then refuses any certificate but the pinned one. */
function pinnedConnector(node: NodeConfig, ca: string | undefined, timeoutMs: number): buildConnector.connector {
  // No TLS session resumption: a resumed session carries no certificate, so the pin could not be checked.
  const base = buildConnector({ ...(ca ? { ca, rejectUnauthorized: true } : { rejectUnauthorized: false }), timeout: timeoutMs, maxCachedSessions: 0 });
  const pin = node.tlsCertificateFingerprint.toLowerCase();
  return (options, callback) => {
    base(options, (error, socket) => {
      if (error || !socket) return callback(error ?? new Error('no socket'), null);
      if (options.protocol === 'https:') {
        const fingerprint = ((socket as TLSSocket).getPeerCertificate().fingerprint256 ?? '').replaceAll(':', '').toLowerCase();
        if (fingerprint !== pin) {
          socket.destroy();
          return callback(
            new PeerAuthenticationError(`the server at ${node.apiUrl} presented a certificate that is not the one the collaboration file pins for node '${node.name}'; check the apiUrl and the fingerprint`),
            null,
          );
        }
      }
      callback(null, socket);
    });
  };
}

export interface NodeRequest {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  readonly path: string;
  /** JSON body (sent as canonical JSON, which is what gets signed). */
  readonly json?: unknown;
  /** Binary frame body, and the bytes to sign in its place (wire/frames.ts frameSigningBytes). */
  readonly frame?: { readonly body: Uint8Array; readonly signingBytes: Uint8Array };
  /** Sign with this identity (every route except health, contributions and the contributor's schema read). */
  readonly signer?: Identity;
  readonly headers?: Readonly<Record<string, string>>;
  /** Accept a binary frame (wire/frames.ts) as the answer: the body is then its bytes (a Uint8Array), else the parsed JSON. */
  readonly acceptFrame?: boolean;
  /** How long this request may wait for the answer's headers and between its body's bytes (default: the connection's timeoutMs). */
  readonly timeoutMs?: number;
}

export interface NodeResponse<T> {
  readonly status: number;
  readonly body: T;
}

export class NodeConnection {
  private readonly agent: Agent;
  private readonly release: () => Promise<void>;
  private readonly origin: string;

  constructor(
    readonly node: NodeConfig,
    private readonly options: { readonly ca?: string; readonly timeoutMs: number; readonly connectTimeoutMs?: number; readonly dispatcher?: Dispatcher },
  ) {
    // A shared pool keeps the connect timeout of the connection that opened it.
    const acquired = acquireAgent(node, options.ca, Math.min(options.timeoutMs, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS));
    this.agent = acquired.agent;
    this.release = acquired.release;
    this.origin = new URL(node.apiUrl).origin;
  }

  private describe(): string {
    return `node ${this.node.index} ('${this.node.name}') at ${this.node.apiUrl}`;
  }

  async send<T>(req: NodeRequest): Promise<NodeResponse<T>> {
    const headers: Record<string, string> = { ...req.headers };
    if (req.acceptFrame) headers.accept = `${FRAME_CONTENT_TYPE}, application/json`;
    let body: Uint8Array | string | undefined;
    let signed: RequestToSign['body'];
    if (req.frame) {
      headers['content-type'] = FRAME_CONTENT_TYPE;
      body = req.frame.body;
      signed = req.frame.signingBytes;
    } else if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      const bytes = canonicalJsonBytes(req.json);
      body = bytes;
      signed = bytes;
    }
    if (req.signer) {
      // The body hash travels in a header too: the node checks the signature before reading the body.
      const bodySha256 = requestBodySha256(signed);
      Object.assign(headers, signRequest({ audience: this.node.name, method: req.method, path: req.path, body: signed }, req.signer.signingPrivateKey, { bodySha256 }));
      if (body !== undefined) headers[BODY_SHA256_HEADER] = bodySha256;
    }
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs;
    let response: Dispatcher.ResponseData;
    try {
      // The dispatcher directly, with origin and path apart: no URL to parse per request.
      response = await (this.options.dispatcher ?? this.agent).request({
        origin: this.origin,
        path: req.path,
        method: req.method,
        headers,
        body: body as Buffer | string | undefined,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (error) {
      throw this.connectionError(error, timeoutMs);
    }
    if (req.acceptFrame && response.statusCode < 400 && response.headers['content-type'] === FRAME_CONTENT_TYPE) {
      try {
        return { status: response.statusCode, body: new Uint8Array(await response.body.arrayBuffer()) as T };
      } catch (error) {
        throw this.connectionError(error, timeoutMs);
      }
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw this.connectionError(error, timeoutMs);
    }
    if (response.statusCode >= 400) {
      let parsed: ErrorBody | undefined;
      try {
        parsed = JSON.parse(text) as ErrorBody;
      } catch {
        parsed = undefined;
      }
      const code = parsed?.error?.code ?? `HTTP_${response.statusCode}`;
      const message = parsed?.error?.message ?? `${this.describe()} answered ${response.statusCode} without an error description`;
      throw errorFromWire(code, message, response.statusCode);
    }
    return { status: response.statusCode, body: (text.length > 0 ? JSON.parse(text) : undefined) as T };
  }

  private connectionError(error: unknown, timeoutMs: number): TesseraError {
    if (error instanceof TesseraError) return error;
    const cause = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
    const code = cause.cause?.code ?? cause.code ?? '';
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      // A node that accepted the connection but stays silent (stopped, starved of CPU, stuck) ends here, not in a wait without end.
      return new NodeUnavailableError(`${this.describe()} did not answer within ${seconds(timeoutMs)} (${code}); it may be stopped or overloaded: the request may or may not have taken effect`, { cause: error });
    }
    if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET') {
      return new NodeUnavailableError(`lost the connection to ${this.describe()} during the request (${code}); it may have stopped: the request may or may not have taken effect`, { cause: error });
    }
    return new NodeUnavailableError(`cannot reach ${this.describe()} (${code || cause.message || 'connection failed'}); check that the node is running`, { cause: error });
  }

  async close(): Promise<void> {
    await this.release();
  }
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${ms / 1000} s`;
}
