/**
 * Which append-table rows a query uses: exactly those that all three nodes hold as the same
 * submission (contributor, submission id, header digest) with consistent replicated components.
 * A row that reached only some nodes (a crash mid-contribution, a conflicting retry) or whose
 * components disagree (a client that dealt inconsistent shares, a bug) never enters a result.
 *
 * Node i holds components (x_i, x_{i+1}) of every value, so it shares x_{i+1} with node i+1 and
 * x_i with node i-1. A row's key is the first 16 bytes of its header's SHA-256 (which covers the
 * contributor and the submission), or of SHA-256(contributor, submission) for rows stored before
 * headers were hashed. Rounds (all three nodes run the same steps, so they agree on every branch):
 *   1. To next: the plan digest and, per row, its key and its b components (x_{i+1}); to prev:
 *      the keys and the a components (x_i). Each component goes only to the node that holds it by
 *      design (for a row that node lacks, a single component is a uniformly random word), so this
 *      reveals nothing. A row is good here when both neighbours sent its key with equal components.
 *   2. To both: SHA-256 of the keys of the rows good here. Equal digests (the usual case): done.
 *   3. Only when they differ: to both, the keys of the rows good here; each node keeps the rows
 *      good at all three (the node pair it is not in may have found a mismatch it cannot see).
 * Bytes per party: 2 x (16 + 8 per encoded column) per row, then 64 (and 2 x 16 per row in step
 * 3); 2-3 rounds. Measured: 20,000 one-column rows in about 0.1 s per party.
 * Public: the number of rows used (already public as row counts of the stored table).
 */

import { QueryError, StorageCorruptionError } from '../../errors.js';
import { sha256 } from '../../crypto/sha256.js';
import type { Session } from '../../mpc/session.js';
import type { AppendRow } from '../storage.js';

const KEY_BYTES = 16;
const MESSAGE_TAG = Buffer.from('tessera/query-agreement/v1\0', 'ascii');

/** A stored row with the key the three nodes match it by (decode the value with decodeContribution). */
export interface KeyedRow {
  readonly contributor: string;
  /** The stored value (contribution-index.ts's layout). */
  readonly value: Uint8Array;
  /** 16 bytes (as latin1 text) identifying (contributor, submission, header digest). */
  readonly key: string;
  /** Offset of the first column's components in `value`, and the number of columns. */
  readonly componentsAt: number;
  readonly columns: number;
}

export interface AppendTableRows {
  readonly name: string;
  /** This node's rows, in contributor order. */
  readonly rows: readonly AppendRow[];
}

/**
 * Where the parts of a stored row's value lie (contribution-index.ts's layout), read without
 * decoding the components: the agreement compares bytes, and only the rows it keeps are decoded.
 */
function keyOf(table: string, row: AppendRow): KeyedRow {
  const value = Buffer.from(row.value.buffer, row.value.byteOffset, row.value.byteLength);
  const version = value[0];
  const idLength = value[1];
  const digestAt = 2 + idLength;
  const digestBytes = version === 2 ? 32 : 0;
  const countAt = digestAt + digestBytes;
  if ((version !== 1 && version !== 2) || value.byteLength < countAt + 4) throw damagedRow(table);
  const columns = value.readUInt32LE(countAt);
  if (value.byteLength !== countAt + 4 + 16 * columns) throw damagedRow(table);
  let key: string;
  if (digestBytes > 0 && !isZero(value, digestAt, 32)) key = value.toString('latin1', digestAt, digestAt + KEY_BYTES);
  else key = sha256(`${row.contributorId}\0${value.toString('ascii', 2, 2 + idLength)}`).toString('latin1', 0, KEY_BYTES);
  return { contributor: row.contributorId, value: row.value, key, componentsAt: countAt + 4, columns };
}

function damagedRow(table: string): StorageCorruptionError {
  return new StorageCorruptionError(table, `appends/${table}/log`, 'a row is not a contribution record');
}

function isZero(b: Buffer, at: number, length: number): boolean {
  for (let i = at; i < at + length; i++) if (b[i] !== 0) return false;
  return true;
}

/** Row r's a (which = 0) or b (1) components, one 8-byte word per column, written at out[o..]. */
function copyComponents(r: KeyedRow, which: 0 | 1, out: Buffer, o: number): void {
  const value = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
  for (let k = 0; k < r.columns; k++) value.copy(out, o + 8 * k, r.componentsAt + 16 * k + 8 * which, r.componentsAt + 16 * k + 8 * which + 8);
}

/**
 * One table's rows as entries of (key, one component per encoded column), all of the same width;
 * `which` picks the a (0) or b (1) components; `columns` 0 sends keys only.
 */
function packRows(rows: readonly KeyedRow[], columns: number, which: 0 | 1): Buffer {
  const width = KEY_BYTES + 8 * columns;
  const out = Buffer.allocUnsafe(8 + rows.length * width);
  out.writeUInt32LE(rows.length, 0);
  out.writeUInt32LE(columns, 4);
  rows.forEach((r, i) => {
    const o = 8 + i * width;
    out.write(r.key, o, KEY_BYTES, 'latin1');
    if (columns > 0) copyComponents(r, which, out, o + KEY_BYTES);
  });
  return out;
}

