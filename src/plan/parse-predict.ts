/** Parsing a predict node (plan.ts PredictNode): the model table, the input, the output column and its kind. */

import { PlanError } from '../errors.js';
import { columnName, onlyFields, type Json } from './parse.js';
import type { PredictNode, TableNode } from './plan.js';

export function parsePredict(o: Json, path: string, table: (value: unknown, path: string) => TableNode): PredictNode {
  onlyFields(o, path, ['op', 'model', 'input', 'as', 'output', 'threshold'], 'a predict');
  const as = columnName(o.as, `${path}/as`);
  const output = o.output;
  if (output !== undefined && output !== 'probability' && output !== 'class' && output !== 'logit') {
    throw new PlanError(`${path}/output`, `output is 'probability' (a secret decimal column), 'class' (a secret boolean [p ≥ threshold]) or 'logit' (the exact log-odds in units of 2^-40), not ${JSON.stringify(output)}`);
  }
  const threshold = o.threshold;
  if (threshold !== undefined) {
    if (output !== 'class') throw new PlanError(`${path}/threshold`, "a threshold applies to output: 'class' only");
    if (typeof threshold !== 'number' || !(threshold > 0 && threshold < 1)) throw new PlanError(`${path}/threshold`, `the threshold is a probability strictly between 0 and 1, not ${JSON.stringify(threshold)}`);
  }
  return {
    op: 'predict',
    model: table(o.model, `${path}/model`),
    input: table(o.input, `${path}/input`),
    as,
    ...(output !== undefined ? { output } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
  };
}
