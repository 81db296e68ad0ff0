/**
 * Three node processes on loopback with the TLS mesh and HTTPS API, as a real deployment runs
 * them, for benchmarks. Reports each process's CPU time (from /proc) so a figure can say where
 * the work went, not only how long it took.
 */

import { readFile } from 'node:fs/promises';
import { initCluster } from '../src/cli/cluster/init.js';
import { clusterDown, clusterUp } from '../src/cli/cluster/processes.js';
import { loadIdentity, type Identity } from '../src/crypto/identity.js';
import { Collaboration } from '../src/governance/collaboration.js';

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
  // Made exactly as `tessera cluster init` and `cluster up` make a local cluster, with the nodes
  // logging warnings only (per-request info lines cost throughput that a benchmark should not count).
  const cluster = await initCluster({ dir: root, parties: [{ name: HOSPITAL, roles: ['input', 'output', 'analyst'] }], logLevel: 'warn' });
  const execArgv = [...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []), ...(options.nodeFlags ?? [])];
  const up = await clusterUp(cluster, { execArgv, timeoutMs: 60_000 });
  const collaboration = await Collaboration.load(cluster.collaborationPath);
  const hospital = await loadIdentity(cluster.path(cluster.file.parties[0].key));
  return {
    collaboration,
    hospital,
    ca: cluster.caPath,
    pids: up.nodes.map((n) => n.pid),
    close: async () => {
      await clusterDown(cluster);
    },
  };
}

const HOSPITAL = 'St. Mary Hospital';

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
