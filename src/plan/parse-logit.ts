/** Parsing a logit node (plan.ts LogitNode): the response, 1 to MAX_LOGIT_PREDICTORS distinct predictors, and the iteration count. */

import { PlanError } from '../errors.js';
import { columnName, list, onlyFields, type Json } from './parse.js';
import type { LogitNode, TableNode } from './plan.js';

/** Predictors (after dummy coding): the d = k + 1 Newton system stays small enough to solve inside MPC. */
export const MAX_LOGIT_PREDICTORS = 20;
export const DEFAULT_LOGIT_ITERATIONS = 10;
/** Iterations beyond this do not help (Newton converges quadratically) and only cost rounds. */
export const MAX_LOGIT_ITERATIONS = 25;

export function parseLogit(o: Json, path: string, input: (value: unknown, path: string) => TableNode): LogitNode {
  onlyFields(o, path, ['op', 'input', 'y', 'x', 'iterations', 'model', 'by'], 'a logit');
  const y = columnName(o.y, `${path}/y`);
  const x = list(o.x, `${path}/x`, "a logit's predictors (x)", 1, MAX_LOGIT_PREDICTORS).map((c, i) => columnName(c, `${path}/x/${i}`));
  const by = o.by === undefined ? undefined : columnName(o.by, `${path}/by`);
  const all = [y, ...x, ...(by !== undefined ? [by] : [])];
  const twice = all.findIndex((c, i) => all.indexOf(c) !== i);
  if (twice >= 0) throw new PlanError(twice === 0 ? `${path}/y` : twice <= x.length ? `${path}/x/${twice - 1}` : `${path}/by`, `column '${all[twice]}' appears twice among the response, predictors and group column: each enters once`);
  const it = o.iterations;
  if (it !== undefined && (typeof it !== 'number' || !Number.isSafeInteger(it) || it < 1 || it > MAX_LOGIT_ITERATIONS)) {
    throw new PlanError(`${path}/iterations`, `iterations is a whole number from 1 to ${MAX_LOGIT_ITERATIONS} (Newton steps inside MPC; default ${DEFAULT_LOGIT_ITERATIONS}), not ${JSON.stringify(it)}`);
  }
  if (o.model !== undefined && typeof o.model !== 'boolean') throw new PlanError(`${path}/model`, `model is true (a store-ready model) or false (the Newton state), not ${JSON.stringify(o.model)}`);
  if (by !== undefined && o.model === true) throw new PlanError(`${path}/by`, 'a stored model is one fit: store one model per group (filter each group first), or open the per-group fits');
  return { op: 'logit', input: input(o.input, `${path}/input`), y, x, ...(it !== undefined ? { iterations: it } : {}), ...(o.model === true ? { model: true } : {}), ...(by !== undefined ? { by } : {}) };
}
