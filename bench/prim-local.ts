/**
 * fxmul, lt and shuffle on 2^20 elements (or --n=...) with the three parties in this thread (not
 * run by `npm test`): `npx tsc -p . && node [--cpu-prof] dist/bench/prim-local.js [--n=1048576]
 * [--only=fxmul,lt,shuffle] [--reps=5]`. Prints, per operation, the median CPU seconds of the
 * whole thread (all three parties: divide by three for one), bytes per element per party and
 * rounds. The outputs are opened and checked against plaintext after every run (a wrong result
 * throws). Asserts nothing about time.
 */

import { randomBytes } from 'node:crypto';
import { localTrio } from '../src/mpc/local.js';
import type { Session } from '../src/mpc/session.js';
import type { AShare, BitShare } from '../src/mpc/shares.js';
import { input, open, openBits } from '../src/mpc/protocols/io.js';
import { fxmul } from '../src/mpc/protocols/trunc.js';
import { lt } from '../src/mpc/protocols/compare.js';
import { shuffle, type Columns } from '../src/mpc/protocols/shuffle.js';

function argument(name: string, fallback: string): string {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
}

const N = Number(argument('n', String(1 << 20)));
const ONLY = argument('only', 'fxmul,lt,shuffle').split(',');
const REPS = Number(argument('reps', '5'));
const F = 16;

function signed(n: number, bits: number): BigUint64Array {
  const raw = new BigUint64Array(randomBytes(8 * n).buffer);
  for (let i = 0; i < n; i++) raw[i] = BigInt.asUintN(64, BigInt.asIntN(bits, raw[i]));
  return raw;
}

type Check = (x: BigUint64Array, y: BigUint64Array, out: BigUint64Array) => void;
const cases: Record<string, { bits: number; run: (s: Session, x: AShare, y: AShare) => Promise<unknown>; open: (s: Session, out: never) => Promise<BigUint64Array>; check: Check }> = {
  fxmul: {
    bits: 30,
    run: (s, x, y) => fxmul(s, x, y, F),
    open: (s, out: AShare) => open(s, out),
    check: (x, y, out) => {
      for (let i = 0; i < x.length; i++) {
        const exact = (BigInt.asIntN(64, x[i]) * BigInt.asIntN(64, y[i])) >> BigInt(F);
        const d = BigInt.asIntN(64, out[i]) - exact;
        if (d !== 0n && d !== 1n) throw new Error(`fxmul wrong at ${i}: ${BigInt.asIntN(64, out[i])} vs ${exact}`);
      }
    },
  },
  lt: {
    bits: 62,
    run: (s, x, y) => lt(s, x, y),
    open: (s, out: BitShare) => openBits(s, out),
    check: (x, y, out) => {
      for (let i = 0; i < x.length; i++) {
        const want = BigInt.asIntN(64, x[i]) < BigInt.asIntN(64, y[i]);
        const got = ((out[i >> 6] >> BigInt(i & 63)) & 1n) === 1n;
        if (want !== got) throw new Error(`lt wrong at ${i}`);
      }
    },
  },
  shuffle: {
    bits: 64,
    run: (s, x) => shuffle(s, { arith: [x], binary: [] }),
    open: (s, out: Columns) => open(s, out.arith[0]),
    check: (x, _y, out) => {
      const a = x.slice().sort(), b = out.slice().sort();
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) throw new Error('shuffle is not a permutation');
    },
  },
};

const trio = await localTrio({ timeoutMs: 600_000 });
for (const name of ONLY) {
  const c = cases[name];
  const x = signed(N, c.bits), y = signed(N, c.bits);
  const cpus: number[] = [];
  let bytes = '', rounds = 0;
  for (let r = 0; r < REPS + 1; r++) {
    const results = await trio.run(async (s) => {
      const xs = await input(s, 0, s.me === 0 ? x : N), ys = await input(s, 0, s.me === 0 ? y : N);
      const b0 = s.stats.bytesSent, r0 = s.stats.rounds;
      const c0 = process.cpuUsage();
      const out = await c.run(s, xs, ys);
      const cpu = process.cpuUsage(c0);
      const bytes = (s.stats.bytesSent - b0) / N, rounds = s.stats.rounds - r0;
      return { out: await c.open(s, out as never), cpu: (cpu.user + cpu.system) / 1e6, bytes, rounds };
    });
    // The CPU counter is the thread's: the three parties' runs overlap, take the largest reading.
    if (r > 0) cpus.push(Math.max(...results.map((q) => q.cpu)));
    bytes = results.map((q) => q.bytes.toFixed(1)).join('/');
    rounds = results[0].rounds;
    c.check(x, y, results[0].out as BigUint64Array);
  }
  cpus.sort((a, b) => a - b);
  console.log(`${name.padEnd(8)} cpu(3 parties) min ${(cpus[0] * 1000).toFixed(1)} median ${(cpus[REPS >> 1] * 1000).toFixed(1)} ms  [${cpus.map((v) => (v * 1000).toFixed(0)).join(' ')}]  bytes/elt ${bytes}  rounds ${rounds}  `);
}
trio.close();
