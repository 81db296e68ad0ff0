/**
 * Signed statements (approvals of scripts, published keys, results): Ed25519 signatures in a DSSE
 * envelope (github.com/secure-systems-lab/dsse). The signature covers the pre-authentication
 * encoding
 *   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 * (LEN = decimal byte length), so a signature made for one payload type can never verify as
 * another, whatever the bytes look like. The body is the RFC 8785 canonical JSON of the payload;
 * verification refuses a body that is not canonical, so each statement has exactly one encoding
 * and its hash is well defined.
 *
 * JSON form: { "payloadType": "application/vnd.tessera.<kind>+json",
 *              "payload": base64(canonical JSON), "signatures": [{ "keyid", "sig" }] }
 * `keyid` is the signer's Ed25519 public key (SPKI base64): a lookup hint, never trusted by itself.
 */

import { sign, verify, type KeyObject } from 'node:crypto';
import { FormatError, SignatureError, UsageError } from '../errors.js';
import { canonicalJsonBytes, type JsonValue } from './canonical-json.js';
import { decodePublicKey, encodePublicKey, publicOf, samePublicKey } from './keys.js';
import { preAuthEncoding } from './pae.js';

// One entry point for everything signed: canonical JSON, statements and API request signing.
export { canonicalJson, canonicalJsonBytes, canonicalHash, parseCanonicalJson, type JsonValue } from './canonical-json.js';
export { preAuthEncoding } from './pae.js';
export * from './request-signing.js';

export interface StatementSignature {
  readonly keyid: string;
  readonly sig: string;
}

export interface SignedStatement {
  readonly payloadType: string;
  /** Standard base64 of the canonical JSON payload. */
  readonly payload: string;
  readonly signatures: readonly StatementSignature[];
}

export interface VerifiedStatement<T extends JsonValue = JsonValue> {
  readonly payloadType: string;
  readonly payload: T;
  /** The trusted keys whose signatures verified (each at most once), in the statement's order. */
  readonly signers: readonly KeyObject[];
}

/** Payload types are media types, e.g. `application/vnd.tessera.script-approval+json`. */
const PAYLOAD_TYPE = /^[a-z0-9][a-z0-9.+/-]{0,126}[a-z0-9]$/;

/** Signs a JSON payload as a statement of `payloadType`. */
export function signStatement(payloadType: string, payload: JsonValue, signer: KeyObject): SignedStatement {
  checkPayloadType(payloadType);
  const body = canonicalJsonBytes(payload);
  return { payloadType, payload: body.toString('base64'), signatures: [signatureOver(payloadType, body, signer)] };
}

/** Adds one more signature (e.g. a second representative approving the same script). */
export function addSignature(statement: SignedStatement, signer: KeyObject): SignedStatement {
  const { payloadType, body } = decodeStatement(statement);
  const keyid = encodePublicKey(publicOf(signer));
  if (statement.signatures.some((s) => s.keyid === keyid)) return statement;
  return { ...statement, signatures: [...statement.signatures, signatureOver(payloadType, body, signer)] };
}

/**
 * Verifies a statement: its payload type must be `expectedType`, and at least one signature must
 * verify under one of `trustedKeys`. Signatures by other keys are ignored (not an error: a
 * statement may carry signatures for several audiences). Throws SignatureError otherwise.
 * Whether the signers are *enough* (policy) is the caller's decision.
 */
export function verifyStatement<T extends JsonValue = JsonValue>(
  statement: SignedStatement,
  expectedType: string,
  trustedKeys: readonly KeyObject[],
): VerifiedStatement<T> {
  checkPayloadType(expectedType);
  const { payloadType, body, payload } = decodeStatement(statement);
  if (payloadType !== expectedType) {
    throw new SignatureError(`statement has payload type '${payloadType}', but '${expectedType}' was expected`);
  }
  const message = preAuthEncoding(payloadType, body);
  const signers: KeyObject[] = [];
  for (const signature of statement.signatures) {
    const key = trustedKeys.find((k) => encodePublicKey(publicOf(k)) === signature.keyid);
    if (!key || signers.some((s) => samePublicKey(s, key))) continue;
    const sig = Buffer.from(signature.sig, 'base64');
    if (sig.byteLength === 64 && verify(null, message, publicOf(key), sig)) signers.push(publicOf(key));
  }
  if (signers.length === 0) {
    throw new SignatureError(`no valid signature by a trusted key on this '${payloadType}' statement`);
  }
  return { payloadType, payload: payload as T, signers };
}

/** Parses the JSON text of a statement (as sent over the wire or stored in a file). */
export function parseStatement(text: string): SignedStatement {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FormatError('signed statement is not valid JSON');
  }
  const s = value as Partial<SignedStatement> | null;
  if (
    s === null ||
    typeof s !== 'object' ||
    typeof s.payloadType !== 'string' ||
    typeof s.payload !== 'string' ||
    !Array.isArray(s.signatures) ||
    !s.signatures.every((x: unknown) => {
      const sig = x as Partial<StatementSignature> | null;
      return sig !== null && typeof sig === 'object' && typeof sig.keyid === 'string' && typeof sig.sig === 'string';
    })
  ) {
    throw new FormatError('signed statement must have "payloadType", "payload" and "signatures": [{ "keyid", "sig" }]');
  }
  return { payloadType: s.payloadType, payload: s.payload, signatures: s.signatures };
}

/** The signing key named by a signature's keyid (unverified: for lookups only). */
export function signatureKeyHint(signature: StatementSignature): KeyObject {
  return decodePublicKey(signature.keyid, 'ed25519', 'signature keyid');
}

// ---- helpers -------------------------------------------------------------------------------

function signatureOver(payloadType: string, body: Uint8Array, signer: KeyObject): StatementSignature {
  if (signer.type !== 'private' || signer.asymmetricKeyType !== 'ed25519') {
    throw new UsageError('statements are signed with an Ed25519 private key');
  }
  const sig = sign(null, preAuthEncoding(payloadType, body), signer);
  return { keyid: encodePublicKey(publicOf(signer)), sig: sig.toString('base64') };
}

function decodeStatement(statement: SignedStatement): { payloadType: string; body: Buffer; payload: JsonValue } {
  if (!PAYLOAD_TYPE.test(statement.payloadType)) throw new FormatError('statement payload type is malformed');
  const body = Buffer.from(statement.payload, 'base64');
  if (body.toString('base64') !== statement.payload) throw new FormatError('statement payload is not canonical base64');
  let payload: JsonValue;
  try {
    payload = JSON.parse(body.toString('utf8')) as JsonValue;
    // Compared as bytes: invalid UTF-8 would otherwise survive as U+FFFD in both strings.
    if (!canonicalJsonBytes(payload).equals(body)) throw new FormatError('not canonical');
  } catch {
    throw new FormatError('statement payload is not canonical JSON (RFC 8785)');
  }
  return { payloadType: statement.payloadType, body, payload };
}

function checkPayloadType(payloadType: string): void {
  if (!PAYLOAD_TYPE.test(payloadType)) {
    throw new UsageError(`payload type '${payloadType}' must be a lower-case media type such as application/vnd.tessera.kind+json`);
  }
}
