/**
 * DuckDB as the oracle of the end-to-end tests: the same plaintext rows the test uploaded, in a
 * fresh in-memory database, and a query's rows back as objects (numbers as numbers, text as
 * text, NULL as null), to compare with what a recipient opened.
 */

import { DuckDBInstance } from '@duckdb/node-api';
import type { ResultCell } from '../../src/client/result.js';

export interface OracleTable {
  readonly name: string;
  /** Each column's DuckDB type, in order: { region: 'VARCHAR', cost: 'DECIMAL(10, 2)' }. */
  readonly columns: Readonly<Record<string, string>>;
  /** The rows, column by column (the same lists the test uploaded). */
  readonly rows: Readonly<Record<string, readonly unknown[]>>;
}

export type OracleRow = Record<string, ResultCell>;

/** Runs `sql` over `tables` in a fresh in-memory DuckDB. */
export async function duckdbRows(tables: readonly OracleTable[], sql: string): Promise<OracleRow[]> {
  const db = await DuckDBInstance.create(':memory:');
  try {
    const c = await db.connect();
    try {
      for (const t of tables) {
        const names = Object.keys(t.columns);
        await c.run(`CREATE TABLE ${t.name} (${names.map((n) => `${n} ${t.columns[n]}`).join(', ')})`);
        const insert = `INSERT INTO ${t.name} VALUES (${names.map((n, k) => `$${k + 1}::${t.columns[n]}`).join(', ')})`;
        const rows = t.rows[names[0]].length;
        for (let i = 0; i < rows; i++) await c.run(insert, names.map((n) => t.rows[n][i] as string | number | boolean | null));
      }
      const reader = await c.runAndReadAll(sql);
      const names = reader.columnNames();
      return reader.getRows().map((r) => Object.fromEntries(r.map((v, i) => [names[i], v === null ? null : typeof v === 'string' ? v : Number(v)])));
    } finally {
      c.closeSync();
    }
  } finally {
    db.closeSync();
  }
}
