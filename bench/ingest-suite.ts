/**
 * `npm run bench -- --suite ingest`: data reaching a local TLS cluster through the SDK.
 *
 *   upload     R rows x 5 columns (default 1,000,000) from a generated CSV: seconds from the
 *              call to the committed table at all three nodes, reading the CSV included
 *   aggregate  N patients' submissions (default 100,000; --rows), one client process, each
 *              submission its own request (C at a time), then the sum opened by the hospital:
 *              seconds from the first submission to the opened sum
 *
 * The cluster is made and started like `tessera cluster init` / `up` do it (three node
 * processes, mutual TLS 1.3 on loopback), in a temporary directory removed afterwards. Bytes
 * received per node come from /proc/<pid>/io (rchar), CPU from /proc/<pid>/stat.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Tessera } from '../src/client/tessera.js';
import { HOSPITAL, withNodeCluster } from './node-cluster.js';
import { CounterWindow } from './proc-stats.js';

export const INGEST_OPS = ['upload', 'aggregate'];

export interface IngestRow {
  readonly op: string;
  readonly rows: number;
  readonly seconds: number;
  /** CPU seconds of the busiest process (the client or a node). */
  readonly cpuSeconds: number;
  /** Bytes received by the node that received most. */
  readonly bytesPerParty: number;
  /** Not counted for these flows (a request per row, or a few MPC rounds per query). */
  readonly rounds: null;
  readonly rowsPerSecond: number;
  readonly bytesReceivedPerNode: readonly number[];
  readonly cpuSecondsPerProcess: { readonly client: number; readonly nodes: readonly number[] };
}

export interface IngestOptions {
  readonly ops: readonly string[];
  readonly uploadRows: number;
  readonly patients: number;
  readonly concurrency: number;
  readonly onRow: (row: IngestRow) => void;
  readonly onProgress?: (text: string) => void;
}

const UPLOAD_COLUMNS = {
  a: { type: 'integer', min: 0, max: 1000 },
  b: { type: 'integer', min: 0, max: 100_000 },
  price: { type: 'decimal', scale: 2, min: '0', max: '1000' },
  weight: { type: 'decimal', scale: 3, min: '0', max: '10' },
  day: { type: 'date' },
};
const SYSTOLIC = { version: 1, columns: [{ name: 'systolic', nullable: false, type: 'integer', min: '70', max: '250' }] } as const;

export async function runIngestSuite(options: IngestOptions): Promise<void> {
  const progress = options.onProgress ?? ((): void => undefined);
  await withNodeCluster('ingest', progress, async ({ cluster, root, pids, hospital }) => {
    if (options.ops.includes('upload')) options.onRow(await upload(hospital, root, pids, options.uploadRows, progress));
    if (options.ops.includes('aggregate')) options.onRow(await aggregate(hospital, cluster.collaborationPath, cluster.caPath, pids, options, progress));
  });
}

async function upload(hospital: Tessera, root: string, pids: readonly number[], rows: number, progress: (text: string) => void): Promise<IngestRow> {
  const csv = join(root, 'rows.csv');
  progress(`writing ${rows} rows x 5 columns to a CSV`);
  await writeCsv(csv, rows);
  progress('uploading');
  const window = await CounterWindow.open(pids);
  const started = performance.now();
  const info = await hospital.uploadTable('rows', { file: csv }, { columns: UPLOAD_COLUMNS });
  const seconds = (performance.now() - started) / 1000;
  const counters = await window.close();
  if (info.rows !== rows) throw new Error(`the upload stored ${info.rows} rows, not ${rows}`);
  return row('upload', rows, seconds, counters);
}

async function aggregate(hospital: Tessera, collaboration: string, ca: string, pids: readonly number[], options: IngestOptions, progress: (text: string) => void): Promise<IngestRow> {
  const n = options.patients;
  await hospital.createAppendTable('systolic', SYSTOLIC);
  progress(`issuing ${n} credentials`);
  // Batch credentials: one owner signature per 1,024 patients, checked once per batch by each node.
  const credentials = hospital.issueCredentials('systolic', n);
  // One client process, one SDK client (its keep-alive connections and its envelope session are
  // shared), `concurrency` submissions in flight, each its own HTTPS request to node 0, which
  // coordinates. Measured (bench/contributions.ts): this beats one client per slot spread over
  // the three nodes, which costs more CPU in total (117 s against ~77 s for 100,000).
  const client = await Tessera.connect({ collaboration, ca, node: 0, check: false });
  const contributors = Array.from({ length: options.concurrency }, () => client);
  const value = (i: number): number => 100 + (i % 71);
  let expected = 0;
  for (let i = 0; i < n; i++) expected += value(i);
  progress(`${n} submissions, ${options.concurrency} at a time`);
  const window = await CounterWindow.open(pids);
  const started = performance.now();
  let next = 0;
  let done = 0;
  let reported = 0;
  await Promise.all(
    contributors.map(async (client) => {
      while (next < n) {
        const i = next++;
        await client.contribute('systolic', value(i), credentials[i]);
        if (++done * 10 >= (reported + 1) * n) progress(`${++reported * 10}% (${done}) after ${((performance.now() - started) / 1000).toFixed(1)} s`);
      }
    }),
  );
  const result = await (await hospital.sum({ column: 'systolic', tables: ['systolic'], recipients: [HOSPITAL] })).result();
  const seconds = (performance.now() - started) / 1000;
  const counters = await window.close();
  await client.close();
  if (Number(result.value) !== expected || result.rows !== n) throw new Error(`the opened sum is ${result.value} over ${result.rows} rows; expected ${expected} over ${n}`);
  return row('aggregate', n, seconds, counters);
}

function row(op: string, rows: number, seconds: number, counters: { cpuSeconds: number[]; bytesRead: number[]; selfCpuSeconds: number }): IngestRow {
  return {
    op,
    rows,
    seconds,
    cpuSeconds: Math.max(counters.selfCpuSeconds, ...counters.cpuSeconds),
    bytesPerParty: Math.max(...counters.bytesRead),
    rounds: null,
    rowsPerSecond: rows / seconds,
    bytesReceivedPerNode: counters.bytesRead,
    cpuSecondsPerProcess: { client: counters.selfCpuSeconds, nodes: counters.cpuSeconds },
  };
}

/** Two integers, two decimals, a date: 37 MB for 1M rows. Streamed, so 1M rows need little memory. */
async function writeCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('a,b,price,weight,day\n');
  const chunk: string[] = [];
  for (let i = 0; i < rows; i++) {
    chunk.push(`${i % 1000},${(i * 7) % 100000},${(i % 10000) / 100},${(i % 5000) / 1000},2024-0${1 + (i % 9)}-1${i % 10}\n`);
    if (chunk.length === 10_000 || i === rows - 1) {
      if (!out.write(chunk.join(''))) await once(out, 'drain');
      chunk.length = 0;
    }
  }
  out.end();
  await once(out, 'finish');
}
