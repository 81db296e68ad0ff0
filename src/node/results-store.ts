/**
 * Sealed result shares kept for pickup. A query's record holds its public facts and, per
 * recipient, this node's share sealed to that recipient's key: nothing here can be read by the
 * node itself, so the records are plain files (written atomically) in `<data dir>/results/`.
 */

import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ResultNotFoundError, StorageCorruptionError } from '../errors.js';
import { isErrnoException, writeFileAtomic } from '../io/durable-file.js';
import type { QueryInfo } from '../wire/api.js';

const FORMAT = 'tessera-result-record/v1';
export const QUERY_ID = /^q-[0-9a-f]{24}$/;

export interface ResultRecord {
  readonly format: typeof FORMAT;
  readonly info: QueryInfo;
  /** Recipient name → this node's sealed share, base64. */
  readonly envelopes: Readonly<Record<string, string>>;
}

export class ResultStore {
  private constructor(private readonly dir: string) {}

  static async open(dataDir: string): Promise<ResultStore> {
    const dir = join(dataDir, 'results');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return new ResultStore(dir);
  }

  async save(info: QueryInfo, envelopes: Readonly<Record<string, string>>): Promise<void> {
    const record: ResultRecord = { format: FORMAT, info, envelopes };
    await writeFileAtomic(this.file(info.query), Buffer.from(JSON.stringify(record)), { exclusive: true });
  }

  async load(query: string): Promise<ResultRecord> {
    if (!QUERY_ID.test(query)) throw new ResultNotFoundError(`'${query}' is not a query id (they look like q-0123456789abcdef01234567)`);
    let text: string;
    try {
      text = await readFile(this.file(query), 'utf8');
    } catch (error) {
      if (isErrnoException(error) && error.code === 'ENOENT') throw new ResultNotFoundError(`no result of query '${query}' is kept at this node`);
      throw error;
    }
    try {
      const record = JSON.parse(text) as ResultRecord;
      if (record.format !== FORMAT) throw new Error('format');
      return record;
    } catch {
      throw new StorageCorruptionError(query, `results/${query}.json`, 'not a result record');
    }
  }

  private file(query: string): string {
    return join(this.dir, `${query}.json`);
  }
}
