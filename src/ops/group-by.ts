/**
 * group-by (and whole-table aggregates that need more than sums): the terms of every output
 * (plan/registry.ts) per group, by the method the checker chose (plan/check-group-by.ts):
 *
 * - one-hot: the rows' key index (ops/group-key.ts; rows that are not valid fall outside), then
 *   counts and all sums as inner products with its one-hot indicators (mpc/oblivious/one-hot.ts);
 *   min/max sort the rows by the index, scan each group (segmented-scan.ts) and pick each
 *   group's last row by a second one-hot pass. One row per key combination; nothing opened.
 * - sort: sort by the packed key, carrying the key columns and the term columns; one segmented
 *   scan for all terms; compaction keeps each group's last valid row (mpc/oblivious/
 *   compact.ts). Opens the number of groups; the groups come out in a random order.
 * - whole: sums (local when every row is valid, else inner products with the validity), and a
 *   tournament for min/max (mpc/oblivious/extremes.ts). One row.
 *
 * count_distinct (every method): ops/distinct-marks.ts marks the first row of each run of equal
 * (group, value) in an order sorted by (group index, value); the marks are summed like any sum:
 * whole, locally; one-hot, by indicators of the marks' own sorted index; sort, by the segmented
 * scan of the main sort, whose group boundaries sit at the same positions (both orders are
 * sorted by the same index).
 *
 * Terms: sums of rows, present bits, values and squares (squared by one batched multiplication),
 * and a pair's products over the rows where both are non-null (ops/pair-sums.ts);
 * min/max over non-null values: a null (and, in the whole-table case, a row that is not valid)
 * takes a sentinel one step outside the declared range, so it never wins; a group with no
 * non-null value gets present bit 0 ([count > 0], one batched comparison) and value 0.
 */

import { dot, dotPairs, mul } from '../mpc/protocols/arith.js';
import { lt } from '../mpc/protocols/compare.js';
import { bitInject } from '../mpc/protocols/convert.js';
import { sortByKey } from '../mpc/protocols/sort.js';
import { compact } from '../mpc/oblivious/compact.js';
import { columnExtremes } from '../mpc/oblivious/extremes.js';
import { groupFlags } from '../mpc/oblivious/group-flags.js';
import { groupByDomain } from '../mpc/oblivious/one-hot.js';
import type { ValueBounds } from '../mpc/oblivious/packed-sums.js';
import { segmentedScan, type ScanColumn } from '../mpc/oblivious/segmented-scan.js';
import { addConstA, publicA } from '../mpc/sharing.js';
import type { Session } from '../mpc/session.js';
import { AShare, addA, concatA, scaleA, splitA, subA, sumA } from '../mpc/shares.js';
import type { CheckedGroupBy } from '../plan/check-group-by.js';
import { bitLength } from '../plan/sort-layout.js';
import type { LinearTerm } from '../plan/registry.js';
import type { ColumnFacts } from '../plan/types.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../secret/secret-table.js';
import { columnSchemaOf } from './column-schema.js';
import { distinctMarks } from './distinct-marks.js';
import { groupIndex, keyValues } from './group-key.js';
import { columnsFromVectors, mapColumnVectors, tableVectors } from '../secret/column-vectors.js';
import { textRanks } from './text-rank.js';
import { pairVectors } from './pair-sums.js';
import { quantiles, type QuantileParts, type QuantileRequest } from './quantiles.js';

export interface Grouped {
  readonly table: SecretTable;
  /** The number of groups, when the method opens it (sort). */
  readonly groups?: number;
}

/** A sum over the rows of a group: of the rows themselves, or of a vector. */
type SumVector = 'rows' | AShare;

interface Extreme {
  readonly op: 'min' | 'max';
  /** Values with nulls at the sentinel. */
  readonly values: AShare;
  readonly sentinel: bigint;
  /** Counted to tell a group with no non-null value. */
  readonly presence: SumVector;
}

