/** Waits until a local cluster's node 0 answers /v1/health with ok (process tests start nodes themselves). */

import { Tessera } from '../../src/client/tessera.js';
import { NodeUnavailableError } from '../../src/errors.js';
import type { LocalCluster } from '../../src/cli/cluster/layout.js';

export async function waitHealthy(cluster: LocalCluster, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const client = await Tessera.connect({ collaboration: cluster.collaborationPath, node: 0, ca: cluster.caPath });
      const ok = (await client.health()).status === 'ok';
      await client.close();
      if (ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error('the cluster did not become healthy');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A client from `open` once its node answers /v1/health with ok (a node that is still starting
 * is asked again; any other error is thrown). Every client opened is added to `opened`, so the
 * test closes them all.
 */
export async function connectWhenHealthy(open: () => Promise<Tessera>, node: number, opened: Tessera[], timeoutMs = 60_000): Promise<Tessera> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const client = await open();
      opened.push(client);
      if ((await client.health()).status === 'ok') return client;
    } catch (error) {
      if (!(error instanceof NodeUnavailableError)) throw error;
    }
    if (Date.now() > deadline) throw new Error(`node ${node} did not become healthy`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
