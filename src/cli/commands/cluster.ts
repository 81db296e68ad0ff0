/** `tessera cluster init|up|status|down DIR`: three node processes on this machine. */

import { relative } from 'node:path';
import { Option, type Command } from 'commander';
import { LOG_LEVELS, type LogLevel } from '../../node/config.js';
import type { PartySpec } from '../../node/embedded-cluster.js';
import { UsageError } from '../../errors.js';
import { EXIT_UNAVAILABLE } from '../errors.js';
import { formatSeconds, table, type Console } from '../output.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerClusterCommands(program: Command, io: Console): void {
  const cluster = program.command('cluster').description('a local cluster: three node processes on this machine, over mutual TLS on loopback');

  cluster
    .command('init')
    .description('create a cluster directory: CA and node certificates, node keys and configurations on free ports, the collaboration, party keys')
    .argument('<dir>', 'new or empty directory')
    .option('--party <name:roles>', 'add a party, e.g. --party "City Clinic:input,output" (repeatable; roles: input, output, analyst, representative)', collect, [])
    .option('--no-demo-parties', 'leave out the demo parties (Registry North/East/South, St. Mary Hospital, Analyst)')
    .option('--host <host>', 'address the nodes listen on and are reached at', '127.0.0.1')
    .addOption(new Option('--log-level <level>', 'node log level').choices([...LOG_LEVELS]).default('info'))
    .option('--force', 'replace the cluster files in a non-empty directory (keys and data there are lost)')
    .option('--no-warm-up', 'the nodes skip their start-up warm-up ("warmUp": false in each node.json): they start faster, and the first query of each pays the compilation')
    .option('--production', "production mode (docs/governance.md): the demo parties' policy, signed by their representatives: every query needs an approved script")
    .action(async (dir: string, options: { party: string[]; demoParties: boolean; host: string; logLevel: LogLevel; force?: boolean; production?: boolean; warmUp: boolean }) => {
      const { parsePartySpec, DEMO_PARTIES, DEMO_POLICY } = await import('../cluster/parties.js');
      const { initCluster } = await import('../cluster/init.js');
      if (options.production && !options.demoParties) throw new UsageError('--production signs the demo parties\' policy: keep the demo parties, or write your own policy into the collaboration file and sign it with tessera policy sign');
      const parties: PartySpec[] = [...(options.demoParties ? DEMO_PARTIES : []), ...options.party.map(parsePartySpec)];
      const created = await initCluster({ dir, parties, host: options.host, force: options.force ?? false, logLevel: options.logLevel, warmUp: options.warmUp, ...(options.production ? { governance: DEMO_POLICY } : {}) });
      const s = io.style;
      io.line(`Created a local cluster in ${s.bold(dir)}`);
      io.line(
        table(
          [['node', 'API', 'MPC', 'config'], ...created.nodes.map((n) => [n.name, n.apiUrl, n.mpcAddress, n.config])],
          { indent: '  ', header: true, style: s },
        ),
      );
      io.line('');
      io.line(table([['party', 'roles', 'key file'], ...created.file.parties.map((p) => [p.name, p.roles.join(', '), p.key])], { indent: '  ', header: true, style: s }));
      io.line('');
      io.line(`Next: ${s.cyan(`tessera cluster up ${dir}`)}`);
    });

  cluster
    .command('up')
    .description('start the three nodes in the background and wait until they are healthy with the mesh up (does nothing if they are)')
    .argument('<dir>', 'cluster directory (from cluster init)')
    .option('--timeout <seconds>', 'how long to wait for the nodes (each warms up before it listens)', '60')
    .action(async (dir: string, options: { timeout: string }) => {
      const { LocalCluster } = await import('../cluster/layout.js');
      const { clusterUp } = await import('../cluster/processes.js');
      const local = await LocalCluster.load(dir);
      const s = io.style;
      const started = performance.now();
      const shown = (p: string): string => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p));
      io.line(`Starting the cluster in ${s.bold(dir)}`);
      const result = await clusterUp(local, {
        timeoutMs: seconds(options.timeout, '--timeout') * 1000,
        onEvent: (event) => {
          const name = event.node.name.padEnd(7);
          if (event.kind === 'already-running') io.line(`  ${name} already running (pid ${event.pid})`);
          else if (event.kind === 'started') io.line(`  ${name} started (pid ${event.pid}), log ${shown(local.path(event.node.log))}`);
          else if (event.state === 'degraded') io.line(`  ${name} API up, connecting to its peers`);
          else if (event.state === 'ok') io.line(`  ${name} ${s.green('healthy')}: mesh to both peers up`);
        },
      });
      const elapsed = formatSeconds(performance.now() - started);
      io.line(result.alreadyUp ? `The cluster was already up.` : `${s.green('All three nodes are up')} (${elapsed}).`);
      io.line(`Try: ${s.cyan(`tessera demo --cluster ${dir}`)}   Stop: ${s.cyan(`tessera cluster down ${dir}`)}`);
    });

  cluster
    .command('status')
    .description("each node's process, API health, mesh and table count; exit code 3 unless all are healthy")
    .argument('<dir>', 'cluster directory')
    .option('--json', 'one JSON object')
    .action(async (dir: string, options: { json?: boolean }) => {
      const { LocalCluster } = await import('../cluster/layout.js');
      const { loadTrust, probeCluster } = await import('../cluster/health.js');
      const { readPid, isNodeProcess } = await import('../cluster/processes.js');
      const local = await LocalCluster.load(dir);
      const health = await probeCluster(await loadTrust(local));
      const nodes = await Promise.all(
        local.nodes.map(async (n) => {
          const pid = await readPid(local, n);
          const running = pid !== undefined && (await isNodeProcess(pid, local.path(n.config)));
          const h = health[n.index];
          return { name: n.name, apiUrl: n.apiUrl, pid: running ? pid : undefined, state: h.state, peers: h.health?.peers ?? [], tables: h.health?.tables, error: h.error };
        }),
      );
      const healthy = nodes.every((n) => n.state === 'ok');
      if (options.json) io.line(JSON.stringify({ dir: local.dir, healthy, nodes }));
      else {
        const s = io.style;
        const state = (st: string): string => (st === 'ok' ? s.green('up, mesh ok') : st === 'degraded' ? s.yellow('up, mesh down') : s.red('down'));
        io.line(`Cluster in ${s.bold(dir)}`);
        io.line(
          table(
            [
              ['node', 'process', 'API', 'state', 'peers', 'tables'],
              ...nodes.map((n) => [
                n.name,
                n.pid !== undefined ? `pid ${n.pid}` : 'not running',
                n.apiUrl,
                state(n.state),
                n.peers.length > 0 ? n.peers.map((p) => `${p.name} ${p.connected ? 'connected' : 'not connected'}`).join(', ') : '-',
                n.tables !== undefined ? String(n.tables) : '-',
              ]),
            ],
            { indent: '  ', header: true, style: s },
          ),
        );
        if (!healthy) io.line(`Not all nodes are healthy: start them with ${s.cyan(`tessera cluster up ${dir}`)}; logs are in ${dir}/node<i>/node.log`);
      }
      if (!healthy) io.exitCode = EXIT_UNAVAILABLE;
    });

  cluster
    .command('down')
    .description('stop the three nodes (SIGTERM, then SIGKILL after the grace period) and remove their pid files')
    .argument('<dir>', 'cluster directory')
    .option('--grace <seconds>', 'how long a node may take to stop cleanly', '10')
    .action(async (dir: string, options: { grace: string }) => {
      const { LocalCluster } = await import('../cluster/layout.js');
      const { clusterDown } = await import('../cluster/processes.js');
      const local = await LocalCluster.load(dir);
      await clusterDown(local, {
        graceMs: seconds(options.grace, '--grace') * 1000,
        onEvent: (event) => {
          const name = event.node.name.padEnd(7);
          if (event.kind === 'stopped') io.line(`  ${name} stopped (pid ${event.pid}${event.forced ? ', killed after the grace period' : ''})`);
          else io.line(`  ${name} was not running${event.stalePidFile ? ' (removed a stale pid file)' : ''}`);
        },
      });
      io.line(`The cluster in ${dir} is down; its data stays in ${dir}/node<i>/data (start again with \`tessera cluster up ${dir}\`).`);
    });
}

function seconds(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number of seconds, got '${text}'`);
  return n;
}

