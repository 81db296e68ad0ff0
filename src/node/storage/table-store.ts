/**
 * A node's table store: secret-share tables and append tables in its data directory, encrypted at
 * rest, written crash-safely, checked on every read.
 *
 * Layout of the data directory:
 *   store.json                   salt for the storage key and a key-check value (no secret)
 *   tables/<name>/manifest       sealed manifest: uid, public metadata, column files and hashes
 *   tables/<name>/c0000.col ...  sealed column data (this node's shares), one file per column
 *   staging/<name>.<hex16>/      a staged table: same content, not visible until committed
 *   appends/<name>/meta          sealed append-table metadata (uid, schema, owner)
 *   appends/<name>/log           append-only log of encrypted records (append-log.ts)
 *   trash/                       tables being deleted or aborted (emptied on open)
 *
 * Visibility is decided by one directory rename: a staged table is written completely (every file
 * fsynced, manifest last), and `commitTable` renames its directory into tables/. A crash leaves
 * either the staged or the committed directory, never a half table. Staged tables whose manifest
 * was written survive a restart (the three nodes commit together, so a node must still be able to
 * commit or abort after restarting); incomplete ones are removed on open. One process per data
 * directory.
 *
 * The metadata of every table is read, authenticated and indexed in memory when the store opens
 * (table-index.ts), then kept current on every change. A table whose files fail their checks
 * (at open, or at any later read) is damaged: it stays listed as damaged with the file and the
 * reason, it is never used, its name stays taken, and only deleting it removes it. The damage
 * of one table never stops the others.
 */

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open as openFile, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageCorruptionError, TableExistsError, TableNotFoundError, UsageError } from '../../errors.js';
import { canonicalJson, type JsonValue } from '../../crypto/canonical-json.js';
import {
  isErrnoException,
  listDirectories,
  pathExists,
  removeTempFiles,
  syncDirectory,
  TEMP_MARKER,
  writeFileAtomic,
} from '../../io/durable-file.js';
import { AppendLog, countLogRecords, logHeader, LOG_HEADER_BYTES } from './append-log.js';
import { isLineage, type TableLineage } from './lineage.js';
import { checkColumnName, checkTableName, makeStageId, parseStageId } from './names.js';
import {
  appendMetaLabel,
  columnLabel,
  isManifest,
  manifestLabel,
  MANIFEST_FORMAT,
  parseSealedJson,
  tableChecksum,
  type Manifest,
  type ManifestColumn,
} from './manifest.js';
import { sealFile, SealedFileFailure, SealedFileOpener, SealedKind, SEALED_OVERHEAD } from './sealed-file.js';
import { openStoreKey, subKey } from './store-keys.js';
import { assertRoomFor, checkTableLimits, DEFAULT_TABLE_LIMITS, ownerOf, type AppendMeta, type IndexEntry, type TableDamage, type TableLimits } from './table-index.js';

export { DEFAULT_TABLE_LIMITS, type TableDamage, type TableLimits } from './table-index.js';

export interface TableStoreOptions {
  readonly dataDir: string;
  /** At least 32 random bytes, kept outside the data directory. */
  readonly nodeSecret: Uint8Array;
  /** How errors that may leave this node name it (e.g. "node 1 (node-b)"); default "this node". */
  readonly node?: string;
  /** Bounds on the number of tables (default DEFAULT_TABLE_LIMITS). */
  readonly limits?: Partial<TableLimits>;
}

export interface ColumnData {
  readonly name: string;
  /** Opaque bytes: this node's replicated shares of the column. */
  readonly data: Uint8Array;
}

export interface NewTable {
  readonly name: string;
  /** Opaque JSON (column names, types, declared ranges): public. */
  readonly schema: JsonValue;
  /** Party that uploaded the table. */
  readonly owner: string;
  readonly rowCount: number;
  readonly columns: readonly ColumnData[];
  /** A derived table's origin (a plan's store root); absent for uploads. */
  readonly lineage?: TableLineage;
}

/** Public facts about a stored table. */
export interface TableMetadata {
  readonly name: string;
  readonly schema: JsonValue;
  readonly owner: string;
  readonly rowCount: number;
  /** ISO 8601 time the table was staged. */
  readonly createdAt: string;
  /** SHA-256 (hex) over the column names, lengths and SHA-256 of each column's bytes. */
  readonly checksum: string;
  readonly columns: readonly { readonly name: string; readonly bytes: number }[];
  /** Derived tables only: where the table came from (lineage.ts). */
  readonly lineage?: TableLineage;
}

export interface StagedTable {
  /** Opaque id to commit or abort with (`<name>.<16 hex>`). */
  readonly stageId: string;
  readonly metadata: TableMetadata;
}

/** A staged table whose manifest fails its check: it can still be committed (as a damaged table) or aborted. */
export interface DamagedStagedTable {
  readonly stageId: string;
  readonly name: string;
  readonly damage: TableDamage;
}

export interface StoredTable {
  readonly metadata: TableMetadata;
  readonly columns: readonly ColumnData[];
}

export interface NewAppendTable {
  readonly name: string;
  readonly schema: JsonValue;
  readonly owner: string;
}

