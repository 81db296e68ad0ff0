/**
 * N contributions from one client process into three node processes (TLS mesh, HTTPS API, on
 * loopback), each contribution its own request, `concurrency` in flight: the "100,000 patients
 * in a minute" figure. Prints the time, the rate, and the CPU seconds of every process (client
 * and each node), then checks with a sum query that every row arrived.
 *
 *   node dist/bench/contributions.js [--contributions=100000] [--concurrency=64] [--credentials=batch|single]
 *   BENCH_NODE_PROF=dir  also writes a CPU profile of each node process (node --cpu-prof);
 *                        run this script with --cpu-prof for the client's.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tessera } from '../src/client/tessera.js';
import type { TableSchemaJson } from '../src/table/schema.js';
import { processCpuSeconds, startProcessCluster } from './process-cluster.js';

const arg = (name: string, fallback: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const total = Number(arg('contributions', '10000'));
const concurrency = Number(arg('concurrency', '64'));
const credentialKind = arg('credentials', 'batch');
if (credentialKind !== 'batch' && credentialKind !== 'single') throw new Error('--credentials is batch or single');

const schema: TableSchemaJson = { version: 1, columns: [{ name: 'glucose', nullable: false, type: 'decimal', scale: 1, min: '0', max: '50' }] };

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'tessera-bench-contrib-'));
  const cluster = await startProcessCluster(root, process.env.BENCH_NODE_PROF ? { profileDir: process.env.BENCH_NODE_PROF } : {});
  try {
    const hospital = await Tessera.connect({ collaboration: cluster.collaboration, identity: cluster.hospital, node: 0, ca: cluster.ca });
    await hospital.createAppendTable('glucose', schema);
    let t = performance.now();
    const credentials = credentialKind === 'batch' ? hospital.issueCredentials('glucose', total) : Array.from({ length: total }, () => hospital.issueCredential('glucose'));
    console.log(`issue ${total} ${credentialKind} credentials: ${((performance.now() - t) / 1000).toFixed(2)} s`);

    const contributor = await Tessera.connect({ collaboration: cluster.collaboration, node: 0, ca: cluster.ca });
    const nodeCpu0 = await Promise.all(cluster.pids.map(processCpuSeconds));
    const clientCpu0 = process.cpuUsage();
    let next = 0;
    t = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const i = next++;
          await contributor.contribute('glucose', (i % 500) / 10, credentials[i]);
        }
      }),
    );
    const seconds = (performance.now() - t) / 1000;
    const clientCpu = process.cpuUsage(clientCpu0);
    const nodeCpu = (await Promise.all(cluster.pids.map(processCpuSeconds))).map((c, i) => c - nodeCpu0[i]);
    const cpu = [(clientCpu.user + clientCpu.system) / 1e6, ...nodeCpu];
    const cpuTotal = cpu.reduce((a, b) => a + b, 0);
    console.log(`${total} contributions (${credentialKind} credentials), one client, ${concurrency} at a time, three node processes over TLS: ${seconds.toFixed(2)} s, ${(total / seconds).toFixed(0)}/s`);
    console.log(
      `CPU seconds: client ${cpu[0].toFixed(1)}, node 0 ${cpu[1].toFixed(1)}, node 1 ${cpu[2].toFixed(1)}, node 2 ${cpu[3].toFixed(1)}; ` +
        `total ${cpuTotal.toFixed(1)} (${((cpuTotal * 1e6) / total).toFixed(0)} us per contribution, ${(cpuTotal / seconds).toFixed(2)} cores busy)`,
    );
    t = performance.now();
    const sum = await (await hospital.sum({ column: 'glucose', tables: ['glucose'], recipients: [cluster.hospital.name] })).result();
    console.log(`sum over ${sum.rows} rows (range check in MPC): ${((performance.now() - t) / 1000).toFixed(2)} s`);
    if (sum.rows !== total) throw new Error(`expected ${total} rows, the nodes hold ${sum.rows}`);
    await contributor.close();
    await hospital.close();
  } finally {
    await cluster.close();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
