/**
 * Append tables: one row per contributor (e.g. 100,000 patients each submitting one value),
 * kept in one append-only log file per table.
 *
 * Log file format, version 2 (integers big-endian; version 1 files, written before replacements
 * existed, are read and appended to the same way):
 *   file header (32 bytes): magic "TSAL" | version | 3 reserved zero bytes | log uid (16 bytes)
 *                           | CRC-32 of bytes 0..24 (4) | 4 reserved zero bytes
 *   record:  off len
 *              0   4  bit 31: 1 when the record replaces the contributor's earlier row (see
 *                     below), 0 for a contributor's first row; bits 0..30: body length L
 *              4   4  CRC-32 of bytes 0..4 (kind and length): a damaged length is reported as
 *                     damage, never mistaken for a torn tail
 *              8  12  nonce (random)
 *             20 L-28 ciphertext of: contributor-id length (u16) | contributor id (UTF-8) | value
 *           L-8  16  GCM tag
 *   Record i is encrypted under the log's key with associated data "TSAL" | log uid | i (u64), so
 *   records cannot be moved, reordered, duplicated or dropped from the middle without detection.
 *
 * Replacements: a contributor's row is its last record. A replacement is written only when the
 * contribution index (node/contribution-index.ts) has established that the earlier row was never
 * stored at all three nodes (so it never counted and was never acknowledged); the log itself only
 * checks that a first row comes first and a replacement follows one. Row counts (distinct
 * contributors) come from the kind bits alone, so listings still need no decryption.
 *
 * Durability and group commit: appends are encrypted as they arrive and queued; one writer
 * writes everything queued in one positional write followed by one fdatasync, then resolves all
 * of those appends. Appends arriving meanwhile form the next batch, so N concurrent callers share
 * one fsync. An append's promise resolves only after its record is on disk.
 *
 * Crash recovery on open: records are only ever written past the end of the last synced batch,
 * one batch at a time, so a crash can only damage the tail. The tail is truncated when it is a
 * torn write: fewer bytes than its header declares, or a failed record followed only by zero
 * bytes covering its tag (filesystems may extend a file with zeros before the data lands).
 * Any other failure — a bad record with valid data after it, or a complete last record with a
 * wrong tag — is reported as corruption, not silently dropped.
 */

import { createCipheriv, createDecipheriv } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { AppendTableFailedError, DuplicateContributorError, StorageCorruptionError, UsageError } from '../../errors.js';
import { randomPool } from '../../crypto/random-pool.js';

const MAGIC = Buffer.from('TSAL', 'ascii');
const VERSION = 2;
const READABLE_VERSIONS: readonly number[] = [1, 2];
/** Bit 31 of a record's first word: the record replaces the contributor's earlier row. */
const REPLACEMENT_BIT = 0x80000000;
const LENGTH_MASK = 0x7fffffff;
export const LOG_HEADER_BYTES = 32;
const FRAME_BYTES = 8;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const ID_LENGTH_BYTES = 2;
export const MAX_CONTRIBUTOR_ID_BYTES = 256;
export const MAX_VALUE_BYTES = 1 << 20;
const MAX_BODY_BYTES = NONCE_BYTES + ID_LENGTH_BYTES + MAX_CONTRIBUTOR_ID_BYTES + MAX_VALUE_BYTES + TAG_BYTES;
const MIN_BODY_BYTES = NONCE_BYTES + ID_LENGTH_BYTES + 1 + TAG_BYTES;

export interface AppendRow {
  readonly contributorId: string;
  readonly value: Uint8Array;
}

/** What opening a log found and repaired (for the node's log; holds no values). */
export interface LogRecovery {
  readonly rows: number;
  /** Bytes of a torn final write that were cut off (0 when the log was clean). */
  readonly truncatedBytes: number;
}

export function logHeader(uid: Buffer): Buffer {
  const header = Buffer.alloc(LOG_HEADER_BYTES);
  MAGIC.copy(header, 0);
  header[4] = VERSION;
  uid.copy(header, 8);
  header.writeUInt32BE(crc32(header.subarray(0, 24)), 24);
  return header;
}

interface Pending {
  readonly record: Buffer;
  readonly contributorId: string;
  readonly replacement: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

/** An open append table. Obtain it from TableStore; one instance per table per process. */
export class AppendLog {
  readonly table: string;
  /** What opening the log found (rows, torn bytes cut off). */
  readonly recovery: LogRecovery;
  private readonly file: string;
  private readonly handle: FileHandle;
  private readonly key: Buffer;
  private readonly uid: Buffer;
  /** Contributors with a durable or queued record. */
  private readonly contributors = new Set<string>();
  /** File length up to the end of the last synced batch. */
  private durableBytes: number;
  private durableRows: number;
  /** Sequence number the next accepted append gets. */
  private nextSequence: number;
  private queue: Pending[] = [];
  private writing = false;
  private syncs = 0;
  private failure: unknown = undefined;
  private closed = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => undefined;

