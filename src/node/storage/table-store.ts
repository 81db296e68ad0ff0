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
 */

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
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
import { AppendLog, countLogRecords, logHeader } from './append-log.js';
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
import { openSealedFile, sealFile, SealedFileFailure, SealedKind } from './sealed-file.js';
import { openStoreKey, subKey } from './store-keys.js';

export interface TableStoreOptions {
  readonly dataDir: string;
  /** At least 32 random bytes, kept outside the data directory. */
  readonly nodeSecret: Uint8Array;
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
}

export interface StagedTable {
  /** Opaque id to commit or abort with (`<name>.<16 hex>`). */
  readonly stageId: string;
  readonly metadata: TableMetadata;
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

const APPEND_META_FORMAT = 'tessera-append-table/v1';
const MANIFEST = 'manifest';
const APPEND_META = 'meta';
const APPEND_LOG = 'log';

interface AppendMeta {
  readonly format: typeof APPEND_META_FORMAT;
  readonly uid: string;
  readonly metadata: AppendTableMetadata;
}

export class TableStore {
  readonly dataDir: string;
  private readonly storageKey: Buffer;
  private readonly manifestKey: Buffer;
  private readonly appendMetaKey: Buffer;
  /** stageId → table name, for complete staged tables. */
  private readonly staged = new Map<string, string>();
  /** Names being staged or created right now (not yet on disk under their final name). */
  private readonly reserving = new Set<string>();
  private readonly appendLogs = new Map<string, Promise<AppendLog>>();
  /** Serialises operations that change which names exist (check-then-act must not interleave). */
  private namespaceLock: Promise<unknown> = Promise.resolve();

  private constructor(dataDir: string, storageKey: Buffer) {
    this.dataDir = dataDir;
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
    const store = new TableStore(dataDir, storageKey);
    for (const sub of ['tables', 'staging', 'appends', 'trash']) await mkdir(join(dataDir, sub), { recursive: true, mode: 0o700 });
    await store.recover();
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
    await this.withNamespaceLock(async () => {
      await this.assertNameFree(name);
      this.reserving.add(name);
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
      };
      const manifest: Manifest = { format: MANIFEST_FORMAT, uid, metadata, columns };
      // The manifest is written last: its presence is what makes the staged table complete.
      await writeFileAtomic(join(dir, MANIFEST), sealFile(this.manifestKey, SealedKind.Manifest, manifestLabel(name), Buffer.from(canonicalJson(manifest))));
      await syncDirectory(join(this.dataDir, 'staging'));
      this.staged.set(stageId, name);
      return { stageId, metadata };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    } finally {
      this.reserving.delete(name);
    }
  }

  /** Makes a staged table visible under its name (one atomic rename). */
  async commitTable(stageId: string): Promise<TableMetadata> {
    return this.withNamespaceLock(async () => {
      const name = this.stagedName(stageId);
      if (await pathExists(this.tableDir(name)) || (await pathExists(this.appendDir(name)))) {
        throw new TableExistsError(name, `cannot commit: a table named '${name}' already exists; abort this staged table or delete the other one`);
      }
      const stagedDir = join(this.dataDir, 'staging', stageId);
      const manifest = await this.readManifest(name, stagedDir, `staging/${stageId}/${MANIFEST}`);
      await rename(stagedDir, this.tableDir(name));
      await syncDirectory(join(this.dataDir, 'tables'));
      await syncDirectory(join(this.dataDir, 'staging'));
      this.staged.delete(stageId);
      return manifest.metadata;
    });
  }

  /** Drops a staged table. */
  async abortTable(stageId: string): Promise<void> {
    await this.withNamespaceLock(async () => {
      this.stagedName(stageId);
      await this.moveToTrashAndDelete(join(this.dataDir, 'staging', stageId), join(this.dataDir, 'staging'));
      this.staged.delete(stageId);
    });
  }

  /** Staged tables waiting for commit or abort (including those staged before a restart). */
  async listStaged(): Promise<StagedTable[]> {
    const out: StagedTable[] = [];
    for (const [stageId, name] of [...this.staged].sort()) {
      const manifest = await this.readManifest(name, join(this.dataDir, 'staging', stageId), `staging/${stageId}/${MANIFEST}`);
      out.push({ stageId, metadata: manifest.metadata });
    }
    return out;
  }

  /** Public metadata of a committed table (decrypts only its small manifest). */
  async tableMetadata(name: string): Promise<TableMetadata> {
    checkTableName(name);
    return (await this.readManifest(name, this.tableDir(name), `tables/${name}/${MANIFEST}`)).metadata;
  }

  /** One column's bytes, authenticated and checked against the manifest. */
  async readColumn(name: string, column: string): Promise<Uint8Array> {
    checkTableName(name);
    const manifest = await this.readManifest(name, this.tableDir(name), `tables/${name}/${MANIFEST}`);
    const index = manifest.columns.findIndex((c) => c.name === column);
    if (index < 0) throw new TableNotFoundError(name, `table '${name}' has no column named ${JSON.stringify(column)}`);
    return this.readColumnFile(name, manifest, index);
  }

  /** The whole table, every column checked. */
  async readTable(name: string): Promise<StoredTable> {
    checkTableName(name);
    const manifest = await this.readManifest(name, this.tableDir(name), `tables/${name}/${MANIFEST}`);
    const columns: ColumnData[] = [];
    for (const [index, column] of manifest.columns.entries()) {
      columns.push({ name: column.name, data: await this.readColumnFile(name, manifest, index) });
    }
    return { metadata: manifest.metadata, columns };
  }