export interface AppendTableMetadata {
  readonly name: string;
  readonly schema: JsonValue;
  readonly owner: string;
  readonly createdAt: string;
}

export type TableSummary =
  | { readonly kind: 'table'; readonly metadata: TableMetadata }
  | { readonly kind: 'append'; readonly metadata: AppendTableMetadata; readonly rowCount: number };

/** A name in the store: a usable table, or a damaged one (listed, never used). */
export type TableListing = TableSummary | { readonly kind: 'damaged'; readonly name: string; readonly damage: TableDamage };

export function listingName(listing: TableListing): string {
  return listing.kind === 'damaged' ? listing.name : listing.metadata.name;
}

const APPEND_META_FORMAT = 'tessera-append-table/v1';
const MANIFEST = 'manifest';
const APPEND_META = 'meta';
const APPEND_LOG = 'log';
/** Tables read at once while the index is built. */
const INDEX_CONCURRENCY = 32;
/** Slice of a column file read (and decrypted) at a time by a scan: readColumnChunks. */
const READ_SLICE_BYTES = 1 << 20;

export class TableStore {
  readonly dataDir: string;
  private readonly storageKey: Buffer;
  private readonly manifestKey: Buffer;
  private readonly appendMetaKey: Buffer;
  private readonly node: string;
  private readonly limits: TableLimits;
  /** Every committed and append table, healthy or damaged, by name. */
  private readonly index = new Map<string, IndexEntry>();
  /** stageId → complete staged table (its manifest, or why it does not open). */
  private readonly staged = new Map<string, { readonly name: string; readonly manifest?: Manifest; readonly damage?: TableDamage }>();
  /** Names being staged or created right now (not yet on disk under their final name) → owner. */
  private readonly reserving = new Map<string, string>();
  private readonly appendLogs = new Map<string, Promise<AppendLog>>();
  /** Serialises operations that change which names exist (check-then-act must not interleave). */
  private namespaceLock: Promise<unknown> = Promise.resolve();

  private constructor(dataDir: string, storageKey: Buffer, options: TableStoreOptions) {
    this.dataDir = dataDir;
    this.node = options.node ?? 'this node';
    this.limits = checkTableLimits({ ...DEFAULT_TABLE_LIMITS, ...options.limits }, 'table store limits');
    this.storageKey = storageKey;
    this.manifestKey = subKey(storageKey, 'manifests');
    this.appendMetaKey = subKey(storageKey, 'append-meta');
  }

  /**
   * Opens (or creates) a data directory, checks the node secret against it, and cleans up what a
   * crash may have left: temporary files, incomplete staged tables, the trash.
   */
  static async open(options: TableStoreOptions): Promise<TableStore> {
    const dataDir = options.dataDir;
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const storageKey = await openStoreKey(dataDir, options.nodeSecret);
    const store = new TableStore(dataDir, storageKey, options);
    for (const sub of ['tables', 'staging', 'appends', 'trash']) await mkdir(join(dataDir, sub), { recursive: true, mode: 0o700 });
    await store.recover();
    await store.buildIndex();
    return store;
  }

  // ---- secret-share tables ------------------------------------------------------------------

  /**
   * Writes a table completely but invisibly. It becomes visible with `commitTable` (or is dropped
   * with `abortTable`), also after a restart of the node.
   */
  async stageTable(table: NewTable): Promise<StagedTable> {
    const name = checkTableName(table.name);
    checkNewTable(table);
    if (table.lineage !== undefined && !isLineage(table.lineage)) throw new UsageError('a derived table needs a complete lineage');
    await this.withNamespaceLock(async () => {
      // A replacing derived table may be staged over a derived table of the same creator.
      if (!(table.lineage?.replaced === true && this.replaceable(name, table.owner))) this.assertNameFree(name);
      else this.assertNotStaging(name);
      this.assertRoomFor(table.owner);
      this.reserving.set(name, table.owner);
    });
    const stageId = makeStageId(name, randomBytes(8).toString('hex'));
    const dir = join(this.dataDir, 'staging', stageId);
    try {
      await mkdir(dir, { mode: 0o700 });
      const uid = randomBytes(16).toString('hex');
      const columnKey = subKey(this.storageKey, `table/${uid}`);
      const columns: ManifestColumn[] = [];
      for (const [index, column] of table.columns.entries()) {
        const file = `c${String(index).padStart(4, '0')}.col`;
        await writeFileAtomic(join(dir, file), sealFile(columnKey, SealedKind.Column, columnLabel(uid, index), column.data));
        columns.push({ name: column.name, file, bytes: column.data.byteLength, sha256: sha256Hex(column.data) });
      }
      const metadata: TableMetadata = {
        name,
        schema: table.schema,
        owner: table.owner,
        rowCount: table.rowCount,
        createdAt: new Date().toISOString(),
        checksum: tableChecksum(columns),
        columns: columns.map((c) => ({ name: c.name, bytes: c.bytes })),
        ...(table.lineage !== undefined ? { lineage: table.lineage } : {}),
      };
      const manifest: Manifest = { format: MANIFEST_FORMAT, uid, metadata, columns };
      // The manifest is written last: its presence is what makes the staged table complete.
      await writeFileAtomic(join(dir, MANIFEST), sealFile(this.manifestKey, SealedKind.Manifest, manifestLabel(name), Buffer.from(canonicalJson(manifest))));
      await syncDirectory(join(this.dataDir, 'staging'));
      this.staged.set(stageId, { name, manifest });
      return { stageId, metadata };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    } finally {
      this.reserving.delete(name);
    }
  }

