/**
 * Text over three node processes linked by the mutual-TLS mesh: two owners upload tables with
 * text columns of different bounds, an analyst joins them on the text key, groups by a text
 * column of the other side, and opens the groups, keys as text, to one recipient; the answer is
 * DuckDB's on the same plaintext.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { count, sum } from '../../src/client/aggregates.js';
import { duckdbRows } from '../helpers/duckdb-oracle.js';
import { useNodeProcesses } from '../helpers/node-processes.js';

const PARTIES = [
  { name: 'St. Mary Hospital', roles: ['input', 'output'] as const },
  { name: 'Registry North', roles: ['input'] as const },
  { name: 'Analyst', roles: ['analyst'] as const },
];

const cluster = useNodeProcesses('tessera-text-procs-', PARTIES);
const connect = cluster.connect;

// Diagnosis codes (text(12) at the hospital, text(8) at the registry), with multi-byte text.
const VISITS = { diagnosis: ['J45.909', 'E11.9', 'J45.909', 'I10', 'Ü-07.1', 'E11.9', 'Z00', 'I10', ''], cost: [120, 80, 95, 40, 300, 60, 10, 45, 5] };
const CODES = { code: ['E11.9', 'I10', 'J45.909', 'Ü-07.1', ''], chapter: ['Endokrin', 'Kreislauf', 'Atmung', 'Sonderzwecke', 'unbekannt'] };

test('over three node processes with TLS: a join on a text key across two owners, grouped by text, opened as text', { timeout: 240_000 }, async () => {
  const hospital = await connect('St. Mary Hospital', 0);
  const north = await connect('Registry North', 1);
  const analyst = await connect('Analyst', 2);
  await hospital.uploadTable('visits', { columns: VISITS }, { columns: { diagnosis: { type: 'text', maxBytes: 12 }, cost: { type: 'integer', min: 0, max: 1000 } } });
  await north.uploadTable('codes', { columns: CODES }, { columns: { code: { type: 'text', maxBytes: 8 }, chapter: { type: 'text', maxBytes: 16 } } });

  const frame = analyst.table('visits').join(analyst.table('codes'), { on: { left: 'diagnosis', right: 'code' } }).groupBy('chapter').agg({ n: count(), total: sum('cost') });
  const q = await frame.open({ to: ['St. Mary Hospital'] });
  await q.wait();
  const result = await hospital.result(q.id);
  assert.deepEqual(result.table.columns, ['chapter', 'n', 'total']);
  const got = result.table.rows.map((r) => JSON.stringify([r.chapter, Number(r.n), Number(r.total)])).sort();
  const want = (await duckdbRows([
    { name: 'visits', columns: { diagnosis: 'VARCHAR', cost: 'INTEGER' }, rows: VISITS },
    { name: 'codes', columns: { code: 'VARCHAR', chapter: 'VARCHAR' }, rows: CODES },
  ], 'SELECT chapter, count(*), sum(cost) FROM visits JOIN codes ON diagnosis = code GROUP BY chapter')).map((r) => JSON.stringify(Object.values(r))).sort();
  assert.deepEqual(got, want);
  assert.ok(got.some((r) => r.includes('"Sonderzwecke"')), 'a multi-byte key matched');
});
