/**
 * A node that accepts connections and never answers (stopped, stuck, starved) cannot hold a
 * client: Tessera.connect's health check is bounded by connectTimeoutMs, any request by its own
 * timeoutMs, and both fail with NodeUnavailableError naming the node. The silent node is an HTTPS
 * server with node 0's pinned certificate whose handler never replies.
 */

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { initCluster } from '../../src/cli/cluster/init.js';
import type { LocalCluster } from '../../src/cli/cluster/layout.js';
import { NodeConnection } from '../../src/client/node-connection.js';
import { Tessera } from '../../src/client/tessera.js';
import { NodeUnavailableError, UsageError } from '../../src/errors.js';
import { Collaboration } from '../../src/governance/collaboration.js';
import { ROUTES } from '../../src/wire/api.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let root: string;
let cluster: LocalCluster;
let silent: Server;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-silent-'));
  cluster = await initCluster({ dir: root, warmUp: false, parties: [{ name: 'Hospital', roles: ['input', 'output', 'analyst'] }] });
  const [cert, key] = await Promise.all([readFile(cluster.path('certs/node-0.pem'), 'utf8'), readFile(cluster.path('certs/node-0.key'), 'utf8')]);
  silent = createServer({ cert, key, minVersion: 'TLSv1.3' }, () => undefined); // reads every request, answers none
  const url = new URL(cluster.nodes[0].apiUrl);
  await new Promise<void>((resolve) => silent.listen(Number(url.port), url.hostname, resolve));
});

after(async () => {
  silent.closeAllConnections();
  await new Promise((resolve) => silent.close(resolve));
  await rm(root, { recursive: true, force: true });
});

test('connecting to a node that never answers fails after connectTimeoutMs with NodeUnavailableError naming it', { timeout: 60_000 }, async () => {
  await assert.rejects(Tessera.connect({ collaboration: cluster.collaborationPath, node: 0, ca: cluster.caPath, connectTimeoutMs: 1000 }), (e: unknown) => {
    assert.ok(e instanceof NodeUnavailableError, `expected NodeUnavailableError, got ${String(e)}`);
    assert.match(e.message, /node 0 \('node-0'\) at https:\/\/127\.0\.0\.1:\d+ did not answer within 1 s/);
    return true;
  });
});

test('one request to a node that never answers fails after its own timeoutMs', { timeout: 60_000 }, async () => {
  const collaboration = await Collaboration.load(cluster.collaborationPath);
  const connection = new NodeConnection(collaboration.node(0), { ca: await readFile(cluster.caPath, 'utf8'), timeoutMs: 600_000 });
  try {
    await assert.rejects(connection.send({ method: 'GET', path: ROUTES.health, timeoutMs: 500 }), (e: unknown) => e instanceof NodeUnavailableError && /did not answer within 0\.5 s/.test(e.message));
  } finally {
    await connection.close();
  }
});

test('a connectTimeoutMs that is not a positive number is refused before anything is sent', async () => {
  for (const connectTimeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    await assert.rejects(Tessera.connect({ collaboration: cluster.collaborationPath, node: 0, ca: cluster.caPath, connectTimeoutMs }), (e: unknown) => e instanceof UsageError && /connectTimeoutMs must be a positive number/.test(e.message));
  }
});
