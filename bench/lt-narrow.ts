/**
 * Range-aware less-than, before and after (mpc/protocols/compare-narrow.ts): lt on 64 bits
 * against ltNarrow on `bits` for the same operands, three in-thread parties with in-memory links.
 *   npm run build && node dist/bench/lt-narrow.js [rows] [bits]
 */
import { localTrio } from '../src/mpc/local.js';
import { lt } from '../src/mpc/protocols/compare.js';
import { ltNarrow } from '../src/mpc/protocols/compare-narrow.js';
import { input } from '../src/mpc/protocols/io.js';

const n = Number(process.argv[2] ?? 1 << 20);
const bits = Number(process.argv[3] ?? 15);
const trio = await localTrio({ timeoutMs: 600_000 });
const half = 1n << BigInt(bits - 2);
const xs = BigUint64Array.from({ length: n }, (_, i) => BigInt.asUintN(64, (BigInt(i) * 7919n) % half));
const ys = BigUint64Array.from({ length: n }, (_, i) => BigInt.asUintN(64, -((BigInt(i) * 104729n) % half)));
for (const narrow of [false, true, false, true]) {
  const [r] = await trio.run(async (s) => {
    const x = await input(s, 0, s.me === 0 ? xs : n), y = await input(s, 1, s.me === 1 ? ys : n);
    const b0 = s.stats.bytesSent, r0 = s.stats.rounds, t0 = performance.now();
    await (narrow ? ltNarrow(s, x, y, bits) : lt(s, x, y));
    return { seconds: (performance.now() - t0) / 1000, bytes: s.stats.bytesSent - b0, rounds: s.stats.rounds - r0 };
  });
  console.log(`${narrow ? `ltNarrow(${bits})` : 'lt (64 bits)'} rows ${n}: ${(r.seconds * 1000).toFixed(0)} ms, ${(r.bytes / n).toFixed(1)} B/element sent (party 0), ${r.rounds} rounds`);
}
trio.close();
