/**
 * The one admission step every query passes at every node, on its own (docs/governance.md,
 * "Enforcement"), and its audit. `runLocal` (node/flows/query.ts) opens a QueryGovernance per
 * query and calls, in order: `admit` once the plan is checked, `release` once it is computed
 * (before any share is sealed), `computed` once the shares are sealed; `refused` on any failure.
 *
 * In a governed collaboration a plan runs only if
 *   - the request names a script registered here, and the requester is its analyst (rule 'script-analyst');
 *   - now is inside the script's validity window ('script-window');
 *   - for every table the plan reads, the owner has a policy ('policy-owner') and the owner's
 *     approvers' valid, unrevoked approvals satisfy it ('approvals');
 *   - every recipient is allowed by every such owner ('recipients');
 *   - the plan is exactly the script's next step ('script-plan', 'script-step') and runs remain ('script-runs');
 *   - nothing opens over fewer rows than the owners' minimum group size ('min-group-size');
 *   - a table with a differential-privacy budget is opened only with noise, within what remains
 *     of its budget ('dp-required', 'dp-mechanism', 'dp-budget': dp-budget.ts).
 *
 * Steps and runs are counted from this node's own record: the queries it admitted for the script,
 * each counted once committed (the coordinator's decision, which every node learns), so the three
 * nodes count alike; a step still undecided here is settled with its coordinator first, and while
 * it cannot be the next step is refused ('script-order').
 *
 * A collaboration in design mode refuses every query on real tables ('design-mode'). A design
 * query (on dummy tables, docs/governance.md "Design mode") is admitted by `admitDesign`: no
 * approval, audited with `design: true`, and no attestation (a dummy result gets no receipt).
 */

import { createHash } from 'node:crypto';
import { canonicalHash, type JsonValue } from '../../crypto/canonical-json.js';
import { GovernanceError, TesseraError } from '../../errors.js';
import type { PartyConfig } from '../../governance/collaboration.js';
import { approvalsNeeded, type OwnerPolicy } from '../../governance/policy.js';
import { signAttestation } from '../../governance/receipt.js';
import type { SignedStatement } from '../../crypto/signed.js';
import type { Execution } from '../../ops/execute.js';
import type { CheckedPlan } from '../../plan/check.js';
import { planHash } from '../../plan/plan.js';
import type { QueryInfo } from '../../wire/api.js';
import type { NodeContext } from '../context.js';
import { resolveQuery } from '../flows/query-outcome.js';
import { privacyCost } from '../../privacy/spec.js';
import { chargeBudgets, type PrivacyFacts } from './dp-budget.js';
import { checkGroupSizeAtPlan, checkGroupSizeAtRun, type GroupSizeCheck } from './group-size.js';
import type { ScriptEntry } from './script-book.js';
import { pullFromPeers } from './script-sync.js';
import type { DesignTable } from '../design/design-catalog.js';

interface TableFacts {
  readonly name: string;
  readonly owner: string;
  /** This node's digest of its shares of the table. */
  readonly digest: string;
}

export class QueryGovernance {
  private requester: string | undefined;
  private plan: CheckedPlan | undefined;
  private script: ScriptEntry | undefined;
  private step: number | undefined;
  private approvals: string[] = [];
  private tables: TableFacts[] = [];
  private groupCheck: GroupSizeCheck | undefined;
  private ownersLabel = '';
  private privacy: PrivacyFacts | undefined;
  private done = false;
  private design = false;

  constructor(
    private readonly ctx: NodeContext,
    private readonly query: string,
  ) {}

