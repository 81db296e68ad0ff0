/**
 * Entry point of one party's OS process in the local cluster (see process-cluster.ts). The
 * parent sends the certificate files and pins over IPC; this process listens on a free loopback
 * port, reports it, dials the next party once told its address, connects the Party over the TLS
 * mesh, then serves job requests. It exits when the parent goes away.
 */

import { readFile } from 'node:fs/promises';
import { TlsMesh, type PeerAddress } from '../net/tls.js';
import { errorToWire, type WireError } from './job.js';
import { Party, type PartyId } from './party.js';
import { PartyHost, type HostReply, type HostRequest } from './party-host.js';

export interface ProcessInit {
  readonly t: 'init';
  readonly party: PartyId;
  readonly files: { readonly key: string; readonly cert: string; readonly ca: string };
  readonly fingerprints: readonly [string, string, string];
  readonly host: string;
  readonly timeoutMs: number | undefined;
  readonly connectTimeoutMs: number | undefined;
  readonly ciphers: string | undefined;
}

export type ToPartyProcess = ProcessInit | { readonly t: 'peers'; readonly next: PeerAddress } | HostRequest;
export type FromPartyProcess = HostReply | { readonly t: 'listening'; readonly port: number } | { readonly t: 'ready' } | { readonly t: 'start-failed'; readonly error: WireError };

function post(m: FromPartyProcess): void {
  if (process.connected) process.send!(m);
}

/** Deferred: node crashes when the IPC channel is disconnected from inside its own message handler. */
function disconnect(): void {
  setImmediate(() => {
    if (process.connected) process.disconnect();
  });
}

let mesh: TlsMesh | undefined;
let host: PartyHost | undefined;
let init: ProcessInit | undefined;

async function onInit(m: ProcessInit): Promise<void> {
  init = m;
  const [key, cert, ca] = await Promise.all([readFile(m.files.key, 'utf8'), readFile(m.files.cert, 'utf8'), readFile(m.files.ca, 'utf8')]);
  mesh = await TlsMesh.listen({
    party: m.party,
    key,
    cert,
    ca,
    peerFingerprints: { 0: m.fingerprints[0], 1: m.fingerprints[1], 2: m.fingerprints[2] },
    listen: { host: m.host, port: 0 },
    connectTimeoutMs: m.connectTimeoutMs,
    ciphers: m.ciphers,
  });
  post({ t: 'listening', port: mesh.address.port });
}

async function onPeers(next: PeerAddress): Promise<void> {
  if (!mesh || !init) throw new Error('peers before init');
  const links = await mesh.connect(next);
  mesh.close();
  const party = await Party.connect(init.party, links, init.timeoutMs === undefined ? {} : { timeoutMs: init.timeoutMs });
  host = new PartyHost(party, post, disconnect);
  post({ t: 'ready' });
}

process.on('message', (m: ToPartyProcess) => {
  if (m.t === 'init' || m.t === 'peers') {
    (m.t === 'init' ? onInit(m) : onPeers(m.next)).catch((e: unknown) => {
      post({ t: 'start-failed', error: errorToWire(e) });
      process.exitCode = 1;
      disconnect();
    });
  } else if (host) {
    host.handle(m);
  } else if (m.t === 'close') {
    mesh?.close();
    disconnect();
  }
});

// The parent is the only controller: without it, nobody will ever ask for or read a result.
process.on('disconnect', () => {
  host?.party.close();
  mesh?.close();
  setTimeout(() => process.exit(process.exitCode ?? 0), 1500).unref();
});
