/**
 * The differential-privacy budget rule of admission (docs/governance.md, "Differential-privacy
 * budgets"), decided by every node on its own from its own ledger (dp-ledger.ts):
 *
 * - a plan that reads a table whose owner's policy has a `dpBudget` must open its results with
 *   privacy of that mechanism (rules 'dp-required', 'dp-mechanism'); a store root reading such a
 *   table is refused (a stored copy would let later queries escape the budget);
 * - the query spends its ε (or ρ) on every budgeted table it reads (basic composition: the
 *   ε's of queries on the same data add up; zCDP's ρ's add up likewise); if any table's spent
 *   amount plus this one would exceed its total, the query is refused ('dp-budget') naming the
 *   table and what remains;
 * - otherwise the charge is written to the ledger before the query computes. Charges are
 *   decided one at a time at a node, so two concurrent queries cannot both take the last of a
 *   budget. A charge counts unless its query failed (then it is refunded): the spending is tied
 *   to the query's decision. Undecided queries count (a node refuses rather than overspend).
 */

import { GovernanceError } from '../../errors.js';
import { budgetTotal, type OwnerPolicy } from '../../governance/policy.js';
import type { CheckedPlan } from '../../plan/check.js';
import { describeCost, privacyCost } from '../../privacy/spec.js';
import type { NodeContext } from '../context.js';
import { resolveQuery } from '../flows/query-outcome.js';
import { exactAmount, type DpCharge } from './dp-ledger.js';

/** What the audit entry records about a query's privacy spending. */
export interface PrivacyFacts {
  readonly mechanism: string;
  readonly spent: number;
  readonly tables: readonly { readonly table: string; readonly budget: number; readonly spent: number; readonly remaining: number }[];
}

interface BudgetedTable {
  readonly name: string;
  readonly owner: string;
  readonly policy: OwnerPolicy;
}

/**
 * Checks the budget rule for `plan` over `tables` (name, owner) and charges it.
 * `note` receives the facts for the audit entry, also when the query is refused.
 */
export async function chargeBudgets(ctx: NodeContext, query: string, plan: CheckedPlan, tables: readonly { name: string; owner: string }[], owners: readonly OwnerPolicy[], note: (facts: PrivacyFacts) => void): Promise<void> {
  const budgeted: BudgetedTable[] = [];
  for (const t of tables) {
    const policy = owners.find((o) => o.owner === t.owner);
    if (policy?.dpBudget) budgeted.push({ name: t.name, owner: t.owner, policy });
  }
  const privacy = plan.privacy?.spec;
  if (privacy) note({ mechanism: privacy.mechanism, spent: privacyCost(privacy), tables: [] });
  if (budgeted.length === 0) return;
  for (const t of budgeted) {
    const budget = t.policy.dpBudget!;
    const allowance = `${budget.mechanism} noise, ${describeCost(budget.mechanism, budgetTotal(budget))} in all`;
    if (plan.root.store) throw new GovernanceError('dp-required', `table '${t.name}' of '${t.owner}' has a differential-privacy budget (${allowance}): storing a table computed from it would let later queries escape the budget; open aggregates with privacy instead`);
    if (!privacy) throw new GovernanceError('dp-required', `table '${t.name}' of '${t.owner}' has a differential-privacy budget (${allowance}): open its results with privacy { mechanism: '${budget.mechanism}', ${budget.mechanism === 'laplace' ? 'epsilon' : 'rho'} } (SDK option privacy, CLI --${budget.mechanism === 'laplace' ? 'epsilon' : 'rho'})`);
    if (privacy.mechanism !== budget.mechanism) throw new GovernanceError('dp-mechanism', `table '${t.name}' of '${t.owner}' has a budget for ${budget.mechanism} noise; this plan asks for ${privacy.mechanism} noise`);
  }
  const cost = privacyCost(privacy!);
  await ctx.governance.serialised('dp-budget', async () => {
    const facts: PrivacyFacts['tables'][number][] = [];
    let refusal: GovernanceError | undefined;
    for (const t of budgeted) {
      const total = budgetTotal(t.policy.dpBudget!);
      const spent = await spentOn(ctx, t.name);
      const after = spent + exactAmount(cost);
      const fits = after <= exactAmount(total);
      const spentNow = fits ? after : spent;
      facts.push({ table: t.name, budget: total, spent: toNumber(spentNow), remaining: toNumber(exactAmount(total) - spentNow) });
      if (!fits && !refusal) {
        const left = toNumber(exactAmount(total) - spent);
        refusal = new GovernanceError('dp-budget', `the differential-privacy budget of table '${t.name}' (owner '${t.owner}', ${describeCost(privacy!.mechanism, total)}) has ${describeCost(privacy!.mechanism, left)} left and this query spends ${describeCost(privacy!.mechanism, cost)}: it is refused; ask for less, or the owner's representatives may sign a policy with a larger budget`);
      }
    }
    note({ mechanism: privacy!.mechanism, spent: refusal ? 0 : cost, tables: facts });
    if (refusal) throw refusal;
    const charge: DpCharge = { query, tables: budgeted.map((t) => t.name), mechanism: privacy!.mechanism, amount: cost, at: new Date().toISOString() };
    await ctx.governance.ledger.add(charge);
  });
}

/** What the table's budget has spent: every charge whose query did not fail (exact, in units of 2^-1074). */
async function spentOn(ctx: NodeContext, table: string): Promise<bigint> {
  let spent = 0n;
  for (const charge of ctx.governance.ledger.chargesOf(table)) {
    if (!(await failed(ctx, charge.query))) spent += exactAmount(charge.amount);
  }
  return spent;
}

async function failed(ctx: NodeContext, query: string): Promise<boolean> {
  const record = await ctx.results.load(query);
  if (record?.phase === 'failed') return true;
  if (record?.phase === 'committed') return false;
  // Undecided here: ask the coordinator; while that cannot be learnt the charge counts.
  const view = await resolveQuery(ctx, query).catch(() => undefined);
  return view?.state === 'failed';
}

function toNumber(exact: bigint): number {
  // Exact amounts are multiples of 2^-1074; report them as the nearest double.
  const whole = exact >> 1074n;
  const fraction = exact - (whole << 1074n);
  return Number(whole) + Number(fraction >> 1010n) / 2 ** 64;
}
