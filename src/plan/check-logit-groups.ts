/**
 * The group column of a per-group logit (plan.ts LogitNode `by`): a category, boolean or integer
 * (or date) column whose declared values, null included when nullable, number at most
 * ONE_HOT_LIMIT (256), as a one-hot group-by's key (plan/check-group-by.ts). Every declared
 * group gets a row in the output, empty ones included, so the output's shape is public and
 * nothing about which groups have rows opens beyond each group's own opened state.
 *
 * Memory: the executor holds the design masked by each group's indicator (ops/logit-groups.ts),
 * groups × coefficients × rows secret words twice (by rows and by columns, 16 bytes each); the
 * product is bounded by LOGIT_GROUP_DESIGN_LIMIT (2^24: 512 MB per node).
 */

import { PlanError } from '../errors.js';
import { groupKey, ONE_HOT_LIMIT, type GroupKey } from './check-group-by.js';
import type { CheckedTable } from './check.js';
import type { ColumnFacts } from './types.js';

/** Largest groups × coefficients × rows of a per-group logit's masked design. */
export const LOGIT_GROUP_DESIGN_LIMIT = 2 ** 24;

export interface LogitGroups {
  readonly key: GroupKey;
  /** The number of declared groups (a null level included). */
  readonly width: number;
}

export function checkLogitGroups(by: string, input: CheckedTable, coefficients: number, path: string): LogitGroups {
  const at = `${path}/by`;
  const facts: ColumnFacts | undefined = input.type.columns.find((c) => c.name === by);
  if (!facts) throw new PlanError(at, `the input of this logit has no column '${by}' (it has ${input.type.columns.map((c) => c.name).join(', ') || 'no columns'})`);
  if (facts.kind === 'text') throw new PlanError(at, `cannot fit per group of the text column '${by}': group by a category, boolean or integer column`);
  const key = groupKey(facts, at);
  if (key.levels > BigInt(ONE_HOT_LIMIT)) {
    throw new PlanError(at, `'${by}' declares ${key.levels} groups, more than ${ONE_HOT_LIMIT}: a logit per group needs a group column of at most ${ONE_HOT_LIMIT} declared values; declare a narrower range or group by a coarser column`);
  }
  const width = Number(key.levels);
  const entries = width * coefficients * input.type.maxRows;
  if (entries > LOGIT_GROUP_DESIGN_LIMIT) {
    throw new PlanError(at, `${width} groups × ${coefficients} coefficients × ${input.type.maxRows} rows is ${entries} design entries, more than a per-group logit holds (${LOGIT_GROUP_DESIGN_LIMIT}); fit fewer groups at a time (filter first), or fewer predictors`);
  }
  return { key, width };
}
