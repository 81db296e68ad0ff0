/**
 * Entry point of one party's worker thread in the embedded runner (see embedded.ts): wires its
 * two MessagePorts into PortLinks, connects the Party, then serves job requests.
 */

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { PortLink } from '../net/port-link.js';
import { errorToWire } from './job.js';
import { Party, nextOf, prevOf, type PartyId } from './party.js';
import { PartyHost, type HostRequest, type HostReply } from './party-host.js';

export interface WorkerInit {
  readonly party: PartyId;
  readonly next: MessagePort;
  readonly prev: MessagePort;
  readonly timeoutMs: number | undefined;
}

export type WorkerMessage = HostReply | { readonly t: 'ready' } | { readonly t: 'start-failed'; readonly error: ReturnType<typeof errorToWire> };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('embedded-worker must run in a worker thread');
  const init = workerData as WorkerInit;
  const post = (m: WorkerMessage): void => port.postMessage(m);
  let party: Party;
  try {
    const links = { next: new PortLink(init.next, `party ${nextOf(init.party)}`), prev: new PortLink(init.prev, `party ${prevOf(init.party)}`) };
    party = await Party.connect(init.party, links, init.timeoutMs === undefined ? {} : { timeoutMs: init.timeoutMs });
  } catch (e) {
    post({ t: 'start-failed', error: errorToWire(e) });
    port.close();
    return;
  }
  const host = new PartyHost(party, post, () => port.close());
  port.on('message', (m: HostRequest) => host.handle(m));
  post({ t: 'ready' });
}

void main();
