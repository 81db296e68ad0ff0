/** Parsing a cox node (plan.ts CoxNode): the time, event and covariate columns, the iterations and the hazard bound. */

import { PlanError } from '../errors.js';
import { columnName, list, onlyFields, type Json } from './parse.js';
import type { CoxNode, TableNode } from './plan.js';

/** Covariates of one Cox model: H has d(d+1)/2 entries, and the solve d sequential pivots. */
export const MAX_COX_COVARIATES = 10;
export const MAX_COX_ITERATIONS = 25;

export function parseCox(o: Json, path: string, input: (value: unknown, path: string) => TableNode): CoxNode {
  onlyFields(o, path, ['op', 'input', 'time', 'event', 'x', 'iterations', 'max_log_hazard'], 'a cox model');
  const time = columnName(o.time, `${path}/time`);
  const event = columnName(o.event, `${path}/event`);
  const x = list(o.x, `${path}/x`, 'the covariates', 1, MAX_COX_COVARIATES).map((c, i) => columnName(c, `${path}/x/${i}`));
  const all = [time, event, ...x];
  all.forEach((c, i) => {
    if (all.indexOf(c) !== i) throw new PlanError(`${path}/x`, `column '${c}' appears twice among the time, event and covariates: each enters once`);
  });
  const iterations = o.iterations;
  if (iterations !== undefined && (typeof iterations !== 'number' || !Number.isInteger(iterations) || iterations < 2 || iterations > MAX_COX_ITERATIONS)) {
    throw new PlanError(`${path}/iterations`, `iterations is an integer from 2 to ${MAX_COX_ITERATIONS}, not ${JSON.stringify(iterations)}`);
  }
  const bound = o.max_log_hazard;
  if (bound !== undefined && (typeof bound !== 'number' || !Number.isFinite(bound) || bound <= 0)) {
    throw new PlanError(`${path}/max_log_hazard`, `max_log_hazard is a positive number, not ${JSON.stringify(bound)}`);
  }
  return {
    op: 'cox',
    input: input(o.input, `${path}/input`),
    time,
    event,
    x,
    ...(iterations !== undefined ? { iterations } : {}),
    ...(bound !== undefined ? { max_log_hazard: bound } : {}),
  };
}
