import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** A fresh temporary directory, removed by the returned cleanup. Test data never lives in the repo. */
export function tempDir(): { dir: string; path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-ingest-'));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** CSV text: every present field quoted (quotes doubled), null as an empty unquoted field. */
export function csvText(header: readonly string[], rows: readonly (readonly (string | null)[])[]): string {
  const field = (v: string | null): string => (v === null ? '' : `"${v.replaceAll('"', '""')}"`);
  return [header.join(','), ...rows.map((r) => r.map(field).join(','))].join('\n') + '\n';
}

export function writeCsv(path: string, header: readonly string[], rows: readonly (readonly (string | null)[])[]): string {
  writeFileSync(path, csvText(header, rows));
  return path;
}

/** Writes a Parquet file with DuckDB's COPY from a SELECT. */
export async function writeParquet(path: string, select: string): Promise<string> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const connection = await instance.connect();
    await connection.run(`COPY (${select}) TO '${path.replaceAll("'", "''")}' (FORMAT parquet)`);
    connection.closeSync();
  } finally {
    instance.closeSync();
  }
  return path;
}
