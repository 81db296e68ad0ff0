/**
 * What a node keeps on disk, for the demo to show: a few bytes of the file holding a table's
 * first column or an append table's log. They are sealed (AES-256-GCM under the node's storage
 * key), and what is inside is itself a random-looking share, so they look random either way.
 */

import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredSample {
  /** Path relative to the node's data directory. */
  readonly file: string;
  readonly size: number;
  readonly bytes: Uint8Array;
}

/** Skips a sealed file's 20-byte header (magic, version, kind, nonce) to show ciphertext. */
const SEALED_HEADER = 20;
/** An append log's 32-byte file header, then a record's length, CRC and nonce. */
const LOG_RECORD_BODY = 32 + 4 + 4 + 12;

export async function sampleTableFile(dataDir: string, table: string, count = 12): Promise<StoredSample | undefined> {
  const dir = join(dataDir, 'tables', table);
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.col')).sort();
  } catch {
    return undefined;
  }
  if (files.length === 0) return undefined;
  return sample(join(dir, files[0]), `tables/${table}/${files[0]}`, SEALED_HEADER, count);
}

export async function sampleAppendLog(dataDir: string, table: string, count = 12): Promise<StoredSample | undefined> {
  return sample(join(dataDir, 'appends', table, 'log'), `appends/${table}/log`, LOG_RECORD_BODY, count);
}

async function sample(path: string, shown: string, offset: number, count: number): Promise<StoredSample | undefined> {
  try {
    const file = await open(path, 'r');
    try {
      const size = (await file.stat()).size;
      const bytes = Buffer.alloc(Math.max(0, Math.min(count, size - offset)));
      await file.read(bytes, 0, bytes.length, offset);
      return { file: shown, size, bytes };
    } finally {
      await file.close();
    }
  } catch {
    return undefined;
  }
}
