/**
 * filter: a range predicate over 5 columns of a 1M-row table, the count of matching rows
 * revealed (reveal-count mode, then count(*)). Issue 9 target: 1 s (Virtual Data Lake: 6.2 s).
 *
 *   SELECT count(*) FROM facts WHERE a BETWEEN 100 AND 800 AND b >= 2000 AND c < 9000
 *     AND d BETWEEN 10 AND 90 AND e > 5
 * (seven less-thans and no equalities: the predicate's comparisons run in one batch, on the 15
 * bits the declared ranges [0, 9999] bound their differences by: ops/comparison-width.ts; the
 * columns are not nullable, so the ANDs run on packed bits: ops/predicate-bits.ts; count(*) reads
 * no column, so compaction carries none (ops/filter-columns.ts) and only counts the predicate's 1s:
 * mpc/protocols/count-ones.ts).
 */

import { aggregateOf, openFor, scanOf } from '../../src/plan/build.js';
import type { Expr } from '../../src/plan/plan.js';
import { duckNumber, type BenchTable, type RelationalCase } from './case.js';

const col = (name: string): Expr => ({ op: 'col', name });
const lit = (value: number): Expr => ({ op: 'lit', value });
const cmp = (op: '<' | '<=' | '>' | '>=', name: string, value: number): Expr => ({ op, args: [col(name), lit(value)] });

/** Five integer columns, spread so that about a third of the rows match. */
export function factsTable(rows: number): BenchTable {
  return {
    name: 'facts',
    rows,
    schema: {
      version: 1,
      columns: ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, nullable: false, type: 'integer' as const, min: '0', max: '9999' })),
    },
    duckdb: ['INTEGER', 'INTEGER', 'INTEGER', 'INTEGER', 'INTEGER'],
    row: (i) => [(i * 7919) % 1000, (i * 104729) % 10000, (i * 31) % 10000, (i * 13) % 100, (i * 17) % 10].map(String),
  };
}

export const filterCase: RelationalCase = {
  op: 'filter',
  description: 'range predicate over 5 columns, count revealed',
  target: 1,
  why: 'CPU: seven less-thans per row on 15 bits (the declared ranges: 16-bit lanes, four comparisons per word, ~7.5 bytes each: about half of it), the first query of fresh node processes (first touch of memory, JIT compilation, major collections: a warm repetition takes about half the CPU), reading and decrypting the stored shares; three parties share two cores',
  tables: (rows) => [factsTable(rows)],
  plan: (recipient) =>
    openFor(
      aggregateOf(
        {
          op: 'filter',
          input: scanOf('facts', ['a', 'b', 'c', 'd', 'e']),
          predicate: { op: 'and', args: [cmp('>=', 'a', 100), cmp('<=', 'a', 800), cmp('>=', 'b', 2000), cmp('<', 'c', 9000), cmp('>=', 'd', 10), cmp('<=', 'd', 90), cmp('>', 'e', 5)] },
        },
        [{ name: 'n', fn: 'count' }],
      ),
      [recipient],
    ),
  sql: 'SELECT count(*) FROM facts WHERE a BETWEEN 100 AND 800 AND b >= 2000 AND c < 9000 AND d BETWEEN 10 AND 90 AND e > 5',
  verify: (result, duckdb) => {
    const want = duckNumber(duckdb[0][0]);
    const got = Number(result.outputs.n.value);
    return got === want ? undefined : `the opened count is ${got}, DuckDB counts ${want}`;
  },
};
