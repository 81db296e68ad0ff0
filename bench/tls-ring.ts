/**
 * Transport benchmark: the project's link layer against bare node:tls sockets, in the same run.
 *
 * Ring exchange: each of three processes sends B bytes to one neighbour and receives B bytes from
 * the other, all at once (the communication of one multiplication). By default, as in a reshare,
 * each receives from its next party: on the link it dialed, which the mesh reads with node's
 * `onread` (reused-reads.ts); `--receive-from=prev` receives on the accepted link ('data'
 * events). The raw sockets read with 'data' events either way. Ping: the same with 8 bytes, the
 * latency of one protocol round. Two transports, alternated round by round so that a machine
 * shared with other work loads both alike:
 *
 *   link  the TLS mesh (src/net/tls.ts) and StreamLink + Mailbox, as the protocols use them
 *         (a long send lent, as mul's blocks and reshareKept's messages: `--send`, Send below;
 *         a receive into a buffer the receiver reuses, as mul's into its result: `--receive`,
 *         Receive below);
 *   raw   node:tls sockets with the same certificates, suite and socket options, one write of
 *         the whole payload, and the receiver only counts the bytes (no framing, no copy): the
 *         floor any layer on node:tls can reach.
 *
 * Both run with the allocator settings and V8 flags of the party processes (PARTY_ALLOCATOR_ENV,
 * COLOCATED_PARTY_FLAGS), and both with the one cipher suite asked for (`ciphers`: node has no
 * `ciphersuites` option, and the raw sockets once silently ran node's default, AES-256-GCM).
 *
 * Prints per size the median (over rounds) of the per-round medians of the slowest party, and
 * the ratio link / raw.
 *
 *   node dist/bench/tls-ring.js [--mb=1,8,64] [--reps=20] [--rounds=3] [--pings=500] [--warmup=N]
 *     [--cipher=TLS_AES_128_GCM_SHA256] [--tcp] [--json] [--kinds=raw,link] [--receive-from=next|prev] [--interleave=8] [--receive=into|give-back|keep] [--send=lend|copy]
 *   (--tcp: plain TCP instead of TLS, reference only; --json: also every round's figures as one
 *   JSON line; --kinds=link runs one transport only, e.g. under strace or perf; --mb= with
 *   nothing runs the pings alone; besides CPU it prints the minor page faults, the milliseconds
 *   of garbage collection per exchange and the full collections per exchange of the three parties;
 *   --interleave=N runs both transports in the same three processes, N pairs of alternating
 *   blocks of --reps exchanges (--pings for the round), and prints the per-pair ratios: the
 *   figure to trust on a machine that other work loads; --warmup=N untimed exchanges before each
 *   size's timed ones, by default as many as the timed ones: --warmup=3 gives the figures of
 *   the sessions before s11-link, which counted the JIT warm-up of the small round;
 *   --receive=keep: the link's receiver keeps a fresh buffer per message, the default until
 *   s12-link, whose external memory makes V8 run a full collection every 64 MB; --give-back is
 *   --receive=give-back)
 *   (BENCH_PROF=dir writes CPU profiles of the party processes to dir/link and dir/raw;
 *   BENCH_NODE_FLAGS='--trace-gc …' adds node flags to the party processes)
 */

