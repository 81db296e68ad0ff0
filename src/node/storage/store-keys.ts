/**
 * Keys of a node's data directory. The node secret (from the operator: a file, a KMS, an
 * environment variable) never touches the disk; the storage key is derived from it with
 * HKDF-SHA256 and a random salt kept in `store.json`, and every purpose gets its own sub-key, so
 * that a file of one kind can never be opened as another.
 */

import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { UsageError } from '../../errors.js';

export const NODE_SECRET_MIN_BYTES = 32;
const KEY_BYTES = 32;

/** The data directory's root key. */
export function deriveStorageKey(nodeSecret: Uint8Array, salt: Uint8Array): Buffer {
  if (nodeSecret.byteLength < NODE_SECRET_MIN_BYTES) {
    throw new UsageError(`the node secret must be at least ${NODE_SECRET_MIN_BYTES} random bytes`);
  }
  return Buffer.from(hkdfSync('sha256', nodeSecret, salt, 'tessera/storage/v1', KEY_BYTES));
}

/** A key for one purpose (e.g. `manifests`, `table/<uid>`). */
export function subKey(storageKey: Uint8Array, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', storageKey, new Uint8Array(0), `tessera/storage/${purpose}`, KEY_BYTES));
}

/** A value stored next to the salt, to tell "wrong node secret" apart from "damaged files". */
export function keyCheckValue(storageKey: Uint8Array): string {
  return createHmac('sha256', storageKey).update('tessera/storage/key-check/v1').digest('hex');
}

export function keyCheckMatches(storageKey: Uint8Array, expectedHex: string): boolean {
  const actual = Buffer.from(keyCheckValue(storageKey), 'hex');
  const expected = Buffer.from(expectedHex, 'hex');
  return actual.byteLength === expected.byteLength && timingSafeEqual(actual, expected);
}