  private constructor(
    table: string,
    file: string,
    handle: FileHandle,
    key: Buffer,
    uid: Buffer,
    rows: readonly AppendRow[],
    records: number,
    bytes: number,
    recovery: LogRecovery,
  ) {
    this.table = table;
    this.recovery = recovery;
    this.file = file;
    this.handle = handle;
    this.key = key;
    this.uid = uid;
    for (const row of rows) this.contributors.add(row.contributorId);
    this.durableBytes = bytes;
    this.durableRows = rows.length;
    this.nextSequence = records;
  }

  /**
   * Opens a log, checks every record and truncates a torn tail. `file` is the path used in
   * errors (relative to the data directory).
   */
  static async open(table: string, path: string, file: string, key: Buffer, uid: Buffer): Promise<AppendLog> {
    const handle = await open(path, 'r+');
    try {
      const bytes = await handle.readFile();
      const scan = scanLog(table, file, bytes, key, uid);
      if (scan.validBytes < bytes.byteLength) {
        await handle.truncate(scan.validBytes);
        await handle.datasync();
      }
      const recovery = { rows: scan.rows.length, truncatedBytes: bytes.byteLength - scan.validBytes };
      return new AppendLog(table, file, handle, key, uid, scan.rows, scan.records, scan.validBytes, recovery);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Rows whose append has completed (durable). */
  get rowCount(): number {
    return this.durableRows;
  }

  /** fsyncs done since open: with concurrent callers far fewer than appends (group commit). */
  get syncCount(): number {
    return this.syncs;
  }

  has(contributorId: string): boolean {
    return this.contributors.has(contributorId);
  }

  /**
   * Adds the contributor's row; resolves once it is on disk. A second row from the same
   * contributor is refused with DuplicateContributorError (checked before anything is written,
   * also against appends still in flight), unless `replace` says it supersedes the first: then
   * the contributor must already have a row, and the new record becomes its row.
   */
  append(contributorId: string, value: Uint8Array, options: { readonly replace?: boolean } = {}): Promise<void> {
    if (this.closed) return Promise.reject(new UsageError(`append table '${this.table}' is closed`));
    if (this.failure !== undefined) return Promise.reject(new AppendTableFailedError(this.table, { cause: this.failure }));
    const id = Buffer.from(contributorId, 'utf8');
    if (typeof contributorId !== 'string' || id.byteLength === 0 || id.byteLength > MAX_CONTRIBUTOR_ID_BYTES) {
      return Promise.reject(new UsageError(`a contributor id must be 1 to ${MAX_CONTRIBUTOR_ID_BYTES} bytes of UTF-8`));
    }
    if (!(value instanceof Uint8Array) || value.byteLength > MAX_VALUE_BYTES) {
      return Promise.reject(new UsageError(`an append value must be a byte array of at most ${MAX_VALUE_BYTES} bytes`));
    }
    const replacement = options.replace === true;
    if (replacement) {
      if (!this.contributors.has(contributorId)) return Promise.reject(new UsageError(`append table '${this.table}' has no row of this contributor to replace`));
    } else {
      if (this.contributors.has(contributorId)) return Promise.reject(new DuplicateContributorError(this.table));
      this.contributors.add(contributorId);
    }
    // Encrypt now, in the caller's turn, so that encryption overlaps the previous batch's fsync.
    const record = encodeRecord(this.key, this.uid, this.nextSequence++, id, value, replacement);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, contributorId, replacement, resolve, reject });
      if (!this.writing) void this.writeBatches();
    });
  }

  /**
   * Every durable row (a contributor's last record), in contributor-id order (UTF-8 byte order),
   * which is the same on all nodes.
   */
  async readAll(): Promise<AppendRow[]> {
    const bytes = Buffer.allocUnsafe(this.durableBytes);
    const { bytesRead } = await this.handle.read(bytes, 0, this.durableBytes, 0);
    if (bytesRead !== this.durableBytes) {
      throw new StorageCorruptionError(this.table, this.file, 'the log is shorter than the rows already written to it');
    }
    const scan = scanLog(this.table, this.file, bytes, this.key, this.uid, { strict: true });
    return sortByContributor(scan.rows);
  }

  /** Waits for queued appends, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.idle;
    await this.handle.close();
  }

  private async writeBatches(): Promise<void> {
    this.writing = true;
    this.idle = new Promise((resolve) => (this.markIdle = resolve));
    try {
      while (this.queue.length > 0 && this.failure === undefined) {
        const batch = this.queue;
        this.queue = [];
        const data = batch.length === 1 ? batch[0].record : Buffer.concat(batch.map((p) => p.record));
        try {
          let written = 0;
          while (written < data.byteLength) {
            const { bytesWritten } = await this.handle.write(data, written, data.byteLength - written, this.durableBytes + written);
            written += bytesWritten;
          }
          await this.handle.datasync();
          this.syncs++;
        } catch (error) {
          // After a failed write or fsync the state on disk is unknown (and on Linux a retried
          // fsync may report success for lost data), so stop here; reopening re-checks the log.
          this.failure = error;
          const failed = new AppendTableFailedError(this.table, { cause: error });
          for (const p of [...batch, ...this.queue]) {
            if (!p.replacement) this.contributors.delete(p.contributorId);
            p.reject(failed);
          }
          this.queue = [];
          return;
        }
        this.durableBytes += data.byteLength;
        for (const p of batch) if (!p.replacement) this.durableRows++;
        for (const p of batch) p.resolve();
      }
    } finally {
      this.writing = false;
      this.markIdle();
    }
  }
}

// ---- record encoding and scanning ------------------------------------------------------------

function recordAad(uid: Buffer, sequence: number): Buffer {
  const aad = Buffer.alloc(4 + 16 + 8);
  MAGIC.copy(aad, 0);
  uid.copy(aad, 4);
  aad.writeBigUInt64BE(BigInt(sequence), 20);
  return aad;
}

function encodeRecord(key: Buffer, uid: Buffer, sequence: number, id: Buffer, value: Uint8Array, replacement: boolean): Buffer {
  const plainBytes = ID_LENGTH_BYTES + id.byteLength + value.byteLength;
  const bodyBytes = NONCE_BYTES + plainBytes + TAG_BYTES;
  const record = Buffer.allocUnsafe(FRAME_BYTES + bodyBytes);
  record.writeUInt32BE(((replacement ? REPLACEMENT_BIT : 0) | bodyBytes) >>> 0, 0);
  record.writeUInt32BE(crc32(record.subarray(0, 4)), 4);
  const nonce = randomPool.take(NONCE_BYTES);
  nonce.copy(record, FRAME_BYTES);
  const plain = Buffer.allocUnsafe(plainBytes);
  plain.writeUInt16BE(id.byteLength, 0);
  id.copy(plain, ID_LENGTH_BYTES);
  plain.set(value, ID_LENGTH_BYTES + id.byteLength);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(recordAad(uid, sequence));
  let offset = FRAME_BYTES + NONCE_BYTES;
  offset += cipher.update(plain).copy(record, offset);
  offset += cipher.final().copy(record, offset);
  cipher.getAuthTag().copy(record, offset);
  plain.fill(0);
  return record;
}

interface ScanResult {
  readonly rows: AppendRow[];
  /** Records read (first rows and replacements): the sequence number of the next record. */
  readonly records: number;
  /** Length of the prefix made of the header and whole, valid records. */
  readonly validBytes: number;
}

