/**
 * Cost of a query and of health as the number of unrelated tables grows (issue 7, item 6); not
 * run by `npm test`:
 *   npx tsc -p . && node dist/bench/table-count.js [--tables=1000] [--samples=15]
 * An embedded cluster (three nodes in this process, TLS API, in-memory mesh) gets a 3-row table
 * `small`; a count over it and health are timed, then the nodes are stopped, each node's store
 * gets `--tables` more one-row tables written directly (as uploads would leave them), the nodes
 * start again and the same is timed. Prints figures; asserts nothing about time.
 */

import { randomBytes } from 'node:crypto';
import { Tessera } from '../src/client/tessera.js';
import { startEmbeddedCluster } from '../src/node/embedded-cluster.js';
import { nodeStorageSecret } from '../src/node/server.js';
import { TableStore } from '../src/node/storage.js';
import type { NodeIndex } from '../src/governance/collaboration.js';

function argument(name: string, fallback: number): number {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
}

const TABLES = argument('tables', 1000);
const SAMPLES = argument('samples', 15);
const PARTY = 'Bench Hospital';
const NODES: readonly NodeIndex[] = [0, 1, 2];

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function summary(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `median ${fmt(at(0.5), 1)} ms, p90 ${fmt(at(0.9), 1)} ms, max ${fmt(sorted[sorted.length - 1], 1)} ms`;
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await action();
  return performance.now() - t0;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(client: Tessera, label: string): Promise<void> {
  await (await client.count({ tables: ['small'], recipients: [PARTY] })).result(); // warm-up
  const counts: number[] = [];
  for (let i = 0; i < SAMPLES; i++) counts.push(await timed(async () => (await client.count({ tables: ['small'], recipients: [PARTY] })).result()));
  // Health is timed more than a second apart: a node may cache its table count for a second.
  const health: number[] = [];
  for (let i = 0; i < Math.min(SAMPLES, 8); i++) {
    await sleep(1100);
    health.push(await timed(() => client.health()));
  }
  const tables = (await client.health()).tables;
  console.log(`${label} (${fmt(tables)} tables at node 0):`);
  console.log(`  count over 'small' (query + result): ${summary(counts)}`);
  console.log(`  health:                               ${summary(health)}`);
}

async function main(): Promise<void> {
  const cluster = await startEmbeddedCluster({ parties: [{ name: PARTY, roles: ['input', 'output', 'analyst'] }], timeouts: { rpcMs: 60_000, mpcMs: 60_000 } });
  const connect = () =>
    Tessera.connect({ collaboration: cluster.collaboration, identity: cluster.parties.get(PARTY)!, node: 0, ca: cluster.certs.ca.certPem });
  try {
    let client = await connect();
    await client.uploadTable('small', { columns: { n: [1, 2, 3] } }, { columns: { n: { type: 'integer', min: 0, max: 100 } } });
    await measure(client, 'before adding tables');
    await client.close();

    for (const i of NODES) await cluster.stopNode(i);
    const t0 = performance.now();
    for (const i of NODES) {
      const store = await TableStore.open({ dataDir: cluster.dataDirs[i], nodeSecret: nodeStorageSecret(cluster.nodeIdentities[i]) });
      for (let t = 0; t < TABLES; t++) {
        const staged = await store.stageTable({
          name: `filler_${String(t).padStart(5, '0')}`,
          schema: { version: 1, columns: [{ name: 'n', nullable: false, type: 'integer', min: '0', max: '100' }] },
          owner: PARTY,
          rowCount: 1,
          columns: [{ name: 'n', data: randomBytes(16) }],
        });
        await store.commitTable(staged.stageId);
      }
      await store.close();
    }
    console.log(`wrote ${fmt(TABLES)} one-row tables at each node in ${fmt((performance.now() - t0) / 1000, 1)} s`);
    const t1 = performance.now();
    const opened = await TableStore.open({ dataDir: cluster.dataDirs[0], nodeSecret: nodeStorageSecret(cluster.nodeIdentities[0]) });
    console.log(`opening node 0's store with ${fmt(TABLES + 1)} tables: ${fmt(performance.now() - t1, 0)} ms`);
    await opened.close();
    for (const i of NODES) await cluster.startNode(i);
    await cluster.waitForMesh(30_000);

    client = await connect();
    await measure(client, `after adding ${fmt(TABLES)} tables`);
    await client.close();
  } finally {
    await cluster.close();
  }
}

await main();
