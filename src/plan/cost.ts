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
 *   aggregate: local sums when every row is valid; else one round of 8 bytes per term
 */

import type { CheckedAggregate, CheckedTable } from './check.js';

export interface PlanCost {
  readonly rounds: number;
  readonly bytesPerParty: number;
}

const AGREEMENT_ROUNDS = 2;
const MSB_ROUNDS = 8;
const MSB_BYTES = 32;

export function estimateCost(root: CheckedAggregate): PlanCost {
  let rounds = AGREEMENT_ROUNDS;
  let bytes = 64;
  let secretValidity = false;
  const visit = (n: CheckedTable): void => {
    if (n.op === 'concat') return n.inputs.forEach(visit);
    if (n.table.kind !== 'append') return;
    secretValidity = true;
    const r = n.table.rows;
    const c = n.table.schema.columns.length;
    const nullable = n.table.schema.columns.filter((x) => x.nullable).length;
    const terms = c + nullable;
    bytes += 32 * r;
    rounds += MSB_ROUNDS + 2 + Math.ceil(Math.log2(Math.max(terms, 1))) + 2 + 1 + (nullable > 0 ? 1 : 0);
    bytes += r * (MSB_BYTES * (2 * c + 3 * nullable) + Math.ceil((2 * terms) / 8) + 8 + 8 * nullable) + 8;
  };
  visit(root.input);
  if (secretValidity) {
    rounds += 1;
    bytes += 8 * root.outputs.reduce((n, o) => n + o.terms.length, 0);
  }
  return { rounds, bytesPerParty: bytes };
}