/** Per group: each sum, and each extreme with the count that says whether it exists. */
interface GroupResults {
  readonly groups: number;
  readonly sums: AShare[];
  readonly extremes: AShare[];
  readonly presence: AShare[];
  /** count_distinct per group, one per distinct term. */
  readonly distinct: AShare[];
  /** Key columns (sort path), carried from each group's last row. */
  readonly keys?: SecretColumn[];
  readonly opened?: number;
}

export async function groupBy(s: Session, node: CheckedGroupBy, table: SecretTable): Promise<Grouped> {
  const sums: SumVector[] = [];
  /** What each sum adds up lies in these bounds in every valid row (undefined: not known). */
  const sumBounds: (ValueBounds | undefined)[] = [];
  const extremes: Extreme[] = [];
  const distinct: ColumnFacts[] = [];
  const slots: { kind: 'sum' | 'extreme' | 'distinct' | 'quantile'; at: number; part?: keyof QuantileParts }[] = [];
  const quantileRequests: QuantileRequest[] = [];
  const squares = await squaredColumns(s, node, table);
  const pairs = await pairVectors(s, node.outputs, table);
  for (const [o, out] of node.outputs.entries()) {
    if (out.fraction !== undefined) quantileRequests.push({ column: out.column!, fraction: out.fraction });
    for (const term of out.terms) {
      if (term.of === 'quantile-lower' || term.of === 'quantile-upper' || term.of === 'quantile-fraction') {
        slots.push({ kind: 'quantile', at: quantileRequests.length - 1, part: term.part as keyof QuantileParts });
      } else if (term.of === 'min' || term.of === 'max') {
        slots.push({ kind: 'extreme', at: extremes.length });
        extremes.push(extremeOf(s, term.of, out.column!, table));
      } else if (pairs.has(o)) {
        slots.push({ kind: 'sum', at: sums.length });
        sums.push(pairs.get(o)!.get(term.of)!);
        sumBounds.push(undefined);
      } else if (term.of === 'distinct') {
        slots.push({ kind: 'distinct', at: distinct.length });
        distinct.push(out.column!);
      } else {
        slots.push({ kind: 'sum', at: sums.length });
        sums.push(sumVector(term, table, out.column?.name, squares));
        sumBounds.push(termBounds(term, out.column));
      }
    }
  }
  const method = node.group.method;
  const r = method === 'whole' ? await whole(s, table, sums, extremes, distinct) : method === 'one-hot' ? await oneHot(s, node, table, sums, sumBounds, extremes, distinct) : await sorted(s, node, table, sums, extremes, distinct);
  const finished = await finishExtremes(s, r);
  // Whole tables, or per group on the one-hot path (plan/check-group-by.ts refuses the sort path).
  const perGroup = method === 'one-hot' && quantileRequests.length > 0 ? { index: await groupIndex(s, node.group.keys, table, node.group.width), d: Number(node.group.width) } : undefined;
  const quantileParts = quantileRequests.length > 0 ? await quantiles(s, table, quantileRequests, perGroup) : [];
  const keyColumns = r.keys ?? publicKeys(s, node, r.groups);
  const facts = node.type.columns.slice(node.group.keys.length);
  const columns = [
    ...keyColumns,
    ...slots.map((slot, i): SecretColumn => {
      const schema = columnSchemaOf(facts[i]);
      if (slot.kind === 'sum') return { schema, values: r.sums[slot.at] };
      if (slot.kind === 'distinct') return { schema, values: r.distinct[slot.at] };
      if (slot.kind === 'quantile') {
        const q = quantileParts[slot.at];
        return slot.part === 'lower' ? { schema, values: q.lower, present: q.present } : { schema, values: q[slot.part!] };
      }
      return { schema, values: finished.values[slot.at], present: finished.present[slot.at] };
    }),
  ];
  const out = new SecretTable(r.groups, columns, ALL_VALID);
  return r.opened === undefined ? { table: out } : { table: out, groups: r.opened };
}