/**
 * Checks the header and every record. Returns the valid prefix; a torn tail is left out (unless
 * `strict`, used for reads of the already-checked durable part, where any problem is damage).
 */
export function scanLog(table: string, file: string, bytes: Buffer, key: Buffer, uid: Buffer, options: { strict?: boolean } = {}): ScanResult {
  const damaged = (detail: string) => new StorageCorruptionError(table, file, detail);
  if (bytes.byteLength < LOG_HEADER_BYTES || !bytes.subarray(0, 4).equals(MAGIC) || !READABLE_VERSIONS.includes(bytes[4])) {
    throw damaged(`the log header is missing or not an append log of version ${READABLE_VERSIONS.join(' or ')}`);
  }
  if (bytes.readUInt32BE(24) !== crc32(bytes.subarray(0, 24)) || bytes.readUInt32BE(28) !== 0 || !bytes.subarray(8, 24).equals(uid)) {
    throw damaged('the log header does not match this table');
  }
  /** Row of each contributor: its last record. */
  const latest = new Map<string, AppendRow>();
  let records = 0;
  const trailingZerosFrom = startOfTrailingZeros(bytes);
  const tornOrDamaged = (offset: number, zerosNeededFrom: number, detail: string): ScanResult => {
    // Torn: what failed is followed only by zeros, from the point where real data must be.
    if (!options.strict && trailingZerosFrom <= zerosNeededFrom) return result(offset);
    throw damaged(`record ${records} at byte ${offset}: ${detail}`);
  };
  const result = (validBytes: number): ScanResult => ({ rows: [...latest.values()], records, validBytes });

  let offset = LOG_HEADER_BYTES;
  while (offset < bytes.byteLength) {
    const remaining = bytes.byteLength - offset;
    if (remaining < FRAME_BYTES) {
      if (options.strict) throw damaged(`record ${records} at byte ${offset}: incomplete record header`);
      return result(offset); // torn: the header itself was cut
    }
    const word = bytes.readUInt32BE(offset);
    const replacement = (word & REPLACEMENT_BIT) !== 0;
    const bodyBytes = word & LENGTH_MASK;
    if (bytes.readUInt32BE(offset + 4) !== crc32(bytes.subarray(offset, offset + 4))) {
      return tornOrDamaged(offset, offset + FRAME_BYTES, 'record header checksum mismatch');
    }
    if (bodyBytes < MIN_BODY_BYTES || bodyBytes > MAX_BODY_BYTES) {
      throw damaged(`record ${records} at byte ${offset}: impossible record length`);
    }
    if (remaining < FRAME_BYTES + bodyBytes) {
      if (options.strict) throw damaged(`record ${records} at byte ${offset}: record is cut short`);
      return result(offset); // torn: the body was cut
    }
    const body = bytes.subarray(offset + FRAME_BYTES, offset + FRAME_BYTES + bodyBytes);
    const plain = decryptRecord(key, uid, records, body);
    if (!plain) {
      const tagStart = offset + FRAME_BYTES + bodyBytes - TAG_BYTES;
      return tornOrDamaged(offset, tagStart, 'authentication failed (changed, damaged, moved or a record before it removed)');
    }
    const idBytes = plain.readUInt16BE(0);
    if (idBytes === 0 || ID_LENGTH_BYTES + idBytes > plain.byteLength) throw damaged(`record ${records} at byte ${offset}: malformed content`);
    const contributorId = plain.subarray(ID_LENGTH_BYTES, ID_LENGTH_BYTES + idBytes).toString('utf8');
    if (latest.has(contributorId) !== replacement) {
      throw damaged(`record ${records} at byte ${offset}: ${replacement ? 'a replacement for a contributor without a row' : 'a second first row for the same contributor'}`);
    }
    latest.set(contributorId, { contributorId, value: plain.subarray(ID_LENGTH_BYTES + idBytes) });
    records++;
    offset += FRAME_BYTES + bodyBytes;
  }
  return result(offset);
}

