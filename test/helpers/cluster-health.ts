/** Waits until a local cluster's node 0 answers /v1/health with ok (process tests start nodes themselves). */

import { Tessera } from '../../src/client/tessera.js';
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