/**
 * x² of every column a squares term reads, by one batched multiplication. A whole table whose
 * rows are all valid only sums them (whole: sumA): there each column's entry is Σx² itself, one
 * element, by one inner product (arith.ts dot: the cross terms summed locally, one word
 * reshared per column instead of 8 bytes per row).
 */
async function squaredColumns(s: Session, node: CheckedGroupBy, table: SecretTable): Promise<Map<string, AShare>> {
  const names = [...new Set(node.outputs.filter((o) => o.terms.some((t) => t.of === 'squares')).map((o) => o.column!.name))];
  if (names.length === 0 || table.rows === 0) return new Map(names.map((n) => [n, AShare.zeros(table.rows)]));
  const columns = names.map((n) => table.column(n).values);
  if (node.group.method === 'whole' && table.validity.kind === 'all') {
    const totals = splitA(await dotPairs(s, columns, columns), names.map(() => 1));
    return new Map(names.map((n, i) => [n, totals[i]]));
  }
  const values = concatA(columns);
  const squared = splitA(await mul(s, values, values), names.map(() => table.rows));
  return new Map(names.map((n, i) => [n, squared[i]]));
}

function sumVector(term: LinearTerm, table: SecretTable, column: string | undefined, squares: ReadonlyMap<string, AShare>): SumVector {
  if (term.of === 'rows') return 'rows';
  const c = table.column(column!);
  if (term.of === 'values') return c.values;
  if (term.of === 'squares') return squares.get(c.schema.name)!;
  return c.present ?? 'rows';
}

/**
 * Bounds of a sum's term in a valid row (secret-table.ts invariants: declared ranges, a null's
 * value 0), which let the one-hot path pack several sums into one ring element.
 */
function termBounds(term: LinearTerm, column: ColumnFacts | undefined): ValueBounds | undefined {
  if (term.of === 'present') return { min: 0n, max: 1n };
  if (column === undefined) return undefined;
  const min = column.nullable && column.min > 0n ? 0n : column.min;
  const max = column.nullable && column.max < 0n ? 0n : column.max;
  if (term.of === 'values') return { min, max };
  if (term.of === 'squares') {
    const top = min * min > max * max ? min * min : max * max;
    return { min: 0n, max: top };
  }
  return undefined;
}

function extremeOf(s: Session, op: 'min' | 'max', column: ColumnFacts, table: SecretTable): Extreme {
  const c = table.column(column.name);
  const sentinel = op === 'min' ? column.max + 1n : column.min - 1n;
  // A null's value is 0: v + sentinel·(1 - present) puts it at the sentinel.
  const values = c.present ? addConstA(s.me, subA(c.values, scaleA(c.present, sentinel)), sentinel) : c.values;
  return { op, values, sentinel, presence: c.present ?? 'rows' };
}

async function whole(s: Session, table: SecretTable, sums: readonly SumVector[], extremes: readonly Extreme[], distinct: readonly ColumnFacts[]): Promise<GroupResults> {
  const n = table.rows;
  const vectors = [...sums, ...extremes.map((e) => e.presence)];
  let totals: AShare;
  if (table.validity.kind === 'all') {
    totals = concatA(vectors.map((v) => (v === 'rows' ? publicA(s.me, BigUint64Array.of(BigInt(n))) : sumA(v))));
  } else if (n === 0) {
    totals = AShare.zeros(vectors.length);
  } else {
    const validity = table.validity.share;
    totals = await dot(s, concatA(vectors.map(() => validity)), concatA(vectors.map((v) => (v === 'rows' ? validity : v))), n);
  }
  const all = splitA(totals, vectors.map(() => 1));
  let best: AShare[];
  if (extremes.length === 0) best = [];
  else if (n === 0) best = extremes.map((e) => publicA(s.me, BigUint64Array.of(BigInt.asUintN(64, e.sentinel))));
  else {
    let columns = extremes.map((e): ScanColumn => ({ values: e.values, op: e.op }));
    if (table.validity.kind === 'secret') {
      // Rows that are not valid take the sentinel: v + (1 - valid)·(sentinel - v).
      const gaps = extremes.map((e) => addConstA(s.me, scaleA(e.values, -1n), e.sentinel));
      const valid = table.validity.share;
      const kept = splitA(await mul(s, concatA(extremes.map(() => valid)), concatA(gaps)), extremes.map(() => n));
      columns = extremes.map((e, k) => ({ values: subA(addA(e.values, gaps[k]), kept[k]), op: e.op }));
    }
    best = splitA(await columnExtremes(s, columns), extremes.map(() => 1));
  }
  const marks = (await distinctMarks(s, distinct, table)).marks;
  return { groups: 1, sums: all.slice(0, sums.length), extremes: best, presence: all.slice(sums.length), distinct: marks.map((m) => sumA(m)) };
}

