/**
 * The group-by and crosstab cases (bench/relational/groupby.ts: data, plans, DuckDB SQL) as cases
 * of the relational suite (case.ts): their tables as CSV rows, and the checks of the opened table
 * against DuckDB's rows. One-hot outputs every combination of the keys, DuckDB's GROUP BY only
 * those with rows, so a combination DuckDB lacks must open with count 0; the sort path's rows
 * come in a random order, so rows are matched by key; a crosstab's margins (null keys) are sums
 * of the published cells, as DuckDB's CUBE over the published counts computes them.
 */

import type { ResultCell } from '../../src/client/result.js';
import { duckNumber, type BenchTable, type RelationalCase } from './case.js';
import { relationalCase, type GroupbyOp } from './groupby.js';

const WHY = {
  groupby_category: 'CPU: one-hot in two indicator fields (13 x 8 levels): 26 words of 8 bytes per row, the floor of this protocol (19 bit injections, 7 multiplications: amount and age packed in one word, the last low value\'s products derived), ~1.4 ns of TLS per byte, 132 inner-product terms per row (wasm kernel), first touch of the blocks\' working memory; three parties share two cores',
  groupby_key: 'CPU: a sort of 1M (group index, row index) words carrying the aggregated columns (~20 opened comparisons per row, most of the bytes), then the group flags, a work-efficient segmented scan and the compaction; three parties share two cores',
  crosstab: 'CPU: one-hot in two indicator fields (19 bit injections per row, most of the bytes; the cell index decomposed on 8-bit lanes; 36 inner-product terms per row in the wasm kernel, three counts per word), first touch of fresh memory; three parties share two cores',
} as const;

const DESCRIPTIONS = {
  groupby_category: 'group by a category of 100 levels: count, sum, mean (one-hot, nothing revealed)',
  groupby_key: 'group by an integer key with ~rows/10 groups: count, sum (sort; number of groups revealed)',
  crosstab: 'crosstab 10 x 10 with margins, cells below 5 suppressed inside MPC',
} as const;

const TARGETS = { groupby_category: 2, groupby_key: 20, crosstab: 2 } as const;

function table(op: GroupbyOp, rows: number): BenchTable {
  const t = relationalCase(op, rows).table;
  const names = t.schema.columns.map((c) => c.name);
  return {
    name: t.name,
    schema: t.schema,
    duckdb: t.schema.columns.map((c) => (c.type === 'category' ? 'VARCHAR' : 'BIGINT')),
    rows,
    row: (i) => names.map((n) => t.cell(n, i)),
  };
}

const key = (cells: readonly unknown[]): string => JSON.stringify(cells.map((c) => (c === null || c === undefined ? null : String(c))));

/** Compares `columns` of the opened rows with DuckDB's rows (same column order), by the first `keys` columns. */
function compareByKey(rows: readonly Readonly<Record<string, ResultCell>>[], duck: readonly (readonly unknown[])[], columns: readonly string[], keys: number, absentIsZero: boolean): string | undefined {
  const want = new Map(duck.map((r) => [key(r.slice(0, keys)), r]));
  for (const row of rows) {
    const k = key(columns.slice(0, keys).map((c) => row[c]));
    const d = want.get(k);
    if (!d) {
      if (absentIsZero && Number(row[columns[keys]]) === 0) continue;
      return `the opened group ${k} is not in DuckDB's answer`;
    }
    want.delete(k);
    for (let c = keys; c < columns.length; c++) {
      const got = row[columns[c]], expected = d[c];
      if (expected === null || got === null) {
        if (expected !== got) return `group ${k}, ${columns[c]}: opened ${String(got)}, DuckDB ${String(expected)}`;
        continue;
      }
      const g = Number(got), e = duckNumber(expected);
      if (!(Math.abs(g - e) <= 1e-9 * Math.max(1, Math.abs(e)))) return `group ${k}, ${columns[c]}: opened ${g}, DuckDB ${e}`;
    }
  }
  return want.size === 0 ? undefined : `${want.size} of DuckDB's groups did not open (e.g. ${[...want.keys()][0]})`;
}

function groupbyCase(op: GroupbyOp): RelationalCase {
  const plain = relationalCase(op, 1);
  const columns = op === 'groupby_category' ? ['region', 'n', 'total', 'avg_age'] : op === 'groupby_key' ? ['customer', 'n', 'total'] : ['a', 'b', 'count'];
  const keys = op === 'crosstab' ? 2 : 1;
  return {
    op,
    description: DESCRIPTIONS[op],
    target: TARGETS[op],
    why: WHY[op],
    tables: (rows) => [table(op, rows)],
    plan: (recipient) => plain.plan([recipient]),
    sql: plain.sql,
    verify: (result, duckdb) => compareByKey(result.table.rows, duckdb, columns, keys, op !== 'crosstab'),
  };
}

export const groupbyCategoryCase = groupbyCase('groupby_category');
export const groupbyKeyCase = groupbyCase('groupby_key');
export const crosstabCase = groupbyCase('crosstab');