  /**
   * Makes a staged table visible under its name (one atomic rename). A staged table whose
   * manifest fails its check is committed all the same (the three nodes decided together), but as
   * a damaged table: listed as such, never used, deleted by its owner; the commit then throws.
   */
  async commitTable(stageId: string): Promise<TableMetadata> {
    return this.withNamespaceLock(async () => {
      const { name, manifest: staged } = this.stagedEntry(stageId);
      const lineage = staged?.metadata.lineage;
      if (lineage?.replaced === true && this.replaceable(name, staged!.metadata.owner)) {
        // The replaced table goes first; a crash before the rename below leaves the staged table,
        // which its query's decision commits again when the node starts (node/flows/store.ts).
        await this.moveToTrashAndDelete(this.tableDir(name), join(this.dataDir, 'tables'));
        this.index.delete(name);
      }
      if (this.index.has(name)) {
        throw new TableExistsError(name, `cannot commit: a table named '${name}' already exists; abort this staged table or delete the other one`);
      }
      const stagedDir = join(this.dataDir, 'staging', stageId);
      let manifest: Manifest | undefined;
      let damage: unknown;
      try {
        manifest = await this.readManifest(name, stagedDir, `staging/${stageId}/${MANIFEST}`);
      } catch (error) {
        if (!(error instanceof StorageCorruptionError)) throw error;
        damage = error;
      }
      await rename(stagedDir, this.tableDir(name));
      await syncDirectory(join(this.dataDir, 'tables'));
      await syncDirectory(join(this.dataDir, 'staging'));
      // Both maps change together (no await between): a reader never finds the name in neither.
      const entry = await this.loadTableEntry(name);
      this.staged.delete(stageId);
      this.index.set(name, entry);
      if (damage !== undefined || manifest === undefined) throw this.damagedError(name);
      return manifest.metadata;
    });
  }

  /** Drops a staged table. */
  async abortTable(stageId: string): Promise<void> {
    await this.withNamespaceLock(async () => {
      this.stagedEntry(stageId);
      await this.moveToTrashAndDelete(join(this.dataDir, 'staging', stageId), join(this.dataDir, 'staging'));
      this.staged.delete(stageId);
    });
  }