async function oneHot(s: Session, node: CheckedGroupBy, table: SecretTable, sums: readonly SumVector[], sumBounds: readonly (ValueBounds | undefined)[], extremes: readonly Extreme[], distinct: readonly ColumnFacts[]): Promise<GroupResults> {
  const d = Number(node.group.width);
  const index = await groupIndex(s, node.group.keys, table, node.group.width);
  const vectors = [...sums, ...extremes.map((e) => e.presence)];
  const bounds = [...sumBounds, ...extremes.map((): ValueBounds => ({ min: 0n, max: 1n }))].filter((_, i) => vectors[i] !== 'rows');
  const inner = vectors.filter((v): v is AShare => v !== 'rows');
  // All rows valid: every index is a declared level (groupIndex puts no row outside), and the
  // terms lie in their bounds, so sums may share ring elements; the index lies in [0, width]
  // (group-key.ts), so its bit decomposition runs on packed lanes.
  const g = await groupByDomain(s, index, d, inner, { inDomain: table.validity.kind === 'all', keyBits: bitLength(node.group.width), bounds });
  let k = 0;
  const all = vectors.map((v) => (v === 'rows' ? g.counts : g.sums[k++]));
  let best: AShare[] = [];
  if (extremes.length > 0) {
    if (table.rows === 0) best = extremes.map(() => AShare.zeros(d));
    else {
      // Each level's extreme sits on the last row of its run in index order; only that row keeps its index.
      const order = await sortByKey(s, index, extremes.map((e) => e.values), { keyBits: bitLength(node.group.width) });
      const flags = await groupFlags(s, order.key);
      const scanned = await segmentedScan(s, flags.continues, extremes.map((e, j) => ({ values: order.payload[j], op: e.op })));
      const lastIndex = addConstA(s.me, await mul(s, flags.last, addConstA(s.me, order.key, -node.group.width)), node.group.width);
      best = (await groupByDomain(s, lastIndex, d, scanned, { keyBits: bitLength(node.group.width) })).sums;
    }
  }
  let counted: AShare[] = [];
  if (distinct.length > 0) {
    if (table.rows === 0) counted = distinct.map(() => AShare.zeros(d));
    else {
      // The marks come in their own order, sorted by index: the indicators of that order's index count them.
      const m = await distinctMarks(s, distinct, table, { share: index, width: node.group.width });
      counted = (await groupByDomain(s, m.index!, d, m.marks)).sums;
    }
  }
  return { groups: d, sums: all.slice(0, sums.length), extremes: best, presence: all.slice(sums.length), distinct: counted };
}

