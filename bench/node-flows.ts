/**
 * Figures for the node and the SDK: an upload of R rows x 5 columns (CSV read included) and N
 * contributions, either with three nodes in this process (default) or against three node
 * processes over the TLS mesh on loopback (`--processes`).
 *
 *   node dist/bench/node-flows.js [--rows=100000] [--contributions=1000] [--concurrency=64] [--processes]
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeClusterCertificates } from '../src/crypto/certs.js';
import { createIdentity, saveIdentity, type Identity } from '../src/crypto/identity.js';
import { encodePublicKey } from '../src/crypto/keys.js';
import { Collaboration } from '../src/governance/collaboration.js';
import { Tessera } from '../src/client/tessera.js';
import { startTestCluster, freePort } from '../test/helpers/cluster.js';

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

async function processCluster(root: string): Promise<Cluster> {
  const { certs, files } = await writeClusterCertificates(join(root, 'certs'));
  const apiPorts = [await freePort(), await freePort(), await freePort()];
  const mpcPorts = [await freePort(), await freePort(), await freePort()];
  const nodeIds = [0, 1, 2].map((i) => createIdentity(`node-${i}`));
  const hospital = createIdentity('St. Mary Hospital');
  const collaboration = Collaboration.fromJson({
    format: 'tessera-collaboration/v1',
    id: 'bench',
    name: 'Bench',
    nodes: [0, 1, 2].map((i) => ({
      index: i,
      name: `node-${i}`,
      apiUrl: `https://127.0.0.1:${apiPorts[i]}`,
      mpcAddress: `127.0.0.1:${mpcPorts[i]}`,
      tlsCertificateFingerprint: certs.nodes[i].fingerprint256,
      encryptionKey: encodePublicKey(nodeIds[i].encryptionPublicKey),
    })),
    parties: [{ name: hospital.name, roles: ['input', 'output', 'analyst'], signingKey: encodePublicKey(hospital.signingPublicKey), encryptionKey: encodePublicKey(hospital.encryptionPublicKey) }],
  });
  await writeFile(join(root, 'collaboration.json'), collaboration.toJsonText());
  const children: ChildProcess[] = [];
  for (const i of [0, 1, 2]) {
    const dir = join(root, `node${i}`);
    await mkdir(dir);
    await saveIdentity(nodeIds[i], join(dir, 'node.key.json'));
    const config = {
      format: 'tessera-node/v1',
      index: i,
      collaboration: '../collaboration.json',
      identity: 'node.key.json',
      tls: { cert: files.nodes[i].cert, key: files.nodes[i].key, ca: files.caCert },
      dataDir: 'data',
      mpc: { listen: `127.0.0.1:${mpcPorts[i]}` },
      api: { listen: `127.0.0.1:${apiPorts[i]}` },
      log: { level: 'warn' },
    };
    await writeFile(join(dir, 'node.json'), JSON.stringify(config));
    // BENCH_NODE_PROF=dir writes a CPU profile of each node process there.
    const prof = process.env.BENCH_NODE_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_NODE_PROF}`] : [];
    const child = spawn(process.execPath, [...prof, fileURLToPath(new URL('../src/node/main.js', import.meta.url)), '--config', join(dir, 'node.json')], { stdio: 'inherit' });
    children.push(child);
  }
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const client = await Tessera.connect({ collaboration, identity: hospital, node: 0, ca: certs.ca.certPem });
      const up = (await client.health()).status === 'ok';
      await client.close();
      if (up) break;
    } catch {
      // starting
    }
    if (Date.now() > deadline) throw new Error('the cluster did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    collaboration,
    hospital,
    ca: certs.ca.certPem,
    close: async () => {
      await Promise.all(children.map((c) => new Promise((resolve) => (c.once('exit', resolve), c.kill('SIGTERM')))));
    },
  };
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'tessera-bench-'));
  let cluster: Cluster;
  if (useProcesses) cluster = await processCluster(root);
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
    const credentials = Array.from({ length: contributions }, () => hospital.issueCredential('values'));
    const contributor = await Tessera.connect({ collaboration: cluster.collaboration, node: 0, ca: cluster.ca });
    let next = 0;
    t = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < contributions) {
          const i = next++;
          await contributor.contribute('values', i % 1000, credentials[i].statement, { schema: { version: 1, columns: [{ name: 'v', nullable: false, type: 'integer', min: '0', max: '1000' }] } });
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
