/**
 * Three real node processes (`node dist/src/node/main.js --config node.json`) linked by the
 * mutual-TLS mesh, with certificates from a fresh cluster CA and HTTPS APIs, driven through the
 * SDK: upload, query, a node killed (requests fail cleanly, naming it), the node restarted (the
 * mesh heals by itself, nothing was lost).
 */

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeClusterCertificates } from '../../src/crypto/certs.js';
import { createIdentity, saveIdentity, type Identity } from '../../src/crypto/identity.js';
import { encodePublicKey } from '../../src/crypto/keys.js';
import { Collaboration } from '../../src/governance/collaboration.js';
import { Tessera } from '../../src/client/tessera.js';
import { NodeUnavailableError } from '../../src/errors.js';
import { freePort } from '../helpers/cluster.js';

const MAIN = fileURLToPath(new URL('../../src/node/main.js', import.meta.url));

let root: string;
let collaboration: Collaboration;
let caPem: string;
const processes: (ChildProcess | undefined)[] = [undefined, undefined, undefined];
const configs: string[] = [];
let hospital: Identity;

function startProcess(i: number): ChildProcess {
  const child = spawn(process.execPath, [MAIN, '--config', configs[i]], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.resume();
  processes[i] = child;
  return child;
}

async function stopProcess(i: number, signal: NodeJS.Signals): Promise<void> {
  const child = processes[i];
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
  processes[i] = undefined;
}

async function untilHealthy(client: Tessera, timeoutMs = 40_000): Promise<void> {
  // A generous "did not hang" bound: three fresh processes on a loaded 2-core machine can take a while.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await client.health()).status === 'ok') return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('the cluster did not become healthy');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function connect(node: number): Promise<Tessera> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await Tessera.connect({ collaboration, identity: hospital, node, ca: caPem });
    } catch (error) {
      if (!(error instanceof NodeUnavailableError) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-procs-'));
  const { certs, files } = await writeClusterCertificates(join(root, 'certs'));
  caPem = certs.ca.certPem;
  const apiPorts = [await freePort(), await freePort(), await freePort()];
  const mpcPorts = [await freePort(), await freePort(), await freePort()];
  const nodeIds = [0, 1, 2].map((i) => createIdentity(`node-${i}`));
  hospital = createIdentity('St. Mary Hospital');
  const file = {
    format: 'tessera-collaboration/v1',
    id: 'process-test',
    name: 'Process test',
    nodes: [0, 1, 2].map((i) => ({
      index: i,
      name: `node-${i}`,
      apiUrl: `https://127.0.0.1:${apiPorts[i]}`,
      mpcAddress: `127.0.0.1:${mpcPorts[i]}`,
      tlsCertificateFingerprint: certs.nodes[i].fingerprint256,
      encryptionKey: encodePublicKey(nodeIds[i].encryptionPublicKey),
      signingKey: encodePublicKey(nodeIds[i].signingPublicKey),
    })),
    parties: [{ name: hospital.name, roles: ['input', 'output', 'analyst'], signingKey: encodePublicKey(hospital.signingPublicKey), encryptionKey: encodePublicKey(hospital.encryptionPublicKey) }],
  };
  collaboration = Collaboration.fromJson(file);
  await writeFile(join(root, 'collaboration.json'), collaboration.toJsonText());
  for (const i of [0, 1, 2]) {
    const dir = join(root, `node${i}`);
    await mkdir(dir, { mode: 0o700 });
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
      timeouts: { connectMs: 1500, rpcMs: 10_000, mpcMs: 10_000 },
      log: { level: 'info' },
    };
    configs.push(join(dir, 'node.json'));
    await writeFile(configs[i], JSON.stringify(config, null, 2));
  }
  for (const i of [0, 1, 2]) startProcess(i);
});

after(async () => {
  for (const i of [0, 1, 2]) await stopProcess(i, 'SIGTERM');
  await rm(root, { recursive: true, force: true });
});

test('three node processes over the TLS mesh: upload, query, a node killed and restarted', { timeout: 60_000 }, async () => {
  const client = await connect(0);
  await untilHealthy(client);
  await client.uploadTable('counts', { columns: { n: [10, 20, 30, 40] } }, { columns: { n: { type: 'integer', min: 0, max: 1000 } } });
  const q = await client.sum({ column: 'n', recipients: [hospital.name] });
  assert.equal((await q.result()).value, 100);

  // Many contributions in flight from one process: the coordinator's batches to its peers pass 64
  // contributions (128 frame parts), which a peer once dropped without an answer (a 60 s hang).
  await client.createAppendTable('votes', { version: 1, columns: [{ name: 'v', nullable: false, type: 'integer', min: '0', max: '9' }] });
  const voter = await Tessera.connect({ collaboration, node: 0, ca: caPem });
  await Promise.all(client.issueCredentials('votes', 600).map((c, i) => voter.contribute('votes', i % 10, c)));
  await voter.close();
  assert.equal((await (await client.sum({ column: 'v', tables: ['votes'], recipients: [hospital.name] })).result()).value, 60 * 45);

  await stopProcess(2, 'SIGKILL');
  await assert.rejects(client.uploadTable('later', { columns: { n: [1] } }), (e: unknown) => e instanceof NodeUnavailableError && /node-2/.test(e.message));
  await assert.rejects(client.sum({ column: 'n', recipients: [hospital.name] }), NodeUnavailableError);

  startProcess(2);
  await untilHealthy(client);
  const restarted = await connect(2);
  await untilHealthy(restarted);
  assert.deepEqual((await restarted.listTables()).map((t) => [t.name, t.rows]), [['counts', 4], ['votes', 600]]);
  const again = await restarted.sum({ column: 'n', recipients: [hospital.name] });
  assert.equal((await again.result()).value, 100);
  assert.equal((await client.result(q.id)).value, 100);
  await client.close();
  await restarted.close();
});
