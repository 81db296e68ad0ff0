/**
 * Type checking of a limit node (plan.ts LimitNode): the first `count` rows after `offset`.
 * The count and offset are public (in the plan), so the output's row bound is public too; which
 * rows were taken is secret when the input's validity is (ops/limit.ts moves invalid rows last
 * first, so the limit takes valid rows, and keeps their secret validity).
 */

import type { CheckedTable, Disclosure } from './check.js';
import type { LimitNode } from './plan.js';
import type { TableType } from './types.js';

export interface CheckedLimit {
  readonly op: 'limit';
  readonly path: string;
  readonly type: TableType;
  readonly input: CheckedTable;
  readonly count: number;
  readonly offset: number;
}

export function checkLimit(node: LimitNode, path: string, input: CheckedTable, disclosures: Disclosure[]): CheckedLimit {
  const offset = node.offset ?? 0;
  const maxRows = Math.min(node.count, Math.max(0, input.type.maxRows - offset));
  disclosures.push({ path, what: `nothing beyond the limit in the plan (at most ${node.count} rows${offset > 0 ? ` after skipping ${offset}` : ''}; with a secret validity column, which of them are valid stays secret)` });
  return { op: 'limit', path, type: { columns: input.type.columns, maxRows }, input, count: node.count, offset };
}
