/**
 * The sealed files that describe tables: a table's manifest (uid, public metadata, column files
 * with sizes and SHA-256) and the labels that bind each sealed file to its place.
 */

import { createHash } from 'node:crypto';
import { StorageCorruptionError } from '../../errors.js';
import { openSealedFile, SealedFileFailure, type SealedKind } from './sealed-file.js';
import type { TableMetadata } from './table-store.js';

export const MANIFEST_FORMAT = 'tessera-table-manifest/v1';

export interface ManifestColumn {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly uid: string;
  readonly metadata: TableMetadata;
  readonly columns: readonly ManifestColumn[];
}


/** SHA-256 over the column names, lengths and per-column SHA-256: the table's public checksum. */
export function tableChecksum(columns: readonly ManifestColumn[]): string {
  const hash = createHash('sha256').update('tessera/table-checksum/v1\0');
  for (const c of columns) {
    const name = Buffer.from(c.name, 'utf8');
    const lengths = Buffer.alloc(12);
    lengths.writeUInt32BE(name.byteLength, 0);
    lengths.writeBigUInt64BE(BigInt(c.bytes), 4);
    hash.update(lengths).update(name).update(Buffer.from(c.sha256, 'hex'));
  }
  return hash.digest('hex');
}

export function parseSealedJson(key: Buffer, kind: SealedKind, label: string, sealed: Buffer, table: string, file: string): unknown {
  let plain: Buffer;
  try {
    plain = openSealedFile(key, kind, label, sealed);
  } catch (error) {
    if (error instanceof SealedFileFailure) throw new StorageCorruptionError(table, file, error.message);
    throw error;
  }
  try {
    return JSON.parse(plain.toString('utf8'));
  } catch {
    throw new StorageCorruptionError(table, file, 'the content is not valid JSON');
  }
}

export function isManifest(value: unknown, name: string): value is Manifest {
  const m = value as Partial<Manifest> | null;
  return (
    m !== null &&
    typeof m === 'object' &&
    m.format === MANIFEST_FORMAT &&
    typeof m.uid === 'string' &&
    /^[0-9a-f]{32}$/.test(m.uid) &&
    m.metadata?.name === name &&
    Array.isArray(m.columns) &&
    m.columns.every((c) => typeof c.name === 'string' && /^c\d{4}\.col$/.test(c.file) && Number.isSafeInteger(c.bytes) && /^[0-9a-f]{64}$/.test(c.sha256))
  );
}

export function manifestLabel(name: string): string {
  return `manifest\0${name}`;
}

export function appendMetaLabel(name: string): string {
  return `append-meta\0${name}`;
}

export function columnLabel(uid: string, index: number): string {
  return `column\0${uid}\0${index}`;
}
