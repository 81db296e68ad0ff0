/**
 * Figures for the node and the SDK: an upload of R rows x 5 columns (CSV read included) and N
 * contributions, either with three nodes in this process (default) or against three node
 * processes over the TLS mesh on loopback (`--processes`).
 *
 *   node dist/bench/node-flows.js [--rows=100000] [--contributions=1000] [--concurrency=64] [--processes]
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Identity } from '../src/crypto/identity.js';
import type { Collaboration } from '../src/governance/collaboration.js';
import { Tessera } from '../src/client/tessera.js';
import { startTestCluster } from '../test/helpers/cluster.js';
import { startProcessCluster } from './process-cluster.js';

const arg = (name: string, fallback: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const rows = arg('rows', 100_000);
const contributions = arg('contributions', 1000);
const concurrency = arg('concurrency', 64);
const useProcesses = process.argv.includes('--processes');

async function writeCsv(path: string, n: number): Promise<void> {
  const lines = ['a,b,price,weight,day'];
  for (let i = 0; i < n; i++) lines.push(`${i % 1000},${(i * 7) % 100000},${(i % 10000) / 100},${(i % 5000) / 1000},2024-0${1 + (i % 9)}-1${i % 10}`);
  await writeFile(path, lines.join('\n') + '\n');
}

interface Cluster {
  collaboration: Collaboration;
  hospital: Identity;
  ca: string;
  close(): Promise<void>;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'tessera-bench-'));
  let cluster: Cluster;
  // BENCH_NODE_PROF=dir writes a CPU profile of each node process there.
  if (useProcesses) cluster = await startProcessCluster(root, process.env.BENCH_NODE_PROF ? { profileDir: process.env.BENCH_NODE_PROF } : {});
  else {
    const c = await startTestCluster({ timeouts: { mpcMs: 120_000, rpcMs: 120_000 } });
    cluster = { collaboration: c.collaboration, hospital: c.parties.get('St. Mary Hospital')!, ca: c.certs.ca.certPem, close: () => c.close() };
  }
  try {
    const where = useProcesses ? 'three node processes, TLS mesh, loopback' : 'three nodes in this process';
    const csv = join(root, 'rows.csv');
    await writeCsv(csv, rows);
    const hospital = await Tessera.connect({ collaboration: cluster.collaboration, identity: cluster.hospital, node: 0, ca: cluster.ca });
    const declared = {
      a: { type: 'integer', min: 0, max: 1000 },
      b: { type: 'integer', min: 0, max: 100000 },
      price: { type: 'decimal', scale: 2, min: '0', max: '1000' },
      weight: { type: 'decimal', scale: 3, min: '0', max: '10' },
      day: { type: 'date' },
    };
    let t = performance.now();
    await hospital.uploadTable('rows', { file: csv }, { columns: declared });
    console.log(`upload ${rows} rows x 5 columns from CSV (${where}): ${((performance.now() - t) / 1000).toFixed(2)} s`);
    t = performance.now();
    const q = await hospital.sum({ column: 'b', recipients: [cluster.hospital.name] });
    await q.result();
    console.log(`sum over ${rows} rows: ${((performance.now() - t) / 1000).toFixed(3)} s`);

    await hospital.createAppendTable('values', { version: 1, columns: [{ name: 'v', nullable: false, type: 'integer', min: '0', max: '1000' }] });
    // Batch credentials (one signature per 1,024 contributors); bench/contributions.ts compares single ones.
    const credentials = hospital.issueCredentials('values', contributions);
    const contributor = await Tessera.connect({ collaboration: cluster.collaboration, node: 0, ca: cluster.ca });
    let next = 0;
    t = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < contributions) {
          const i = next++;
          await contributor.contribute('values', i % 1000, credentials[i], { schema: { version: 1, columns: [{ name: 'v', nullable: false, type: 'integer', min: '0', max: '1000' }] } });
        }
      }),
    );
    const s = (performance.now() - t) / 1000;
    console.log(`${contributions} contributions, one client, ${concurrency} at a time (${where}): ${s.toFixed(2)} s, ${(contributions / s).toFixed(0)}/s`);
    t = performance.now();
    const sum = await (await hospital.sum({ column: 'v', tables: ['values'], recipients: [cluster.hospital.name] })).result();
    console.log(`sum over ${sum.rows} contributions with the MPC range check: ${((performance.now() - t) / 1000).toFixed(3)} s`);
    await contributor.close();
    await hospital.close();
  } finally {
    await cluster.close();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
