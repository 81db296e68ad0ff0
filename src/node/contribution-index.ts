/**
 * Which submission of each contributor this node holds, per append table, and the rules by which
 * a submission is stored, acknowledged again, refused, or replaces an earlier one.
 *
 * A row is identified by its submission, not by its contributor: (contributor, submission id,
 * SHA-256 of the contribution header). The header lists the SHA-256 of all three envelopes, so
 * two nodes that hold the same row identity hold components dealt together in one contribution.
 * The three nodes agree on the rows that count at query time (node/query/append-rows.ts): a row
 * counts only when all three hold the same identity with consistent components.
 *
 * The rules at one node, for a submission S of contributor c:
 *   - c has no row here: S is stored ('stored');
 *   - c's row here is S: acknowledged again once durable ('already-stored'); the same id with other
 *     content is refused;
 *   - c's row here is another submission S': reported ('held', S'); S replaces S' only when the
 *     coordinator asks for it naming S' (`replaces`), and only if S > S' (ids compare as strings).
 * The coordinator (flows/append.ts) asks for a replacement only after seeing S at some node and
 * S' at another, which proves S' is not at all three nodes now; since a node's row only ever
 * moves to a larger submission, S' was never at all three nodes, so it never counted and was
 * never acknowledged. docs/storage.md gives the argument in full.
 *
 * A row's stored value (encrypted at rest by the append log):
 *   u8 version (2) | u8 submission-id length | submission id (ASCII) | header SHA-256 (32)
 *   | u32 column count | per encoded column: component a (u64 LE), component b (u64 LE)
 * Version 1 values (no header digest) are still read. The index is read from the log on first
 * use of a table and then kept in memory.
 */

import { ContributionConflictError, StorageCorruptionError } from '../errors.js';
import { encodedColumnNames, parseSchema, type TableSchema } from '../table/schema.js';
import type { AppendTableMetadata, TableStore } from './storage.js';

const VERSION = 2;
const DIGEST_BYTES = 32;
const NO_DIGEST = new Uint8Array(DIGEST_BYTES);

export interface StoredContribution {
  readonly submission: string;
  /** SHA-256 of the contribution header (all zeros for version 1 rows, which predate it). */
  readonly digest: Uint8Array;
  /** Per encoded column: [a, b]. */
  readonly components: readonly (readonly [bigint, bigint])[];
}

export function encodeContribution(submission: string, digest: Uint8Array, components: readonly (readonly [bigint, bigint])[]): Uint8Array {
  const id = Buffer.from(submission, 'ascii');
  if (digest.byteLength !== DIGEST_BYTES) throw new RangeError('a contribution digest is 32 bytes');
  const out = Buffer.alloc(2 + id.byteLength + DIGEST_BYTES + 4 + components.length * 16);
  out[0] = VERSION;
  out[1] = id.byteLength;
  id.copy(out, 2);
  let o = 2 + id.byteLength;
  out.set(digest, o);
  o += DIGEST_BYTES;
  out.writeUInt32LE(components.length, o);
  o += 4;
  for (const [a, b] of components) {
    out.writeBigUInt64LE(a, o);
    out.writeBigUInt64LE(b, o + 8);
    o += 16;
  }
  return out;
}

export function decodeContribution(table: string, value: Uint8Array): StoredContribution {
  const b = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const bad = (): never => {
    throw new StorageCorruptionError(table, `appends/${table}/log`, 'a row is not a contribution record');
  };
  if (b.byteLength < 6 || (b[0] !== 1 && b[0] !== VERSION)) bad();
  const idLength = b[1];
  const digestBytes = b[0] === VERSION ? DIGEST_BYTES : 0;
  if (b.byteLength < 2 + idLength + digestBytes + 4) bad();
  const submission = b.subarray(2, 2 + idLength).toString('ascii');
  let o = 2 + idLength;
  const digest = digestBytes === 0 ? NO_DIGEST : new Uint8Array(b.subarray(o, o + DIGEST_BYTES));
  o += digestBytes;
  const count = b.readUInt32LE(o);
  o += 4;
  if (b.byteLength !== o + count * 16) bad();
  const components: [bigint, bigint][] = [];
  for (let i = 0; i < count; i++, o += 16) components.push([b.readBigUInt64LE(o), b.readBigUInt64LE(o + 8)]);
  return { submission, digest, components };
}

