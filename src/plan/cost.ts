/**
 * Estimated rounds and bytes (sent per party) of running a checked plan, from the costs in the
 * protocols' headers (docs/plan.md lists them). Estimates, for `explain()`: the executor counts
 * the real figures in its session.
 *
 *   agreement (always: the nodes compare the checked plan; append rows matched): 2 rounds,
 *     64 bytes + 32 per append-table row
 *   range check of an append table with R rows, C columns, N of them nullable (ops/check-ranges.ts):
 *     MSB of R(2C + 3N) values (8 rounds, ~32 bytes each), ANDs (2 + ceil(log2(C + N)) rounds),
 *     bit injection (2 rounds, 8 bytes per row), the accepted count opened (1 round, 8 bytes),
 *     nulls zeroed (1 round, 8 bytes per nullable cell)
 *   filter over R rows (ops/filter.ts): all less-thans in one batch, at the width the declared
 *     ranges need (cost-comparisons.ts: lanes of 8, 16 or 32 bits, 5-7 rounds, ~3-13 bytes each;
 *     else 8 rounds, ~26 bytes),
 *     all equalities in another (7 rounds, ~16 bytes), their bits injected (2 rounds, 8 bytes each),
 *     one multiplication per AND/OR gate and null (8 bytes, batched by depth), one more for a
 *     secret validity; with every row valid and only comparisons of non-nullable operands
 *     (isBitPredicate) nothing is injected and a gate is a binary AND (1 bit), an oblivious
 *     filter injecting the one result bit (2 rounds, 8 bytes); reveal-count then compacts
 *     (4 rounds; party 0: 16 bytes per column, present column and the predicate, 8 to open
 *     it), or, with no column carried and a binary predicate, only counts its 1s (2 rounds, 4/3
 *     bytes per row); an oblivious filter leaves a secret validity
 *   sort, limit, distinct, rank: plan/cost-order.ts
 *   logit: plan/cost-logit.ts; predict: plan/cost-predict.ts
 *   join: cost-join.ts
 *   aggregate: local sums when every row is valid; else one round of 8 bytes per term; sums of
 *     products fused with their derive: plan/cost-products.ts (1 round, 8 bytes per sum)
 *   group-by and crosstab: plan/cost-group-by.ts (their outputs are publicly valid)
 *   derive, and filters' conditions over expressions: their circuits' steps (expr-circuit.ts)
 *   open: a table with a secret validity multiplies every cell by it (1 round, 8 bytes per cell)
 */

import { isBitPredicate, predicateGates, predicateShape } from './check-predicate.js';
import { joinCost } from './cost-join.js';
import { filterCarriedColumns } from '../ops/filter-columns.js';
import { predicateLessThans } from './cost-comparisons.js';
import { logitCost } from './cost-logit.js';
import { coxCost } from './cost-cox.js';
import { predictCost } from './cost-predict.js';
import { distinctCost, rankCost, sortCost, sortPassCost, tableVectors } from './cost-order.js';
import type { CheckedDistinct } from './check-distinct.js';
import type { CheckedLimit } from './check-limit.js';
import type { CheckedSort } from './check-sort.js';
import type { CheckedTable } from './check.js';
import { circuitCost, schedule } from './expr-circuit.js';
import { crosstabCost, groupByCost } from './cost-group-by.js';
import { fusedGroupProducts, fusedGroupProductsCost, fusedProducts, fusedProductsCost } from './cost-products.js';

export interface PlanCost {
  readonly rounds: number;
  readonly bytesPerParty: number;
}

/** The nodes' agreement on the checked plan (node flows, before execute): in every estimate. */
export const AGREEMENT_COST: PlanCost = { rounds: 2, bytesPerParty: 64 };
const AGREEMENT_ROUNDS = AGREEMENT_COST.rounds;
const MSB_ROUNDS = 8;
const MSB_BYTES = 32;