  /** The admission step: refuses with GovernanceError naming the rule. */
  async admit(requester: PartyConfig, plan: CheckedPlan, scriptHash: string | undefined): Promise<void> {
    this.requester = requester.name;
    this.plan = plan;
    this.tables = await Promise.all(plan.tables.map((t) => this.tableFacts(t.name)));
    const governance = this.ctx.collaboration.governance;
    if (!governance) {
      if (plan.privacy) this.privacy = { mechanism: plan.privacy.spec.mechanism, spent: privacyCost(plan.privacy.spec), tables: [] };
      return; // ungoverned: today's behaviour, audited
    }
    if (governance.mode === 'design') throw new GovernanceError('design-mode', `collaboration '${this.ctx.collaboration.id}' is in design mode: queries run only on the dummy tables (design queries: --design, tessera.design()) until its policy is signed in production mode`);
    const policies = this.policiesFor(governance.owners);
    this.ownersLabel = [...new Set(policies.map((p) => `'${p.owner}'`))].join(' and ');
    if (scriptHash === undefined) throw new GovernanceError('approved-script', `collaboration '${this.ctx.collaboration.id}' runs in production mode: a query runs only as a step of an approved script; record the analysis as a script, have it approved and run it with that script`);
    // A script or approvals given to the other nodes while this one was away: fetched before refusing.
    if (this.lacksApprovals(scriptHash, policies)) await pullFromPeers(this.ctx, [scriptHash]).catch(() => 0);
    const entry = this.ctx.governance.book.get(scriptHash);
    if (!entry) throw new GovernanceError('approved-script', `script ${scriptHash} is not registered at ${this.ctx.name}: submit it (tessera script submit) before running its steps`);
    const script = entry.script;
    if (script.analyst !== requester.name || script.analystKey !== requester.signingKey) throw new GovernanceError('script-analyst', `script ${short(scriptHash)} is the analysis of '${script.analyst}'; only that analyst may run its steps, not '${requester.name}'`);
    const now = Date.now();
    if (now < Date.parse(script.validFrom)) throw new GovernanceError('script-window', `script ${short(scriptHash)} is valid from ${script.validFrom}, not yet`);
    if (now >= Date.parse(script.validUntil)) throw new GovernanceError('script-window', `script ${short(scriptHash)} expired at ${script.validUntil}; its approvals no longer count: record and approve a new script`);
    this.approvals = this.checkApprovals(entry, policies);
    for (const p of policies) {
      const refused = plan.root.to.filter((r) => !p.recipients.includes(r));
      if (refused.length > 0) throw new GovernanceError('recipients', `the policy of owner '${p.owner}' lets only ${p.recipients.map((r) => `'${r}'`).join(', ')} receive results on its tables, not ${refused.map((r) => `'${r}'`).join(', ')}`);
    }
    const k = Math.max(1, ...policies.map((p) => p.minGroupSize));
    this.groupCheck = checkGroupSizeAtPlan(plan, k, this.ownersLabel);
    await this.ctx.governance.serialised(scriptHash, async () => {
      const step = await this.nextStep(entry, plan.hash);
      await this.ctx.governance.book.addRun(scriptHash, { query: this.query, step });
      this.script = entry;
      this.step = step;
    });
    // Differential-privacy budgets: charged last, so a query refused by another rule spends nothing.
    await chargeBudgets(this.ctx, this.query, plan, this.tables, governance.owners, (facts) => (this.privacy = facts));
  }

  /** A design query: it reads only dummy tables, so it needs no script and no approval; it is audited all the same. */
  admitDesign(requester: PartyConfig, plan: CheckedPlan, tables: ReadonlyMap<string, DesignTable>): void {
    this.requester = requester.name;
    this.plan = plan;
    this.design = true;
    this.tables = plan.tables.map((t) => ({ name: t.name, owner: tables.get(t.name)!.owner, digest: tables.get(t.name)!.digest }));
  }

  /** After the computation, before any share is sealed: the run-time part of the group-size rule. */
  release(execution: Execution): void {
    if (this.groupCheck) checkGroupSizeAtRun(this.groupCheck, execution, this.ownersLabel);
  }

  /** The shares are sealed: audits what was made public and signs this node's attestation (governance/receipt.ts). */
  async computed(info: QueryInfo, execution: Execution, share: Uint8Array): Promise<SignedStatement | undefined> {
    const disclosed = { rows: info.rows, excluded: info.excluded, resultRows: info.resultRows ?? 0, revealed: execution.revealed.map((r) => ({ path: r.path, fact: r.fact, value: r.value })) };
    if (this.design) {
      await this.audit('computed', { disclosed });
      return undefined;
    }
    const attestation = signAttestation(
      {
        collaboration: this.ctx.collaboration.id,
        query: this.query,
        node: this.ctx.index,
        plan: info.plan,
        script: this.script?.hash ?? null,
        step: this.step ?? null,
        approvals: this.approvals,
        recipients: [...info.recipients],
        outputs: canonicalHash(info.outputs as unknown as JsonValue),
        tables: this.tables.map((t) => ({ ...t })),
        disclosed,
        share: createHash('sha256').update(share).digest('hex'),
      },
      this.ctx.identity.signingPrivateKey,
    );
    await this.ctx.governance.keepAttestation(this.query, attestation);
    await this.audit('computed', { disclosed });
    return attestation;
  }

  /** The query failed or was refused at this node: audited with the rule (if a governance rule) and the reason. */
  async refused(error: unknown): Promise<void> {
    if (this.done) return;
    const rule = error instanceof GovernanceError ? error.rule : null;
    const reason = error instanceof TesseraError ? error.message : 'an unexpected error';
    await this.audit(rule ? 'refused' : 'failed', { rule, reason }).catch((e: unknown) => this.ctx.log.error({ query: this.query, reason: (e as Error).message }, 'could not write the audit entry'));
  }

