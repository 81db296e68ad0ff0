/**
 * Runs a checked plan in one MPC session (all three nodes run this same code on the same checked
 * plan): read the stored tables through the injected reader (which first has the nodes compare
 * the checked plan's digest and agree on append rows), evaluate the operator tree, and mask the
 * opened values for the recipients. Returns this node's components of the outputs and the public
 * facts the plan declared (rows read, rows excluded by range checks).
 */

import type { Session } from '../mpc/session.js';
import type { CheckedPlan, CheckedTable } from '../plan/check.js';
import type { Outputs } from '../secret/outputs.js';
import type { SecretTable } from '../secret/secret-table.js';
import { aggregate } from './aggregate.js';
import { concat } from './concat.js';
import { crosstab } from './crosstab.js';
import { fusedProducts, productSums } from './product-sums.js';
import { fusedGroupProducts, groupProductSums } from './product-sums-groups.js';
import { groupBy } from './group-by.js';
import { derive, renameColumns, selectColumns } from './derive.js';
import { distinct } from './distinct.js';
import { filter } from './filter.js';
import { filterCarriedColumns } from './filter-columns.js';
import { join } from './join.js';
import { limit } from './limit.js';
import { logit } from './logit.js';
import { predict } from './predict.js';
import { addNoise } from './noise.js';
import { rank } from './rank.js';
import { cox } from './cox.js';
import { openTable } from './open.js';
import { planSteps, ProgressTracker, type ProgressListener } from './progress.js';
import { scan, type CheckedAppendTables, type ScanFacts } from './scan.js';
import { sortTable } from './sort.js';
import { storeShares, type StoredShares } from './store.js';
import type { StoredSecretTable, StoredTableReader } from './table-reader.js';

export interface Execution {
  readonly outputs: Outputs;
  /** Per scan: rows read and rows excluded (public, as the plan declares). */
  readonly scans: readonly ScanFacts[];
  readonly rows: number;
  readonly excluded: number;
  /** Facts operators opened at run time, as the plan declares (a reveal-count filter's rows, ...). */
  readonly revealed: readonly RevealedFact[];
  /** A store root: this node's components of the table to store (nothing is opened: `outputs` is empty). */
  readonly stored?: StoredShares;
}

/** A number an operator opened at run time: `fact` ('rows' remaining, 'groups', ...) at `path` in the plan. */
export interface RevealedFact {
  readonly path: string;
  readonly fact: string;
  readonly value: number;
}

export interface ExecuteOptions {
  /** Told at the start of every step (progress.ts); a listener that throws stops the computation there. */
  readonly onProgress?: ProgressListener;
}

