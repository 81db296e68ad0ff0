/** Connecting to a node of a process test once it answers /v1/health with ok (nodes started by NodeProcessSet or `tessera cluster up`). */

import { Tessera } from '../../src/client/tessera.js';
import { NodeStartError } from '../../src/cli/errors.js';
import { NodeUnavailableError } from '../../src/errors.js';

/** Per health request: far above what an answering node needs, even at load ~30 (the connect's own check has its own bound). */
const HEALTH_REQUEST_MS = 10_000;

/**
 * A client from `open` once its node answers /v1/health with ok (a node that is still starting
 * is asked again; any other error is thrown). Every client opened is added to `opened`, so the
 * test closes them all. Each attempt is bounded (Tessera.connect's connectTimeoutMs, then this
 * file's health request bound), so a silent node cannot hold it past `timeoutMs` by much.
 */
export async function connectWhenHealthy(open: () => Promise<Tessera>, node: number, opened: Tessera[], timeoutMs = 120_000): Promise<Tessera> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const client = await open();
      opened.push(client);
      if ((await client.health({ timeoutMs: HEALTH_REQUEST_MS })).status === 'ok') return client;
      last = 'it answers, but its mesh to the other nodes is not up';
    } catch (error) {
      if (!(error instanceof NodeUnavailableError)) throw error;
      last = error.message;
    }
    if (Date.now() > deadline) throw new NodeStartError(`node ${node} did not become healthy within ${Math.round(timeoutMs / 1000)} s (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
