/**
 * The cluster the whole-system suites run on (bench/ingest-suite.ts, bench/relational-suite.ts):
 * made as `tessera cluster init` / `up` make it (three node processes, mutual TLS 1.3 on
 * loopback) in a temporary directory, with the hospital party connected, and taken down and
 * removed afterwards, also on Ctrl-C (the nodes are detached processes).
 */

import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tessera } from '../src/client/tessera.js';
import { initCluster } from '../src/cli/cluster/init.js';
import type { LocalCluster } from '../src/cli/cluster/layout.js';
import { clusterDown, clusterUp, readPid } from '../src/cli/cluster/processes.js';
import { loadTrust, probeCluster } from '../src/cli/cluster/health.js';

export const HOSPITAL = 'St. Mary Hospital';

/**
 * Whether the nodes run their start-up warm-up (bench/main.ts `--no-warm-up` turns it off, for
 * the cold figure). `clusterUp` returns once every node is healthy, i.e. after its warm-up: the
 * suites time nothing before that.
 */
export const benchNodes = { warmUp: true };

/** Extra node flags for an experiment (env TESSERA_BENCH_NODE_FLAGS, space-separated), after the nodes' own. */
function benchNodeFlags(): string[] {
  return (process.env.TESSERA_BENCH_NODE_FLAGS ?? '').split(' ').filter((f) => f.length > 0);
}

/**
 * Where to keep the nodes' logs (env TESSERA_BENCH_NODE_LOGS, a directory), for an experiment
 * that traces the nodes (`--trace-deopt`, `--trace-gc`): the nodes then log at level debug, so
 * each query's 'query executing' and 'query computed' lines mark its window among the traces.
 */
const keptLogs = process.env.TESSERA_BENCH_NODE_LOGS;

export interface BenchCluster {
  readonly cluster: LocalCluster;
  /** A scratch directory for the suite's files, removed with the cluster. */
  readonly root: string;
  /** The node processes, for their CPU and I/O counters (proc-stats.ts). */
  readonly pids: readonly number[];
  /** The hospital (input, output, analyst), connected to node 0. */
  readonly hospital: Tessera;
}

/** `profileDir`: each node process writes a CPU profile there when it stops (node --cpu-prof). */
export async function withNodeCluster<T>(name: string, progress: (text: string) => void, use: (c: BenchCluster) => Promise<T>, profileDir?: string): Promise<T> {
  const root = await mkdtemp(join(tmpdir(), `tessera-bench-${name}-`));
  try {
    const cluster = await initCluster({ dir: join(root, 'cluster'), parties: [{ name: HOSPITAL, roles: ['input', 'output', 'analyst'] }], logLevel: keptLogs ? 'debug' : 'warn', warmUp: benchNodes.warmUp });
    const interrupted = (): void => {
      void clusterDown(cluster, { graceMs: 2000 })
        .then(() => rm(root, { recursive: true, force: true }))
        .finally(() => process.exit(130));
    };
    process.once('SIGINT', interrupted);
    try {
      progress('starting three node processes');
      const execArgv = [...benchNodeFlags(), ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])];
      await clusterUp(cluster, { timeoutMs: 60_000, ...(execArgv.length > 0 ? { execArgv } : {}) });
      const pids = await Promise.all(cluster.nodes.map(async (n) => (await readPid(cluster, n)) as number));
      const health = await probeCluster(await loadTrust(cluster));
      const warm = health.map((h) => h.health?.warmUp);
      progress(warm.every((w) => w !== undefined) ? `nodes ready after their start-up warm-up: ${warm.map((w) => `${w!.wallMs} ms (CPU ${w!.cpuMs} ms)`).join(', ')}` : 'nodes ready, start-up warm-up off: the first query runs cold');
      const hospital = await Tessera.connect({ collaboration: cluster.collaborationPath, identity: cluster.path(cluster.file.parties[0].key), ca: cluster.caPath });
      try {
        return await use({ cluster, root, pids, hospital });
      } finally {
        await hospital.close();
      }
    } finally {
      process.off('SIGINT', interrupted);
      await clusterDown(cluster);
      if (keptLogs) await keepLogs(cluster, keptLogs);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Copies node<i>.log into `dir` (made if missing), after the nodes stopped. */
async function keepLogs(cluster: LocalCluster, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(cluster.nodes.map((n, i) => copyFile(cluster.path(n.log), join(dir, `node${i}.log`))));
}