export async function execute(s: Session, plan: CheckedPlan, reader: StoredTableReader, options: ExecuteOptions = {}): Promise<Execution> {
  const progress = new ProgressTracker(planSteps(plan), options.onProgress);
  await progress.enter('read', '/root');
  const stored = await reader.read(s, plan);
  const scans: ScanFacts[] = [];
  const checked: CheckedAppendTables = new Map();
  const revealed: RevealedFact[] = [];
  const carried = filterCarriedColumns(plan.root.input);
  // Operators run one after another: a session's messages are matched by order.
  const evaluate = async (node: CheckedTable): Promise<SecretTable> => {
    switch (node.op) {
      case 'scan': {
        const result = await scan(s, node, storedTable(stored, node.table.name), checked, progress);
        scans.push(result.facts);
        return result.table;
      }
      case 'filter': {
        const input = await evaluate(node.input);
        await progress.enter('filter', node.path);
        const result = await filter(s, node, input, carried.get(node));
        if (result.rows !== undefined) revealed.push({ path: node.path, fact: 'rows', value: result.rows });
        return result.table;
      }
      case 'concat': {
        const inputs: SecretTable[] = [];
        for (const input of node.inputs) inputs.push(await evaluate(input));
        await progress.enter('concat', node.path);
        return concat(s.me, inputs);
      }
      case 'join': {
        const left = await evaluate(node.left);
        const right = await evaluate(node.right);
        await progress.enter('join', node.path);
        const result = await join(s, node, left, right);
        if (result.rows !== undefined) revealed.push({ path: node.path, fact: 'rows', value: result.rows });
        return result.table;
      }
      case 'sort': {
        const input = await evaluate(node.input);
        await progress.enter('sort', node.path);
        return (await sortTable(s, node.keys, input)).table;
      }
      case 'rank': {
        const input = await evaluate(node.input);
        await progress.enter('rank', node.path);
        return rank(s, node, input);
      }
      case 'predict': {
        const model = await evaluate(node.model);
        const input = await evaluate(node.input);
        await progress.enter('predict', node.path);
        return predict(s, node, model, input);
      }
      case 'logit': {
        const input = await evaluate(node.input);
        await progress.enter('logit', node.path);
        return logit(s, node, input);
      }
      case 'cox': {
        const input = await evaluate(node.input);
        await progress.enter('cox', node.path);
        return cox(s, node, input);
      }
      case 'limit': {
        const input = await evaluate(node.input);
        await progress.enter('limit', node.path);
        return limit(s, node, input);
      }
      case 'distinct': {
        const input = await evaluate(node.input);
        await progress.enter('distinct', node.path);
        const result = await distinct(s, node, input);
        if (result.rows !== undefined) revealed.push({ path: node.path, fact: 'rows', value: result.rows });
        return result.table;
      }
      case 'aggregate': {
        const fused = fusedProducts(node); // sums of products: inner products, the products never materialised (ops/product-sums.ts)
        if (fused) {
          const input = await evaluate(fused.derive.input);
          for (const [op, path] of [['derive', fused.derive.path], ['aggregate', node.path]]) await progress.enter(op, path);
          return productSums(s, node, fused, input);
        }
        const input = await evaluate(node.input);
        await progress.enter('aggregate', node.path);
        return aggregate(s, node, input);
      }
      case 'group-by': {
        const fused = fusedGroupProducts(node); // a one-hot group-by of sums of products: inner products with the indicators (ops/product-sums-groups.ts)
        if (fused) {
          const input = await evaluate(fused.derive.input);
          for (const [op, path] of [['derive', fused.derive.path], ['group-by', node.path]]) await progress.enter(op, path);
          return groupProductSums(s, node, fused, input);
        }
        const input = await evaluate(node.input);
        await progress.enter('group-by', node.path);
        const result = await groupBy(s, node, input);
        if (result.groups !== undefined) revealed.push({ path: node.path, fact: 'groups', value: result.groups });
        return result.table;
      }
      case 'crosstab': {
        const input = await evaluate(node.input);
        await progress.enter('crosstab', node.path);
        return crosstab(s, node, input);
      }
      case 'derive':
      case 'select':
      case 'rename': {
        const input = await evaluate(node.input);
        await progress.enter(node.op, node.path);
        return node.op === 'derive' ? derive(s, node, input) : node.op === 'select' ? selectColumns(node, input) : renameColumns(node, input);
      }
    }
  };
  const computed = await evaluate(plan.root.input);
  const result = plan.privacy ? await addNoise(s, computed, plan.privacy) : computed;
  await progress.enter(plan.root.op, plan.root.path);
  let kept: StoredShares | undefined;
  if (plan.root.store) {
    kept = await storeShares(s, result, plan.root.store);
    if (kept.compacted) revealed.push({ path: plan.root.path, fact: 'rows', value: kept.rows });
  }
  return {
    ...(kept ? { stored: kept } : {}),
    outputs: kept ? { recipients: [], rows: kept.rows, columns: [] } : await openTable(s, result, plan.outputs, plan.root.to),
    scans,
    rows: scans.reduce((n, f) => n + f.rows, 0),
    excluded: scans.reduce((n, f) => n + f.excluded, 0),
    revealed,
  };
}

function storedTable(tables: ReadonlyMap<string, StoredSecretTable>, name: string): StoredSecretTable {
  const t = tables.get(name);
  if (!t) throw new RangeError(`the table reader did not return table '${name}'`);
  return t;
}
