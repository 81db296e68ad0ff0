/**
 * Transport benchmark: an 8 MB ring exchange between three processes (each party sends 8 MB to
 * the next and receives 8 MB from the previous, all at once), over the TLS mesh with each TLS 1.3
 * cipher suite and over plain TCP for reference. Prints milliseconds per exchange (median over
 * the repetitions, slowest party) and the resulting throughput per party.
 *
 *   node dist/bench/tls-ring.js [--mb=8] [--reps=30] [--ciphers=A,B,...] [--no-tcp]
 *   (BENCH_PROF=dir writes CPU profiles of the three parties there)
 */

import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect as netConnect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { generateClusterCertificates, type ClusterCertificates } from '../src/crypto/certs.js';
import { StreamLink } from '../src/net/stream-link.js';
import { TlsMesh, type MeshParty, type PeerAddress } from '../src/net/tls.js';
import { Mailbox } from '../src/net/mailbox.js';
import type { Link } from '../src/net/link.js';

type Transport = { kind: 'tls'; ciphers: string } | { kind: 'tcp' };
type ToChild =
  | { t: 'init'; party: MeshParty; certs: ClusterCertificates; transport: Transport }
  | { t: 'peers'; next: PeerAddress }
  | { t: 'go'; bytes: number; reps: number };
type FromChild = { t: 'port'; port: number } | { t: 'ready' } | { t: 'done'; ms: number[] } | { t: 'error'; message: string };

const ALL_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256'];

function arg(name: string, fallback: string): string {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
}

async function child(): Promise<void> {
  let party: MeshParty = 0;
  let links: { next: Link; prev: Link } | undefined;
  let onPeers: ((next: PeerAddress) => Promise<void>) | undefined;
  const send = (m: FromChild): void => void process.send!(m);
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m: ToChild) => {
    void (async () => {
      try {
        if (m.t === 'init') {
          party = m.party;
          const me = m.certs.nodes[party];
          if (m.transport.kind === 'tls') {
            const mesh = await TlsMesh.listen({
              party, key: me.keyPem, cert: me.certPem, ca: m.certs.ca.certPem,
              peerFingerprints: { 0: m.certs.nodes[0].fingerprint256, 1: m.certs.nodes[1].fingerprint256, 2: m.certs.nodes[2].fingerprint256 },
              listen: { host: '127.0.0.1', port: 0 }, ciphers: m.transport.ciphers, connectTimeoutMs: 10_000,
            });
            onPeers = async (next) => { links = await mesh.connect(next); mesh.close(); };
            send({ t: 'port', port: mesh.address.port });
          } else {
            const server = createServer();
            server.listen(0, '127.0.0.1');
            await once(server, 'listening');
            const accepted = once(server, 'connection') as Promise<[Socket]>;
            onPeers = async (next) => {
              const out = netConnect(next.port, next.host);
              await once(out, 'connect');
              const [inc] = await accepted;
              server.close();
              for (const s of [out, inc]) s.setNoDelay(true);
              links = { next: new StreamLink(out, 'next'), prev: new StreamLink(inc, 'prev') };
            };
            send({ t: 'port', port: (server.address() as { port: number }).port });
          }
        } else if (m.t === 'peers') {
          await onPeers!(m.next);
          send({ t: 'ready' });
        } else if (m.t === 'go') {
          const l = links!;
          const box = new Mailbox(l.prev);
          new Mailbox(l.next);
          const ms: number[] = [];
          for (let r = 0; r < m.reps; r++) {
            const payload = new Uint8Array(m.bytes);
            const t0 = performance.now();
            const sent = l.next.send(1n, payload);
            const got = await box.recv(1n, 30_000);
            await sent;
            if (got.byteLength !== m.bytes) throw new Error('short message');
            ms.push(performance.now() - t0);
          }
          send({ t: 'done', ms });
        }
      } catch (e) {
        send({ t: 'error', message: e instanceof Error ? e.message : String(e) });
      }
    })();
  });
}

function next<T extends FromChild['t']>(c: ChildProcess, t: T): Promise<Extract<FromChild, { t: T }>> {
  return new Promise((resolve, reject) => {
    const on = (m: FromChild): void => {
      if (m.t === 'error') reject(new Error(m.message));
      else if (m.t === t) resolve(m as Extract<FromChild, { t: T }>);
      else return;
      c.off('message', on);
    };
    c.on('message', on);
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(certs: ClusterCertificates, transport: Transport, bytes: number, reps: number): Promise<number> {
  const self = fileURLToPath(import.meta.url);
  const kids = [0, 1, 2].map(() => fork(self, ['child'], { serialization: 'advanced', execArgv: process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_PROF] : [] }));
  try {
    const ports = await Promise.all(kids.map((c, i) => { const p = next(c, 'port'); c.send({ t: 'init', party: i as MeshParty, certs, transport } satisfies ToChild); return p; }));
    await Promise.all(kids.map((c, i) => { const p = next(c, 'ready'); c.send({ t: 'peers', next: { host: '127.0.0.1', port: ports[(i + 1) % 3].port } } satisfies ToChild); return p; }));
    const done = await Promise.all(kids.map((c) => { const p = next(c, 'done'); c.send({ t: 'go', bytes, reps } satisfies ToChild); return p; }));
    // Skip the first few exchanges (connection warm-up, JIT), then take each party's median.
    const warm = Math.min(3, reps - 1);
    return Math.max(...done.map((d) => median(d.ms.slice(warm))));
  } finally {
    for (const c of kids) c.disconnect();
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function main(): Promise<void> {
  const mb = Number(arg('mb', '8'));
  const reps = Number(arg('reps', '30'));
  const suites = arg('ciphers', ALL_SUITES.join(',')).split(',');
  const bytes = Math.round(mb * 1024 * 1024);
  const certs = await generateClusterCertificates();
  const rows: [string, number][] = [];
  if (!process.argv.includes('--no-tcp')) rows.push(['plain TCP (reference, insecure)', await measure(certs, { kind: 'tcp' }, bytes, reps)]);
  for (const s of suites) rows.push([s, await measure(certs, { kind: 'tls', ciphers: s }, bytes, reps)]);
  console.log(`ring exchange of ${mb} MB per party, 3 processes on loopback, median of ${reps} (slowest party)`);
  for (const [name, ms] of rows) console.log(`${name.padEnd(34)} ${ms.toFixed(1).padStart(7)} ms  ${(bytes / ms / 1e6).toFixed(2).padStart(6)} GB/s per party`);
}

if (process.argv[2] === 'child') void child();
else await main();
