/**
 * Type checking of a rank node (plan.ts RankNode). The ranked column is an integer, decimal,
 * boolean or date column whose declared range lies inside [−2^62, 2^62) (the same bound as min
 * and max: the sort key and every difference stay exact). The outputs:
 *
 *   as     decimal of scale 1 (an average rank is a whole or half number), [1, rows], nullable
 *          where the ranked column is (a null has no rank)
 *   ties   integer [0, rows² − 1]: t² − 1 for a row in a run of t equal values (their sum is
 *          Σ(t³ − t)); refused when rows² would leave ±(2^62 − 1)
 *
 * Both names must be new. Rows come out in the order of the column (ascending, nulls and rows
 * that are not valid last); the validity stays secret if it was.
 */

import { PlanError } from '../errors.js';
import type { CheckedTable, Disclosure } from './check.js';
import { EXTREME_LIMIT } from './functions/extreme.js';
import type { RankNode } from './plan.js';
import { describeFacts, type ColumnFacts, type TableType } from './types.js';

export interface CheckedRank {
  readonly op: 'rank';
  readonly path: string;
  readonly type: TableType;
  readonly input: CheckedTable;
  readonly column: ColumnFacts;
  readonly as: ColumnFacts;
  readonly ties?: ColumnFacts;
}

const RANKABLE = ['integer', 'decimal', 'boolean', 'date'];
const VALUE_LIMIT = (1n << 62n) - 1n;

export function checkRank(node: RankNode, path: string, input: CheckedTable, disclosures: Disclosure[]): CheckedRank {
  const columns = input.type.columns;
  const column = columns.find((c) => c.name === node.column);
  if (!column) throw new PlanError(`${path}/column`, `the input of this rank has no column '${node.column}' (it has ${columns.map((c) => c.name).join(', ') || 'no columns'})`);
  if (!RANKABLE.includes(column.kind)) throw new PlanError(`${path}/column`, `cannot rank column '${column.name}': it is a ${describeFacts(column)} column (ranks order integer, decimal, boolean and date columns)`);
  if (column.min < -EXTREME_LIMIT || column.max >= EXTREME_LIMIT) throw new PlanError(`${path}/column`, `cannot rank column '${column.name}': its declared range [${column.min}, ${column.max}] (stored units) exceeds [-2^62, 2^62 - 1]; declare a narrower range`);
  for (const [field, name] of [['as', node.as], ['ties', node.ties]] as const) {
    if (name !== undefined && columns.some((c) => c.name === name)) throw new PlanError(`${path}/${field}`, `the input already has a column '${name}': name the ${field === 'as' ? 'rank' : 'ties'} column differently`);
  }
  const rows = BigInt(input.type.maxRows);
  const as: ColumnFacts = { name: node.as, kind: 'decimal', scale: 1, min: rows === 0n ? 0n : 10n, max: 10n * rows, nullable: column.nullable };
  let ties: ColumnFacts | undefined;
  if (node.ties !== undefined) {
    if (rows * rows - 1n > VALUE_LIMIT) throw new PlanError(`${path}/ties`, `a tie term t² − 1 over up to ${rows} rows could exceed 2^62 − 1; rank fewer rows at a time`);
    ties = { name: node.ties, kind: 'integer', scale: 0, min: 0n, max: rows === 0n ? 0n : rows * rows - 1n, nullable: column.nullable };
  }
  disclosures.push({ path, what: `nothing (a secret sort by '${column.name}' and scans over its runs of equal values)` });
  return { op: 'rank', path, input, column, as, ...(ties ? { ties } : {}), type: { columns: [...columns, as, ...(ties ? [ties] : [])], maxRows: input.type.maxRows } };
}
