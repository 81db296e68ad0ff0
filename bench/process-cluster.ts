/**
 * Three node processes on loopback with the TLS mesh and HTTPS API, as a real deployment runs
 * them, for benchmarks. Reports each process's CPU time (from /proc) so a figure can say where
 * the work went, not only how long it took.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeClusterCertificates } from '../src/crypto/certs.js';
import { createIdentity, saveIdentity, type Identity } from '../src/crypto/identity.js';
import { encodePublicKey } from '../src/crypto/keys.js';
import { Collaboration } from '../src/governance/collaboration.js';
import { Tessera } from '../src/client/tessera.js';
import { freePort } from '../test/helpers/cluster.js';

export interface ProcessCluster {
  readonly collaboration: Collaboration;
  readonly hospital: Identity;
  readonly ca: string;
  readonly pids: readonly number[];
  close(): Promise<void>;
}

export interface ProcessClusterOptions {
  /** Directory for a CPU profile of each node process (node --cpu-prof). */
  readonly profileDir?: string;
  /** More flags for the node processes (e.g. --perf-basic-prof for Linux perf). */
  readonly nodeFlags?: readonly string[];
}

export async function startProcessCluster(root: string, options: ProcessClusterOptions = {}): Promise<ProcessCluster> {
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
    const prof = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
    const child = spawn(process.execPath, [...prof, ...(options.nodeFlags ?? []), fileURLToPath(new URL('../src/node/main.js', import.meta.url)), '--config', join(dir, 'node.json')], { stdio: 'inherit' });
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
    pids: children.map((c) => c.pid ?? 0),
    close: async () => {
      await Promise.all(children.map((c) => new Promise((resolve) => (c.once('exit', resolve), c.kill('SIGTERM')))));
    },
  };
}

export interface CpuSeconds {
  readonly user: number;
  readonly system: number;
}

/** CPU seconds a process has used so far, in user and system (kernel) mode (Linux /proc; 0 elsewhere). */
export async function processCpuSeconds(pid: number): Promise<CpuSeconds> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / CLOCK_TICKS, system: Number(fields[12]) / CLOCK_TICKS };
  } catch {
    return { user: 0, system: 0 };
  }
}

/** USER_HZ: 100 on every Linux this runs on (sysconf is not reachable from node). */
const CLOCK_TICKS = 100;

export interface MachineCpu {
  readonly busy: number;
  readonly softirq: number;
  readonly idle: number;
}

/** Machine-wide CPU seconds so far (all cores; Linux /proc/stat): busy, of which softirq (network), and idle. */
export async function machineCpuSeconds(): Promise<MachineCpu> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0];
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return { busy: (user + nice + system + irq + softirq + steal) / CLOCK_TICKS, softirq: softirq / CLOCK_TICKS, idle: (idle + iowait) / CLOCK_TICKS };
  } catch {
    return { busy: 0, softirq: 0, idle: 0 };
  }
}
