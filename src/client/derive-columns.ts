/**
 * Which input columns a derive, select or rename needs for the columns asked of it, so frames
 * can narrow the scans below (client/frame.ts readColumns).
 */

import { UsageError } from '../errors.js';
import type { DeriveNode, RenameNode, SelectNode } from '../plan/plan.js';
import { exprColumns } from './expr.js';

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
