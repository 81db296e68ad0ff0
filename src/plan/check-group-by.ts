/**
 * Checking an aggregate with `by` keys (a group-by), and an aggregate of the whole table whose
 * functions need the group kernels (min, max, var, std). Chooses how it runs:
 *
 * - one-hot, when the keys' public domains multiply to at most ONE_HOT_LIMIT combinations: every
 *   row's combination is a secret index (mixed radix: the first key varies slowest), and counts
 *   and sums are inner products with its one-hot indicators (mpc/oblivious/one-hot.ts). Reveals
 *   nothing. The output has one row per combination of the declared values, in that order, so
 *   groups of no rows appear (count 0, sums 0, min/max/mean/var null).
 * - sort, otherwise: the combination packed into one integer key (it must fit 63 bits), then sort
 *   and segmented scans (mpc/oblivious/group-by-key.ts). Reveals the number of groups; the output
 *   has one row per group that has rows, in a random order.
 * - whole, without keys: one row.
 *
 * A key's domain: a category's dictionary, a boolean's 2 values, an integer's or date's declared
 * range (max - min + 1), an identifier's 2^62 hashes; a nullable key adds one level for null
 * (nulls form one group, as in SQL). Decimal keys are refused (group by a rounded integer). A
 * text key always takes the sort path: a text of one word (maxBytes ≤ 7) is its word, 2^56
 * levels, when the keys still pack; any other text key goes by its dense rank among the input's
 * rows (ops/text-rank.ts): as many levels as the input has rows at most, nulls one of them.
 */

import { PlanError } from '../errors.js';
import { termColumn } from './aggregate-columns.js';
import { checkFraction } from './check-fraction.js';
import { checkOther } from './check-pair.js';
import type { CheckedOutput, CheckedTable, Disclosure } from './check.js';
import type { AggregateNode } from './plan.js';
import { findAggregate, isLinearTerm } from './registry.js';
import { describeFacts, type ColumnFacts, type TableType } from './types.js';
import { textWordCount } from '../table/types/text.js';

/**
 * The largest number of key combinations grouped by one-hot indicators. One-hot costs about
 * 8 bytes per row and combination (one injected indicator each) and reveals nothing; sorting
 * costs about 40·log2(rows) bytes per row whatever the keys and reveals the number of groups.
 * At 256 combinations one-hot is still cheaper than sorting a million rows, and the output (one
 * row per combination) stays small enough to read.
 */
export const ONE_HOT_LIMIT = 256;
/** Packed sort keys and their sentinel for invalid rows must be signed 64-bit values. */
const PACKED_LIMIT = (1n << 63n) - 1n;

export type GroupMethod = 'one-hot' | 'sort' | 'whole';

export interface GroupKey {
  readonly column: ColumnFacts;
  /** Levels: declared values, plus one (the last) for null when the column is nullable. */
  readonly levels: bigint;
  /** A text key grouped by its dense rank (ops/text-rank.ts); its levels are the input's rows. */
  readonly ranked?: boolean;
}

export interface GroupPlan {
  readonly method: GroupMethod;
  readonly keys: readonly GroupKey[];
  /** The number of key combinations (1 without keys). */
  readonly width: bigint;
}

/** An aggregate node the group kernels run (op 'group-by' among the checked nodes; 'aggregate' with `by` in the plan). */
export interface CheckedGroupBy {
  readonly op: 'group-by';
  readonly path: string;
  readonly input: CheckedTable;
  readonly outputs: readonly CheckedOutput[];
  readonly group: GroupPlan;
  readonly type: TableType;
}

const GROUPABLE = ['category', 'boolean', 'integer', 'date', 'identifier'];

/** Whether an aggregate node needs this checker (keys, or a function that is not a plain sum). */
export function needsGroupKernel(node: AggregateNode): boolean {
  return node.by !== undefined || node.aggregates.some((a) => findAggregate(a.fn)?.terms(undefined).some((t) => !isLinearTerm(t)) ?? false);
}

/** A key column's levels, or a refusal naming `at` when it cannot be grouped by. */
export function groupKey(c: ColumnFacts, at: string): GroupKey {
  if (!GROUPABLE.includes(c.kind)) {
    throw new PlanError(at, `cannot group by column '${c.name}': it is a ${describeFacts(c)} column (keys are category, boolean, integer, date or identifier columns); group by an integer column instead`);
  }
  return { column: c, levels: c.max - c.min + 1n + (c.nullable ? 1n : 0n) };
}

/** A text key: its one word as it is (unless `rank`), or its dense rank among `rows` rows. */
function textKey(c: ColumnFacts, rank: boolean, rows: number): GroupKey {
  if (!rank && textWordCount(c.maxBytes ?? 0) === 1) return { column: c, levels: c.max - c.min + 1n + (c.nullable ? 1n : 0n) };
  return { column: c, levels: BigInt(Math.max(1, rows)), ranked: true };
}