  /** Deletes a committed table or an append table. */
  async deleteTable(name: string): Promise<void> {
    checkTableName(name);
    await this.withNamespaceLock(async () => {
      if (await pathExists(this.tableDir(name))) {
        await this.moveToTrashAndDelete(this.tableDir(name), join(this.dataDir, 'tables'));
      } else if (await pathExists(this.appendDir(name))) {
        const log = this.appendLogs.get(name);
        this.appendLogs.delete(name);
        if (log) await (await log.catch(() => undefined))?.close();
        await this.moveToTrashAndDelete(this.appendDir(name), join(this.dataDir, 'appends'));
      } else {
        throw new TableNotFoundError(name, `no table named '${name}'`);
      }
    });
  }

  /** Every committed table and append table, by name; needs no column data and no log records. */
  async listTables(): Promise<TableSummary[]> {
    const out: TableSummary[] = [];
    for (const name of await listDirectories(join(this.dataDir, 'tables'))) {
      out.push({ kind: 'table', metadata: await this.tableMetadata(name) });
    }
    for (const name of await listDirectories(join(this.dataDir, 'appends'))) {
      const meta = await this.readAppendMeta(name);
      const open = this.appendLogs.get(name);
      const rowCount = open ? (await open).rowCount : countLogRecords(await readFile(join(this.appendDir(name), APPEND_LOG)));
      out.push({ kind: 'append', metadata: meta.metadata, rowCount });
    }
    return out.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
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
      if (options.reuseEmpty && (await pathExists(this.appendDir(name)))) {
        const existing = (await this.readAppendMeta(name)).metadata;
        const rows = (await this.appendTable(name)).rowCount;
        if (existing.owner === table.owner && canonicalJson(existing.schema) === schemaText && rows === 0) return { ...existing, created: false };
        const differs = existing.owner !== table.owner ? `owned by ${existing.owner}` : canonicalJson(existing.schema) !== schemaText ? 'with a different schema' : `with ${rows} rows`;
        throw new TableExistsError(name, `an append table named '${name}' already exists ${differs}; choose another name`);
      }
      await this.assertNameFree(name);
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
      return { ...metadata, created: true };
    });
  }

  /** The open append table (opened, checked and repaired on first use; then shared). */
  async appendTable(name: string): Promise<AppendLog> {
    checkTableName(name);
    let log = this.appendLogs.get(name);
    if (!log) {
      log = this.openAppendLog(name);
      this.appendLogs.set(name, log);
      log.catch(() => this.appendLogs.delete(name));
    }
    return log;
  }

  /** Metadata of an append table. */
  async appendTableMetadata(name: string): Promise<AppendTableMetadata> {
    checkTableName(name);
    return (await this.readAppendMeta(name)).metadata;
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

  private stagedName(stageId: string): string {
    const name = typeof stageId === 'string' ? this.staged.get(stageId) : undefined;
    if (name === undefined) {
      throw new TableNotFoundError(parseStageId(String(stageId)) ?? String(stageId), `no staged table with id '${String(stageId)}' (already committed or aborted?)`);
    }
    return name;
  }

  private async withNamespaceLock<T>(action: () => Promise<T>): Promise<T> {
    const result = this.namespaceLock.then(action);
    this.namespaceLock = result.catch(() => undefined);
    return result;
  }

  private async assertNameFree(name: string): Promise<void> {
    if (await pathExists(this.tableDir(name))) throw new TableExistsError(name, `a table named '${name}' already exists; choose another name or delete it first`);
    if (await pathExists(this.appendDir(name))) throw new TableExistsError(name, `an append table named '${name}' already exists; choose another name or delete it first`);
    if (this.reserving.has(name) || [...this.staged.values()].includes(name)) {
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
    const column = manifest.columns[index];
    const file = `tables/${name}/${column.file}`;
    let sealed: Buffer;
    try {
      sealed = await readFile(join(this.tableDir(name), column.file));
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ENOENT') throw new StorageCorruptionError(name, file, 'the column file is missing');
      throw error;
    }
    const columnKey = subKey(this.storageKey, `table/${manifest.uid}`);
    let data: Buffer;
    try {
      data = openSealedFile(columnKey, SealedKind.Column, columnLabel(manifest.uid, index), sealed);
    } catch (error) {
      if (error instanceof SealedFileFailure) throw new StorageCorruptionError(name, file, error.message);
      throw error;
    }
    if (data.byteLength !== column.bytes || sha256Hex(data) !== column.sha256) {
      throw new StorageCorruptionError(name, file, 'the column does not match its manifest');
    }
    return data;
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
    const meta = parseSealedJson(this.appendMetaKey, SealedKind.AppendMeta, appendMetaLabel(name), sealed, name, file) as AppendMeta;
    if (meta.format !== APPEND_META_FORMAT || !/^[0-9a-f]{32}$/.test(meta.uid) || meta.metadata?.name !== name) {
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
      this.staged.set(entry, name);
    }
    for (const entry of await readdir(join(this.dataDir, 'appends'))) {
      const dir = join(this.dataDir, 'appends', entry);
      if (entry.includes(TEMP_MARKER)) await rm(dir, { recursive: true, force: true });
      else await removeTempFiles(dir);
    }
    for (const entry of await readdir(join(this.dataDir, 'tables'))) await removeTempFiles(join(this.dataDir, 'tables', entry));
    await removeTempFiles(this.dataDir);
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

function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
