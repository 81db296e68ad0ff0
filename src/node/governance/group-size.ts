/**
 * The minimum group size k (docs/governance.md, "Minimum group size"): nothing is opened that was
 * computed over fewer than k rows. Decided from public facts only, identically at every node:
 *
 * - a group-by or crosstab opens only with `suppress_below` >= k, groups under k rows being
 *   suppressed inside MPC before anything opens: a crosstab's own (on the true counts), or, on a
 *   noisy plan, privacy's (on the noisy counts, ops/noise.ts: the only suppression that keeps the
 *   result differentially private; a group of fewer than k rows then opens only when its noise
 *   lifted its count to k, and every value in it is noisy);
 * - a whole-table aggregate opens when its input's row count is public: stored tables' counts
 *   (metadata), append tables' rows held at all three (a scan fact), a reveal-count filter's
 *   remaining rows (revealed at run time). The count is checked once known: at plan time when
 *   it is metadata, after the computation otherwise (before any share is sealed);
 * - anything else (rows opened one by one, an aggregate over an oblivious filter or an operator
 *   whose row count stays secret) is refused when k > 1.
 *
 * Works on the checked tree generically (by `op` and `path`), so operators added later are
 * refused until this rule knows how their row count becomes public.
 */

import { GovernanceError } from '../../errors.js';
import type { CheckedPlan } from '../../plan/check.js';
import type { Execution } from '../../ops/execute.js';

interface TreeNode {
  readonly op: string;
  readonly path: string;
  readonly input?: TreeNode;
  readonly inputs?: readonly TreeNode[];
  readonly mode?: string;
  readonly table?: { readonly kind: string; readonly rows: number };
  readonly group?: { readonly method: string };
}

/** What to check at run time: the aggregate's input subtree (rows counted from public facts). */
export interface GroupSizeCheck {
  readonly k: number;
  readonly aggregate: string;
  readonly input: TreeNode;
}

/** Refuses at plan time what could open a value over fewer than k rows; returns the run-time check, if one is needed. */
export function checkGroupSizeAtPlan(plan: CheckedPlan, k: number, owners: string): GroupSizeCheck | undefined {
  if (k <= 1) return undefined;
  const root = plan.root.input as unknown as TreeNode;
  const refuse = (why: string): never => {
    throw new GovernanceError('min-group-size', `${why}; the policy of ${owners} sets the minimum group size to ${k}, so nothing computed over fewer than ${k} rows may be opened`);
  };
  const grouped = root.op === 'crosstab' || (root.op === 'group-by' && root.group?.method !== 'whole');
  if (grouped) {
    // A noisy plan suppresses on the noisy counts (privacy's suppress_below); a plain crosstab on the true counts (its own).
    const suppress = plan.privacy ? plan.privacy.spec.suppress_below : root.op === 'crosstab' ? rawNode(plan.plan, root.path)?.suppress_below : undefined;
    const how = plan.privacy ? 'set privacy\'s "suppress_below"' : root.op === 'crosstab' ? 'set the crosstab\'s "suppress_below"' : 'open it with privacy and its "suppress_below", or use a crosstab with "suppress_below",';
    if (typeof suppress !== 'number' || suppress < k) refuse(`the ${root.op} at ${root.path} would open groups of any size: ${how} to at least ${k} so smaller groups are suppressed inside MPC`);
    return undefined;
  }
  if (root.op !== 'aggregate' && root.op !== 'group-by') refuse(`the plan opens the rows of ${root.path} one by one (groups of 1 row)`);
  const input = root.input!;
  const unknown = secretCount(input);
  if (unknown !== undefined) refuse(`the aggregate at ${root.path} could be over fewer than ${k} rows and its row count stays secret (${unknown})`);
  const rows = staticRows(input);
  if (rows !== undefined && rows < k) refuse(`the aggregate at ${root.path} is over ${rows} row${rows === 1 ? '' : 's'}`);
  return { k, aggregate: root.path, input };
}

/** At run time, from the facts every node revealed alike: refuses to open an aggregate over fewer than k rows. */
export function checkGroupSizeAtRun(check: GroupSizeCheck, execution: Execution, owners: string): void {
  const rows = runRows(check.input, execution);
  if (rows < check.k) {
    throw new GovernanceError(
      'min-group-size',
      `the aggregate at ${check.aggregate} was computed over ${rows} row${rows === 1 ? '' : 's'}, fewer than the minimum group size ${check.k} of ${owners}'s policy; nothing was opened`,
    );
  }
}

function secretCount(n: TreeNode): string | undefined {
  switch (n.op) {
    case 'scan': return undefined;
    case 'concat': return n.inputs!.map(secretCount).find((r) => r !== undefined);
    case 'filter': return n.mode === 'reveal-count' ? secretCount(n.input!) : `the oblivious filter at ${n.path} keeps its row count secret; use mode "reveal-count"`;
    default: return `operator '${n.op}' at ${n.path}`;
  }
}

function staticRows(n: TreeNode): number | undefined {
  if (n.op === 'scan') return n.table?.kind === 'table' ? n.table.rows : undefined;
  if (n.op === 'concat') {
    const parts = n.inputs!.map(staticRows);
    return parts.every((p) => p !== undefined) ? parts.reduce((a: number, b) => a + b!, 0) : undefined;
  }
  return undefined;
}

function runRows(n: TreeNode, execution: Execution): number {
  if (n.op === 'scan') {
    const facts = execution.scans.find((s) => s.path === n.path);
    return facts ? facts.rows - facts.excluded : 0;
  }
  if (n.op === 'concat') return n.inputs!.reduce((sum, i) => sum + runRows(i, execution), 0);
  const revealed = execution.revealed.find((r) => r.path === n.path && r.fact === 'rows');
  return revealed ? revealed.value : 0;
}

/** The plan's node at a JSON pointer ("/root/input"), as raw JSON. */
function rawNode(plan: unknown, pointer: string): Record<string, unknown> | undefined {
  let node: unknown = plan;
  for (const part of pointer.split('/').slice(1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}