/** Counts rows (contributors' first records) by their checked headers only, without decrypting (for listings). */
export function countLogRecords(bytes: Buffer): number {
  let offset = LOG_HEADER_BYTES;
  let count = 0;
  while (bytes.byteLength - offset >= FRAME_BYTES) {
    const word = bytes.readUInt32BE(offset);
    const bodyBytes = word & LENGTH_MASK;
    if (bytes.readUInt32BE(offset + 4) !== crc32(bytes.subarray(offset, offset + 4))) break;
    if (bytes.byteLength - offset < FRAME_BYTES + bodyBytes) break;
    offset += FRAME_BYTES + bodyBytes;
    if ((word & REPLACEMENT_BIT) === 0) count++;
  }
  return count;
}

function decryptRecord(key: Buffer, uid: Buffer, sequence: number, body: Buffer): Buffer | undefined {
  const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, NONCE_BYTES));
  decipher.setAAD(recordAad(uid, sequence));
  decipher.setAuthTag(body.subarray(body.byteLength - TAG_BYTES));
  const head = decipher.update(body.subarray(NONCE_BYTES, body.byteLength - TAG_BYTES));
  try {
    const tail = decipher.final();
    return tail.byteLength === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    head.fill(0);
    return undefined;
  }
}

/**
 * Sorts rows by contributor id in UTF-8 byte order (= code point order). JavaScript's `<` compares
 * UTF-16 code units, which agrees with code point order unless a string holds characters at or
 * above U+D800; only then are byte keys needed (5x slower).
 */
function sortByContributor(rows: readonly AppendRow[]): AppendRow[] {
  if (!rows.some((r) => /[\uD800-\uFFFF]/.test(r.contributorId))) {
    return [...rows].sort((a, b) => (a.contributorId < b.contributorId ? -1 : a.contributorId > b.contributorId ? 1 : 0));
  }
  return rows
    .map((row) => ({ row, key: Buffer.from(row.contributorId, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.key, b.key))
    .map((k) => k.row);
}

function startOfTrailingZeros(bytes: Buffer): number {
  let i = bytes.byteLength;
  while (i > 0 && bytes[i - 1] === 0) i--;
  return i;
}
