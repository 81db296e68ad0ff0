/**
 * Range-aware sort comparisons, before and after (protocols/sort.ts `keyBits`): sortByKey of
 * random keys below 2^bits with the wide comparator (64-bit key + 32-bit index) and packed
 * (key and index in one word), three in-thread parties with in-memory links.
 *   npm run build && node dist/bench/sort-key-bits.js [rows] [bits]
 */
import { localTrio } from '../src/mpc/local.js';
import { input } from '../src/mpc/protocols/io.js';
import { sortByKey } from '../src/mpc/protocols/sort.js';

const n = Number(process.argv[2] ?? 1 << 18);
const bits = Number(process.argv[3] ?? 27);
const trio = await localTrio({ timeoutMs: 600_000 });
const keys = BigUint64Array.from({ length: n }, (_, i) => BigInt.asUintN(bits, BigInt(i) * 0x9e3779b97f4a7c15n));
for (const keyBits of [undefined, bits, undefined, bits]) {
  const [r] = await trio.run(async (s) => {
    const key = await input(s, 0, s.me === 0 ? keys : n);
    const b0 = s.stats.bytesSent, r0 = s.stats.rounds, t0 = performance.now();
    await sortByKey(s, key, [key], keyBits === undefined ? {} : { keyBits });
    return { seconds: (performance.now() - t0) / 1000, bytes: s.stats.bytesSent - b0, rounds: s.stats.rounds - r0 };
  });
  console.log(`${keyBits === undefined ? 'wide  ' : `packed`} rows ${n} key bits ${bits}: ${r.seconds.toFixed(2)} s, ${(r.bytes / n).toFixed(0)} B/row sent (party 0), ${r.rounds} rounds`);
}
trio.close();