interface Entry {
  readonly submission: string;
  /** Header digest, hex. */
  readonly digest: string;
  /** Resolves once the row is durable here. */
  readonly done: Promise<void>;
}

/** What this node did with, or holds instead of, a submission. */
export type AppendOutcome =
  | { readonly status: 'stored' }
  | { readonly status: 'already-stored' }
  /** The contributor's row here is another submission (durable). */
  | { readonly status: 'held'; readonly submission: string };

/** The contribution to store: its identity, and a function that opens its envelope (called only when it is stored). */
export interface Submission {
  readonly contributor: string;
  readonly submission: string;
  /** SHA-256 of the contribution header, hex. */
  readonly digest: string;
  /** The submission this one may replace (the coordinator saw it here and this one elsewhere). */
  readonly replaces?: string;
  makeValue(): Uint8Array;
}

/** What every contribution to a table is checked against, read once (the metadata never changes). */
export interface AppendTableFacts {
  readonly meta: AppendTableMetadata;
  readonly schema: TableSchema;
  readonly encodedColumns: number;
}

export class ContributionIndex {
  private readonly tables = new Map<string, Promise<Map<string, Entry>>>();
  private readonly facts = new Map<string, Promise<AppendTableFacts>>();

  constructor(private readonly store: TableStore) {}

  /** Applies the rules in the header comment; resolves once whatever it reports is durable here. */
  async append(table: string, s: Submission): Promise<AppendOutcome> {
    const index = await this.indexOf(table);
    for (;;) {
      const existing = index.get(s.contributor);
      if (!existing) return this.write(table, index, s, undefined);
      if (existing.submission === s.submission && existing.digest !== s.digest) {
        throw new ContributionConflictError(`submission '${s.submission}' was stored with other content; a retry must resend the same bytes (or submit anew)`);
      }
      try {
        await existing.done;
      } catch {
        continue; // that write failed and its entry is gone: look again
      }
      if (index.get(s.contributor) !== existing) continue; // replaced meanwhile: look again
      if (existing.submission === s.submission) return { status: 'already-stored' };
      if (s.replaces === existing.submission && s.submission > existing.submission) return this.write(table, index, s, existing);
      return { status: 'held', submission: existing.submission };
    }
  }

  /** The table's metadata and parsed schema (TableNotFoundError when there is no such append table). */
  appendFacts(table: string): Promise<AppendTableFacts> {
    let facts = this.facts.get(table);
    if (!facts) {
      facts = this.store.appendTableMetadata(table).then((meta) => {
        const schema = parseSchema(meta.schema);
        return { meta, schema, encodedColumns: encodedColumnNames(schema).length };
      });
      this.facts.set(table, facts);
      facts.catch(() => this.facts.delete(table));
    }
    return facts;
  }

  /** Forgets a table (deleted). */
  forget(table: string): void {
    this.tables.delete(table);
    this.facts.delete(table);
  }

  /**
   * Stores `s` as the contributor's row (a replacement of `previous` when given). The entry goes
   * in before any await, so a concurrent retry finds it and waits for it; a failed write puts
   * back what was there.
   */
  private async write(table: string, index: Map<string, Entry>, s: Submission, previous: Entry | undefined): Promise<AppendOutcome> {
    const value = s.makeValue();
    const done = (async () => {
      const log = await this.store.appendTable(table);
      await log.append(s.contributor, value, { replace: previous !== undefined });
    })();
    const entry: Entry = { submission: s.submission, digest: s.digest, done };
    index.set(s.contributor, entry);
    try {
      await done;
    } catch (error) {
      if (index.get(s.contributor) === entry) {
        if (previous) index.set(s.contributor, previous);
        else index.delete(s.contributor);
      }
      throw error;
    }
    return { status: 'stored' };
  }

  private indexOf(table: string): Promise<Map<string, Entry>> {
    let index = this.tables.get(table);
    if (!index) {
      index = this.load(table);
      this.tables.set(table, index);
      index.catch(() => this.tables.delete(table));
    }
    return index;
  }

  private async load(table: string): Promise<Map<string, Entry>> {
    const log = await this.store.appendTable(table);
    const index = new Map<string, Entry>();
    for (const row of await log.readAll()) {
      const stored = decodeContribution(table, row.value);
      index.set(row.contributorId, { submission: stored.submission, digest: Buffer.from(stored.digest).toString('hex'), done: Promise.resolve() });
    }
    return index;
  }
}
