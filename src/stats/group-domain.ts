/**
 * The group column of a per-group model (ols and logit with `by`): a category, boolean or
 * integer column whose declared values (and null, when nullable) number at most ONE_HOT_LIMIT
 * (256). Such a group-by runs on one-hot indicators (plan/check-group-by.ts): every declared
 * group is a row of the result, empty ones included, so nothing about which groups have rows
 * is revealed by the plan itself; a larger domain would sort and reveal the number of groups.
 */

import { UsageError } from '../errors.js';
import { ONE_HOT_LIMIT } from '../plan/check-group-by.js';
import type { QueryOutputInfo } from '../wire/api.js';

/** The number of groups `by` declares (a null level included), or a refusal that says what to group by. */
export function groupLevelCount(by: string, info: QueryOutputInfo | undefined): number {
  const t = info?.type;
  if (t === undefined) throw new UsageError(`the group column '${by}' is not in the frame`);
  const nullable = info!.parts.some((p) => p.part === 'present') ? 1 : 0;
  let levels: number;
  if (t.type === 'category') levels = t.dictionary.length;
  else if (t.type === 'boolean') levels = 2;
  else if (t.type === 'integer') levels = Number(BigInt(t.max) - BigInt(t.min) + 1n);
  else throw new UsageError(`cannot fit per group of '${by}': it is a ${t.type} column; group by a category, boolean or integer column (derive one, e.g. a rounded integer)`);
  if (levels + nullable > ONE_HOT_LIMIT) {
    throw new UsageError(`'${by}' declares ${levels + nullable} groups, more than ${ONE_HOT_LIMIT}: a model per group needs a group column of at most ${ONE_HOT_LIMIT} declared values (every group is fitted, empty ones refused); declare a narrower range or group by a coarser column`);
  }
  return levels + nullable;
}