export function estimateCost(root: CheckedTable): PlanCost {
  const carried = filterCarriedColumns(root);
  let rounds = AGREEMENT_ROUNDS;
  let bytes = AGREEMENT_COST.bytesPerParty;
  // Whether the table flowing out of the node just visited has a secret validity column.
  const visit = (n: CheckedTable): boolean => {
    switch (n.op) {
      case 'concat': return n.inputs.map(visit).some((v) => v);
      case 'derive':
      case 'select':
      case 'rename': {
        const secretValidity = visit(n.input);
        if (n.op === 'derive') {
          rounds += n.cost.rounds;
          bytes += n.input.type.maxRows * n.cost.bytesPerRow;
        }
        return secretValidity;
      }
      case 'filter': {
        const secretValidity = visit(n.input);
        const conditions = circuitCost(schedule(predicateGates(n.predicate)));
        rounds += conditions.rounds;
        bytes += n.input.type.maxRows * conditions.bytesPerRow;
        const shape = predicateShape(n.predicate);
        const r = n.input.type.maxRows;
        // The less-thans at the width their declared ranges need (cost-comparisons.ts).
        const lts = predicateLessThans(n.predicate, r);
        rounds += lts.rounds;
        bytes += lts.bytes;
        if (!secretValidity && isBitPredicate(n.predicate)) {
          const injected = n.mode === 'oblivious' ? 1 : 0;
          rounds += (shape.eq > 0 ? 7 : 0) + shape.depth + 2 * injected;
          bytes += r * (16 * shape.eq + shape.gates / 8 + 8 * injected);
        } else {
          const gates = shape.gates + (secretValidity ? 1 : 0);
          rounds += (shape.eq > 0 ? 7 : 0) + (shape.lt + shape.eq > 0 ? 2 : 0) + shape.depth + (secretValidity ? 1 : 0);
          bytes += r * (16 * shape.eq + 8 * (shape.lt + shape.eq) + 8 * gates);
        }
        if (n.mode === 'oblivious') return true;
        // Only the columns the consumer reads are carried (ops/filter-columns.ts).
        const carriedNames = carried.get(n);
        const kept = carriedNames ? n.type.columns.filter((c) => carriedNames.has(c.name)) : n.type.columns;
        const columns = kept.length + kept.filter((c) => c.nullable).length;
        const packedOpen = !secretValidity && isBitPredicate(n.predicate);
        // No column carried and a binary predicate: only its 1s are counted (count-ones.ts).
        if (columns === 0 && packedOpen) {
          rounds += 2;
          bytes += (r * 4) / 3 + 8;
          return false;
        }
        rounds += 4;
        // Party 0 sends 16 bytes per shuffled vector (the columns and the predicate word), and to
        // open the predicate 1 bit (a packed binary predicate) or 8 bytes.
        bytes += r * (16 * (columns + 1) + (packedOpen ? 1 / 8 : 8));
        return false;
      }
      case 'cox': {
        const c = coxCost(n, visit(n.input));
        rounds += c.rounds;
        bytes += c.bytesPerParty;
        return false;
      }
      case 'rank': {
        const secretValidity = visit(n.input);
        const c = rankCost(n.input.type, secretValidity, n.column.nullable);
        rounds += c.rounds;
        bytes += c.bytesPerParty;
        return secretValidity;
      }
      case 'predict': {
        visit(n.model);
        const secretValidity = visit(n.input);
        const c = predictCost(n);
        rounds += c.rounds;
        bytes += c.bytesPerParty;
        return secretValidity;
      }
      case 'logit': {
        const c = logitCost(n, visit(n.input));
        rounds += c.rounds;
        bytes += c.bytesPerParty;
        return false;
      }
      case 'sort':
      case 'limit':
      case 'distinct': {
        const c = orderCost(n, visit(n.input));
        rounds += c.cost.rounds;
        bytes += c.cost.bytesPerParty;
        return c.secretValidity;
      }
      case 'aggregate': {
        const fused = fusedProducts(n);
        if (fused) {
          // Its derive is never materialised: only what is under it runs (plan/cost-products.ts).
          const c = fusedProductsCost(fused, visit(fused.derive.input));
          rounds += c.rounds;
          bytes += c.bytesPerParty;
          return false;
        }
        if (!visit(n.input)) return false;
        rounds += 1;
        bytes += 8 * n.outputs.reduce((k, o) => k + o.terms.length, 0);
        return false;
      }
      case 'join': {
        visit(n.left);
        visit(n.right);
        const c = joinCost(n);
        rounds += c.rounds;
        bytes += c.bytesPerParty;
        return n.mode === 'oblivious';
      }
      case 'group-by':
      case 'crosstab': {
        const fusedGroups = n.op === 'group-by' ? fusedGroupProducts(n) : undefined;
        if (fusedGroups && n.op === 'group-by') {
          const c = fusedGroupProductsCost(fusedGroups, Number(n.group.width), visit(fusedGroups.derive.input));
          [rounds, bytes] = [rounds + c.rounds, bytes + c.bytesPerParty];
          return false;
        }
        const secretValidity = visit(n.input);
        const c = n.op === 'group-by' ? groupByCost(n, secretValidity) : crosstabCost(n);
        rounds += c.rounds + (secretValidity && n.op === 'crosstab' ? 1 : 0);
        bytes += c.bytes;
        return false;
      }
      case 'scan': {
        if (n.table.kind !== 'append') return false;
        const r = n.table.rows;
        const c = n.table.schema.columns.length;
        const nullable = n.table.schema.columns.filter((x) => x.nullable).length;
        const terms = c + nullable;
        bytes += 32 * r;
        rounds += MSB_ROUNDS + 2 + Math.ceil(Math.log2(Math.max(terms, 1))) + 2 + 1 + (nullable > 0 ? 1 : 0);
        bytes += r * (MSB_BYTES * (2 * c + 3 * nullable) + Math.ceil((2 * terms) / 8) + 8 + 8 * nullable) + 8;
        return true;
      }
    }
  };
  if (visit(root)) {
    // Opening a table with a secret validity: every cell times the validity (open.ts).
    const cells = root.type.columns.length + root.type.columns.filter((c) => c.nullable).length;
    rounds += 1;
    bytes += 8 * cells * root.type.maxRows;
  }
  return { rounds, bytesPerParty: bytes };
}

/** A sort, limit or distinct's cost, and whether its output's validity is secret. */
function orderCost(n: CheckedSort | CheckedLimit | CheckedDistinct, secretValidity: boolean): { cost: PlanCost; secretValidity: boolean } {
  if (n.op === 'sort') return { cost: sortCost(n.input.type, n.keys, secretValidity), secretValidity };
  if (n.op === 'distinct') return { cost: distinctCost(n.input.type, n.type, secretValidity, n.mode === 'reveal-count'), secretValidity: n.mode === 'oblivious' };
  const free = !secretValidity || n.input.op === 'sort';
  return { cost: free ? { rounds: 0, bytesPerParty: 0 } : sortPassCost(n.input.type.maxRows, tableVectors(n.input.type, true)), secretValidity };
}