  /** Staged tables waiting for commit or abort (including those staged before a restart), read when staged or opened. */
  listStaged(): (StagedTable | DamagedStagedTable)[] {
    return [...this.staged]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([stageId, s]) => (s.manifest ? { stageId, metadata: s.manifest.metadata } : { stageId, name: s.name, damage: s.damage! }));
  }

  /** Public metadata of a committed table (from the index: no disk access). */
  async tableMetadata(name: string): Promise<TableMetadata> {
    return this.entryOf(name, 'table').manifest.metadata;
  }

  /**
   * One table's listing from the index (no disk access, except counting an append table's rows
   * once while its log is closed). TableNotFoundError when there is no such name; a damaged table
   * is returned as such.
   */
  async describeTable(name: string): Promise<TableListing> {
    checkTableName(name);
    const entry = this.index.get(name);
    if (!entry) throw new TableNotFoundError(name, `no table named '${name}'`);
    return this.listingOf(name, entry);
  }

  /**
   * Like describeTable, for a table about to be used: its manifest (or meta file) is read from
   * disk again and checked, so that damage since the node opened it is found before any use,
   * also by a computation that needs no column data (a count). One small file per table.
   */
  async checkedListing(name: string): Promise<TableListing> {
    const listing = await this.describeTable(name);
    if (listing.kind === 'table') await this.checkedManifest(name);
    if (listing.kind === 'append') {
      await this.readAppendMeta(name).catch((error: unknown) => {
        if (error instanceof TableNotFoundError) throw new StorageCorruptionError(name, `appends/${name}`, 'the table directory is missing');
        throw error;
      }).catch((error: unknown) => Promise.reject(this.noteDamage(error, name)));
    }
    return this.describeTable(name);
  }

  /** One column's bytes, authenticated and checked against the manifest. */
  async readColumn(name: string, column: string): Promise<Uint8Array> {
    const manifest = await this.checkedManifest(name);
    const index = manifest.columns.findIndex((c) => c.name === column);
    if (index < 0) throw new TableNotFoundError(name, `table '${name}' has no column named ${JSON.stringify(column)}`);
    return this.readColumnFile(name, manifest, index).catch((error: unknown) => Promise.reject(this.noteDamage(error, name)));
  }

  /** The whole table, every column checked. */
  async readTable(name: string): Promise<StoredTable> {
    const manifest = await this.checkedManifest(name);
    const columns: ColumnData[] = [];
    try {
      for (const [index, column] of manifest.columns.entries()) {
        columns.push({ name: column.name, data: await this.readColumnFile(name, manifest, index) });
      }
    } catch (error) {
      throw this.noteDamage(error, name);
    }
    return { metadata: manifest.metadata, columns };
  }

  /** Deletes a committed table or an append table, healthy or damaged. */
  async deleteTable(name: string): Promise<void> {
    checkTableName(name);
    await this.withNamespaceLock(async () => {
      const entry = this.index.get(name);
      if (!entry) throw new TableNotFoundError(name, `no table named '${name}'`);
      const kind = entry.state === 'damaged' ? entry.damage.kind : entry.state;
      if (kind === 'append') {
        const log = this.appendLogs.get(name);
        this.appendLogs.delete(name);
        if (log) await (await log.catch(() => undefined))?.close();
      }
      const [dir, parent] = kind === 'table' ? [this.tableDir(name), 'tables'] : [this.appendDir(name), 'appends'];
      if (await pathExists(dir)) await this.moveToTrashAndDelete(dir, join(this.dataDir, parent));
      this.index.delete(name);
      // What only a damaged directory could leave: a table directory under the same name.
      if (kind === 'append' && (await pathExists(this.tableDir(name)))) this.index.set(name, await this.loadTableEntry(name));
    });
  }

  /** Every committed, append and damaged table, by name, from the index. */
  async listTables(): Promise<TableListing[]> {
    const out: TableListing[] = [];
    for (const name of [...this.index.keys()].sort()) out.push(await this.listingOf(name, this.index.get(name)!));
    return out;
  }

  /** The tables damaged at this node (for the node's log at start). */
  damagedTables(): { readonly name: string; readonly damage: TableDamage }[] {
    return [...this.index].flatMap(([name, entry]) => (entry.state === 'damaged' ? [{ name, damage: entry.damage }] : []));
  }

  /** How many tables (committed, append, damaged) the node holds; no disk access. */
  get tableCount(): number {
    return this.index.size;
  }

  /**
   * Records damage found while reading a table outside the store (an append log read by its
   * user): the table is damaged from now on. Returns the error to throw, naming this node;
   * other errors are returned unchanged.
   */
  noteDamage(error: unknown, name?: string): unknown {
    if (!(error instanceof StorageCorruptionError)) return error;
    const table = name ?? error.table;
    const entry = this.index.get(table);
    if (!entry) return error;
    if (entry.state !== 'damaged') {
      const kind = entry.state;
      this.index.set(table, { state: 'damaged', damage: { kind, file: error.file, reason: error.detail, owner: ownerOf(entry) } });
      if (kind === 'append') this.dropAppendLog(table);
    }
    return this.damagedError(table);
  }

  // ---- append tables -------------------------------------------------------------------------

  /**
   * Creates an empty append table (visible at once: rows arrive one by one). With `reuseEmpty`,
   * an existing append table with the same owner and schema and no rows yet is returned as it
   * is (`created: false`): creating is then idempotent, so that a creation that reached only
   * some nodes (a node died mid-request) is completed by simply creating again.
   */
  async createAppendTable(table: NewAppendTable, options: { readonly reuseEmpty?: boolean } = {}): Promise<AppendTableMetadata & { readonly created: boolean }> {
    const name = checkTableName(table.name);
    const schemaText = canonicalJson(table.schema);
    if (typeof table.owner !== 'string' || table.owner.length === 0) throw new UsageError('an append table needs an owner');
    return this.withNamespaceLock(async () => {
      const existingEntry = this.index.get(name);
      if (options.reuseEmpty && existingEntry?.state === 'append') {
        const existing = existingEntry.meta.metadata;
        const rows = (await this.appendTable(name)).rowCount;
        if (existing.owner === table.owner && canonicalJson(existing.schema) === schemaText && rows === 0) return { ...existing, created: false };
        const differs = existing.owner !== table.owner ? `owned by ${existing.owner}` : canonicalJson(existing.schema) !== schemaText ? 'with a different schema' : `with ${rows} rows`;
        throw new TableExistsError(name, `an append table named '${name}' already exists ${differs}; choose another name`);
      }
      this.assertNameFree(name);
      this.assertRoomFor(table.owner);
      const uid = randomBytes(16);
      const metadata: AppendTableMetadata = { name, schema: table.schema, owner: table.owner, createdAt: new Date().toISOString() };
      const meta: AppendMeta = { format: APPEND_META_FORMAT, uid: uid.toString('hex'), metadata };
      // Built under a temporary name, then renamed: the table appears whole or not at all.
      const temp = join(this.dataDir, 'appends', `${name}${TEMP_MARKER}${randomBytes(6).toString('hex')}`);
      await mkdir(temp, { mode: 0o700 });
      try {
        await writeFileAtomic(join(temp, APPEND_META), sealFile(this.appendMetaKey, SealedKind.AppendMeta, appendMetaLabel(name), Buffer.from(canonicalJson(meta))));
        await writeFileAtomic(join(temp, APPEND_LOG), logHeader(uid));
        await rename(temp, this.appendDir(name));
      } catch (error) {
        await rm(temp, { recursive: true, force: true });
        throw error;
      }
      await syncDirectory(join(this.dataDir, 'appends'));
      this.index.set(name, { state: 'append', meta, closedRows: 0 });
      return { ...metadata, created: true };
    });
  }

  /**
   * The open append table (opened, checked and repaired on first use; then shared). A log that
   * fails its check makes the table damaged.
   */
  async appendTable(name: string): Promise<AppendLog> {
    this.entryOf(name, 'append');
    let log = this.appendLogs.get(name);
    if (!log) {
      log = this.openAppendLog(name).catch((error: unknown) => Promise.reject(this.noteDamage(error, name)));
      this.appendLogs.set(name, log);
      log.catch(() => this.appendLogs.delete(name));
    }
    return log;
  }

  /** Metadata of an append table (from the index). */
  async appendTableMetadata(name: string): Promise<AppendTableMetadata> {
    return this.entryOf(name, 'append').meta.metadata;
  }

  /** Waits for pending appends and closes open logs. */
  async close(): Promise<void> {
    const logs = [...this.appendLogs.values()];
    this.appendLogs.clear();
    for (const log of logs) await (await log.catch(() => undefined))?.close();
  }

  // ---- internals -----------------------------------------------------------------------------

  private tableDir(name: string): string {
    return join(this.dataDir, 'tables', name);
  }

  private appendDir(name: string): string {
    return join(this.dataDir, 'appends', name);
  }

  private stagedEntry(stageId: string): { readonly name: string; readonly manifest?: Manifest } {
    const entry = typeof stageId === 'string' ? this.staged.get(stageId) : undefined;
    if (entry === undefined) {
      throw new TableNotFoundError(parseStageId(String(stageId)) ?? String(stageId), `no staged table with id '${String(stageId)}' (already committed or aborted?)`);
    }
    return entry;
  }

  /** The healthy entry of the given kind; TableNotFoundError or the table's damage otherwise. */
  private entryOf(name: string, kind: 'table'): Extract<IndexEntry, { state: 'table' }>;
  private entryOf(name: string, kind: 'append'): Extract<IndexEntry, { state: 'append' }>;
  private entryOf(name: string, kind: 'table' | 'append'): IndexEntry {
    checkTableName(name);
    const entry = this.index.get(name);
    if (entry?.state === 'damaged') throw this.damagedError(name);
    if (entry?.state !== kind) throw new TableNotFoundError(name, kind === 'table' ? `no table named '${name}'` : `no append table named '${name}'`);
    return entry;
  }

  /** The error every use of a damaged table gets: which table, at which node, which file, why. */
  damagedError(name: string): StorageCorruptionError {
    const entry = this.index.get(name);
    if (entry?.state !== 'damaged') throw new Error(`table '${name}' is not damaged`);
    return new StorageCorruptionError(name, entry.damage.file, entry.damage.reason, this.node);
  }

  private async listingOf(name: string, entry: IndexEntry): Promise<TableListing> {
    switch (entry.state) {
      case 'table':
        return { kind: 'table', metadata: entry.manifest.metadata };
      case 'damaged':
        return { kind: 'damaged', name, damage: entry.damage };
      case 'append': {
        const open = this.appendLogs.get(name);
        let rowCount: number | undefined;
        if (open) rowCount = (await open.catch(() => undefined))?.rowCount;
        if (rowCount === undefined) {
          try {
            entry.closedRows ??= countLogRecords(await readFile(join(this.appendDir(name), APPEND_LOG)));
          } catch (error) {
            if (!isErrnoException(error)) throw error;
            this.noteDamage(new StorageCorruptionError(name, `appends/${name}/${APPEND_LOG}`, `the log cannot be read (${error.code ?? 'I/O error'})`), name);
          }
          rowCount = entry.closedRows;
        }
        // Opening (or counting) the log may have found it damaged meanwhile.
        const now = this.index.get(name);
        if (now?.state === 'damaged') return { kind: 'damaged', name, damage: now.damage };
        if (now === undefined || rowCount === undefined) throw new TableNotFoundError(name, `no table named '${name}' (deleted meanwhile)`);
        return { kind: 'append', metadata: entry.meta.metadata, rowCount };
      }
    }
  }

  /**
   * The manifest a read of column data uses: the one authenticated when the table was indexed,
   * after checking that the file on disk still opens and is the same table (so that damage found
   * at this read is reported as such, and the table is damaged from now on).
   */
  private async checkedManifest(name: string): Promise<Manifest> {
    const { manifest } = this.entryOf(name, 'table');
    const file = `tables/${name}/${MANIFEST}`;
    try {
      const onDisk = await this.readManifest(name, this.tableDir(name), file).catch((error: unknown) => {
        if (error instanceof TableNotFoundError) throw new StorageCorruptionError(name, `tables/${name}`, 'the table directory is missing');
        throw error;
      });
      if (onDisk.uid !== manifest.uid) throw new StorageCorruptionError(name, file, 'the manifest was replaced while the node was running');
    } catch (error) {
      throw this.noteDamage(error, name);
    }
    return manifest;
  }

  private dropAppendLog(name: string): void {
    const log = this.appendLogs.get(name);
    this.appendLogs.delete(name);
    // Closed in the background: appends already queued finish; new ones see the damage.
    if (log) void log.then((l) => l.close()).catch(() => undefined);
  }

  private assertRoomFor(owner: string): void {
    let owned = 0;
    for (const entry of this.index.values()) if (ownerOf(entry) === owner) owned++;
    for (const staged of this.staged.values()) if (staged.manifest?.metadata.owner === owner) owned++;
    for (const reserver of this.reserving.values()) if (reserver === owner) owned++;
    assertRoomFor(this.limits, owner, this.index.size + this.staged.size + this.reserving.size, owned, this.node);
  }

  private async withNamespaceLock<T>(action: () => Promise<T>): Promise<T> {
    const result = this.namespaceLock.then(action);
    this.namespaceLock = result.catch(() => undefined);
    return result;
  }

  /** Whether `name` is a healthy derived table of `owner` (which a replacing store may take over). */
  private replaceable(name: string, owner: string): boolean {
    const entry = this.index.get(name);
    return entry?.state === 'table' && entry.manifest.metadata.lineage !== undefined && entry.manifest.metadata.owner === owner;
  }

  /** Staged tables (committed or aborted with their decision) whose lineage names `query`. */
  stagedFor(query: string): string[] {
    return [...this.staged].filter(([, s]) => s.manifest?.metadata.lineage?.query === query).map(([stageId]) => stageId);
  }

  /** Staged derived tables by stage id, with the query each follows. */
  stagedDerived(): { readonly stageId: string; readonly name: string; readonly query: string }[] {
    return [...this.staged].flatMap(([stageId, s]) => {
      const query = s.manifest?.metadata.lineage?.query;
      return query === undefined ? [] : [{ stageId, name: s.name, query }];
    });
  }

  /** Refuses when `owner` (or the node) already holds as many tables as allowed (TableLimitError). */
  checkRoomFor(owner: string): void {
    this.assertRoomFor(owner);
  }

  private assertNotStaging(name: string): void {
    if (this.reserving.has(name) || [...this.staged.values()].some((s) => s.name === name)) {
      throw new TableExistsError(name, `a table named '${name}' is already being staged; commit or abort it first`);
    }
  }

  private assertNameFree(name: string): void {
    const entry = this.index.get(name);
    if (entry?.state === 'table') throw new TableExistsError(name, `a table named '${name}' already exists; choose another name or delete it first`);
    if (entry?.state === 'append') throw new TableExistsError(name, `an append table named '${name}' already exists; choose another name or delete it first`);
    if (entry?.state === 'damaged') {
      throw new TableExistsError(name, `a table named '${name}' exists at ${this.node} but is damaged (${entry.damage.file}); its owner deletes it first (through any node), or choose another name`);
    }
    if (this.reserving.has(name) || [...this.staged.values()].some((s) => s.name === name)) {
      throw new TableExistsError(name, `a table named '${name}' is already being staged; commit or abort it first`);
    }
  }

  private async readManifest(name: string, dir: string, file: string): Promise<Manifest> {
    const sealed = await readFile(join(dir, MANIFEST)).catch(async (error: unknown) => {
      if (isErrnoException(error) && error.code === 'ENOENT') {
        if (!(await pathExists(dir))) throw new TableNotFoundError(name, `no table named '${name}'`);
        throw new StorageCorruptionError(name, file, 'the manifest is missing');
      }
      throw error;
    });
    const manifest = parseSealedJson(this.manifestKey, SealedKind.Manifest, manifestLabel(name), sealed, name, file);
    if (!isManifest(manifest, name)) throw new StorageCorruptionError(name, file, 'the manifest content is not valid');
    return manifest;
  }

  private async readColumnFile(name: string, manifest: Manifest, index: number): Promise<Buffer> {
    const out = Buffer.allocUnsafe(manifest.columns[index].bytes);
    let offset = 0;
    await this.readColumnFileChunks(name, manifest, index, (plain) => {
      if (offset + plain.byteLength <= out.byteLength) out.set(plain, offset);
      offset += plain.byteLength;
    });
    return out;
  }

  /**
   * One column's bytes, authenticated and checked against the manifest, handed to `take` chunk
   * by chunk as they are decrypted (no buffer of the whole column: a scan decodes them straight
   * into its share vectors). The chunks arrive before the checks end: when this rejects, the
   * caller drops what it took.
   */
  async readColumnChunks(name: string, column: string, take: (plain: Uint8Array) => void): Promise<void> {
    const manifest = await this.checkedManifest(name);
    const index = manifest.columns.findIndex((c) => c.name === column);
    if (index < 0) throw new TableNotFoundError(name, `table '${name}' has no column named ${JSON.stringify(column)}`);
    return this.readColumnFileChunks(name, manifest, index, take).catch((error: unknown) => Promise.reject(this.noteDamage(error, name)));
  }

  private async readColumnFileChunks(name: string, manifest: Manifest, index: number, take: (plain: Uint8Array) => void): Promise<void> {
    const column = manifest.columns[index];
    const file = `tables/${name}/${column.file}`;
    let handle: FileHandle;
    try {
      handle = await openFile(join(this.tableDir(name), column.file), 'r');
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ENOENT') throw new StorageCorruptionError(name, file, 'the column file is missing');
      throw error;
    }
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      // Streamed from disk in 1 MiB slices through one buffer: no copy of the whole sealed file
      // (every fresh array costs first touch and collection). Header and tag are read first.
      const size = (await handle.stat()).size;
      const { HEADER_BYTES, TAG_BYTES } = SealedFileOpener;
      if (size < HEADER_BYTES + TAG_BYTES) throw new SealedFileFailure('not a sealed Tessera file, or truncated');
      const slice = Buffer.allocUnsafe(Math.min(READ_SLICE_BYTES, Math.max(HEADER_BYTES + TAG_BYTES, size - HEADER_BYTES - TAG_BYTES)));
      const readAt = async (position: number, length: number): Promise<Buffer> => {
        const out = slice.subarray(0, length);
        for (let o = 0; o < length; ) {
          const { bytesRead } = await handle.read(out, o, length - o, position + o);
          if (bytesRead === 0) throw new SealedFileFailure('not a sealed Tessera file, or truncated');
          o += bytesRead;
        }
        return out;
      };
      const header = Buffer.from(await readAt(0, HEADER_BYTES));
      const tag = Buffer.from(await readAt(size - TAG_BYTES, TAG_BYTES));
      const opener = new SealedFileOpener(subKey(this.storageKey, `table/${manifest.uid}`), SealedKind.Column, columnLabel(manifest.uid, index), header, tag);
      const use = (plain: Uint8Array): void => {
        hash.update(plain);
        bytes += plain.byteLength;
        take(plain);
      };
      for (let at = HEADER_BYTES; at < size - TAG_BYTES; at += slice.byteLength) use(opener.update(await readAt(at, Math.min(slice.byteLength, size - TAG_BYTES - at))));
      use(opener.final());
    } catch (error) {
      if (error instanceof SealedFileFailure) throw new StorageCorruptionError(name, file, error.message);
      throw error;
    } finally {
      await handle.close();
    }
    if (bytes !== column.bytes || hash.digest('hex') !== column.sha256) {
      throw new StorageCorruptionError(name, file, 'the column does not match its manifest');
    }
  }

  private async readAppendMeta(name: string): Promise<AppendMeta> {
    const file = `appends/${name}/${APPEND_META}`;
    let sealed: Buffer;
    try {
      sealed = await readFile(join(this.appendDir(name), APPEND_META));
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ENOENT') {
        if (!(await pathExists(this.appendDir(name)))) throw new TableNotFoundError(name, `no append table named '${name}'`);
        throw new StorageCorruptionError(name, file, 'the metadata file is missing');
      }
      throw error;
    }
    const meta = parseSealedJson(this.appendMetaKey, SealedKind.AppendMeta, appendMetaLabel(name), sealed, name, file) as AppendMeta | null;
    if (meta === null || typeof meta !== 'object' || meta.format !== APPEND_META_FORMAT || !/^[0-9a-f]{32}$/.test(meta.uid) || meta.metadata?.name !== name || typeof meta.metadata.owner !== 'string') {
      throw new StorageCorruptionError(name, file, 'the metadata content is not valid');
    }
    return meta;
  }

  private async openAppendLog(name: string): Promise<AppendLog> {
    const meta = await this.readAppendMeta(name);
    const uid = Buffer.from(meta.uid, 'hex');
    const key = subKey(this.storageKey, `append-log/${meta.uid}`);
    try {
      return await AppendLog.open(name, join(this.appendDir(name), APPEND_LOG), `appends/${name}/${APPEND_LOG}`, key, uid);
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ENOENT') {
        throw new StorageCorruptionError(name, `appends/${name}/${APPEND_LOG}`, 'the log file is missing');
      }
      throw error;
    }
  }

  private async moveToTrashAndDelete(dir: string, parent: string): Promise<void> {
    const trashed = join(this.dataDir, 'trash', `${randomBytes(8).toString('hex')}`);
    await rename(dir, trashed);
    await syncDirectory(parent);
    await syncDirectory(join(this.dataDir, 'trash'));
    await rm(trashed, { recursive: true, force: true });
  }

  /** Cleans up after a crash; see the module comment for what survives. */
  private async recover(): Promise<void> {
    await rm(join(this.dataDir, 'trash'), { recursive: true, force: true });
    await mkdir(join(this.dataDir, 'trash'), { mode: 0o700 });
    for (const entry of await readdir(join(this.dataDir, 'staging'))) {
      const dir = join(this.dataDir, 'staging', entry);
      const name = parseStageId(entry);
      await removeTempFiles(dir);
      if (name === undefined || !(await pathExists(join(dir, MANIFEST)))) {
        await rm(dir, { recursive: true, force: true }); // incomplete: the crash came before the manifest
        continue;
      }
      try {
        this.staged.set(entry, { name, manifest: await this.readManifest(name, dir, `staging/${entry}/${MANIFEST}`) });
      } catch (error) {
        const damage = damageOf(error, 'table');
        if (!damage) throw error;
        this.staged.set(entry, { name, damage });
      }
    }
    for (const entry of await readdir(join(this.dataDir, 'appends'))) {
      const dir = join(this.dataDir, 'appends', entry);
      if (entry.includes(TEMP_MARKER)) await rm(dir, { recursive: true, force: true });
      else await removeTempFiles(dir);
    }
    for (const entry of await readdir(join(this.dataDir, 'tables'))) await removeTempFiles(join(this.dataDir, 'tables', entry));
    await removeTempFiles(this.dataDir);
  }

  /** Reads and checks every table's metadata once, at open (a few at a time). */
  private async buildIndex(): Promise<void> {
    const jobs: (() => Promise<void>)[] = [];
    const tables = await listDirectories(join(this.dataDir, 'tables'));
    for (const name of tables) jobs.push(async () => void this.index.set(name, await this.loadTableEntry(name)));
    const both: string[] = [];
    for (const name of await listDirectories(join(this.dataDir, 'appends'))) {
      if (tables.includes(name)) both.push(name);
      else jobs.push(async () => void this.index.set(name, await this.loadAppendEntry(name)));
    }
    for (let i = 0; i < jobs.length; i += INDEX_CONCURRENCY) await Promise.all(jobs.slice(i, i + INDEX_CONCURRENCY).map((job) => job()));
    // Two directories for one name cannot arise from the store's own steps: the name is damaged
    // (listed, refused; a delete removes the append table, the next one the table).
    for (const name of both) {
      this.index.set(name, { state: 'damaged', damage: { kind: 'append', file: `appends/${name}`, reason: 'a table and an append table of the same name exist' } });
    }
  }

  /**
   * A committed table's entry: its manifest authenticated, and each column file present with the
   * size the manifest gives (a cheap check; the contents are authenticated on every read).
   */
  private async loadTableEntry(name: string): Promise<IndexEntry> {
    let manifest: Manifest;
    try {
      manifest = await this.readManifest(name, this.tableDir(name), `tables/${name}/${MANIFEST}`);
    } catch (error) {
      const damage = damageOf(error, 'table');
      if (!damage) throw error;
      return { state: 'damaged', damage };
    }
    for (const column of manifest.columns) {
      const file = `tables/${name}/${column.file}`;
      const size = await stat(join(this.tableDir(name), column.file)).then(
        (s) => s.size,
        (error: unknown) => (isErrnoException(error) && error.code === 'ENOENT' ? -1 : Promise.reject(error)),
      );
      if (size !== column.bytes + SEALED_OVERHEAD) {
        const reason = size < 0 ? 'the column file is missing' : `the column file has ${size} bytes, not the ${column.bytes + SEALED_OVERHEAD} its manifest gives`;
        return { state: 'damaged', damage: { kind: 'table', file, reason, owner: manifest.metadata.owner } };
      }
    }
    return { state: 'table', manifest };
  }

  /** An append table's entry: its metadata authenticated, and its log's header that of this table. */
  private async loadAppendEntry(name: string): Promise<IndexEntry> {
    let meta: AppendMeta;
    try {
      meta = await this.readAppendMeta(name);
    } catch (error) {
      const damage = damageOf(error, 'append');
      if (!damage) throw error;
      return { state: 'damaged', damage };
    }
    const file = `appends/${name}/${APPEND_LOG}`;
    const header = Buffer.alloc(LOG_HEADER_BYTES);
    let bytesRead: number;
    try {
      const handle = await openFile(join(this.appendDir(name), APPEND_LOG), 'r');
      try {
        ({ bytesRead } = await handle.read(header, 0, LOG_HEADER_BYTES, 0));
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (!isErrnoException(error) || error.code !== 'ENOENT') throw error;
      return { state: 'damaged', damage: { kind: 'append', file, reason: 'the log file is missing', owner: meta.metadata.owner } };
    }
    if (bytesRead < LOG_HEADER_BYTES || !header.equals(logHeader(Buffer.from(meta.uid, 'hex')))) {
      return { state: 'damaged', damage: { kind: 'append', file, reason: "the log's header is not this table's", owner: meta.metadata.owner } };
    }
    return { state: 'append', meta };
  }
}

// ---- helpers -------------------------------------------------------------------------------

function checkNewTable(table: NewTable): void {
  canonicalJson(table.schema); // must be plain JSON: it is stored and hashed as such
  if (typeof table.owner !== 'string' || table.owner.length === 0) throw new UsageError('a table needs an owner (the party that uploaded it)');
  if (!Number.isSafeInteger(table.rowCount) || table.rowCount < 0) throw new UsageError('rowCount must be a non-negative integer');
  if (!Array.isArray(table.columns) || table.columns.length === 0) throw new UsageError('a table needs at least one column');
  const names = new Set<string>();
  for (const column of table.columns) {
    checkColumnName(column.name);
    if (names.has(column.name)) throw new UsageError(`column name ${JSON.stringify(column.name)} is used twice`);
    names.add(column.name);
    if (!(column.data instanceof Uint8Array)) throw new UsageError(`column ${JSON.stringify(column.name)} must be a byte array`);
  }
}

/** The damage a failed check describes (undefined for other errors, which are not damage). */
function damageOf(error: unknown, kind: 'table' | 'append'): TableDamage | undefined {
  if (!(error instanceof StorageCorruptionError)) return undefined;
  return { kind, file: error.file, reason: error.detail };
}

function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
