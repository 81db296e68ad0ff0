/**
 * A node's record of scripts, their approvals and revocations, and the queries it admitted for
 * each script (to know the next step and the runs used). Every node keeps its own
 * (docs/governance.md, "Enforcement"); all of it is public, signed material, written durably:
 *
 *   <dataDir>/governance/scripts/<hash>/script.json
 *   <dataDir>/governance/scripts/<hash>/approval-<sha256 of approver name>.json
 *   <dataDir>/governance/scripts/<hash>/revocation-<sha256 of approver name>.json
 *   <dataDir>/governance/scripts/<hash>/runs.json      [{ query, step }] in admission order
 */

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, syncDirectory } from '../../io/durable-file.js';
import { parseStatement } from '../../crypto/signed.js';
import { FormatError, TableLimitError } from '../../errors.js';
import type { Collaboration } from '../../governance/collaboration.js';
import { verifyApproval, type ApprovalKind, type VerifiedApproval } from '../../governance/approval.js';
import { scriptHash, validateScript, type Script } from '../../governance/script.js';

/** Scripts one node keeps (each is read by people before it is signed: thousands is plenty). */
export const MAX_SCRIPTS = 10_000;

export interface ScriptRun {
  readonly query: string;
  /** 0-based step index in the script. */
  readonly step: number;
}

export interface ScriptEntry {
  readonly hash: string;
  readonly script: Script;
  /** By approver name; a revoked approval is kept (and listed in `revoked`). */
  readonly approvals: Map<string, VerifiedApproval>;
  readonly revoked: Map<string, VerifiedApproval>;
  runs: ScriptRun[];
}

const HASH = /^[0-9a-f]{64}$/;

export class ScriptBook {
  private readonly entries = new Map<string, ScriptEntry>();
  /**
   * Registrations and statements one at a time: the same script or statement may arrive from the
   * client and from a peer at once (script-sync.ts), and must be recorded (and audited) once.
   */
  private changes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private readonly collaboration: Collaboration,
  ) {}

  static async open(dataDir: string, collaboration: Collaboration): Promise<ScriptBook> {
    const dir = join(dataDir, 'governance', 'scripts');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const book = new ScriptBook(dir, collaboration);
    for (const hash of await readdir(dir)) {
      if (!HASH.test(hash)) continue;
      await book.load(hash);
    }
    return book;
  }

  get(hash: string): ScriptEntry | undefined {
    return this.entries.get(hash);
  }

  /** Every script this node holds (for syncing with the peers: script-sync.ts). */
  list(): ScriptEntry[] {
    return [...this.entries.values()];
  }

  private serialised<T>(change: () => Promise<T>): Promise<T> {
    const next = this.changes.then(change, change);
    this.changes = next.catch(() => undefined);
    return next;
  }

  /** Registers a script (idempotent); returns its hash, and whether it is new here. */
  register(value: unknown): Promise<{ hash: string; created: boolean }> {
    return this.serialised(() => this.registerNow(value));
  }

  /** Adds a verified approval or revocation of a registered script (idempotent per approver); `added` when it is new here. */
  addStatement(kind: ApprovalKind, statementJson: unknown, expectedScript: string): Promise<{ verified: VerifiedApproval; added: boolean }> {
    return this.serialised(() => this.addStatementNow(kind, statementJson, expectedScript));
  }

  private async registerNow(value: unknown): Promise<{ hash: string; created: boolean }> {
    const script = validateScript(value, this.collaboration);
    const hash = scriptHash(script);
    if (this.entries.has(hash)) return { hash, created: false };
    if (this.entries.size >= MAX_SCRIPTS) throw new TableLimitError(`this node keeps at most ${MAX_SCRIPTS} scripts`);
    const dir = join(this.dir, hash);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(join(dir, 'script.json'), Buffer.from(JSON.stringify(script)));
    await syncDirectory(this.dir);
    this.entries.set(hash, { hash, script, approvals: new Map(), revoked: new Map(), runs: [] });
    return { hash, created: true };
  }

  private async addStatementNow(kind: ApprovalKind, statementJson: unknown, expectedScript: string): Promise<{ verified: VerifiedApproval; added: boolean }> {
    const verified = verifyApproval(kind, parseStatement(JSON.stringify(statementJson)), this.collaboration);
    if (verified.script !== expectedScript) throw new FormatError(`this ${kind} is for script ${verified.script}, not ${expectedScript}`);
    const entry = this.entries.get(verified.script);
    if (!entry) throw new FormatError(`script ${verified.script} is not registered at this node: register the script first (tessera script submit)`);
    const map = kind === 'approval' ? entry.approvals : entry.revoked;
    const existing = map.get(verified.approver);
    if (existing) return { verified: existing, added: false };
    await writeFileAtomic(join(this.dir, entry.hash, `${kind}-${nameKey(verified.approver)}.json`), Buffer.from(JSON.stringify(verified.statement)));
    map.set(verified.approver, verified);
    return { verified, added: true };
  }

  /** Records a query admitted as a step of the script (before it computes). */
  async addRun(hash: string, run: ScriptRun): Promise<void> {
    const entry = this.entries.get(hash)!;
    const runs = [...entry.runs, run];
    await writeFileAtomic(join(this.dir, hash, 'runs.json'), Buffer.from(JSON.stringify(runs)));
    entry.runs = runs;
  }

  private async load(hash: string): Promise<void> {
    const dir = join(this.dir, hash);
    const files = await readdir(dir);
    if (!files.includes('script.json')) return; // a registration cut short by a crash
    const script = validateScript(JSON.parse(await readFile(join(dir, 'script.json'), 'utf8')) as unknown, this.collaboration);
    if (scriptHash(script) !== hash) throw new FormatError(`governance/scripts/${hash}/script.json does not hash to its directory's name: the node's data directory was altered`);
    const entry: ScriptEntry = { hash, script, approvals: new Map(), revoked: new Map(), runs: [] };
    for (const file of files) {
      const kind = file.startsWith('approval-') ? 'approval' : file.startsWith('revocation-') ? 'revocation' : undefined;
      if (!kind || !file.endsWith('.json')) continue;
      const verified = verifyApproval(kind, parseStatement(await readFile(join(dir, file), 'utf8')), this.collaboration);
      (kind === 'approval' ? entry.approvals : entry.revoked).set(verified.approver, verified);
    }
    if (files.includes('runs.json')) entry.runs = JSON.parse(await readFile(join(dir, 'runs.json'), 'utf8')) as ScriptRun[];
    this.entries.set(hash, entry);
  }
}

function nameKey(name: string): string {
  return createHash('sha256').update(name).digest('hex').slice(0, 32);
}
