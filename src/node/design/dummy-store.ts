/**
 * The dummy tables owners uploaded for design mode (docs/governance.md, "Design mode"), kept in
 * their own area of the data directory, `<dataDir>/design/tables/<name>.json`, apart from the
 * table store (tables/, appends/): a production plan reads only the table store, a design plan
 * only this area and the real tables' public schemas. One JSON file per table, written atomically.
 */

import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/durable-file.js';
import { parseDummyTable, type DummyTable, type DummyTableFile } from '../../design/dummy-table.js';
import { checkTableName } from '../storage/names.js';

export interface StoredDummy {
  readonly owner: string;
  readonly uploadedAt: string;
  readonly dummy: DummyTable;
}

interface DummyRecord {
  readonly owner: string;
  readonly uploadedAt: string;
  readonly file: DummyTableFile;
}

export class DummyStore {
  private constructor(
    private readonly dir: string,
    private readonly tables: Map<string, StoredDummy>,
  ) {}

  static async open(dataDir: string): Promise<DummyStore> {
    const dir = join(dataDir, 'design', 'tables');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tables = new Map<string, StoredDummy>();
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json'))) {
      const record = JSON.parse(await readFile(join(dir, file), 'utf8')) as DummyRecord;
      tables.set(record.file.table, { owner: record.owner, uploadedAt: record.uploadedAt, dummy: parseDummyTable(record.file) });
    }
    return new DummyStore(dir, tables);
  }

  get(name: string): StoredDummy | undefined {
    return this.tables.get(name);
  }

  list(): StoredDummy[] {
    return [...this.tables.values()].sort((a, b) => (a.dummy.table < b.dummy.table ? -1 : 1));
  }

  /** Keeps (or replaces) an owner's dummy table; the caller checked who may. */
  async put(owner: string, file: DummyTableFile, dummy: DummyTable): Promise<StoredDummy> {
    checkTableName(dummy.table);
    const record: DummyRecord = { owner, uploadedAt: new Date().toISOString(), file };
    await writeFileAtomic(join(this.dir, `${dummy.table}.json`), Buffer.from(JSON.stringify(record)));
    const stored = { owner, uploadedAt: record.uploadedAt, dummy };
    this.tables.set(dummy.table, stored);
    return stored;
  }
}
