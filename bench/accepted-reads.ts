/**
 * In-process A/B of the accepted link's reads: a StreamLink receiving on the ACCEPTED end of a
 * TLS 1.3 pair through 'data' events (A, a fresh Buffer per TLS record) against the same with
 * the socket adopted into a reused read buffer (B, src/net/accepted-reads.ts).
 *
 * Two TLS pairs in one process, one per variant; messages alternate A, B, A, B… so a machine
 * loaded by other work loads both alike (multi-process wall times were useless at load 25).
 * Per message: process CPU (both ends, the sending end being the same code in both), and the
 * garbage collections by kind while each variant's messages were in flight.
 *
 *   MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=4294967296 GLIBC_TUNABLES=glibc.malloc.hugetlb=1 \
 *   node --single-threaded-gc --no-incremental-marking dist/bench/accepted-reads.js [--bytes=8388608] [--messages=40]
 *   (the party processes' allocator settings and V8 flags, PARTY_ALLOCATOR_ENV and COLOCATED_PARTY_FLAGS)
 */

import { once } from 'node:events';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { createServer, connect as tlsConnect, type TLSSocket } from 'node:tls';
import { generateClusterCertificates } from '../src/crypto/certs.js';
import { adoptReusedReads } from '../src/net/accepted-reads.js';
import { Mailbox } from '../src/net/mailbox.js';
import { ReusedReads } from '../src/net/reused-reads.js';
import { StreamLink } from '../src/net/stream-link.js';

function arg(name: string, fallback: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : fallback;
}

const bytes = arg('bytes', 8 * 1024 * 1024);
const messages = arg('messages', 40);
const certs = await generateClusterCertificates();

async function pair(adopt: boolean): Promise<{ send: StreamLink; box: Mailbox; adopted: boolean }> {
  const srv = createServer({ key: certs.nodes[0].keyPem, cert: certs.nodes[0].certPem, minVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256' });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const accepted = once(srv, 'secureConnection') as Promise<[TLSSocket]>;
  const client = tlsConnect({ host: '127.0.0.1', port: (srv.address() as { port: number }).port, ca: certs.ca.certPem, servername: 'localhost' });
  await once(client, 'secureConnect');
  const [server] = await accepted;
  srv.close();
  for (const s of [client, server]) s.setNoDelay(true);
  const reads = new ReusedReads();
  const adopted = adopt && adoptReusedReads(server, reads);
  const rx = new StreamLink(server, 'client', adopted ? reads : undefined);
  server.resume();
  return { send: new StreamLink(client, 'server'), box: new Mailbox(rx), adopted };
}

const variants = { A: await pair(false), B: await pair(true) };
if (!variants.B.adopted) throw new Error('the accepted socket could not be adopted on this node');
type Name = keyof typeof variants;
const gcs: Record<Name, Record<string, number>> = { A: {}, B: {} };
let current: Name = 'A';
const kinds: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = kinds[(e as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other';
    gcs[current][kind] = (gcs[current][kind] ?? 0) + 1;
  }
}).observe({ entryTypes: ['gc'] });

const payload = new Uint8Array(bytes).fill(7);
const cpu: Record<Name, number[]> = { A: [], B: [] };
const faults: Record<Name, number> = { A: 0, B: 0 };
for (let i = 0; i < messages + 4; i++) {
  for (const name of (i % 2 === 0 ? ['A', 'B'] : ['B', 'A']) as Name[]) {
    current = name;
    const v = variants[name];
    const f0 = process.resourceUsage().minorPageFault;
    const c0 = process.cpuUsage();
    const got = v.box.recv(1n, 60_000);
    await v.send.send(1n, payload);
    const m = await got;
    if (m.byteLength !== bytes) throw new Error(`received ${m.byteLength} bytes, expected ${bytes}`);
    const c = process.cpuUsage(c0);
    if (i >= 4) {
      cpu[name].push((c.user + c.system) / 1000);
      faults[name] += process.resourceUsage().minorPageFault - f0;
    }
  }
}
// Let the last collections be reported.
await new Promise((r) => setTimeout(r, 100));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const name of ['A', 'B'] as Name[]) {
  const label = name === 'A' ? "A 'data' events" : 'B reused reads';
  console.log(`${label.padEnd(16)} ${bytes} B × ${messages}: CPU per message median ${median(cpu[name]).toFixed(2)} ms, mean ${(cpu[name].reduce((a, b) => a + b, 0) / cpu[name].length).toFixed(2)} ms; minor faults per message ${(faults[name] / messages).toFixed(1)}; GCs ${JSON.stringify(gcs[name])}`);
}
for (const v of Object.values(variants)) v.send.close();
setTimeout(() => process.exit(0), 200).unref();
