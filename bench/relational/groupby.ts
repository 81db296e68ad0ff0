/**
 * The group-by and crosstab cases of the relational suite (issue 9), each: a deterministic data
 * generator, the plan, and the DuckDB SQL whose answer the opened result is checked against.
 *
 *   groupby_category  1M rows, a category of 100 levels, count + sum + mean (one-hot: nothing revealed)
 *   groupby_key       1M rows, an integer key of ~100K distinct 40-bit values, count + sum
 *                     (sort + segmented scan: the number of groups revealed)
 *   crosstab          1M rows, 10 × 10 categories, margins, cells below 5 suppressed
 *                     (10 cells hold 3 rows each, so suppression has something to do)
 *
 * `groupbyOps` runs the operator alone (ops level, shares dealt before the clock starts), for
 * bench/relational/groupby-ops.ts; the suite runs the plans end to end over TLS.
 *
 * Result checks (`expected`): one-hot outputs every combination (groups of no rows included,
 * count 0); DuckDB's GROUP BY only the groups with rows, so a missing group is a count of 0.
 * Group-by-key rows come in a random order: compare by key.
 */

import { input, open } from '../../src/mpc/protocols/io.js';
import type { Session } from '../../src/mpc/session.js';
import type { AShare } from '../../src/mpc/shares.js';
import { crosstab } from '../../src/ops/crosstab.js';
import { groupBy } from '../../src/ops/group-by.js';
import { openFor, scanOf } from '../../src/plan/build.js';
import { checkCrosstab } from '../../src/plan/check-crosstab.js';
import { checkGroupBy } from '../../src/plan/check-group-by.js';
import type { CheckedScan } from '../../src/plan/check.js';
import type { AggregateNode, CrosstabNode, Plan } from '../../src/plan/plan.js';
import { tableType } from '../../src/plan/types.js';
import { ALL_VALID, SecretTable, type SecretColumn } from '../../src/secret/secret-table.js';
import { parseSchema, type TableSchemaJson } from '../../src/table/schema.js';
import type { RepFigures } from '../primitive-jobs.js';

export const GROUPBY_OPS = ['groupby_category', 'groupby_key', 'crosstab'] as const;
export type GroupbyOp = (typeof GROUPBY_OPS)[number];

/** A generated table: its schema and its columns in stored units (categories as dictionary indices). */
export interface CaseTable {
  readonly name: string;
  readonly schema: TableSchemaJson;
  readonly columns: Record<string, BigUint64Array>;
  /** The same rows as text cells (category words), for an upload or a DuckDB table. */
  cell(column: string, row: number): string;
}

export interface RelationalCase {
  readonly op: GroupbyOp;
  readonly rows: number;
  readonly table: CaseTable;
  readonly plan: (to: readonly string[]) => Plan;
  /** Over a DuckDB table named like `table.name` with the same rows; the output columns as the plan's. */
  readonly sql: string;
}

const words = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);
const REGIONS = words('r', 100);
const A = words('a', 10), B = words('b', 10);

/** xorshift64*: deterministic data for every run and every party. */
function rng(seed: bigint): () => bigint {
  let x = seed;
  return () => {
    x ^= x >> 12n; x ^= BigInt.asUintN(64, x << 25n); x ^= x >> 27n;
    return BigInt.asUintN(64, x * 0x2545f4914f6cdd1dn);
  };
}

