/**
 * Fixed-point functions on 2^20 elements (or --n=...) with the three parties in this thread
 * (not run by `npm test`):
 *   npx tsc -p . && node dist/bench/fixmath-local.js [--n=1048576] [--only=sigmoid,exp]
 * Prints wall and CPU seconds of a warm run (all three parties share this thread: divide the CPU
 * by three for one party), the wall seconds of the first (cold) full-size run, bytes sent per
 * element by each party, and rounds. Asserts nothing about time.
 */

import { randomBytes } from 'node:crypto';
import { localTrio } from '../src/mpc/local.js';
import type { Session } from '../src/mpc/session.js';
import type { AShare } from '../src/mpc/shares.js';
import { input } from '../src/mpc/protocols/io.js';
import { div, exp, reciprocal, rsqrt, sigmoid, sqrt } from '../src/mpc/protocols/fixmath/index.js';

function argument(name: string, fallback: string): string {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
}

const N = Number(argument('n', String(1 << 20)));
const ONLY = argument('only', '').split(',').filter((x) => x !== '');
const F = 16;

/** Uniform reals in [lo, hi] encoded with F fraction bits. */
function uniform(n: number, lo: number, hi: number): BigUint64Array {
  const raw = randomBytes(4 * n);
  const out = new BigUint64Array(n);
  for (let i = 0; i < n; i++) out[i] = BigInt.asUintN(64, BigInt(Math.round((lo + (hi - lo) * (raw.readUInt32LE(4 * i) / 2 ** 32)) * 2 ** F)));
  return out;
}

interface Case {
  readonly name: string;
  readonly inputs: (n: number) => BigUint64Array[];
  readonly run: (s: Session, x: AShare[]) => Promise<AShare>;
}

const cases: Case[] = [
  { name: 'sigmoid (all x)', inputs: (n) => [uniform(n, -12, 12)], run: (s, [x]) => sigmoid(s, x) },
  { name: 'sigmoid |x| <= 2^15 declared', inputs: (n) => [uniform(n, -12, 12)], run: (s, [x]) => sigmoid(s, x, { bound: 2 ** 15 }) },
  { name: 'exp x in [-32, 15.9]', inputs: (n) => [uniform(n, -32, 15.9)], run: (s, [x]) => exp(s, x, { min: -32, max: 15.9 }) },
  { name: 'reciprocal x in [2^-8, 2^16]', inputs: (n) => [uniform(n, 2 ** -8, 2 ** 16)], run: (s, [x]) => reciprocal(s, x, { min: 2 ** -8, max: 2 ** 16 }) },
  { name: 'reciprocal signed |x| in [2^-8, 2^16]', inputs: (n) => [uniform(n, -(2 ** 16), 2 ** 16)], run: (s, [x]) => reciprocal(s, x, { min: 2 ** -8, max: 2 ** 16, signed: true }) },
  { name: 'div x in [-2^10, 2^10], y in [2^-4, 2^10]', inputs: (n) => [uniform(n, -1024, 1024), uniform(n, 1 / 16, 1024)], run: (s, [x, y]) => div(s, x, y, { numeratorMax: 1024, min: 1 / 16, max: 1024 }) },
  { name: 'sqrt x in [0, 2^16]', inputs: (n) => [uniform(n, 0, 2 ** 16)], run: (s, [x]) => sqrt(s, x, { max: 2 ** 16 }) },
  { name: 'rsqrt x in [2^-8, 2^16]', inputs: (n) => [uniform(n, 2 ** -8, 2 ** 16)], run: (s, [x]) => rsqrt(s, x, { min: 2 ** -8, max: 2 ** 16 }) },
];

const trio = await localTrio({ timeoutMs: 600_000 });
console.log(`${N} elements, f = ${F}, three parties in one thread`);
console.log('function'.padEnd(44) + 'wall s'.padStart(8) + 'cpu s'.padStart(8) + 'cold s'.padStart(8) + '   bytes/element by party 0, 1, 2'.padEnd(40) + 'rounds');
async function measure(c: Case, n: number) {
  const inputs = c.inputs(n);
  return trio.run(async (s) => {
    const xs: AShare[] = [];
    for (const v of inputs) xs.push(await input(s, 0, s.me === 0 ? v : v.length));
    const b0 = s.stats.bytesSent, r0 = s.stats.rounds;
    const t0 = performance.now(), c0 = process.cpuUsage();
    await c.run(s, xs);
    const cpu = process.cpuUsage(c0);
    return { wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6, bytes: (s.stats.bytesSent - b0) / n, rounds: s.stats.rounds - r0 };
  });
}

for (const c of cases) {
  if (ONLY.length > 0 && !ONLY.some((o) => c.name.startsWith(o))) continue;
  // Warm-up: V8 optimises the BigInt loops only after they have run for a while, and the
  // scratch pools grow to size on the first large run; a node serving queries runs warm, so
  // the cold run is printed apart and the warm figure is the third run at full size.
  for (let i = 0; i < 2; i++) await measure(c, Math.min(N, 1 << 16));
  const cold = await measure(c, N);
  await measure(c, N);
  const results = await measure(c, N);
  const [r0] = results;
  const bytes = results.map((r) => r.bytes.toFixed(1)).join(', ');
  console.log(c.name.padEnd(44) + r0.wall.toFixed(3).padStart(8) + r0.cpu.toFixed(3).padStart(8) + cold[0].wall.toFixed(3).padStart(8) + `   ${bytes}`.padEnd(40) + String(r0.rounds));
}
trio.close();
