/**
 * N contributions from one client process into three node processes (TLS mesh, HTTPS API, on
 * loopback), each contribution its own request, `concurrency` in flight: the "100,000 patients
 * in a minute" figure. Prints the time, the rate, and the CPU seconds of every process (client
 * and each node), then checks with a sum query that every row arrived.
 *
 *   node dist/bench/contributions.js [--contributions=100000] [--concurrency=128] [--credentials=batch|single] [--spread]
 *   --spread             send to the three nodes in turn (each coordinates a third) instead of node 0 only
 *   BENCH_NODE_PROF=dir  also writes a CPU profile of each node process (node --cpu-prof);
 *                        run this script with --cpu-prof for the client's.
 *   BENCH_NODE_FLAGS='--perf-basic-prof'  extra flags for the node processes (Linux perf sees
 *                        JavaScript frames; the V8 profiler's times include time spent preempted,
 *                        perf's do not).
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tessera } from '../src/client/tessera.js';
import type { TableSchemaJson } from '../src/table/schema.js';
import { machineCpuSeconds, processCpuSeconds, startProcessCluster, type CpuSeconds } from './process-cluster.js';

const arg = (name: string, fallback: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const total = Number(arg('contributions', '100000'));
const concurrency = Number(arg('concurrency', '128'));
const credentialKind = arg('credentials', 'batch');
if (credentialKind !== 'batch' && credentialKind !== 'single') throw new Error('--credentials is batch or single');
const spread = process.argv.includes('--spread');

const schema: TableSchemaJson = { version: 1, columns: [{ name: 'glucose', nullable: false, type: 'decimal', scale: 1, min: '0', max: '50' }] };

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'tessera-bench-contrib-'));
  const cluster = await startProcessCluster(root, {
    ...(process.env.BENCH_NODE_PROF ? { profileDir: process.env.BENCH_NODE_PROF } : {}),
    ...(process.env.BENCH_NODE_FLAGS ? { nodeFlags: process.env.BENCH_NODE_FLAGS.split(' ') } : {}),
  });
  try {
    const hospital = await Tessera.connect({ collaboration: cluster.collaboration, identity: cluster.hospital, node: 0, ca: cluster.ca });
    await hospital.createAppendTable('glucose', schema);
    let t = performance.now();
    const credentials = credentialKind === 'batch' ? hospital.issueCredentials('glucose', total) : Array.from({ length: total }, () => hospital.issueCredential('glucose'));
    console.log(`issue ${total} ${credentialKind} credentials: ${((performance.now() - t) / 1000).toFixed(2)} s`);

    // One client process; with --spread its contributions go to the three nodes in turn (any node coordinates).
    const contributors = await Promise.all((spread ? [0, 1, 2] : [0]).map((node) => Tessera.connect({ collaboration: cluster.collaboration, node, ca: cluster.ca })));
    const nodeCpu0 = await Promise.all(cluster.pids.map(processCpuSeconds));
    const machine0 = await machineCpuSeconds();
    const clientCpu0 = process.cpuUsage();
    // Tell a waiting profiler (e.g. perf record) that the timed part starts now, and where.
    if (process.env.BENCH_MARK_FILE) await writeFile(process.env.BENCH_MARK_FILE, `${[process.pid, ...cluster.pids].join(' ')}\n`);
    let next = 0;
    t = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const i = next++;
          await contributors[i % contributors.length].contribute('glucose', (i % 500) / 10, credentials[i]);
        }
      }),
    );
    const seconds = (performance.now() - t) / 1000;
    const clientCpu = process.cpuUsage(clientCpu0);
    const nodeCpu = (await Promise.all(cluster.pids.map(processCpuSeconds))).map((c, i) => ({ user: c.user - nodeCpu0[i].user, system: c.system - nodeCpu0[i].system }));
    const cpu = [{ user: clientCpu.user / 1e6, system: clientCpu.system / 1e6 }, ...nodeCpu];
    const cpuTotal = cpu.reduce((a, b) => a + b.user + b.system, 0);
    const machine1 = await machineCpuSeconds();
    const show = (c: CpuSeconds): string => `${(c.user + c.system).toFixed(1)} (${c.system.toFixed(1)} system)`;
    console.log(`${total} contributions (${credentialKind} credentials), one client process, ${concurrency} at a time, ${spread ? 'to the three nodes in turn' : 'to node 0'}, three node processes over TLS: ${seconds.toFixed(2)} s, ${(total / seconds).toFixed(0)}/s`);
    console.log(
      `CPU seconds: client ${show(cpu[0])}, node 0 ${show(cpu[1])}, node 1 ${show(cpu[2])}, node 2 ${show(cpu[3])}; ` +
        `total ${cpuTotal.toFixed(1)} (${((cpuTotal * 1e6) / total).toFixed(0)} us per contribution, ${(cpuTotal / seconds).toFixed(2)} cores busy)`,
    );
    console.log(
      `machine (all processes): ${(machine1.busy - machine0.busy).toFixed(1)} s busy, of which ${(machine1.softirq - machine0.softirq).toFixed(1)} s softirq (loopback network); ${(machine1.idle - machine0.idle).toFixed(1)} s idle`,
    );
    t = performance.now();
    const sum = await (await hospital.sum({ column: 'glucose', tables: ['glucose'], recipients: [cluster.hospital.name] })).result();
    console.log(`sum over ${sum.rows} rows (range check in MPC): ${((performance.now() - t) / 1000).toFixed(2)} s`);
    if (sum.rows !== total) throw new Error(`expected ${total} rows, the nodes hold ${sum.rows}`);
    for (const c of contributors) await c.close();
    await hospital.close();
  } finally {
    await cluster.close();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
