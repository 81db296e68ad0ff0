/**
 * Signed client→node HTTP requests. The client signs, with its Ed25519 key, a canonical JSON
 * statement of type `application/vnd.tessera.http-request+json` (DSSE pre-authentication
 * encoding, see signed.ts):
 *   { audience, method, path, bodySha256, timestamp, nonce }
 * and sends it in four headers. The node checks the signer is a known party, the signature,
 * the audience (its own name: a request for node 0 cannot be replayed to node 1), the clock skew,
 * and that the nonce was not seen within the skew window (replay cache, a NonceStore: a node
 * keeps it in a journal so that it survives restarts, node/replay-journal.ts).
 *
 * The client also sends the body hash it signed in `x-tessera-body-sha256`, so that a node can
 * check the signature from the headers alone before it reads a byte of the body (`preverify`),
 * and refuse a stranger's body unread; `verify` then checks the body it did read. The signature
 * is verified once per request: `preverify` remembers what it verified (by signature, a bounded
 * table), and `verify` of the same request (same signer, timestamp, nonce, method, path) whose
 * body hashes to the declared value only admits the nonce. The clock skew is judged when the
 * request arrives (preverify), so a long upload is not refused for the time its body took.
 *
 * Body hash: SHA-256 of the body bytes; a JSON body is sent as its canonical (RFC 8785) text, so
 * the node may hash either the received bytes or its re-canonicalised parse and get the same.
 */

