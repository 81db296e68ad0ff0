/**
 * The demo's queries in production mode (docs/governance.md): each one is recorded as a script,
 * sent to the nodes, approved by the representatives of the owners whose tables it reads, and
 * then run as that script's step. The first one is shown in full, as people would see it: the
 * query refused by every node while unapproved, the script (`tessera script show`), each
 * representative's signature. A collaboration without a policy (a `--cluster` made without one)
 * runs the queries directly, as before.
 */

import type { QueryHandle, Tessera } from '../../client/tessera.js';
import { QueryFailedError } from '../../errors.js';
import type { NodeIndex } from '../../governance/collaboration.js';
import { approvalsNeeded } from '../../governance/policy.js';
import { describeScript, scriptHash } from '../../governance/script.js';
import { scannedTables } from '../../plan/plan.js';
import type { Console } from '../output.js';
import type { DemoTarget } from './target.js';

const HOUR_MS = 3_600_000;

export class GovernedQueries {
  private shownInFull = false;
  /** Queries that ran as approved steps, with a recipient who can fetch the receipt. */
  readonly ran: { readonly query: string; readonly recipient: string }[] = [];

  constructor(
    private readonly target: DemoTarget,
    private readonly io: Console,
  ) {}

  get governed(): boolean {
    return this.target.collaboration.governance !== undefined;
  }

  /**
   * Runs the query `start` submits as the approved step of a one-step script (`start` is called
   * again for each phase: it must build the same plan every time).
   */
  async run(client: Tessera, title: string, start: () => Promise<QueryHandle>, options: { readonly receiptFor?: string } = {}): Promise<QueryHandle> {
    const policy = this.target.collaboration.governance;
    if (!policy) return start();
    const s = this.io.style;
    const full = !this.shownInFull;
    this.shownInFull = true;
    if (full) await this.showRefusal(client, start);

    const recorder = client.recordScript({ title, validUntil: new Date(Date.now() + HOUR_MS).toISOString(), maxRuns: 1 });
    await start(); // recorded, not run
    const script = recorder.finish();
    const hash = await client.submitScript(script);
    if (full) {
      this.io.line(`  ${client.party!.name} records the query as a script and sends it to the nodes; what the representatives read (tessera script show):`);
      for (const line of describeScript(script).split('\n')) this.io.line(s.dim(`    ${line}`));
    }
    const owners = new Set<string>();
    for (const step of script.steps) for (const table of scannedTables(step.plan)) owners.add((await client.tableInfo(table)).owner);
    const signed: string[] = [];
    for (const owner of [...owners].sort()) {
      const entry = policy.owners.find((o) => o.owner === owner)!;
      for (const approver of entry.approvers.slice(0, approvalsNeeded(entry))) {
        const representative = await this.target.connect(approver, (signed.length % 3) as NodeIndex);
        try {
          const statement = await representative.approveScript(hash);
          signed.push(approver);
          if (full) {
            const sig = statement.signatures[0];
            this.io.line(`  ${approver} signs its approval: ${statement.payloadType}, key ${sig.keyid.slice(-16)}…, signature ${Buffer.from(sig.sig, 'base64').toString('hex').slice(0, 24)}… (${Buffer.from(sig.sig, 'base64').length} bytes, Ed25519)`);
          }
        } finally {
          await representative.close();
        }
      }
    }
    if (!full) this.io.line(s.dim(`  production mode: script ${scriptHash(script).slice(0, 12)}… recorded by ${client.party!.name}, approved by ${signed.join(' and ')}; the query runs as its step 1`));
    client.useScript(hash);
    try {
      const handle = await start();
      if (options.receiptFor !== undefined) this.ran.push({ query: handle.id, recipient: options.receiptFor });
      return handle;
    } finally {
      client.useScript(undefined);
    }
  }

  private async showRefusal(client: Tessera, start: () => Promise<QueryHandle>): Promise<void> {
    const s = this.io.style;
    this.io.line(s.bold("  Production mode: nothing runs on an owner's tables that its representative did not approve."));
    const handle = await start();
    try {
      await handle.wait();
      this.io.line(s.red('  the unapproved query ran (unexpected!)'));
      return;
    } catch (error) {
      if (!(error instanceof QueryFailedError)) throw error;
    }
    // Each node decides on its own and audits its refusal with the rule: read it from each node's log.
    const refusals: { node: string; rule: string; reason: string }[] = [];
    for (const i of [0, 1, 2] as const) {
      const log = await this.target.connect(client.party!.name, i);
      try {
        for (const line of (await log.auditLog()).split('\n').filter((l) => l)) {
          const { entry } = JSON.parse(line) as { entry: Record<string, unknown> };
          if (entry.query === handle.id && entry.outcome === 'refused') refusals.push({ node: String(entry.node), rule: String(entry.rule), reason: String(entry.reason) });
        }
      } finally {
        await log.close();
      }
    }
    const rules = [...new Set(refusals.map((r) => r.rule))];
    this.io.line(`  ${client.party!.name} submits it without approval → query ${handle.id}: ${s.red('refused')} by ${refusals.map((r) => r.node).join(', ')}, each on its own (and audited), rule ${rules.map((r) => `'${r}'`).join(', ')}:`);
    this.io.line(s.dim(`    ${refusals[0]?.reason ?? '(no refusal was audited)'}`));
  }
}
