/**
 * A node's audit log (format and checks: governance/audit.ts): one signed, hash-chained JSON line
 * per event, appended and flushed to disk before the event's effect is reported (a query's share
 * is kept only once its entry is on disk). Appends are serialised, so `seq` and `prev` follow the
 * order of the file. At start the last entry is read back to continue the chain; a log whose
 * tail is not a whole entry (a crash mid-write) is refused rather than silently continued.
 */

import { sign, type KeyObject } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDirectory, writeAll } from '../../io/durable-file.js';
import { IntegrityError } from '../../errors.js';
import type { JsonValue } from '../../crypto/canonical-json.js';
import { entryHash, entrySigningMessage, GENESIS, type AuditEntry, type AuditEvent } from '../../governance/audit.js';

export class AuditLog {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly node: string,
    private readonly key: KeyObject,
    private seq: number,
    private prev: string,
  ) {}

  static async open(dataDir: string, node: string, key: KeyObject): Promise<AuditLog> {
    const dir = join(dataDir, 'governance');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, 'audit.log');
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '' : Promise.reject(error)));
    let seq = 0;
    let prev = GENESIS;
    if (text.length === 0) {
      // The file's directory entry is made durable once, so appends need only flush the file.
      await (await open(path, 'a', 0o600)).close();
      await syncDirectory(dir);
    } else {
      if (!text.endsWith('\n')) throw new IntegrityError(`${path}: its last line is incomplete (a crash while it was written, or an edit); check it with tessera audit verify and repair it before starting the node`);
      const lines = text.slice(0, -1).split('\n');
      const last = JSON.parse(lines[lines.length - 1]) as { entry: AuditEntry };
      seq = last.entry.seq + 1;
      prev = entryHash(last.entry);
    }
    return new AuditLog(path, node, key, seq, prev);
  }

  /** Appends one entry (durably) and returns it. */
  append(event: AuditEvent, fields: Readonly<Record<string, JsonValue>>): Promise<AuditEntry> {
    const next = this.tail.then(async () => {
      const entry: AuditEntry = { ...fields, seq: this.seq, prev: this.prev, at: new Date().toISOString(), node: this.node, event };
      const sig = sign(null, entrySigningMessage(entry), this.key).toString('base64');
      // Opened per entry: a node dropped without close() (a crash, a test) leaves no handle behind.
      const handle = await open(this.path, 'a', 0o600);
      try {
        await writeAll(handle, Buffer.from(JSON.stringify({ entry, sig }) + '\n'));
        await handle.sync();
      } finally {
        await handle.close();
      }
      this.seq += 1;
      this.prev = entryHash(entry);
      return entry;
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Waits for the appends in flight. */
  async close(): Promise<void> {
    await this.tail;
  }
}
