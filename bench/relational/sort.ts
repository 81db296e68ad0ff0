/**
 * sort: a 1M-row table sorted by two columns (a ascending, b descending), then its first 1,000
 * rows (top-k) opened. Issue 9 target: 12 s.
 *
 * Both keys have declared ranges that pack into one 27-bit key (plan/sort-layout.ts), so the
 * table is sorted in one pass, and each comparison is of (key, row index) packed into one 64-bit
 * word (protocols/sort.ts keyBits). The check: the opened 1,000 rows, in order, against DuckDB's
 * ORDER BY a, b DESC with the input position as the last key (a stable sort keeps ties in input
 * order; DuckDB's rowid is the CSV's row order).
 */

import { openFor, scanOf } from '../../src/plan/build.js';
import { duckNumber, type BenchTable, type RelationalCase } from './case.js';

const TOP = 1000;

function sortableTable(rows: number): BenchTable {
  return {
    name: 'sortable',
    rows,
    schema: {
      version: 1,
      columns: [
        { name: 'a', nullable: false, type: 'integer', min: '0', max: '999' },
        { name: 'b', nullable: false, type: 'integer', min: '-50000', max: '50000' },
        { name: 'p', nullable: false, type: 'integer', min: '0', max: '1000000' },
      ],
    },
    duckdb: ['INTEGER', 'INTEGER', 'BIGINT'],
    // Few distinct a (1,000) and b values that repeat: ties on both keys, which stability decides.
    row: (i) => [String((i * 7919) % 1000), String(((i * 104729) % 2001) - 1000), String(i % 1_000_001)],
  };
}

export const sortCase: RelationalCase = {
  op: 'sort',
  description: `sort by two columns (a, b desc), then the top ${TOP} rows opened`,
  target: 12,
  why: 'CPU: ~21 comparisons per row of (key, row index) packed into one word of 27 + 20 bits (a 32-bit beside a 16-bit carry tree: ~18 bytes each), in ~35 levels of two batches; three parties share two cores',
  tables: (rows) => [sortableTable(rows)],
  plan: (recipient) => openFor({ op: 'limit', count: TOP, input: { op: 'sort', input: scanOf('sortable', ['a', 'b', 'p']), by: [{ column: 'a' }, { column: 'b', descending: true }] } }, [recipient]),
  sql: `SELECT a, b, p FROM sortable ORDER BY a, b DESC, rowid LIMIT ${TOP}`,
  verify: (result, duckdb) => {
    const rows = result.table.rows;
    if (rows.length !== duckdb.length) return `${rows.length} rows opened, DuckDB has ${duckdb.length}`;
    for (let i = 0; i < rows.length; i++) {
      const got = ['a', 'b', 'p'].map((c) => Number(rows[i][c]));
      const want = duckdb[i].map(duckNumber);
      if (got.some((v, k) => v !== want[k])) return `row ${i}: opened (${got.join(', ')}), DuckDB (${want.join(', ')})`;
    }
    return undefined;
  },
};
