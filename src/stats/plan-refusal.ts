/**
 * A plan refusal the node sends back names a place in the plan (a JSON pointer such as
 * /root/input/input/columns/2/expr). For a plan the statistics layer built, that place is a
 * column the user never wrote (a product of two predictors); this names it, so the refusal says
 * which predictors' declared ranges are too wide.
 */

import { QueryError } from '../errors.js';
import type { LazyFrame, OpenOptions } from '../client/frame.js';
import type { Explanation } from '../client/explain.js';
import type { QueryResult } from '../client/result.js';
import type { Expr, TableNode } from '../plan/plan.js';
import { openFrame } from './frame-groups.js';

/** The derived columns of the operators below `root` (the open's input is /root/input), by their plan path. */
export function derivedColumnsByPath(root: TableNode): Map<string, { name: string; expr: Expr }> {
  const found = new Map<string, { name: string; expr: Expr }>();
  let node: TableNode | undefined = root;
  let path = '/root/input';
  while (node) {
    if (node.op === 'derive') node.columns.forEach((c, i) => found.set(`${path}/columns/${i}`, c));
    node = 'input' in node ? (node.input as TableNode) : undefined;
    path += '/input';
  }
  return found;
}

/** The refusal with the derived column it concerns, in words (`wt × hp`); other errors as they are. */
export function withDerivedColumn(error: unknown, root: TableNode): unknown {
  if (!(error instanceof QueryError)) return error;
  const at = /^plan (\/\S+):/.exec(error.message)?.[1];
  if (at === undefined) return error;
  for (const [path, column] of derivedColumnsByPath(root)) {
    if (at === path || at.startsWith(`${path}/`)) return new QueryError(`${error.message} (that is the column '${column.name}' = ${describe(column.expr)}, which this statistic derives)`);
  }
  return error;
}

/** The nodes' account of a model's plan, with what the model opens (`label: reveals`); a refusal names its derived column. */
export async function explainModelPlan<C extends string>(frame: LazyFrame<C>, open: OpenOptions, label: string, reveals: string): Promise<Explanation & { readonly reveals: string }> {
  const checked = await frame.explain(open).catch((e: unknown) => {
    throw withDerivedColumn(e, frame.node);
  });
  return { ...checked, reveals, text: () => `${checked.text()}\n${label}: ${reveals}` };
}

/** Opens a model's plan; a refusal names its derived column. */
export function openModelPlan<C extends string>(frame: LazyFrame<C>, open: OpenOptions): Promise<QueryResult> {
  return openFrame(frame, open).catch((e: unknown) => {
    throw withDerivedColumn(e, frame.node);
  });
}

function describe(e: Expr): string {
  switch (e.op) {
    case 'col': return e.name;
    case '*': return `${describe(e.args[0])} × ${describe(e.args[1])}`;
    case '=': return `(${describe(e.args[0])} = ${describe(e.args[1])})`;
    case 'lit': return JSON.stringify(e.value);
    default: return e.op;
  }
}
