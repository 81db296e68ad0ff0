/**
 * Public-key encodings shared by key files, envelopes, signed statements and the collaboration
 * file. Text form is standard base64 of the DER SubjectPublicKeyInfo (SPKI): it names its
 * algorithm, so a signing key can never be taken for an encryption key or the other way round.
 * Binary formats carry the raw 32-byte key instead, with the algorithm fixed by the format.
 */

import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { KeyFormatError } from '../errors.js';

export type KeyAlgorithm = 'ed25519' | 'x25519';

export const RAW_PUBLIC_KEY_BYTES = 32;

/** What each algorithm is for, used in error messages. */
const ROLE: Record<KeyAlgorithm, string> = { ed25519: 'signing', x25519: 'encryption' };

// KeyObjects are immutable, so what is derived from one can be remembered with it: exporting a
// key costs tens of microseconds, and nodes do it for every signature and envelope they check.
const spkiText = new WeakMap<KeyObject, string>();
const rawBytes = new WeakMap<KeyObject, Buffer>();
const publicHalf = new WeakMap<KeyObject, KeyObject>();
/** Decoded keys by text (the collaboration's keys are decoded again and again); bounded. */
const decoded = new Map<string, KeyObject>();
const MAX_DECODED = 4096;

/** Standard base64 of the SPKI DER encoding. */
export function encodePublicKey(key: KeyObject): string {
  let text = spkiText.get(key);
  if (text === undefined) {
    text = key.export({ type: 'spki', format: 'der' }).toString('base64');
    spkiText.set(key, text);
  }
  return text;
}

/** Parses an SPKI base64 public key and checks its algorithm; `what` names it in errors. */
export function decodePublicKey(text: string, algorithm: KeyAlgorithm, what: string): KeyObject {
  const known = typeof text === 'string' ? decoded.get(`${algorithm}:${text}`) : undefined;
  if (known) return known;
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    throw new KeyFormatError(`${what} is not base64 text (expected the SPKI base64 of an ${algorithm} ${ROLE[algorithm]} key)`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
  } catch {
    throw new KeyFormatError(`${what} is not a valid public key (expected the SPKI base64 of an ${algorithm} ${ROLE[algorithm]} key)`);
  }
  if (key.asymmetricKeyType !== algorithm) {
    throw new KeyFormatError(
      `${what} is an ${key.asymmetricKeyType ?? 'unknown'} key, but an ${algorithm} ${ROLE[algorithm]} key is needed here`,
    );
  }
  // Re-encoding must give the same text: refuses trailing garbage and non-canonical base64, so
  // that one key has exactly one spelling (keys are compared and looked up as text).
  if (encodePublicKey(key) !== text) {
    throw new KeyFormatError(`${what} is not in canonical SPKI base64 form`);
  }
  if (decoded.size >= MAX_DECODED) decoded.clear();
  decoded.set(`${algorithm}:${text}`, key);
  return key;
}

/** The raw 32-byte public key (RFC 7748 / RFC 8032 encoding). */
export function rawPublicKey(key: KeyObject): Buffer {
  let raw = rawBytes.get(key);
  if (raw === undefined) {
    const jwk = key.export({ format: 'jwk' });
    if (typeof jwk.x !== 'string') throw new KeyFormatError('key has no public component');
    raw = Buffer.from(jwk.x, 'base64url');
    rawBytes.set(key, raw);
  }
  return Buffer.from(raw);
}

/** Imports a raw 32-byte public key of the given algorithm. */
export function publicKeyFromRaw(raw: Uint8Array, algorithm: KeyAlgorithm, what: string): KeyObject {
  if (raw.byteLength !== RAW_PUBLIC_KEY_BYTES) throw new KeyFormatError(`${what} must be ${RAW_PUBLIC_KEY_BYTES} bytes`);
  const crv = algorithm === 'ed25519' ? 'Ed25519' : 'X25519';
  try {
    return createPublicKey({ key: { kty: 'OKP', crv, x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
  } catch {
    throw new KeyFormatError(`${what} is not a valid ${algorithm} public key`);
  }
}

/** Public half of a key (a private KeyObject also carries its public key). */
export function publicOf(key: KeyObject): KeyObject {
  if (key.type === 'public') return key;
  let pub = publicHalf.get(key);
  if (pub === undefined) {
    pub = createPublicKey(key);
    publicHalf.set(key, pub);
  }
  return pub;
}

/** True when two keys are the same public key. */
export function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return a.asymmetricKeyType === b.asymmetricKeyType && publicOf(a).equals(publicOf(b));
}

/** 16 bytes of SHA-256 over a domain label and the given public keys' SPKI, as 32 hex digits. */
export function keyFingerprint(label: string, keys: readonly KeyObject[]): string {
  const h = createHash('sha256').update(`tessera/fingerprint/${label}/v1\0`);
  for (const k of keys) h.update(publicOf(k).export({ type: 'spki', format: 'der' }));
  return h.digest('hex').slice(0, 32);
}
