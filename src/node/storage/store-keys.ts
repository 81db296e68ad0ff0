/**
 * Keys of a node's data directory. The node secret (from the operator: a file, a KMS, an
 * environment variable) never touches the disk; the storage key is derived from it with
 * HKDF-SHA256 and a random salt kept in `store.json`, and every purpose gets its own sub-key, so
 * that a file of one kind can never be opened as another.
 */

import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageKeyError, UsageError } from '../../errors.js';
import { isErrnoException, writeFileAtomic } from '../../io/durable-file.js';

const STORE_FORMAT = 'tessera-node-store/v1';

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

interface StoreFile {
  readonly format: typeof STORE_FORMAT;
  readonly salt: string;
  readonly keyCheck: string;
}

/**
 * Reads store.json (or creates it with a fresh salt) and returns the storage key, after checking
 * that the node secret is the one the directory was created with.
 */
export async function openStoreKey(dataDir: string, nodeSecret: Uint8Array): Promise<Buffer> {
  const path = join(dataDir, 'store.json');
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (!isErrnoException(error) || error.code !== 'ENOENT') throw error;
  }
  if (text === undefined) {
    const salt = randomBytes(32);
    const key = deriveStorageKey(nodeSecret, salt);
    const file: StoreFile = { format: STORE_FORMAT, salt: salt.toString('hex'), keyCheck: keyCheckValue(key) };
    await writeFileAtomic(path, Buffer.from(JSON.stringify(file, null, 2) + '\n'), { exclusive: true });
    return key;
  }
  let file: Partial<StoreFile>;
  try {
    file = JSON.parse(text) as Partial<StoreFile>;
  } catch {
    throw new StorageKeyError(`${path} is damaged (not JSON); restore it from a backup`);
  }
  if (file.format !== STORE_FORMAT || typeof file.salt !== 'string' || typeof file.keyCheck !== 'string') {
    throw new StorageKeyError(`${path} is not a Tessera node store file (${STORE_FORMAT})`);
  }
  const key = deriveStorageKey(nodeSecret, Buffer.from(file.salt, 'hex'));
  if (!keyCheckMatches(key, file.keyCheck)) {
    throw new StorageKeyError(`the node secret does not open the data directory ${dataDir}: it was created with another secret`);
  }
  return key;
}