export function relationalCase(op: GroupbyOp, rows = 1_000_000): RelationalCase {
  const next = rng(0x9e3779b97f4a7c15n ^ BigInt(rows));
  const below = (n: bigint) => next() % n;
  if (op === 'groupby_category') {
    const region = new BigUint64Array(rows), amount = new BigUint64Array(rows), age = new BigUint64Array(rows);
    for (let i = 0; i < rows; i++) { region[i] = below(100n); amount[i] = below(100_001n); age[i] = below(121n); }
    const schema: TableSchemaJson = { version: 1, columns: [
      { name: 'region', nullable: false, type: 'category', dictionary: REGIONS },
      { name: 'amount', nullable: false, type: 'integer', min: '0', max: '100000' },
      { name: 'age', nullable: false, type: 'integer', min: '0', max: '120' },
    ] };
    const columns = { region, amount, age };
    const node: AggregateNode = { op: 'aggregate', input: scanOf('sales'), by: ['region'], aggregates: [{ name: 'n', fn: 'count' }, { name: 'total', fn: 'sum', column: 'amount' }, { name: 'avg_age', fn: 'mean', column: 'age' }] };
    return { op, rows, table: caseTable('sales', schema, columns, { region: REGIONS }), plan: (to) => openFor(node, to), sql: 'SELECT region, count(*) AS n, sum(amount) AS total, avg(age) AS avg_age FROM sales GROUP BY region ORDER BY region' };
  }
  if (op === 'groupby_key') {
    const groups = Math.max(1, Math.floor(rows / 10));
    const ids = Array.from({ length: groups }, () => below(1n << 40n));
    const customer = new BigUint64Array(rows), amount = new BigUint64Array(rows);
    for (let i = 0; i < rows; i++) { customer[i] = ids[Number(below(BigInt(groups)))]; amount[i] = below(100_001n); }
    const schema: TableSchemaJson = { version: 1, columns: [
      { name: 'customer', nullable: false, type: 'integer', min: '0', max: String((1n << 40n) - 1n) },
      { name: 'amount', nullable: false, type: 'integer', min: '0', max: '100000' },
    ] };
    const node: AggregateNode = { op: 'aggregate', input: scanOf('purchases'), by: ['customer'], aggregates: [{ name: 'n', fn: 'count' }, { name: 'total', fn: 'sum', column: 'amount' }] };
    return { op, rows, table: caseTable('purchases', schema, { customer, amount }, {}), plan: (to) => openFor(node, to), sql: 'SELECT customer, count(*) AS n, sum(amount) AS total FROM purchases GROUP BY customer ORDER BY customer' };
  }
  const a = new BigUint64Array(rows), b = new BigUint64Array(rows);
  for (let i = 0; i < rows; i++) {
    // The first 30 rows fill the cells (a09, b00..b09) with 3 rows each; no other row uses a09.
    if (i < 30) { a[i] = 9n; b[i] = BigInt(i % 10); } else { a[i] = below(9n); b[i] = below(10n); }
  }
  const schema: TableSchemaJson = { version: 1, columns: [
    { name: 'a', nullable: false, type: 'category', dictionary: A },
    { name: 'b', nullable: false, type: 'category', dictionary: B },
  ] };
  const node: CrosstabNode = { op: 'crosstab', input: scanOf('survey'), by: ['a', 'b'], suppress_below: 5, margins: true };
  return {
    op, rows, table: caseTable('survey', schema, { a, b }, { a: A, b: B }), plan: (to) => openFor(node, to),
    // Margins add up the published cells (a suppressed cell adds 0); a cell below 5 is null.
    sql: `WITH cells AS (SELECT a, b, count(*) AS n FROM survey GROUP BY a, b),
               pub AS (SELECT a, b, n, CASE WHEN n < 5 THEN 0 ELSE n END AS p FROM cells)
          SELECT a, b, CASE WHEN grouping(a) + grouping(b) = 0 AND max(n) < 5 THEN NULL ELSE sum(p) END AS count
          FROM pub GROUP BY CUBE (a, b) ORDER BY a NULLS LAST, b NULLS LAST`,
  };
}

function caseTable(name: string, schema: TableSchemaJson, columns: Record<string, BigUint64Array>, dictionaries: Record<string, readonly string[]>): CaseTable {
  return { name, schema, columns, cell: (c, r) => (dictionaries[c] ? dictionaries[c][Number(columns[c][r])] : columns[c][r].toString()) };
}

export interface GroupbyArgs {
  readonly op: GroupbyOp;
  readonly rows: number;
  readonly reps: number;
}

/** The operator alone at each party: data generated by party 0 and shared before the clock starts. */
export async function groupbyOps(s: Session, args: GroupbyArgs): Promise<(RepFigures & { groups?: number })[]> {
  const c = relationalCase(args.op, args.rows);
  const schema = parseSchema(c.table.schema);
  const cols: SecretColumn[] = [];
  for (const col of schema.columns) cols.push({ schema: col, values: await input(s, 0, s.me === 0 ? c.table.columns[col.name] : args.rows) as AShare });
  const table = new SecretTable(args.rows, cols, ALL_VALID);
  const scan: CheckedScan = { op: 'scan', path: '/root/input/input', table: { name: c.table.name, kind: 'table', schema, rows: args.rows }, columns: schema.columns.map((x) => x.name), type: tableType(schema, args.rows) };
  const node = c.plan(['bench']).root.input;
  const out: (RepFigures & { groups?: number })[] = [];
  for (let r = 0; r < args.reps; r++) {
    await open(s, cols[0].values.slice(0, 1));
    const bytes0 = s.stats.bytesSent, rounds0 = s.stats.rounds;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let groups: number | undefined;
    if (node.op === 'crosstab') await crosstab(s, checkCrosstab(node, scan, '/root/input', []), table);
    else if (node.op === 'aggregate') groups = (await groupBy(s, checkGroupBy(node, scan, '/root/input', []), table)).groups;
    const cpu = process.cpuUsage(c0);
    out.push({ seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, bytes: s.stats.bytesSent - bytes0, rounds: s.stats.rounds - rounds0, ...(groups !== undefined ? { groups } : {}) });
  }
  return out;
}