async function sorted(s: Session, node: CheckedGroupBy, table: SecretTable, sums: readonly SumVector[], extremes: readonly Extreme[], distinct: readonly ColumnFacts[]): Promise<GroupResults> {
  const n = table.rows;
  const keyColumns = node.group.keys.map((k) => table.column(k.column.name));
  if (n === 0) {
    const none = () => AShare.zeros(0);
    return { groups: 0, sums: sums.map(none), extremes: extremes.map(none), presence: extremes.map(none), distinct: distinct.map(none), keys: keyColumns.map((c) => mapColumnVectors(c, none)), opened: 0 };
  }
  const index = await groupIndex(s, node.group.keys, table, node.group.width, await textKeyRanks(s, node, table));
  const valid = table.validity.kind === 'secret' ? table.validity.share : publicA(s.me, new BigUint64Array(n).fill(1n));
  const keyVectors = tableVectors(keyColumns);
  const vectors = [...sums, ...extremes.map((e) => e.presence)].map((v) => (v === 'rows' ? valid : v));
  // The index lies in [0, width] (width: the invalid rows): the comparisons cost its bits, not 64.
  const order = await sortByKey(s, index, [...keyVectors, valid, ...vectors, ...extremes.map((e) => e.values)], { keyBits: bitLength(node.group.width) });
  const p = order.payload;
  const sortedValid = p[keyVectors.length];
  const flags = await groupFlags(s, order.key);
  // The marks' order is sorted by the same index as `order`: a group's rows sit at the same positions in both.
  const marks = (await distinctMarks(s, distinct, table, { share: index, width: node.group.width })).marks;
  const scanned = await segmentedScan(s, flags.continues, [
    ...vectors.map((_, i): ScanColumn => ({ values: p[keyVectors.length + 1 + i], op: 'sum' })),
    ...marks.map((values): ScanColumn => ({ values, op: 'sum' })),
    ...extremes.map((e, j): ScanColumn => ({ values: p[keyVectors.length + 1 + vectors.length + j], op: e.op })),
  ]);
  // A group's last row holds its results; rows that are not valid form their own group, dropped here.
  const keep = table.validity.kind === 'secret' ? await mul(s, flags.last, sortedValid) : flags.last;
  const kept = await compact(s, [...p.slice(0, keyVectors.length), ...scanned], keep);
  const cols = kept.columns;
  const keys = columnsFromVectors(keyColumns, cols.slice(0, keyVectors.length));
  const results = cols.slice(keyVectors.length);
  return {
    groups: kept.count,
    sums: results.slice(0, sums.length),
    presence: results.slice(sums.length, vectors.length),
    distinct: results.slice(vectors.length, vectors.length + marks.length),
    extremes: results.slice(vectors.length + marks.length),
    keys,
    opened: kept.count,
  };
}

/** Each text key's dense rank (ops/text-rank.ts), by key name. */
async function textKeyRanks(s: Session, node: CheckedGroupBy, table: SecretTable): Promise<Map<string, AShare>> {
  const ranks = new Map<string, AShare>();
  for (const k of node.group.keys) if (k.ranked === true) ranks.set(k.column.name, await textRanks(s, table.column(k.column.name)));
  return ranks;
}

/** present = [count > 0] per group and extreme; value = present · extreme (0 where there is none). */
async function finishExtremes(s: Session, r: GroupResults): Promise<{ values: AShare[]; present: AShare[] }> {
  if (r.extremes.length === 0 || r.groups === 0) return { values: r.extremes, present: r.extremes.map(() => AShare.zeros(r.groups)) };
  const lengths = r.extremes.map(() => r.groups);
  const counts = concatA(r.presence);
  const present = await bitInject(s, await lt(s, AShare.zeros(counts.length), counts));
  const values = await mul(s, present, concatA(r.extremes));
  return { values: splitA(values, lengths), present: splitA(present, lengths) };
}

/** One-hot output: every key combination as public constants, in index order. */
function publicKeys(s: Session, node: CheckedGroupBy, groups: number): SecretColumn[] {
  const keys = node.group.keys;
  const rows = Array.from({ length: groups }, (_, r) => keyValues(keys, BigInt(r)));
  return keys.map((k, j): SecretColumn => {
    const schema = columnSchemaOf(k.column);
    const values = publicA(s.me, BigUint64Array.from(rows, (row) => BigInt.asUintN(64, row[j] ?? 0n)));
    if (!k.column.nullable) return { schema, values };
    return { schema, values, present: publicA(s.me, BigUint64Array.from(rows, (row) => (row[j] === null ? 0n : 1n))) };
  });
}