import { createHash, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { KeyFormatError, RequestRejectedError, UsageError } from '../errors.js';
import { canonicalJsonBytes, type JsonValue } from './canonical-json.js';
import { decodePublicKey, encodePublicKey, publicOf } from './keys.js';
import { MemoryNonceStore, type NonceStore } from './nonce-store.js';
import { preAuthEncoding } from './pae.js';

export const REQUEST_PAYLOAD_TYPE = 'application/vnd.tessera.http-request+json';

export const REQUEST_HEADERS = {
  signer: 'x-tessera-signer',
  timestamp: 'x-tessera-timestamp',
  nonce: 'x-tessera-nonce',
  signature: 'x-tessera-signature',
} as const;

/** The body hash the client signed (hex SHA-256), sent so that the signature can be checked before the body is read. */
export const BODY_SHA256_HEADER = 'x-tessera-body-sha256';

export type SignedRequestHeaders = { readonly [K in (typeof REQUEST_HEADERS)[keyof typeof REQUEST_HEADERS]]: string };

export interface RequestToSign {
  /** Name of the node the request is for (its name in the collaboration file). */
  readonly audience: string;
  readonly method: string;
  /** Path and query exactly as sent, e.g. `/tables/x?limit=10`. */
  readonly path: string;
  /** JSON value (sent as canonical JSON), raw bytes, or nothing. */
  readonly body?: JsonValue | Uint8Array;
}

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  /** Raw body bytes as received (empty or undefined for none). */
  readonly body?: Uint8Array;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** A request whose body has not been read yet. */
export type RequestHead = Omit<ReceivedRequest, 'body'>;

export interface VerifiedRequest<P> {
  readonly party: P;
  /** The signer's Ed25519 public key (SPKI base64). */
  readonly signingKey: string;
  readonly timestamp: number;
}

export interface RequestVerifierOptions<P> {
  /** This node's name: requests signed for another audience are refused. */
  readonly audience: string;
  /** Maps a signer's public key (SPKI base64) to the party allowed to call, or undefined. */
  readonly authorize: (signingKey: string) => P | undefined;
  /** Accepted difference between the request's timestamp and this clock (default 60 s). */
  readonly maxSkewMs?: number;
  /** Clock (ms since epoch); tests pass a fake one. */
  readonly now?: () => number;
  /** Bound on remembered nonces (default 1,000,000 ≈ 100 MB); beyond it requests are refused. */
  readonly maxCachedNonces?: number;
  /** Where seen nonces are kept (default: in memory only, forgotten at a restart). */
  readonly nonces?: NonceStore;
}

const NONCE = /^[A-Za-z0-9_-]{22}$/;
const TIMESTAMP = /^[0-9]{1,16}$/;
const METHOD = /^[A-Z]{1,16}$/;
const SWEEP_EVERY = 4096;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Preverified requests awaiting their body (in flight at once); beyond it the oldest are fully verified again. */
const MAX_PREVERIFIED = 4096;

/** What preverify checked, so that verify of the same request needs no second signature check. */
interface Preverified<P> {
  readonly method: string;
  readonly path: string;
  readonly signer: string;
  readonly timestamp: string;
  readonly nonce: string;
  readonly bodySha256: string;
  readonly result: VerifiedRequest<P>;
}

/** The bytes to send as the request body (canonical JSON text for JSON values). */
export function requestBodyBytes(body: JsonValue | Uint8Array | undefined): Uint8Array {
  if (body === undefined) return new Uint8Array(0);
  return body instanceof Uint8Array ? body : canonicalJsonBytes(body);
}

/** The hex SHA-256 a request's signature covers (send it as BODY_SHA256_HEADER). */
export function requestBodySha256(body: JsonValue | Uint8Array | undefined): string {
  return sha256Hex(requestBodyBytes(body));
}

/** SHA-256 of an empty body: what a request without a body signs. */
export const EMPTY_BODY_SHA256 = sha256Hex(new Uint8Array(0));

/** Signs a request; add the returned headers to it and send `requestBodyBytes(body)` as the body. */
export function signRequest(
  request: RequestToSign,
  signer: KeyObject,
  options: { readonly now?: number; readonly nonce?: string; /** requestBodySha256(request.body), if already computed. */ readonly bodySha256?: string } = {},
): SignedRequestHeaders {
  if (signer.type !== 'private' || signer.asymmetricKeyType !== 'ed25519') {
    throw new UsageError('requests are signed with an Ed25519 private key');
  }
  const method = request.method.toUpperCase();
  if (!METHOD.test(method)) throw new UsageError(`'${request.method}' is not an HTTP method`);
  const timestamp = String(Math.floor(options.now ?? Date.now()));
  const nonce = options.nonce ?? randomBytes(16).toString('base64url');
  if (!NONCE.test(nonce)) throw new UsageError('a request nonce must be 16 bytes in base64url');
  const bodySha256 = options.bodySha256 ?? requestBodySha256(request.body);
  const signature = sign(null, requestMessage(request.audience, method, request.path, bodySha256, timestamp, nonce), signer);
  return {
    [REQUEST_HEADERS.signer]: encodePublicKey(publicOf(signer)),
    [REQUEST_HEADERS.timestamp]: timestamp,
    [REQUEST_HEADERS.nonce]: nonce,
    [REQUEST_HEADERS.signature]: signature.toString('base64'),
  };
}

/** Checks signed requests on a node. One instance per node process (it holds the replay cache). */
export class RequestVerifier<P> {
  private readonly audience: string;
  private readonly authorize: (signingKey: string) => P | undefined;
  private readonly maxSkewMs: number;
  private readonly now: () => number;
  private readonly maxCachedNonces: number;
  /** sha256(signer, nonce) → time after which the entry can go (its timestamp is then too old anyway). */
  private readonly seen: NonceStore;
  private insertsSinceSweep = 0;
  /** Preverified requests by their signature (insertion order: oldest first). */
  private readonly preverified = new Map<string, Preverified<P>>();
  private signaturesChecked = 0;

  constructor(options: RequestVerifierOptions<P>) {
    this.audience = options.audience;
    this.authorize = options.authorize;
    this.maxSkewMs = options.maxSkewMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.maxCachedNonces = options.maxCachedNonces ?? 1_000_000;
    this.seen = options.nonces ?? new MemoryNonceStore();
  }

  /** Returns who sent the request, or throws RequestRejectedError (answer 401, do not retry as is). */
  verify(request: ReceivedRequest): VerifiedRequest<P> {
    const bodySha256 = sha256Hex(request.body ?? new Uint8Array(0));
    const signature = request.headers[REQUEST_HEADERS.signature];
    const known = typeof signature === 'string' ? this.preverified.get(signature) : undefined;
    if (known === undefined) return this.check(request, bodySha256, true);
    this.preverified.delete(signature as string);
    const same = known.method === request.method.toUpperCase() && known.path === request.path && known.bodySha256 === bodySha256
      && known.signer === request.headers[REQUEST_HEADERS.signer] && known.timestamp === request.headers[REQUEST_HEADERS.timestamp] && known.nonce === request.headers[REQUEST_HEADERS.nonce];
    // Anything changed since preverify (a body that does not hash to the declared value, above all): the full check refuses it.
    if (!same) return this.check(request, bodySha256, true);
    this.admitNonce(known.signer, known.nonce, known.result.timestamp, this.now(), true);
    return known.result;
  }

  /**
   * Every check of `verify` from the headers alone, against the body hash the client declares in
   * BODY_SHA256_HEADER (none: an empty body), without remembering the nonce: a node calls it
   * before reading the body, and `verify` once the body is read (which then must hash to the
   * declared value, or its signature does not verify).
   */
  preverify(request: RequestHead, hasBody: boolean): VerifiedRequest<P> {
    const declared = request.headers[BODY_SHA256_HEADER];
    let bodySha256: string;
    if (declared === undefined && !hasBody) bodySha256 = EMPTY_BODY_SHA256;
    else if (typeof declared !== 'string' || !SHA256_HEX.test(declared)) {
      throw new RequestRejectedError('malformed', `a signed request with a body must carry header '${BODY_SHA256_HEADER}': the hex SHA-256 of the body it signed (use the Tessera client)`);
    } else bodySha256 = declared;
    const result = this.check(request, bodySha256, false);
    const signature = request.headers[REQUEST_HEADERS.signature] as string;
    if (this.preverified.size >= MAX_PREVERIFIED) this.preverified.delete(this.preverified.keys().next().value as string);
    this.preverified.set(signature, {
      method: request.method.toUpperCase(), path: request.path, bodySha256, result,
      signer: request.headers[REQUEST_HEADERS.signer] as string, timestamp: request.headers[REQUEST_HEADERS.timestamp] as string, nonce: request.headers[REQUEST_HEADERS.nonce] as string,
    });
    return result;
  }

  /** Ed25519 signature checks so far (for metrics and tests: one per request). */
  get signatureChecks(): number {
    return this.signaturesChecked;
  }

  private check(request: RequestHead, bodySha256: string, remember: boolean): VerifiedRequest<P> {
    const signerText = header(request, REQUEST_HEADERS.signer);
    const timestampText = header(request, REQUEST_HEADERS.timestamp);
    const nonce = header(request, REQUEST_HEADERS.nonce);
    const signatureText = header(request, REQUEST_HEADERS.signature);
    if (!TIMESTAMP.test(timestampText) || !NONCE.test(nonce)) {
      throw new RequestRejectedError('malformed', 'request timestamp or nonce is malformed');
    }
    const method = request.method.toUpperCase();
    if (!METHOD.test(method)) throw new RequestRejectedError('malformed', 'request method is malformed');

    const party = this.authorize(signerText);
    if (party === undefined) {
      throw new RequestRejectedError('unknown-signer', 'the request is signed by a key that is not a party of this collaboration');
    }
    let signerKey: KeyObject;
    try {
      signerKey = decodePublicKey(signerText, 'ed25519', 'request signer key');
    } catch (error) {
      if (error instanceof KeyFormatError) throw new RequestRejectedError('malformed', error.message);
      throw error;
    }

    const timestamp = Number(timestampText);
    const now = this.now();
    if (Math.abs(now - timestamp) > this.maxSkewMs) {
      throw new RequestRejectedError(
        'clock-skew',
        `request timestamp is ${Math.round((now - timestamp) / 1000)} s away from this node's clock (at most ${this.maxSkewMs / 1000} s allowed); check the client's clock`,
      );
    }

    const signature = Buffer.from(signatureText, 'base64');
    // The audience is checked through the signature: we verify against our own name, so a
    // request signed for another node simply does not verify here.
    const message = requestMessage(this.audience, method, request.path, bodySha256, timestampText, nonce);
    this.signaturesChecked++;
    if (signature.byteLength !== 64 || !verify(null, message, signerKey, signature)) {
      throw new RequestRejectedError(
        'signature',
        `request signature does not verify for node '${this.audience}' (wrong node, or method, path or body changed)`,
      );
    }

    this.admitNonce(signerText, nonce, timestamp, now, remember);
    return { party, signingKey: signerText, timestamp };
  }

  /** Refuses a nonce seen before; remembers it when `remember`. Only authenticated requests get here, so strangers cannot fill the cache. */
  private admitNonce(signerText: string, nonce: string, timestamp: number, now: number, remember: boolean): void {
    const cacheKey = nonceKey(signerText, nonce);
    if (remember) this.sweep(now);
    if (this.seen.has(cacheKey)) {
      throw new RequestRejectedError('replay', 'this request was already received (same nonce); sign each request anew');
    }
    if (this.seen.size >= this.maxCachedNonces) {
      throw new RequestRejectedError('replay', 'too many recent requests to track replays; retry in a minute');
    }
    if (remember) this.seen.add(cacheKey, timestamp + this.maxSkewMs);
  }

  /** Number of nonces currently remembered (for metrics and tests). */
  get cachedNonces(): number {
    return this.seen.size;
  }

  private sweep(now: number): void {
    this.insertsSinceSweep++;
    if (this.insertsSinceSweep < SWEEP_EVERY && this.seen.size < this.maxCachedNonces) return;
    this.insertsSinceSweep = 0;
    this.seen.sweep(now);
  }
}

/** The replay cache's key for one signer's nonce: short and fixed-length (it is also journaled). */
function nonceKey(signer: string, nonce: string): string {
  return createHash('sha256').update(signer).update(' ').update(nonce).digest('base64url').slice(0, 22);
}

function requestMessage(audience: string, method: string, path: string, bodySha256: string, timestamp: string, nonce: string): Buffer {
  const statement = canonicalJsonBytes({ audience, method, path, bodySha256, timestamp, nonce });
  return preAuthEncoding(REQUEST_PAYLOAD_TYPE, statement);
}

function header(request: RequestHead, name: string): string {
  const value = request.headers[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new RequestRejectedError('malformed', `request header '${name}' is missing (requests to a node must be signed)`);
  }
  return value;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
