/**
 * Which contributor submitted what, per append table, so that a retried submission (same
 * submission id) is acknowledged again while a second, different one is refused.
 *
 * A row's stored value is
 *   u8 version (1) | u8 submission-id length | submission id (ASCII) | u32 column count
 *   | per encoded column: component a (u64 LE), component b (u64 LE)
 * (this node's two replicated components of each value), encrypted at rest by the append log.
 * The index is read from the log on first use of a table and then kept in memory.
 */

import { DuplicateContributorError, StorageCorruptionError } from '../errors.js';
import { encodedColumnNames, parseSchema, type TableSchema } from '../table/schema.js';
import type { AppendTableMetadata, TableStore } from './storage.js';

const VERSION = 1;

export interface StoredContribution {
  readonly submission: string;
  /** Per encoded column: [a, b]. */
  readonly components: readonly (readonly [bigint, bigint])[];
}

export function encodeContribution(submission: string, components: readonly (readonly [bigint, bigint])[]): Uint8Array {
  const id = Buffer.from(submission, 'ascii');
  const out = Buffer.alloc(2 + id.byteLength + 4 + components.length * 16);
  out[0] = VERSION;
  out[1] = id.byteLength;
  id.copy(out, 2);
  let o = 2 + id.byteLength;
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
  if (b.byteLength < 6 || b[0] !== VERSION) bad();
  const idLength = b[1];
  if (b.byteLength < 2 + idLength + 4) bad();
  const submission = b.subarray(2, 2 + idLength).toString('ascii');
  let o = 2 + idLength;
  const count = b.readUInt32LE(o);
  o += 4;
  if (b.byteLength !== o + count * 16) bad();
  const components: [bigint, bigint][] = [];
  for (let i = 0; i < count; i++, o += 16) components.push([b.readBigUInt64LE(o), b.readBigUInt64LE(o + 8)]);
  return { submission, components };
}

interface Entry {
  readonly submission: string;
  /** Resolves once the row is durable here. */
  readonly done: Promise<void>;
}

export type AppendOutcome = 'stored' | 'already-stored';

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

  /**
   * Appends the row unless this contributor has one: the same submission again is acknowledged
   * ('already-stored', after the first attempt is durable); another submission is refused.
   * `makeValue` runs only when the row is new (it opens the envelope).
   */
  async append(table: string, contributor: string, submission: string, makeValue: () => Uint8Array): Promise<AppendOutcome> {
    const index = await this.indexOf(table);
    const existing = index.get(contributor);
    if (existing) {
      if (existing.submission !== submission) throw new DuplicateContributorError(table);
      await existing.done;
      return 'already-stored';
    }
    // The entry goes in before any await, so a concurrent retry finds it and waits for it.
    const done = (async () => {
      const log = await this.store.appendTable(table);
      await log.append(contributor, makeValue());
    })();
    const entry = { submission, done };
    index.set(contributor, entry);
    try {
      await done;
    } catch (error) {
      if (index.get(contributor) === entry) index.delete(contributor);
      throw error;
    }
    return 'stored';
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
      index.set(row.contributorId, { submission: decodeContribution(table, row.value).submission, done: Promise.resolve() });
    }
    return index;
  }
}
