/**
 * Ingest benchmark: generate a CSV of N rows × 5 columns (integers, decimals, dates) in a temp
 * directory, then time reading + encoding it (declared schema, then inferred), the same data as
 * Parquet, and an identifier column. Prints figures; asserts nothing.
 *
 *   npm run build && node dist/bench/ingest.js [rows]      (default 1,000,000)
 */

import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { readTable, type ReadTableOptions } from '../src/client/read-table.js';
import { formatIsoDate } from '../src/table/civil-date.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-ingest-'));

function generateCsv(path: string): void {
  const lines: string[] = ['id,age,income,score,visit'];
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
  for (let i = 0; i < rows; i++) {
    const income = (next() % 100_000_000) / 100; // up to 999999.99, 2 decimals
    const score = ((next() % 2001) - 1000) / 1000; // -1.000 .. 1.000, up to 3 decimals
    const visit = formatIsoDate(-18262 + (next() % 47482)); // 1920-01-01 .. 2049-12-31
    lines.push(`${i},${next() % 121},${income},${score},${visit}`);
  }
  writeFileSync(path, lines.join('\n') + '\n');
}

const declared: ReadTableOptions = {
  columns: {
    id: { type: 'integer', min: 0, max: 10_000_000 },
    age: { type: 'integer', min: 0, max: 120 },
    income: { type: 'decimal', scale: 2, min: '0.00', max: '1000000.00' },
    score: { type: 'decimal', scale: 3, min: '-1.000', max: '1.000' },
    visit: { type: 'date', min: '1900-01-01', max: '2099-12-31' },
  },
};

async function time(label: string, path: string, options: ReadTableOptions, repeats = 3): Promise<void> {
  const seconds: number[] = [];
  const cpuSeconds: number[] = [];
  let encoded = 0;
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const table = await readTable(path, options);
    const cpu = process.cpuUsage(cpuStart);
    seconds.push((performance.now() - start) / 1000);
    cpuSeconds.push((cpu.user + cpu.system) / 1e6);
    encoded = table.columns.length;
  }
  const best = Math.min(...seconds);
  // CPU seconds (all threads, DuckDB's included) do not depend on what else the machine runs.
  console.log(
    `${label.padEnd(44)} rows ${rows}  encoded columns ${encoded}  best ${best.toFixed(3)} s  ` +
      `(runs: ${seconds.map((s) => s.toFixed(3)).join(', ')})  ${(rows / best / 1e6).toFixed(2)} M rows/s  ` +
      `cpu ${Math.min(...cpuSeconds).toFixed(2)} s`,
  );
}

async function main(): Promise<void> {
  try {
    const csv = join(dir, 'table.csv');
    let start = performance.now();
    generateCsv(csv);
    console.log(`generated ${csv}: ${(statSync(csv).size / 1e6).toFixed(1)} MB in ${((performance.now() - start) / 1000).toFixed(2)} s`);

    await time('CSV, declared schema (read + check + encode)', csv, declared);
    await time('CSV, inferred types', csv, {});

    const parquet = join(dir, 'table.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT * FROM read_csv('${csv}')) TO '${parquet}' (FORMAT parquet)`);
    const ids = join(dir, 'ids.csv');
    await connection.run(`COPY (SELECT 'P-' || lpad(range::VARCHAR, 8, '0') AS patient FROM range(${rows})) TO '${ids}' (HEADER)`);
    connection.closeSync();
    instance.closeSync();
    await time('Parquet, declared schema', parquet, declared);
    start = performance.now();
    await time('CSV, one identifier column (keyed hash)', ids, { columns: { patient: { type: 'identifier' } }, identifierKey: new Uint8Array(32).fill(1) }, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
