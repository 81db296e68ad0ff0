/**
 * The identifier key: a secret that the data owners of a collaboration share, and nobody else
 * holds. Identifier columns (patient numbers, national ids) are keyed-hashed with it on each
 * owner's machine (table/types/identifier.ts), so equal identifiers match across owners while
 * the nodes, which never see the key, cannot test a guessed identifier against the hashes.
 *
 * One owner creates it (`tessera keys identifier`) and hands it to the others over a channel the
 * nodes and analysts do not share (in person, an encrypted message). The file is JSON, mode 0600.
 */

import { randomBytes } from 'node:crypto';
import { KeyFileError } from '../errors.js';
import { MIN_IDENTIFIER_KEY_BYTES } from '../table/types/identifier.js';
import { loadPrivateKeyFile, writeKeyFile } from './identity.js';

const FORMAT = 'tessera-identifier-key/v1';
const KEY_BYTES = 32;
const WHAT = 'identifier key file';

interface IdentifierKeyFile {
  readonly format: typeof FORMAT;
  readonly createdAt: string;
  /** base64 */
  readonly key: string;
}

/** A new random identifier key (32 bytes from node:crypto). */
export function createIdentifierKey(): Uint8Array {
  return new Uint8Array(randomBytes(KEY_BYTES));
}

/** Writes the key (mode 0600); refuses to replace an existing file. */
export async function saveIdentifierKey(key: Uint8Array, path: string): Promise<void> {
  if (key.length < MIN_IDENTIFIER_KEY_BYTES) throw new KeyFileError(path, `an identifier key needs at least ${MIN_IDENTIFIER_KEY_BYTES} bytes`);
  const file: IdentifierKeyFile = { format: FORMAT, createdAt: new Date().toISOString(), key: Buffer.from(key).toString('base64') };
  await writeKeyFile(path, JSON.stringify(file, null, 2) + '\n', 0o600);
}

/** Reads an identifier key file (refused when others may read it). */
export async function loadIdentifierKey(path: string): Promise<Uint8Array> {
  return loadPrivateKeyFile(path, WHAT, (text) => parseIdentifierKey(text, path), 'tessera keys identifier');
}

function parseIdentifierKey(text: string, path: string): Uint8Array {
  let parsed: Partial<IdentifierKeyFile> | null = null;
  try {
    parsed = JSON.parse(text) as Partial<IdentifierKeyFile>;
  } catch {
    // The parser's message may quote the key: not passed on.
  }
  if (!parsed || typeof parsed !== 'object' || parsed.format !== FORMAT || typeof parsed.key !== 'string') {
    throw new KeyFileError(path, `${path} is not an identifier key file (expected JSON with format '${FORMAT}', as \`tessera keys identifier\` writes)`);
  }
  const key = Buffer.from(parsed.key, 'base64');
  if (key.length < MIN_IDENTIFIER_KEY_BYTES || key.toString('base64') !== parsed.key) {
    throw new KeyFileError(path, `the key in ${path} is not ${MIN_IDENTIFIER_KEY_BYTES} or more bytes of base64; the file may be damaged: ask the owner who created it for a fresh copy`);
  }
  return new Uint8Array(key);
}
