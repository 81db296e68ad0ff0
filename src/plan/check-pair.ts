/**
 * The second column of a pair aggregate (plan.ts AggregateSpec.other: corr, covar_samp): required
 * by them, refused on every other aggregate, and held to the same type rule as the first.
 */

import { PlanError } from '../errors.js';
import type { AggregateSpec } from './plan.js';
import type { AggregateFunction } from './registry.js';
import type { ColumnFacts } from './types.js';

export function checkOther(fn: AggregateFunction, spec: AggregateSpec, columns: readonly ColumnFacts[], at: string): ColumnFacts | undefined {
  if (fn.pair !== true) {
    if (spec.other !== undefined) throw new PlanError(`${at}/other`, `${fn.name} takes one column (only corr and covar_samp take a second, 'other')`);
    return undefined;
  }
  if (spec.other === undefined) throw new PlanError(`${at}/other`, `${fn.name} needs a second column: { fn: '${fn.name}', column: 'x', other: 'y' }`);
  const other = columns.find((c) => c.name === spec.other);
  if (!other) throw new PlanError(`${at}/other`, `the input of this aggregate has no column '${spec.other}' (it has ${columns.map((c) => c.name).join(', ') || 'no columns'})`);
  const refusal = fn.typeRule(other);
  if (refusal !== undefined) throw new PlanError(`${at}/other`, refusal);
  return other;
}
