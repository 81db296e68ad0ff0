/**
 * The fixed-point functions with the three parties in three worker threads linked by message
 * ports (no TLS): closer to three processes than the in-thread trio, since the parties now
 * compete for the machine's cores as they would in a local cluster. Not run by `npm test`:
 *   npx tsc -p . && node dist/bench/fixmath-threads.js [--n=1048576] [--only=sigmoid]
 * Prints the wall seconds of a warm run (the third at full size) as seen by party 0, bytes per
 * element per party and rounds. Asserts nothing about time.
 */

import { MessageChannel, Worker, isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { PortLink } from '../src/net/port-link.js';
import { Party, type PartyId } from '../src/mpc/party.js';
import type { Session } from '../src/mpc/session.js';
import type { AShare } from '../src/mpc/shares.js';
import { input } from '../src/mpc/protocols/io.js';
import { exp, reciprocal, sigmoid, sqrt } from '../src/mpc/protocols/fixmath/index.js';

interface Job {
  readonly id: PartyId;
  readonly next: MessagePort;
  readonly prev: MessagePort;
  readonly n: number;
  readonly only: string[];
}

const F = 16;
const cases: { name: string; lo: number; hi: number; run: (s: Session, x: AShare) => Promise<AShare> }[] = [
  { name: 'sigmoid (all x)', lo: -12, hi: 12, run: (s, x) => sigmoid(s, x) },
  { name: 'exp x in [-32, 15.9]', lo: -32, hi: 15.9, run: (s, x) => exp(s, x, { min: -32, max: 15.9 }) },
  { name: 'reciprocal x in [2^-8, 2^16]', lo: 2 ** -8, hi: 2 ** 16, run: (s, x) => reciprocal(s, x, { min: 2 ** -8, max: 2 ** 16 }) },
  { name: 'sqrt x in [0, 2^16]', lo: 0, hi: 2 ** 16, run: (s, x) => sqrt(s, x, { max: 2 ** 16 }) },
];

function values(n: number, lo: number, hi: number): BigUint64Array {
  const out = new BigUint64Array(n);
  for (let i = 0; i < n; i++) out[i] = BigInt.asUintN(64, BigInt(Math.round((lo + ((hi - lo) * ((i * 7919) % n)) / n) * 2 ** F)));
  return out;
}

async function party(job: Job): Promise<void> {
  const p = await Party.connect(job.id, { next: new PortLink(job.next, `party ${(job.id + 1) % 3}`), prev: new PortLink(job.prev, `party ${(job.id + 2) % 3}`) }, { timeoutMs: 600_000 });
  let session = 1n;
  for (const c of cases) {
    if (job.only.length > 0 && !job.only.some((o) => c.name.startsWith(o))) continue;
    const x = job.id === 0 ? values(job.n, c.lo, c.hi) : undefined;
    let last = { wall: 0, bytes: 0, rounds: 0 };
    for (let run = 0; run < 3; run++) {
      last = await p.run(session++, async (s) => {
        const xs = await input(s, 0, x ?? job.n);
        const b0 = s.stats.bytesSent, r0 = s.stats.rounds, t0 = performance.now();
        await c.run(s, xs);
        return { wall: (performance.now() - t0) / 1000, bytes: (s.stats.bytesSent - b0) / job.n, rounds: s.stats.rounds - r0 };
      });
    }
    parentPort!.postMessage({ id: job.id, name: c.name, ...last });
  }
  p.close();
}

if (isMainThread) {
  const argument = (name: string, fallback: string): string => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const n = Number(argument('n', String(1 << 20)));
  const only = argument('only', '').split(',').filter((o) => o !== '');
  const links = [new MessageChannel(), new MessageChannel(), new MessageChannel()]; // 0-1, 1-2, 2-0
  const ends: [MessagePort, MessagePort][] = [
    [links[0].port1, links[2].port2],
    [links[1].port1, links[0].port2],
    [links[2].port1, links[1].port2],
  ];
  const results = new Map<string, { wall: number; bytes: number[]; rounds: number }>();
  console.log(`${n} elements, f = ${F}, three parties in three worker threads`);
  console.log('function'.padEnd(36) + 'wall s'.padStart(8) + '   bytes/element by party 0, 1, 2'.padEnd(38) + 'rounds');
  const self = fileURLToPath(import.meta.url);
  await Promise.all(
    ends.map(([next, prev], id) => {
      const worker = new Worker(self, { workerData: { id, next, prev, n, only }, transferList: [next, prev] });
      worker.on('message', (m: { id: number; name: string; wall: number; bytes: number; rounds: number }) => {
        const r = results.get(m.name) ?? { wall: 0, bytes: [0, 0, 0], rounds: m.rounds };
        r.bytes[m.id] = m.bytes;
        if (m.id === 0) r.wall = m.wall;
        results.set(m.name, r);
        if (r.bytes.every((b) => b > 0)) console.log(m.name.padEnd(36) + r.wall.toFixed(3).padStart(8) + `   ${r.bytes.map((b) => b.toFixed(1)).join(', ')}`.padEnd(38) + String(r.rounds));
      });
      return new Promise<void>((resolve, reject) => {
        worker.on('exit', () => resolve());
        worker.on('error', reject);
      });
    }),
  );
} else {
  await party(workerData as Job);
}
