#!/usr/bin/env node
/**
 * A node process: `node dist/src/node/main.js --config node.json [--no-warm-up]`. Logs JSON lines to stdout
 * (redirect them to a file); stops cleanly on SIGTERM or SIGINT, and when the parent that started
 * it with an IPC channel goes away.
 */

import { readFile } from 'node:fs/promises';
import { loadIdentity } from '../crypto/identity.js';
import { TesseraError } from '../errors.js';
import { Collaboration } from '../governance/collaboration.js';
import { loadNodeConfig } from './config.js';
import { startNode, type NodeHandle } from './server.js';
import { PARTY_ALLOCATOR_ENV } from '../mpc/party-environment.js';

async function readPem(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new TesseraError('NODE_CONFIG', `cannot read the ${what} at ${path} (${(error as NodeJS.ErrnoException).code ?? 'I/O error'})`);
  }
}

/** Starts the node described by a configuration file; `warmUp: false` skips the start-up warm-up whatever the file says. */
export async function startNodeFromConfig(configPath: string, overrides: { readonly warmUp?: false } = {}): Promise<NodeHandle> {
  const config = await loadNodeConfig(configPath);
  const collaboration = await Collaboration.load(config.collaborationFile);
  const identity = await loadIdentity(config.identityFile);
  const [cert, key, ca] = await Promise.all([
    readPem(config.tls.certFile, 'TLS certificate'),
    readPem(config.tls.keyFile, 'TLS private key'),
    readPem(config.tls.caFile, 'cluster CA certificate'),
  ]);
  const node = await startNode({
    index: config.index,
    collaboration,
    identity,
    dataDir: config.dataDir,
    mpc: { tls: { key, cert, ca, listen: config.mpcListen } },
    api: { host: config.apiListen.host, port: config.apiListen.port, tls: { key, cert } },
    timeouts: config.timeouts,
    log: { level: config.logLevel },
    bodyLimitBytes: config.bodyLimitBytes,
    tableLimits: config.tableLimits,
    limits: config.limits,
    jobs: config.jobs,
    warmUp: overrides.warmUp ?? config.warmUp,
  });
  const missing = missingAllocatorSettings(process.env);
  if (missing.length > 0) node.log.warn({ missing, recommended: PARTY_ALLOCATOR_ENV }, 'allocator settings absent: long messages received may fault in fresh pages (up to ~3 x the CPU per 8 MiB message); start the node with the recommended environment (docs/system.md, "A node")');
  return node;
}

/** Which of the recommended allocator variables (party-environment.ts PARTY_ALLOCATOR_ENV) the node's environment lacks: glibc reads them only at process start. */
export function missingAllocatorSettings(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(PARTY_ALLOCATOR_ENV).filter((name) => env[name] === undefined);
}

function noWarmUpArgument(argv: readonly string[]): { warmUp?: false } {
  return argv.includes('--no-warm-up') ? { warmUp: false } : {};
}

function configArgument(argv: readonly string[]): string | undefined {
  const i = argv.indexOf('--config');
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith('--config='))?.slice('--config='.length);
}

async function main(): Promise<void> {
  const path = configArgument(process.argv.slice(2));
  if (!path) {
    process.stderr.write('usage: node dist/src/node/main.js --config node.json [--no-warm-up]\n');
    process.exit(2);
  }
  let node: NodeHandle | undefined;
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    if (!node) process.exit(1); // still starting: nothing to close (as SIGTERM's default would)
    node.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Started with an IPC channel (by a test or a supervisor): stop when the parent goes away, even
  // during start-up, so that a parent that crashed or was killed leaves no node running (and
  // holding its ports) behind.
  if (process.connected) process.once('disconnect', stop);
  try {
    node = await startNodeFromConfig(path, noWarmUpArgument(process.argv.slice(2)));
  } catch (error) {
    process.stderr.write(`tessera node: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
