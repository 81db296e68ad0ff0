/**
 * One case of `npm run bench -- --suite relational` (bench/relational-suite.ts). Each operator
 * adds a file bench/relational/<op>.ts exporting a `RelationalCase`; the suite lists them in
 * bench/relational/cases.ts. For each case the suite:
 *
 *   1. generates every table of `tables(rows)` as a CSV (cells as `row(i)` returns them),
 *      uploads it with `schema` through the SDK, and loads the same CSV into DuckDB as a table of
 *      the same name with `duckdb` column types;
 *   2. runs `plan(recipient)` through the SDK (three node processes over TLS), timing from
 *      submission to the opened result;
 *   3. runs `sql` in DuckDB and hands both answers to `verify`, which returns a description of
 *      the first difference (the suite then fails loudly) or undefined when they agree.
 *
 * Generators are deterministic (a function of the row number), so a failure can be replayed.
 */

import type { QueryResult } from '../../src/client/result.js';
import type { Plan } from '../../src/plan/plan.js';
import type { TableSchemaJson } from '../../src/table/schema.js';

export interface BenchTable {
  readonly name: string;
  readonly schema: TableSchemaJson;
  /** DuckDB type of each column, in schema order ('INTEGER', 'DECIMAL(10,2)', 'DATE', 'VARCHAR', ...). */
  readonly duckdb: readonly string[];
  readonly rows: number;
  /** Row i's CSV cells in schema order ('' for null); no commas or quotes inside. */
  row(i: number): readonly string[];
}

export interface RelationalCase {
  /** The suite's op name: filter, join, groupby_category, groupby_key, sort, crosstab. */
  readonly op: string;
  /** One line: what the case computes. */
  readonly description: string;
  /** Target seconds at 2^20 rows (issue 9's table). */
  readonly target: number;
  /** Why the target is missed when it is (profiled), printed beside the figure. */
  readonly why: string;
  tables(rows: number): readonly BenchTable[];
  plan(recipient: string): Plan;
  /** DuckDB SQL over the same tables whose answer the opened result must equal. */
  readonly sql: string;
  /** The first difference between the opened result and DuckDB's rows, or undefined. */
  verify(result: QueryResult, duckdb: readonly (readonly unknown[])[]): string | undefined;
}

/** The number in a DuckDB cell (BIGINT/HUGEINT come back as bigint, DECIMAL/DOUBLE as number or objects). */
export function duckNumber(v: unknown): number {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  if (v === null || v === undefined) return NaN;
  return Number(String(v));
}
