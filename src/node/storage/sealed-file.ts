/**
 * Encryption at rest of one file (manifest, column, append-table metadata): AES-256-GCM under a
 * purpose key, with a random 96-bit nonce (a few files per table; far below the 2^32 limit for
 * random nonces under one key), and associated data that names what the file is (kind, table,
 * column), so a file copied to another place does not open there.
 *
 * Format, version 1:
 *   off len
 *     0   4  magic "TSSF"
 *     4   1  version = 1
 *     5   1  kind (1 manifest, 2 column, 3 append-table metadata)
 *     6   2  reserved, 0
 *     8  12  nonce
 *    20   n  ciphertext
 *  20+n  16  GCM tag
 *   AAD = bytes 0..20 || UTF-8 label (e.g. "manifest\0patients", "column\0<uid>\0<index>")
 */

import { createCipheriv, createDecipheriv, randomBytes, type DecipherGCM } from 'node:crypto';

export const enum SealedKind {
  Manifest = 1,
  Column = 2,
  AppendMeta = 3,
}

const MAGIC = Buffer.from('TSSF', 'ascii');
const VERSION = 1;
const HEADER_BYTES = 20;
const TAG_BYTES = 16;
const CHUNK_BYTES = 1 << 20;

export const SEALED_OVERHEAD = HEADER_BYTES + TAG_BYTES;

/** Why a sealed file did not open (the caller turns it into an error naming table and file). */
export class SealedFileFailure extends Error {}

export function sealFile(key: Uint8Array, kind: SealedKind, label: string, plaintext: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + plaintext.byteLength + TAG_BYTES);
  MAGIC.copy(out, 0);
  out[4] = VERSION;
  out[5] = kind;
  out.writeUInt16BE(0, 6);
  randomBytes(12).copy(out, 8);
  const cipher = createCipheriv('aes-256-gcm', key, out.subarray(8, 20));
  cipher.setAAD(Buffer.concat([out.subarray(0, HEADER_BYTES), Buffer.from(label, 'utf8')]));
  let offset = HEADER_BYTES;
  for (let start = 0; start < plaintext.byteLength; start += CHUNK_BYTES) {
    offset += cipher.update(plaintext.subarray(start, start + CHUNK_BYTES)).copy(out, offset);
  }
  offset += cipher.final().copy(out, offset);
  cipher.getAuthTag().copy(out, offset);
  return out;
}

/** Decrypts and authenticates; throws SealedFileFailure (never returns unauthenticated bytes). */
export function openSealedFile(key: Uint8Array, kind: SealedKind, label: string, sealed: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(Math.max(0, sealed.byteLength - SEALED_OVERHEAD));
  let offset = 0;
  try {
    openSealedFileChunks(key, kind, label, sealed, (plain) => (offset += plain.copy(out, offset)));
  } catch (error) {
    out.fill(0);
    throw error;
  }
  return out;
}

/**
 * Decrypts chunk by chunk, handing each plaintext chunk (at most 1 MiB, in order) to `take`,
 * then authenticates; throws SealedFileFailure. The chunks reach `take` before the tag is
 * checked: a caller must drop everything it took when this throws.
 */
export function openSealedFileChunks(key: Uint8Array, kind: SealedKind, label: string, sealed: Uint8Array, take: (plain: Buffer) => void): void {
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (bytes.byteLength < HEADER_BYTES + TAG_BYTES) throw new SealedFileFailure('not a sealed Tessera file, or truncated');
  const opener = new SealedFileOpener(key, kind, label, bytes.subarray(0, HEADER_BYTES), bytes.subarray(bytes.byteLength - TAG_BYTES));
  const ciphertext = bytes.subarray(HEADER_BYTES, bytes.byteLength - TAG_BYTES);
  for (let start = 0; start < ciphertext.byteLength; start += CHUNK_BYTES) take(opener.update(ciphertext.subarray(start, start + CHUNK_BYTES)));
  const last = opener.final();
  if (last.byteLength > 0) take(last);
}

/**
 * A sealed file opened from its parts, for a reader that streams the ciphertext from disk in
 * slices (table-store.ts readColumnChunks: no buffer of the whole file, nor of its plaintext):
 * the header and the tag first, then `update` per slice of ciphertext, in order, then `final`,
 * which authenticates (SealedFileFailure). What `update` returns is unauthenticated until then.
 */
export class SealedFileOpener {
  static readonly HEADER_BYTES = HEADER_BYTES;
  static readonly TAG_BYTES = TAG_BYTES;
  private readonly decipher: DecipherGCM;

  constructor(key: Uint8Array, kind: SealedKind, label: string, header: Uint8Array, tag: Uint8Array) {
    const h = Buffer.from(header.buffer, header.byteOffset, header.byteLength);
    if (h.byteLength !== HEADER_BYTES || tag.byteLength !== TAG_BYTES || !h.subarray(0, 4).equals(MAGIC)) throw new SealedFileFailure('not a sealed Tessera file, or truncated');
    if (h[4] !== VERSION) throw new SealedFileFailure(`unsupported sealed-file version ${h[4]}`);
    if (h[5] !== kind || h.readUInt16BE(6) !== 0) throw new SealedFileFailure('file kind does not match');
    this.decipher = createDecipheriv('aes-256-gcm', key, h.subarray(8, 20));
    this.decipher.setAAD(Buffer.concat([h, Buffer.from(label, 'utf8')]));
    this.decipher.setAuthTag(tag);
  }

  update(ciphertext: Uint8Array): Buffer {
    return this.decipher.update(ciphertext);
  }

  final(): Buffer {
    try {
      return this.decipher.final();
    } catch {
      throw new SealedFileFailure('authentication tag mismatch');
    }
  }
}