  private async audit(outcome: string, extra: Record<string, JsonValue>): Promise<void> {
    this.done = true;
    await this.ctx.governance.log.append('query', {
      query: this.query,
      requestedBy: this.requester ?? null,
      plan: this.plan?.hash ?? null,
      script: this.script?.hash ?? null,
      step: this.step ?? null,
      approvals: this.approvals,
      tables: this.tables.map((t) => t.name),
      recipients: this.plan ? [...this.plan.root.to] : [],
      ...(this.design ? { design: true } : {}),
      outcome,
      ...(this.privacy ? { privacy: { mechanism: this.privacy.mechanism, spent: this.privacy.spent, tables: this.privacy.tables.map((t) => ({ ...t })) } } : {}),
      ...extra,
    });
  }

  private policiesFor(owners: readonly OwnerPolicy[]): OwnerPolicy[] {
    return this.tables.map((t) => {
      const policy = owners.find((o) => o.owner === t.owner);
      if (!policy) throw new GovernanceError('policy-owner', `table '${t.name}' belongs to '${t.owner}', which has no policy in the collaboration; production mode runs nothing on it until the policy names its approvers`);
      return policy;
    });
  }

  private lacksApprovals(scriptHash: string, policies: readonly OwnerPolicy[]): boolean {
    const entry = this.ctx.governance.book.get(scriptHash);
    return !entry || policies.some((p) => p.approvers.filter((a) => entry.approvals.has(a) && !entry.revoked.has(a)).length < approvalsNeeded(p));
  }

  /** The approvals the query relies on (statement hashes), or GovernanceError when an owner's are not enough. */
  private checkApprovals(entry: ScriptEntry, policies: readonly OwnerPolicy[]): string[] {
    const relied = new Set<string>();
    for (const p of new Set(policies)) {
      const valid = p.approvers.filter((a) => entry.approvals.has(a) && !entry.revoked.has(a));
      const need = approvalsNeeded(p);
      if (valid.length < need) {
        const revoked = p.approvers.filter((a) => entry.revoked.has(a));
        throw new GovernanceError(
          'approvals',
          `script ${short(entry.hash)} needs ${need} approval${need === 1 ? '' : 's'} of ${p.approvers.map((a) => `'${a}'`).join(', ')} for the tables of '${p.owner}' and has ${valid.length}${revoked.length > 0 ? ` (revoked by ${revoked.map((a) => `'${a}'`).join(', ')})` : ''}`,
        );
      }
      for (const a of valid.slice(0, need)) relied.add(entry.approvals.get(a)!.hash);
    }
    return [...relied].sort();
  }

  /** The step this plan must be: the script's next, counted from committed runs. */
  private async nextStep(entry: ScriptEntry, hash: string): Promise<number> {
    let committed = 0;
    for (const run of entry.runs) {
      const record = await this.ctx.results.load(run.query);
      let phase: string | undefined = record?.phase;
      if (phase !== 'committed' && phase !== 'failed') {
        const view = await resolveQuery(this.ctx, run.query).catch(() => undefined);
        phase = view?.state === 'done' ? 'committed' : view?.state === 'failed' ? 'failed' : undefined;
      }
      if (phase === 'committed') committed += 1;
      else if (phase !== 'failed') throw new GovernanceError('script-order', `step ${run.step + 1} of script ${short(entry.hash)} (query ${run.query}) is not decided yet at ${this.ctx.name}; the next step runs once it is (retry shortly)`);
    }
    const steps = entry.script.steps;
    if (committed >= steps.length * entry.script.maxRuns) throw new GovernanceError('script-runs', `script ${short(entry.hash)} has run ${entry.script.maxRuns} time${entry.script.maxRuns === 1 ? '' : 's'}, its maximum; record and approve a new script to run it again`);
    const next = committed % steps.length;
    if (planHash(steps[next].plan) === hash) return next;
    const elsewhere = steps.findIndex((s) => planHash(s.plan) === hash);
    if (elsewhere >= 0) throw new GovernanceError('script-step', `this plan is step ${elsewhere + 1} of script ${short(entry.hash)}, but step ${next + 1} is next: the steps run in their order`);
    throw new GovernanceError('script-plan', `plan ${short(hash)} is not a step of script ${short(entry.hash)} (the next step is plan ${short(planHash(steps[next].plan))}); any change to a plan needs a new approved script`);
  }

  private async tableFacts(name: string): Promise<TableFacts> {
    const listing = await this.ctx.store.checkedListing(name);
    if (listing.kind === 'damaged') throw this.ctx.store.damagedError(name);
    if (listing.kind === 'table') return { name, owner: listing.metadata.owner, digest: listing.metadata.checksum };
    // Append tables: their public metadata and rows here (their share files have no single checksum).
    const m = listing.metadata;
    return { name, owner: m.owner, digest: canonicalHash({ name, owner: m.owner, createdAt: m.createdAt, rows: listing.rowCount }) };
  }
}

function short(hash: string): string {
  return `${hash.slice(0, 12)}…`;
}
