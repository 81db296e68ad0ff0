/**
 * join: primary key to foreign key, rows × rows, 2 payload columns on each side, inner join with
 * the output row count revealed, then count and one sum per payload column (so every payload
 * column is carried through the join and checked). Issue 9 target: 30 s at 1M × 1M (Virtual
 * Data Lake: 69 s).
 *
 *   SELECT count(*), sum(o.amount), sum(o.qty), sum(c.age), sum(c.score)
 *     FROM orders o JOIN customers c ON o.customer_id = c.id
 *
 * customers.id is 0..rows-1 (unique: the primary key); orders.customer_id is spread over
 * [0, 1.1 rows), so about 90% of the orders find their customer. Deterministic in the row number.
 *
 * The case has the shape of the relational suite's RelationalCase (bench/relational/case.ts on
 * the suite's branch); the types are repeated here so this file stands alone until that lands.
 */

import type { QueryResult } from '../../src/client/result.js';
import { aggregateOf, openFor, scanOf } from '../../src/plan/build.js';
import type { Plan } from '../../src/plan/plan.js';
import type { TableSchemaJson } from '../../src/table/schema.js';

export interface JoinBenchTable {
  readonly name: string;
  readonly schema: TableSchemaJson;
  readonly duckdb: readonly string[];
  readonly rows: number;
  row(i: number): readonly string[];
}

const int = (name: string, max: number) => ({ name, nullable: false, type: 'integer' as const, min: '0', max: String(max) });

export function joinTables(rows: number): JoinBenchTable[] {
  const span = Math.ceil(rows * 1.1);
  return [
    {
      name: 'customers',
      rows,
      schema: { version: 1, columns: [int('id', span), int('age', 120), { name: 'score', nullable: false, type: 'decimal' as const, scale: 2, min: '0', max: '100' }] },
      duckdb: ['BIGINT', 'INTEGER', 'DECIMAL(10,2)'],
      row: (i) => [String(i), String((i * 37) % 121), `${(i * 7) % 100}.${String((i * 13) % 100).padStart(2, '0')}`],
    },
    {
      name: 'orders',
      rows,
      schema: { version: 1, columns: [int('customer_id', span), int('amount', 1000), int('qty', 50)] },
      duckdb: ['BIGINT', 'INTEGER', 'INTEGER'],
      row: (i) => [String(Number((BigInt(i) * 2654435761n) % BigInt(span))), String((i * 101) % 1001), String((i * 3) % 51)],
    },
  ];
}

export const joinCase = {
  op: 'join',
  description: 'primary key to foreign key, rows x rows, 2 payload columns each side, inner, count revealed',
  target: 30,
  why: 'the sort of 2 x rows stacked rows dominates: ~21 opened comparisons per row of key and row index packed in one 42-bit word (a 32-bit beside a 16-bit carry tree: ~18 bytes per comparison, ~380 bytes per stacked row), then the compaction (~104), the shuffle (~112) and the key decomposition on 32-bit lanes (~41); CPU-bound (three parties share two cores; collecting fresh share vectors is ~20% of a node), TLS encryption included (docs/benchmarks.md: where the bytes went, branch s6-join)',
  tables: joinTables,
  plan: (recipient: string): Plan =>
    openFor(
      aggregateOf(
        { op: 'join', left: scanOf('orders', ['customer_id', 'amount', 'qty']), right: scanOf('customers', ['id', 'age', 'score']), on: [{ left: 'customer_id', right: 'id' }], how: 'inner', kind: 'many-to-one' },
        [{ name: 'n', fn: 'count' }, { name: 'amount', fn: 'sum', column: 'amount' }, { name: 'qty', fn: 'sum', column: 'qty' }, { name: 'age', fn: 'sum', column: 'age' }, { name: 'score', fn: 'sum', column: 'score' }],
      ),
      [recipient],
    ),
  sql: 'SELECT count(*), sum(o.amount), sum(o.qty), sum(c.age), sum(c.score) FROM orders o JOIN customers c ON o.customer_id = c.id',
  verify(result: QueryResult, duckdb: readonly (readonly unknown[])[]): string | undefined {
    const names = ['n', 'amount', 'qty', 'age', 'score'];
    for (const [k, name] of names.entries()) {
      const got = Number(result.outputs[name]?.value), want = Number(String(duckdb[0][k]));
      if (Math.abs(got - want) > 1e-6 * Math.max(1, Math.abs(want))) return `${name}: opened ${got}, DuckDB ${want}`;
    }
    return undefined;
  },
};
