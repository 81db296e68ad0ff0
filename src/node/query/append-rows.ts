/**
 * Which append-table rows a query uses: exactly those that all three nodes hold as the same
 * submission (contributor, submission id, header digest) with consistent replicated components.
 * A row that reached only some nodes (a crash mid-contribution, a conflicting retry) or whose
 * components disagree (a client that dealt inconsistent shares, a bug) never enters a result.
 *
 * Node i holds components (x_i, x_{i+1}) of every value, so it shares x_{i+1} with node i+1 and
 * x_i with node i-1. Rounds (all three nodes run the same steps, so they agree on every branch):
 *   1. To next: the plan digest and, per row, H(key | b components); to prev: the same with the
 *      a components. Each hash goes only to the node that already holds those components, so it
 *      reveals nothing new. A row is good here when both neighbours sent the matching hash.
 *   2. To both: SHA-256 of the keys of the rows good here. Equal digests (the usual case): done.
 *   3. Only when they differ: to both, the keys of the rows good here; each node keeps the rows
 *      good at all three (the node pair it is not in may have found a mismatch it cannot see).
 * Bytes per party: 2 x 16 per row, then 64 (and 2 x 16 per row in step 3); 2-3 rounds.
 * Public: the number of rows used (already public as row counts of the stored table).
 */

import { QueryError } from '../../errors.js';
import { sha256 } from '../../crypto/sha256.js';
import type { Session } from '../../mpc/session.js';
import { decodeContribution, type StoredContribution } from '../contribution-index.js';
import type { AppendRow } from '../storage.js';

const HASH_BYTES = 16;
const MESSAGE_TAG = Buffer.from('tessera/query-agreement/v1\0', 'ascii');

/** A stored row, decoded, with the key the three nodes match it by. */
export interface KeyedRow {
  readonly contributor: string;
  readonly stored: StoredContribution;
  /** 16 bytes identifying (contributor, submission, header digest). */
  readonly key: Buffer;
}

export interface AppendTableRows {
  readonly name: string;
  /** This node's rows, in contributor order. */
  readonly rows: readonly AppendRow[];
}

function keyOf(table: string, row: AppendRow): KeyedRow {
  const stored = decodeContribution(table, row.value);
  const id = Buffer.from(`${row.contributorId}\0${stored.submission}\0`, 'utf8');
  const key = sha256(Buffer.concat([id, stored.digest])).subarray(0, HASH_BYTES);
  return { contributor: row.contributorId, stored, key };
}

/** H(key | one component of every column), 16 bytes. */
function componentHash(row: KeyedRow, which: 0 | 1): Buffer {
  const bytes = Buffer.allocUnsafe(HASH_BYTES + 8 * row.stored.components.length);
  row.key.copy(bytes, 0);
  row.stored.components.forEach((c, k) => bytes.writeBigUInt64LE(c[which], HASH_BYTES + 8 * k));
  return sha256(bytes).subarray(0, HASH_BYTES);
}

function hashSet(bytes: Uint8Array): Set<string> {
  const set = new Set<string>();
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let o = 0; o + HASH_BYTES <= b.byteLength; o += HASH_BYTES) set.add(b.toString('latin1', o, o + HASH_BYTES));
  return set;
}

/** Tables' hash lists as one message: u32 count per table, then the hashes. */
function pack(prefix: Buffer, lists: readonly Buffer[][]): Uint8Array {
  const counts = Buffer.alloc(4 * lists.length);
  lists.forEach((l, t) => counts.writeUInt32LE(l.length, 4 * t));
  return Buffer.concat([prefix, counts, ...lists.flat()]);
}

function unpack(bytes: Uint8Array, prefixBytes: number, tables: number): { prefix: Buffer; sets: Set<string>[] } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = b.subarray(0, prefixBytes);
  let o = prefixBytes + 4 * tables;
  const sets: Set<string>[] = [];
  for (let t = 0; t < tables; t++) {
    const n = b.readUInt32LE(prefixBytes + 4 * t);
    sets.push(hashSet(b.subarray(o, o + n * HASH_BYTES)));
    o += n * HASH_BYTES;
  }
  if (o !== b.byteLength) throw new QueryError('a peer sent a malformed list of append-table rows');
  return { prefix, sets };
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

  s.round();
  s.sendBytes(s.next, pack(digest, keyed.map((rows) => rows.map((r) => componentHash(r, 1)))));
  s.sendBytes(s.prev, pack(digest, keyed.map((rows) => rows.map((r) => componentHash(r, 0)))));
  const fromNext = unpack(await s.recvBytes(s.next), digest.byteLength, tables.length);
  const fromPrev = unpack(await s.recvBytes(s.prev), digest.byteLength, tables.length);
  for (const [peer, got] of [[s.next, fromNext], [s.prev, fromPrev]] as const) {
    if (!got.prefix.equals(digest)) {
      throw new QueryError(`${describe(peer)} sees different tables for this query (a table missing there, or with another schema or row count); check listTables at each node`);
    }
  }
  if (tables.length === 0) return new Map();
  // My b components are next's a components; my a components are prev's b components.
  let good = keyed.map((rows, t) => rows.filter((r) => fromNext.sets[t].has(componentHash(r, 1).toString('latin1')) && fromPrev.sets[t].has(componentHash(r, 0).toString('latin1'))));

  s.round();
  const mine = sha256(Buffer.concat(good.flatMap((rows) => [Buffer.from(`${rows.length};`), ...rows.map((r) => r.key)])));
  s.sendBytes(s.next, mine);
  s.sendBytes(s.prev, mine);
  const theirs = [Buffer.from(await s.recvBytes(s.next)), Buffer.from(await s.recvBytes(s.prev))];
  if (!theirs.every((d) => d.equals(mine))) {
    s.round();
    const keys = pack(Buffer.alloc(0), good.map((rows) => rows.map((r) => r.key)));
    s.sendBytes(s.next, keys);
    s.sendBytes(s.prev, keys);
    const a = unpack(await s.recvBytes(s.next), 0, tables.length).sets;
    const b = unpack(await s.recvBytes(s.prev), 0, tables.length).sets;
    good = good.map((rows, t) => rows.filter((r) => a[t].has(r.key.toString('latin1')) && b[t].has(r.key.toString('latin1'))));
  }
  return new Map(tables.map((t, i) => [t.name, good[i]]));
}