import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer as netServer, connect as netConnect, type Socket } from 'node:net';
import { createServer as tlsServer, connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { generateClusterCertificates, type ClusterCertificates } from '../src/crypto/certs.js';
import { StreamLink } from '../src/net/stream-link.js';
import { TlsMesh, type MeshParty, type PeerAddress } from '../src/net/tls.js';
import { Mailbox } from '../src/net/mailbox.js';
import { COLOCATED_PARTY_FLAGS, PARTY_ALLOCATOR_ENV } from '../src/mpc/party-environment.js';
import { SENT, type Link } from '../src/net/link.js';
import { IN_PLACE_MIN_BYTES } from '../src/mpc/session.js';

type Kind = 'link' | 'raw';
interface Setup {
  kind: Kind;
  secure: boolean;
  cipher: string;
  /** The neighbour each party receives from (and sends to the other): 'next' as in a reshare. */
  receiveFrom: 'next' | 'prev';
  /** What the link's receiver does with each message's memory (Receive). */
  receive: Receive;
  /** How the link's sender hands over a long message (Send). */
  send: Send;
}

/**
 * How the link's receiver takes each message:
 *   into       received into a buffer the receiver reuses (Mailbox.recvInto, as mul receives
 *              its blocks into its result and a pool-backed protocol into pool memory): the link
 *              writes the decrypted bytes straight there, no buffer of its own (the default).
 *              Only from IN_PLACE_MIN_BYTES, as Session.reshareKept: a shorter message (the 8 B
 *              round) is received as the protocols receive it, a view of the link's slab;
 *   give-back  a buffer of the link's own, given back once read (`recycle`, as a protocol that
 *              calls Session.release after reading a message for the last time, e.g. an open);
 *   keep       a fresh buffer of the link's own per message, kept (the default until s12-link):
 *              shows what a fresh array per received message costs (page faults, and at 8 MiB
 *              and above V8's full collections for its external memory).
 */
type Receive = 'into' | 'give-back' | 'keep';
const RECEIVES: readonly Receive[] = ['into', 'give-back', 'keep'];

/**
 * How the link's sender hands over each message from IN_PLACE_MIN_BYTES on:
 *   lend  lent (Link.lend, as Session.sendLent: mul's blocks, reshareKept's long messages): the
 *         link writes it from the sender's memory, no framed copy, and the exchange waits for
 *         it to be written (the default);
 *   copy  send: the link copies it into its framed staging first, so the caller may overwrite
 *         it at once (the default until this option): one more pass over every byte.
 * Shorter messages are always sent (copied), as the protocols send them.
 */
type Send = 'lend' | 'copy';
const SENDS: readonly Send[] = ['lend', 'copy'];
type ToChild =
  | { t: 'init'; party: MeshParty; certs: ClusterCertificates; setup: Setup }
  | { t: 'peers'; kind: Kind; next: PeerAddress }
  | { t: 'go'; kind: Kind; bytes: number; reps: number };
type Done = { t: 'done'; ms: number[]; cpuMs: number; faults: number; gcMs: number; fullGcs: number };
type FromChild = { t: 'port'; port: number } | { t: 'ready' } | Done | { t: 'error'; message: string };

function arg(name: string, fallback: string): string {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
}

/** One exchange: send `bytes` to the next party, receive as many from the previous one. */
type Exchange = (bytes: number) => Promise<void>;

/**
 * The project's links: a send as `send` says (Send), and a receive as `receive` says (Receive).
 */
function linkExchange(to: Link, from: Link, receive: Receive, send: Send): Exchange {
  const box = new Mailbox(from);
  new Mailbox(to);
  const payloads = new Map<number, Uint8Array>();
  const targets = new Map<number, Uint8Array>();
  return async (bytes) => {
    let payload = payloads.get(bytes);
    if (!payload) payloads.set(bytes, (payload = new Uint8Array(bytes)));
    let target = targets.get(bytes);
    if (receive === 'into' && bytes >= IN_PLACE_MIN_BYTES && !target) targets.set(bytes, (target = new Uint8Array(bytes)));
    const sent = send === 'lend' && bytes >= IN_PLACE_MIN_BYTES && to.lend !== undefined ? to.lend(1n, payload) : to.send(1n, payload);
    const got = target ? await box.recvInto(1n, target, 60_000) : await box.recv(1n, 60_000);
    // As Session.sendBytes: a send the link took at once (SENT) is not awaited.
    if (sent !== SENT) await sent;
    if (got.byteLength !== bytes) throw new Error(`received ${got.byteLength} bytes, expected ${bytes}`);
    if (receive === 'give-back') from.recycle?.(got);
  };
}

/** Bare sockets: one write, and a receiver that only counts. */
function rawExchange(out: Socket, inc: Socket): Exchange {
  let received = 0;
  let want = 0;
  let wake: (() => void) | undefined;
  inc.on('data', (d: Buffer) => {
    received += d.byteLength;
    if (wake && received >= want) wake();
  });
  const payloads = new Map<number, Buffer>();
  return async (bytes) => {
    let payload = payloads.get(bytes);
    if (!payload) payloads.set(bytes, (payload = Buffer.alloc(bytes)));
    want = bytes;
    const arrived = new Promise<void>((r) => (wake = r));
    if (received >= want) wake!();
    out.write(payload);
    await arrived;
    wake = undefined;
    received -= bytes;
  };
}

async function child(): Promise<void> {
  // Milliseconds spent in garbage collections so far (all kinds), and the full collections (mark-compact).
  let gcMs = 0;
  let fullGcs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) fullGcs++;
    }
  }).observe({ entryTypes: ['gc'] });
  // One process may hold both transports (--interleave): each by its kind.
  const exchanges = new Map<Kind, Exchange>();
  const onPeers = new Map<Kind, (next: PeerAddress) => Promise<void>>();
  const send = (m: FromChild): void => void process.send!(m);
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m: ToChild) => {
    void (async () => {
      try {
        if (m.t === 'init') {
          const me = m.certs.nodes[m.party];
          const pins = { 0: m.certs.nodes[0].fingerprint256, 1: m.certs.nodes[1].fingerprint256, 2: m.certs.nodes[2].fingerprint256 };
          if (m.setup.kind === 'link' && m.setup.secure) {
            const mesh = await TlsMesh.listen({
              party: m.party, key: me.keyPem, cert: me.certPem, ca: m.certs.ca.certPem, peerFingerprints: pins,
              listen: { host: '127.0.0.1', port: 0 }, ciphers: m.setup.cipher, connectTimeoutMs: 10_000,
            });
            onPeers.set('link', async (next) => {
              const l = await mesh.connect(next);
              mesh.close();
              exchanges.set('link', m.setup.receiveFrom === 'next' ? linkExchange(l.prev, l.next, m.setup.receive, m.setup.send) : linkExchange(l.next, l.prev, m.setup.receive, m.setup.send));
            });
            send({ t: 'port', port: mesh.address.port });
            return;
          }
          // Bare sockets (raw TLS, or TCP for either kind): the same options as the mesh.
          const tlsOptions = { key: me.keyPem, cert: me.certPem, ca: m.certs.ca.certPem, minVersion: 'TLSv1.3' as const, ciphers: m.setup.cipher };
          const server = m.setup.secure ? tlsServer({ ...tlsOptions, requestCert: true, rejectUnauthorized: true }) : netServer();
          server.listen(0, '127.0.0.1');
          await once(server, 'listening');
          const accepted = once(server, m.setup.secure ? 'secureConnection' : 'connection') as Promise<[Socket]>;
          onPeers.set(m.setup.kind, async (next) => {
            const out = m.setup.secure ? tlsConnect({ ...tlsOptions, host: next.host, port: next.port, servername: 'localhost' }) : netConnect(next.port, next.host);
            await once(out, m.setup.secure ? 'secureConnect' : 'connect');
            const [inc] = await accepted;
            server.close();
            for (const s of [out, inc]) s.setNoDelay(true);
            const [to, from] = m.setup.receiveFrom === 'next' ? [inc, out] : [out, inc];
            exchanges.set(m.setup.kind, m.setup.kind === 'raw' ? rawExchange(to, from) : linkExchange(new StreamLink(to, 'to'), new StreamLink(from, 'from'), m.setup.receive, m.setup.send));
          });
          send({ t: 'port', port: (server.address() as { port: number }).port });
        } else if (m.t === 'peers') {
          await onPeers.get(m.kind)!(m.next);
          send({ t: 'ready' });
        } else if (m.t === 'go') {
          const exchange = exchanges.get(m.kind)!;
          const ms: number[] = [];
          const c0 = process.cpuUsage();
          const f0 = process.resourceUsage().minorPageFault;
          const g0 = gcMs;
          const full0 = fullGcs;
          for (let r = 0; r < m.reps; r++) {
            const t0 = performance.now();
            await exchange(m.bytes);
            ms.push(performance.now() - t0);
          }
          const c = process.cpuUsage(c0);
          const faults = (process.resourceUsage().minorPageFault - f0) / m.reps;
          // The collections' entries arrive a turn later.
          await new Promise((r) => setImmediate(r));
          send({ t: 'done', ms, cpuMs: (c.user + c.system) / 1000 / m.reps, faults, gcMs: (gcMs - g0) / m.reps, fullGcs: (fullGcs - full0) / m.reps });
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

/**
 * Untimed exchanges before a size's timed ones: `--warmup=N`, or by default as many as the timed
 * ones. Three (the default until s11-link) left the JIT warm-up of the small round's path inside
 * the timed pings, and unevenly: a run's long exchanges had already run raw's receive path
 * ('data' events, 128–512 per MiB-sized exchange) thousands of times, but not the link's
 * small-message path (docs/benchmarks.md, "s11-link").
 */
/** `--receive=into|give-back|keep` (Receive); `--give-back` is the same as `--receive=give-back` (before s12-link the only alternative to keep). */
function receiveMode(): Receive {
  const given = arg('receive', process.argv.includes('--give-back') ? 'give-back' : 'into');
  if (!(RECEIVES as readonly string[]).includes(given)) throw new RangeError(`--receive=${given}: give one of ${RECEIVES.join(', ')}`);
  return given as Receive;
}

const RECEIVE_LABELS: Record<Receive, string> = {
  into: 'into a buffer it reuses (recvInto)',
  'give-back': 'into buffers of its own, each given back once read (recycle)',
  keep: 'a fresh buffer per message, kept',
};

/** `--send=lend|copy` (Send). */
function sendMode(): Send {
  const given = arg('send', 'lend');
  if (!(SENDS as readonly string[]).includes(given)) throw new RangeError(`--send=${given}: give one of ${SENDS.join(', ')}`);
  return given as Send;
}

function warmupCount(timed: number): number {
  const given = arg('warmup', '');
  if (given === '') return timed;
  const n = Number(given);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`--warmup=${given}: give a whole number of untimed exchanges (0 or more), or leave it out for as many as the timed ones`);
  return n;
}

const warmupLabel = (): string => (arg('warmup', '') === '' ? 'as many exchanges as timed' : `${warmupCount(0)} exchanges per size`);

const median = (xs: number[]): number => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]);

interface Figures {
  /** Median wall milliseconds of one exchange, slowest party. */
  ms: number;
  /** Mean CPU milliseconds (user + system) of one exchange, busiest party: steadier than wall
   * time on a machine shared with other work. */
  cpuMs: number;
  /** Mean minor page faults per exchange, the party with the most (fresh memory touched: with
   * transparent huge pages one fault clears 2 MiB). */
  faults: number;
  /** Mean milliseconds of garbage collection per exchange, the party with the most. */
  gcMs: number;
  /** Full collections (mark-compact) per exchange, summed over the three parties. */
  fullGcs: number;
}

/** The figures of one block of exchanges from the three parties' reports. */
function ringFigures(done: readonly Done[]): Figures {
  const most = (f: (d: Done) => number): number => Math.max(...done.map(f));
  return { ms: most((d) => median(d.ms)), cpuMs: most((d) => d.cpuMs), faults: most((d) => d.faults), gcMs: most((d) => d.gcMs), fullGcs: done.reduce((sum, d) => sum + d.fullGcs, 0) };
}

/** Three fresh processes; returns the figures per size. */
async function measure(certs: ClusterCertificates, setup: Setup, jobs: Array<{ bytes: number; reps: number }>): Promise<Figures[]> {
  const self = fileURLToPath(import.meta.url);
  const extra = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');
  const execArgv = [...COLOCATED_PARTY_FLAGS, ...extra, ...(process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}/${setup.kind}`] : [])];
  const kids = [0, 1, 2].map(() => fork(self, ['child'], { serialization: 'advanced', execArgv, env: { ...PARTY_ALLOCATOR_ENV, ...process.env } }));
  try {
    const ports = await Promise.all(kids.map((c, i) => { const p = next(c, 'port'); c.send({ t: 'init', party: i as MeshParty, certs, setup } satisfies ToChild); return p; }));
    await Promise.all(kids.map((c, i) => { const p = next(c, 'ready'); c.send({ t: 'peers', kind: setup.kind, next: { host: '127.0.0.1', port: ports[(i + 1) % 3].port } } satisfies ToChild); return p; }));
    const out: Figures[] = [];
    for (const { bytes, reps } of jobs) {
      // Untimed exchanges first, as many as the timed ones unless --warmup says otherwise: the
      // timed ones measure the steady state, not the JIT compiling this size's path (see warmupCount).
      await Promise.all(kids.map((c) => { const p = next(c, 'done'); c.send({ t: 'go', kind: setup.kind, bytes, reps: warmupCount(reps) } satisfies ToChild); return p; }));
      const done = await Promise.all(kids.map((c) => { const p = next(c, 'done'); c.send({ t: 'go', kind: setup.kind, bytes, reps } satisfies ToChild); return p; }));
      out.push(ringFigures(done));
    }
    return out;
  } finally {
    for (const c of kids) c.disconnect();
    await Promise.all(kids.map((c) => (c.exitCode === null ? once(c, 'exit') : undefined)));
  }
}

/**
 * Both transports in the same three processes, alternating blocks of `reps` exchanges (link,
 * raw, raw, link, …): on a machine loaded by other work both meet the same load, and the ratio
 * is taken per pair of neighbouring blocks. Returns per size the per-pair ratios of wall
 * (slowest party's median) and CPU (busiest party's mean per exchange).
 */
async function interleaved(certs: ClusterCertificates, base: Omit<Setup, 'kind'>, jobs: Array<{ bytes: number; reps: number }>, pairs: number): Promise<Array<{ wall: number[]; cpu: number[] }>> {
  const self = fileURLToPath(import.meta.url);
  const extra = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');
  const kids = [0, 1, 2].map(() => fork(self, ['child'], { serialization: 'advanced', execArgv: [...COLOCATED_PARTY_FLAGS, ...extra], env: { ...PARTY_ALLOCATOR_ENV, ...process.env } }));
  const all = <T extends FromChild['t']>(t: T, msg: (i: number) => ToChild): Promise<Array<Extract<FromChild, { t: T }>>> =>
    Promise.all(kids.map((c, i) => { const p = next(c, t); c.send(msg(i)); return p; }));
  try {
    for (const kind of ['link', 'raw'] as const) {
      const setup: Setup = { ...base, kind };
      const ports = await all('port', (i) => ({ t: 'init', party: i as MeshParty, certs, setup }));
      await all('ready', (i) => ({ t: 'peers', kind, next: { host: '127.0.0.1', port: ports[(i + 1) % 3].port } }));
    }
    const out: Array<{ wall: number[]; cpu: number[] }> = [];
    for (const { bytes, reps } of jobs) {
      const block = async (kind: Kind): Promise<Figures> => {
        const done = await all('done', () => ({ t: 'go', kind, bytes, reps }));
        return ringFigures(done);
      };
      for (const kind of ['link', 'raw'] as const) await all('done', () => ({ t: 'go', kind, bytes, reps: warmupCount(reps) }));
      const wall: number[] = [], cpu: number[] = [];
      for (let p = 0; p < pairs; p++) {
        const order: Kind[] = p % 2 === 0 ? ['link', 'raw'] : ['raw', 'link'];
        const f: Partial<Record<Kind, Figures>> = {};
        for (const kind of order) f[kind] = await block(kind);
        wall.push(f.link!.ms / f.raw!.ms);
        cpu.push(f.link!.cpuMs / f.raw!.cpuMs);
      }
      out.push({ wall, cpu });
    }
    return out;
  } finally {
    for (const c of kids) c.disconnect();
    await Promise.all(kids.map((c) => (c.exitCode === null ? once(c, 'exit') : undefined)));
  }
}

async function main(): Promise<void> {
  const sizesMb = arg('mb', '1,8,64').split(',').filter((x) => x !== '').map(Number);
  const kinds = arg('kinds', 'raw,link').split(',') as Kind[];
  const reps = Number(arg('reps', '20'));
  const rounds = Number(arg('rounds', '3'));
  const pings = Number(arg('pings', '500'));
  const cipher = arg('cipher', 'TLS_AES_128_GCM_SHA256');
  const secure = !process.argv.includes('--tcp');
  const receiveFrom = arg('receive-from', 'next') === 'prev' ? 'prev' : 'next';
  const receive = receiveMode();
  const send = sendMode();
  const certs = await generateClusterCertificates();
  const jobs = [...sizesMb.map((mb) => ({ bytes: Math.round(mb * 1024 * 1024), reps: mb >= 64 ? Math.max(5, Math.round(reps / 4)) : reps })), ...(pings > 0 ? [{ bytes: 8, reps: pings }] : [])];
  warmupCount(0); // refuses a bad --warmup before any process starts
  const pairs = Number(arg('interleave', '0'));
  if (pairs > 0) {
    const ratios = await interleaved(certs, { secure, cipher, receiveFrom, receive, send }, jobs, pairs);
    console.log(`three processes holding both transports on loopback, ${secure ? cipher : 'plain TCP'}; each receives from its ${receiveFrom} party; the link ${send === 'lend' ? 'lends' : 'copies'} long sends and receives ${RECEIVE_LABELS[receive]}; ${pairs} pairs of alternating blocks; untimed warm-up: ${warmupLabel()}; link/raw per pair: median (min–max)`);
    const range = (xs: number[]): string => `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
    jobs.forEach((j, i) => console.log(`${(j.bytes === 8 ? '8 B (one round)' : `${j.bytes / 1024 / 1024} MiB`).padEnd(20)} wall ${range(ratios[i].wall)}   CPU ${range(ratios[i].cpu)}`));
    return;
  }
  const results: Record<Kind, Figures[][]> = { link: [], raw: [] };
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so neither always runs on the warmer (or busier) machine.
    const order = r % 2 === 0 ? kinds : [...kinds].reverse();
    for (const kind of order) results[kind].push(await measure(certs, { kind, secure, cipher, receiveFrom, receive, send }, jobs));
  }
  console.log(`three processes on loopback, ${secure ? cipher : 'plain TCP (insecure, reference only)'}; each receives from its ${receiveFrom} party; the link ${send === 'lend' ? 'lends' : 'copies'} long sends and receives ${RECEIVE_LABELS[receive]}; ${rounds} alternating rounds, median of per-round medians (slowest party); untimed warm-up: ${warmupLabel()}`);
  console.log(`${'exchange per party'.padEnd(20)} ${'raw node:tls'.padStart(13)} ${'link'.padStart(10)} ${'link/raw'.padStart(9)}   ${'cpu raw'.padStart(9)} ${'cpu link'.padStart(9)} ${'link/raw'.padStart(9)}   ${'faults raw'.padStart(10)} ${'link'.padStart(6)}   ${'gc raw'.padStart(8)} ${'link'.padStart(8)}   ${'full gc raw'.padStart(11)} ${'link'.padStart(5)}`);
  const fmt = (ms: number): string => (Number.isNaN(ms) ? '-' : ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(1)} ms`);
  jobs.forEach((j, i) => {
    const pick = (kind: Kind, f: keyof Figures): number => median(results[kind].map((x) => x[i][f]));
    const label = j.bytes === 8 ? '8 B (one round)' : `${j.bytes / 1024 / 1024} MiB`;
    const [raw, link, cpuRaw, cpuLink] = [pick('raw', 'ms'), pick('link', 'ms'), pick('raw', 'cpuMs'), pick('link', 'cpuMs')];
    const [faultsRaw, faultsLink] = [pick('raw', 'faults'), pick('link', 'faults')];
    const [gcRaw, gcLink] = [pick('raw', 'gcMs'), pick('link', 'gcMs')];
    const [fullRaw, fullLink] = [pick('raw', 'fullGcs'), pick('link', 'fullGcs')];
    console.log(`${label.padEnd(20)} ${fmt(raw).padStart(13)} ${fmt(link).padStart(10)} ${(link / raw).toFixed(2).padStart(9)}   ${fmt(cpuRaw).padStart(9)} ${fmt(cpuLink).padStart(9)} ${(cpuLink / cpuRaw).toFixed(2).padStart(9)}   ${faultsRaw.toFixed(1).padStart(10)} ${faultsLink.toFixed(1).padStart(6)}   ${fmt(gcRaw).padStart(8)} ${fmt(gcLink).padStart(8)}   ${fullRaw.toFixed(2).padStart(11)} ${fullLink.toFixed(2).padStart(5)}`);
  });
  if (process.argv.includes('--json')) console.log(JSON.stringify({ jobs, results }));
}

if (process.argv[2] === 'child') void child();
else await main();
