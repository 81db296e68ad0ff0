/**
 * `identifier`: a string such as a patient number, stored as a keyed hash so that equal
 * identifiers from different data owners match while the compute nodes learn nothing.
 *
 * hash = first 8 bytes of HMAC-SHA256(key, "tessera.identifier.v1" || 0x00 || UTF-8(value)),
 * read big-endian and shifted right by 2: a 62-bit non-negative integer. The key is shared by the
 * data owners of a collaboration and never given to a node. The column name is deliberately not
 * hashed in, so identifiers match across tables whatever their columns are called. With 62 bits,
 * two distinct identifiers among a million collide with probability about 1e-7.
 */

import { createHash, createHmac } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { refuseUnknownFields, type TypeFields, type ValueEncoder } from './common.js';

export const MIN_IDENTIFIER_KEY_BYTES = 16;
const DOMAIN = Buffer.from('tessera.identifier.v1\0', 'utf8');

export interface IdentifierType {
  readonly kind: 'identifier';
}

export interface IdentifierTypeJson {
  readonly type: 'identifier';
}

export function parseIdentifierType(fields: TypeFields, column: string): IdentifierType {
  refuseUnknownFields(fields, ['type'], column);
  return { kind: 'identifier' };
}

export function identifierTypeToJson(): IdentifierTypeJson {
  return { type: 'identifier' };
}

export function checkIdentifierKey(key: Uint8Array | undefined): Uint8Array {
  if (key === undefined) {
    throw new UsageError(
      'this table has identifier columns: they are hashed with the secret key that the data owners of the collaboration share; pass it (SDK: identifierKey, e.g. from loadIdentifierKey(FILE); CLI: --identifier-key FILE). No key yet? One owner creates it with `tessera keys identifier` and hands it to the others',
    );
  }
  if (!(key instanceof Uint8Array) || key.length < MIN_IDENTIFIER_KEY_BYTES) {
    throw new UsageError(`identifierKey must be a Uint8Array of at least ${MIN_IDENTIFIER_KEY_BYTES} bytes (32 random bytes recommended)`);
  }
  return key;
}

/** Hashes identifier strings under one key (node:crypto's HMAC; about 4 µs per value). */
export class IdentifierHasher {
  private readonly key: Uint8Array;

  constructor(key: Uint8Array) {
    this.key = checkIdentifierKey(key);
  }

  hash(value: string): bigint {
    const digest = createHmac('sha256', this.key).update(DOMAIN).update(value, 'utf8').digest();
    return digest.readBigUInt64BE(0) >> 2n;
  }
}

/**
 * The two padded-key blocks of HMAC-SHA256 (RFC 2104), with the domain string appended to the
 * inner one, so that a bulk engine with only plain SHA-256 (the file reader's DuckDB) computes
 * exactly IdentifierHasher.hash: SHA256(outer || SHA256(inner || UTF-8(value))).
 */
export function identifierHmacPads(key: Uint8Array | undefined): { readonly inner: Uint8Array; readonly outer: Uint8Array } {
  const checked = checkIdentifierKey(key);
  const block = new Uint8Array(64);
  block.set(checked.length > 64 ? createHash('sha256').update(checked).digest() : checked);
  const inner = new Uint8Array(64 + DOMAIN.length);
  const outer = new Uint8Array(64);
  for (let i = 0; i < 64; i++) {
    inner[i] = block[i] ^ 0x36;
    outer[i] = block[i] ^ 0x5c;
  }
  inner.set(DOMAIN, 64);
  return { inner, outer };
}

/** Integers are hashed as their decimal text, as the file reader does for integer columns. */
export function identifierEncoder(hasher: IdentifierHasher): ValueEncoder {
  return (value) => {
    if (typeof value === 'string') return hasher.hash(value);
    if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) return hasher.hash(String(value));
    return 'parse';
  };
}
