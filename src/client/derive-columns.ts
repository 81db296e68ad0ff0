/**
 * Which input columns a derive, select or rename needs for the columns asked of it, so frames
 * can narrow the scans below (client/frame.ts readColumns).
 */

import { UsageError } from '../errors.js';
import type { DeriveNode, RenameNode, SelectNode, TableNode } from '../plan/plan.js';
import { COLUMN_NAME_PATTERN } from '../table/schema.js';
import { Expression, exprColumns } from './expr.js';

/** A derive node over `input` from named expressions. */
export function deriveNode(input: TableNode, columns: Readonly<Record<string, Expression<string>>>): DeriveNode {
  if (typeof columns !== 'object' || columns === null) throw new UsageError("withColumns takes an object of named expressions, e.g. { total: col('cost').add(col('fee')) }");
  const entries = Object.entries(columns).map(([name, e]) => {
    if (!COLUMN_NAME_PATTERN.test(name)) throw new UsageError(`'${name}' cannot name a column: use letters, digits and _ (not starting with a digit, at most 63 characters)`);
    if (!(e instanceof Expression)) throw new UsageError(`column '${name}' is not an expression: build it with col(...), e.g. col('cost').mul(2)`);
    return { name, expr: e.node };
  });
  if (entries.length === 0) throw new UsageError('withColumns needs at least one column');
  return { op: 'derive', input, columns: entries };
}

export function renameNode(input: TableNode, names: Readonly<Record<string, string>>): RenameNode {
  const entries = Object.entries(names ?? {});
  if (entries.length === 0) throw new UsageError("rename takes an object of old and new names, e.g. { age: 'age_years' }");
  for (const [from, to] of entries) {
    for (const n of [from, to]) if (typeof n !== 'string' || !COLUMN_NAME_PATTERN.test(n)) throw new UsageError(`${JSON.stringify(n)} is not a column name`);
  }
  return { op: 'rename', input, names: Object.fromEntries(entries) };
}

export function columnsBelow(node: DeriveNode | SelectNode | RenameNode, needed: readonly string[]): string[] {
  switch (node.op) {
    case 'derive': {
      const derived = new Map(node.columns.map((c) => [c.name, c.expr]));
      const out: string[] = [];
      for (const n of needed) {
        const e = derived.get(n);
        if (e) exprColumns(e, out);
        else if (!out.includes(n)) out.push(n);
      }
      // Every derived expression runs, so its columns are read even when its output is not needed.
      for (const c of node.columns) exprColumns(c.expr, out);
      return out;
    }
    case 'select': {
      const missing = needed.find((n) => !node.columns.includes(n));
      if (missing !== undefined) throw new UsageError(`column '${missing}' is not among the selected columns (${node.columns.join(', ')}); select it too`);
      return [...node.columns];
    }
    case 'rename': {
      const back = new Map(Object.entries(node.names).map(([from, to]) => [to, from]));
      return needed.map((n) => {
        if (Object.prototype.hasOwnProperty.call(node.names, n) && !back.has(n)) throw new UsageError(`column '${n}' was renamed to '${node.names[n]}'`);
        return back.get(n) ?? n;
      });
    }
  }
}