/** A peer's entries for one table: key -> offset of its components in `bytes`. */
interface PeerRows {
  readonly bytes: Buffer;
  readonly width: number;
  readonly at: Map<string, number>;
}

/** Reads packRows's entries starting at `at`. */
function readRows(b: Buffer, at: number): { rows: PeerRows; end: number } {
  if (b.byteLength < at + 8) throw new QueryError('a peer sent a malformed list of append-table rows');
  const n = b.readUInt32LE(at);
  const width = 8 * b.readUInt32LE(at + 4);
  const end = at + 8 + n * (KEY_BYTES + width);
  if (end > b.byteLength) throw new QueryError('a peer sent a malformed list of append-table rows');
  const offsets = new Map<string, number>();
  for (let o = at + 8; o < end; o += KEY_BYTES + width) offsets.set(b.toString('latin1', o, o + KEY_BYTES), o + KEY_BYTES);
  return { rows: { bytes: b, width, at: offsets }, end };
}

/** Whether the peer sent row r with exactly r's a (0) or b (1) components. */
function peerAgrees(peer: PeerRows, r: KeyedRow, which: 0 | 1): boolean {
  const o = peer.at.get(r.key);
  if (o === undefined || peer.width !== 8 * r.columns) return false;
  const value = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
  for (let k = 0; k < r.columns; k++) {
    const mine = r.componentsAt + 16 * k + 8 * which;
    if (value.compare(peer.bytes, o + 8 * k, o + 8 * k + 8, mine, mine + 8) !== 0) return false;
  }
  return true;
}

/** A message of a prefix and one part per table. */
function message(prefix: Buffer, parts: readonly Buffer[]): Uint8Array {
  return Buffer.concat([prefix, ...parts]);
}

/** The tables' entries after a prefix of `prefixBytes`; the whole message must be used. */
function readMessage(bytes: Uint8Array, prefixBytes: number, tables: number): { prefix: Buffer; tables: PeerRows[] } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: PeerRows[] = [];
  let at = prefixBytes;
  for (let t = 0; t < tables; t++) {
    const { rows, end } = readRows(b, at);
    out.push(rows);
    at = end;
  }
  if (at !== b.byteLength) throw new QueryError('a peer sent a malformed list of append-table rows');
  return { prefix: b.subarray(0, prefixBytes), tables: out };
}

/**
 * Steps 1-3 above; also checks that the three nodes planned the same query (`planDigest`, hex).
 * Returns, per table, the rows every node holds identically, in contributor order.
 */
export async function agreeOnAppendRows(
  s: Session,
  planDigest: string,
  tables: readonly AppendTableRows[],
  describe: (p: number) => string,
): Promise<Map<string, KeyedRow[]>> {
  const keyed = tables.map((t) => t.rows.map((r) => keyOf(t.name, r)));
  // A readable tag first: a message can be recognised in captures and fault-injection tests.
  const digest = Buffer.concat([MESSAGE_TAG, Buffer.from(planDigest, 'hex')]);

  const columns = keyed.map((rows) => (rows.length === 0 ? 0 : rows[0].columns));
  for (const [t, rows] of keyed.entries()) {
    if (rows.some((r) => r.columns !== columns[t])) throw new QueryError(`rows of append table '${tables[t].name}' differ in their number of columns`);
  }
  s.round();
  s.sendBytes(s.next, message(digest, keyed.map((rows, t) => packRows(rows, columns[t], 1))));
  s.sendBytes(s.prev, message(digest, keyed.map((rows, t) => packRows(rows, columns[t], 0))));
  const fromNext = readMessage(await s.recvBytes(s.next), digest.byteLength, tables.length);
  const fromPrev = readMessage(await s.recvBytes(s.prev), digest.byteLength, tables.length);
  for (const [peer, got] of [[s.next, fromNext], [s.prev, fromPrev]] as const) {
    if (!got.prefix.equals(digest)) {
      throw new QueryError(`${describe(peer)} sees different tables for this query (a table missing there, or with another schema or row count); check listTables at each node`);
    }
  }
  if (tables.length === 0) return new Map();
  // My b components are next's a components; my a components are prev's b components.
  let good = keyed.map((rows, t) =>
    rows.filter((r) => peerAgrees(fromNext.tables[t], r, 1) && peerAgrees(fromPrev.tables[t], r, 0)),
  );

  s.round();
  const mine = sha256(Buffer.concat(good.map((rows) => packRows(rows, 0, 0))));
  s.sendBytes(s.next, mine);
  s.sendBytes(s.prev, mine);
  const theirs = [Buffer.from(await s.recvBytes(s.next)), Buffer.from(await s.recvBytes(s.prev))];
  if (!theirs.every((d) => d.equals(mine))) {
    s.round();
    const keys = message(Buffer.alloc(0), good.map((rows) => packRows(rows, 0, 0)));
    s.sendBytes(s.next, keys);
    s.sendBytes(s.prev, keys);
    const a = readMessage(await s.recvBytes(s.next), 0, tables.length).tables;
    const b = readMessage(await s.recvBytes(s.prev), 0, tables.length).tables;
    good = good.map((rows, t) => rows.filter((r) => a[t].at.has(r.key) && b[t].at.has(r.key)));
  }
  return new Map(tables.map((t, i) => [t.name, good[i]]));
}
