/**
 * Checking a crosstab: counts per combination of two or more category or boolean columns (the
 * one-hot path of plan/check-group-by.ts, so nothing is revealed to the nodes), optionally with
 * small-cell suppression and margins.
 *
 * Suppression (`suppress_below: k`): a cell counting fewer than k rows opens as null; the
 * comparison and the multiplication by its result happen inside MPC, so the recipient learns
 * only that the cell is below k (0 included), never its count.
 *
 * Margins (`margins: true`, SQL's GROUP BY CUBE): a row per combination of levels and "all",
 * where "all" is null in that key's column. Margins are sums of the PUBLISHED cells (a suppressed
 * cell adds 0). Margins of the true counts would give a suppressed cell away by subtraction
 * whenever it is the only suppressed cell of its row or column (true margin − the published
 * cells); hiding it again needs secondary suppression, a data-dependent choice of more cells.
 * So a margin here is a lower bound of the true total, exact when nothing in it was suppressed,
 * and tells nothing the cells do not. Margins use null for "all", so their keys must not be
 * nullable (filter the nulls out first).
 */

import { PlanError } from '../errors.js';
import { groupKey, ONE_HOT_LIMIT, type GroupKey } from './check-group-by.js';
import type { CheckedTable, Disclosure } from './check.js';
import type { CrosstabNode } from './plan.js';
import { describeFacts, type ColumnFacts, type TableType } from './types.js';

/** The name of the count column of a crosstab. */
export const CROSSTAB_COUNT = 'count';

export interface CheckedCrosstab {
  readonly op: 'crosstab';
  readonly path: string;
  readonly input: CheckedTable;
  readonly keys: readonly GroupKey[];
  /** Cells: the product of the keys' levels. */
  readonly cells: number;
  readonly suppressBelow?: number;
  readonly margins: boolean;
  readonly type: TableType;
}

export function checkCrosstab(node: CrosstabNode, input: CheckedTable, path: string, disclosures: Disclosure[]): CheckedCrosstab {
  const keys = node.by.map((name, i) => {
    const at = `${path}/by/${i}`;
    const c = input.type.columns.find((x) => x.name === name);
    if (!c) throw new PlanError(at, `the input of this crosstab has no column '${name}' (it has ${input.type.columns.map((x) => x.name).join(', ') || 'no columns'})`);
    if (c.kind !== 'category' && c.kind !== 'boolean') throw new PlanError(at, `a crosstab counts combinations of category or boolean columns; '${name}' is a ${describeFacts(c)} column (group by it with an aggregate and 'by' instead)`);
    if (node.margins === true && c.nullable) throw new PlanError(at, `column '${name}' is nullable, and margins use null for "all"; filter out its nulls first, or ask without margins (then null is a level of its own)`);
    return groupKey(c, at);
  });
  if (keys.some((k) => k.column.name === CROSSTAB_COUNT)) throw new PlanError(`${path}/by`, `a key named '${CROSSTAB_COUNT}' collides with the crosstab's count column; rename it first`);
  const width = keys.reduce((w, k) => w * k.levels, 1n);
  if (width > BigInt(ONE_HOT_LIMIT)) {
    throw new PlanError(`${path}/by`, `the crosstab has ${width} cells (${keys.map((k) => `${k.column.name}: ${k.levels}`).join(' × ')}), more than the ${ONE_HOT_LIMIT} it can count without revealing anything; cross fewer or smaller columns, or group by them with an aggregate and 'by' (which reveals the number of groups)`);
  }
  const margins = node.margins === true;
  const rows = margins ? keys.reduce((w, k) => w * (Number(k.levels) + 1), 1) : Number(width);
  const k = node.suppress_below;
  const count: ColumnFacts = {
    name: CROSSTAB_COUNT, kind: 'integer', scale: 0, min: 0n, max: BigInt(input.type.maxRows), nullable: k !== undefined,
    aggregate: { output: CROSSTAB_COUNT, fn: 'count', part: 'count' },
  };
  const keyFacts = keys.map((key) => (margins ? { ...key.column, nullable: true } : key.column));
  disclosures.push({
    path,
    what: `nothing to the nodes (one-hot over ${width} cells)${k !== undefined ? `; the recipient sees which cells count fewer than ${k} rows (opened as null), not their counts` : ''}${margins ? `; margins are sums of the ${k !== undefined ? 'published ' : ''}cells` : ''}`,
  });
  return { op: 'crosstab', path, input, keys, cells: Number(width), ...(k !== undefined ? { suppressBelow: k } : {}), margins, type: { columns: [...keyFacts, count], maxRows: rows } };
}