export function checkGroupBy(node: AggregateNode, input: CheckedTable, path: string, disclosures: Disclosure[]): CheckedGroupBy {
  const by = node.by ?? [];
  const keys = by.map((name, i) => {
    const c = input.type.columns.find((x) => x.name === name);
    if (!c) throw new PlanError(`${path}/by/${i}`, `the input of this group-by has no column '${name}' (it has ${input.type.columns.map((x) => x.name).join(', ') || 'no columns'})`);
    return c.kind === 'text' ? textKey(c, false, input.type.maxRows) : groupKey(c, `${path}/by/${i}`);
  });
  let width = keys.reduce((w, k) => w * k.levels, 1n);
  if (width >= PACKED_LIMIT && keys.some((k) => k.column.kind === 'text' && !k.ranked)) {
    // One-word text keys did not pack with the others: rank them too (n levels each).
    keys.splice(0, keys.length, ...keys.map((k) => (k.column.kind === 'text' ? textKey(k.column, true, input.type.maxRows) : k)));
    width = keys.reduce((w, k) => w * k.levels, 1n);
  }
  const text = keys.some((k) => k.column.kind === 'text');
  const method: GroupMethod = keys.length === 0 ? 'whole' : width <= BigInt(ONE_HOT_LIMIT) && !text ? 'one-hot' : 'sort';
  if (method === 'sort' && width >= PACKED_LIMIT) {
    throw new PlanError(`${path}/by`, `the keys (${keys.map((k) => `${k.column.name}: ${k.levels} levels`).join(', ')}) have ${width} combinations, more than one 63-bit sort key holds; group by fewer or narrower keys (declare narrower ranges), or by one identifier column`);
  }
  const outputs = node.aggregates.map((spec, i): CheckedOutput => {
    const at = `${path}/aggregates/${i}`;
    if (by.includes(spec.name)) throw new PlanError(`${at}/name`, `output '${spec.name}' has the name of a key column; name it differently`);
    const fn = findAggregate(spec.fn);
    if (!fn) throw new PlanError(`${at}/fn`, `unknown aggregate '${spec.fn}'`);
    if (fn.column === 'required' && spec.column === undefined) throw new PlanError(`${at}/column`, `${fn.name} needs a column`);
    if (fn.column === 'none' && spec.column !== undefined) throw new PlanError(`${at}/column`, `${fn.name} takes no column`);
    let column: ColumnFacts | undefined;
    if (spec.column !== undefined) {
      column = input.type.columns.find((c) => c.name === spec.column);
      if (!column) throw new PlanError(`${at}/column`, `the input of this aggregate has no column '${spec.column}' (it has ${input.type.columns.map((c) => c.name).join(', ') || 'no columns'})`);
      const refusal = fn.typeRule(column);
      if (refusal !== undefined) throw new PlanError(`${at}/column`, refusal);
    }
    const fraction = checkFraction(fn, spec, at);
    if (fraction !== undefined && column !== undefined) checkGroupedQuantile(fn.name, column, method, width, input.type.maxRows, at);
    const other = checkOther(fn, spec, input.type.columns, at);
    const terms = fn.terms(column);
    return { name: spec.name, fn, ...(column ? { column } : {}), terms, ...(fraction !== undefined ? { fraction } : {}), ...(other ? { other } : {}) };
  });
  const columns = [
    ...keys.map((k) => k.column),
    ...outputs.flatMap((o, i) => o.terms.map((t) => termColumn(o.name, o.fn, o.terms, t, o.column, input.type.maxRows, `${path}/aggregates/${i}`, o.other))),
  ];
  const maxRows = method === 'whole' ? 1 : method === 'one-hot' ? Number(width) : input.type.maxRows;
  disclosures.push({
    path,
    what: method === 'sort'
      ? `the number of groups (opened; sort and segmented scan because the keys have ${width} combinations, more than the ${ONE_HOT_LIMIT} of the one-hot path); the groups come out in a random order`
      : method === 'one-hot'
        ? `nothing (one-hot over the ${width} combinations of the keys' declared values: one row each, also for groups of no rows)`
        : 'nothing (one row)',
  });
  return { op: 'group-by', path, input, outputs, group: { method, keys, width }, type: { columns, maxRows } };
}

/**
 * Quantiles per group run on the one-hot path only (ops/quantiles.ts): one comparison per row,
 * group and quantile, so rows × combinations is bounded; the sort key (group, value) must fit.
 */
export const QUANTILE_GROUP_CELLS = 1 << 25;

function checkGroupedQuantile(fn: string, column: ColumnFacts, method: GroupMethod, width: bigint, rows: number, at: string): void {
  if (method === 'whole') return;
  if (method === 'sort') throw new PlanError(`${at}/fn`, `${fn} per group needs the one-hot path (keys of at most ${ONE_HOT_LIMIT} combinations); these keys have ${width}: group by fewer or narrower keys, or filter to one group at a time`);
  if (width * BigInt(rows) > BigInt(QUANTILE_GROUP_CELLS)) throw new PlanError(`${at}/fn`, `${fn} per group compares every row with every group: ${width} groups × ${rows} rows is more than ${QUANTILE_GROUP_CELLS}; group by fewer keys or filter first`);
  if ((width + 1n) * (column.max - column.min + 1n) >= PACKED_LIMIT) throw new PlanError(`${at}/column`, `${fn} per group sorts by (group, value): ${width} groups × the ${column.max - column.min + 1n} values of '${column.name}' do not fit one 63-bit key; declare a narrower range`);
}
