/**
 * A node's governance state (docs/governance.md): its script book, its audit log, the dummy
 * tables of design mode, the result attestations it signed (kept durably so a recipient can
 * fetch the receipt any time later: <dataDir>/governance/attestations/<query>.json) and its
 * differential-privacy ledger (dp-ledger.ts). One per running node.
 */

import type { KeyObject } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/durable-file.js';
import { parseStatement, type SignedStatement } from '../../crypto/signed.js';
import type { Collaboration } from '../../governance/collaboration.js';
import { AuditLog } from './audit-log.js';
import { DpLedger } from './dp-ledger.js';
import { DummyStore } from '../design/dummy-store.js';
import { ScriptBook } from './script-book.js';

export class NodeGovernance {
  private readonly locks = new Map<string, Promise<unknown>>();

  private constructor(
    readonly book: ScriptBook,
    readonly log: AuditLog,
    private readonly attestations: string,
    /** Differential-privacy charges against the tables' budgets (dp-ledger.ts). */
    readonly ledger: DpLedger,
    /** Dummy tables owners uploaded for design queries, apart from the table store. */
    readonly dummies: DummyStore,
  ) {}

  static async open(dataDir: string, collaboration: Collaboration, node: string, key: KeyObject): Promise<NodeGovernance> {
    const book = await ScriptBook.open(dataDir, collaboration);
    const attestations = join(dataDir, 'governance', 'attestations');
    await mkdir(attestations, { recursive: true, mode: 0o700 });
    return new NodeGovernance(book, await AuditLog.open(dataDir, node, key), attestations, await DpLedger.open(dataDir), await DummyStore.open(dataDir));
  }

  /** Runs `work` after every earlier call with the same key has finished (admissions of one script, one at a time). */
  serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.locks.set(key, settled);
    void settled.then(() => {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    });
    return next;
  }

  async keepAttestation(query: string, attestation: SignedStatement): Promise<void> {
    await writeFileAtomic(join(this.attestations, `${query}.json`), Buffer.from(JSON.stringify(attestation)));
  }

  /** This node's attestation of a query's result, or undefined when it signed none. */
  async attestation(query: string): Promise<SignedStatement | undefined> {
    const text = await readFile(join(this.attestations, `${query}.json`), 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
    return text === undefined ? undefined : parseStatement(text);
  }

  async close(): Promise<void> {
    await this.log.close();
  }
}
