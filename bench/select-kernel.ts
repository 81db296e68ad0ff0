/**
 * In-thread kernel benchmark of describe's selection (ALGO=radix: mpc/protocols/radix-select.ts;
 * otherwise the quickselect, mpc/protocols/order-statistics.ts; KEY_BITS sets the range): five
 * columns of `n` values in the stats bench's range (hundredths in [−1000, 1000]: 18 key bits),
 * ranks 0, the quartiles' pairs and n − 1, three parties in one thread (localTrio).
 * `node dist/bench/select-kernel.js [n] [reps] [columns]`: CPU per party (process CPU / 3),
 * bytes sent per party and row, rounds, levels, comparisons per row and column.
 * NOCHECK=1 skips the plaintext check (for profiles). SEED=text fixes the pairwise PRG keys (the shuffles' permutations, so the quickselect's levels
 * and comparisons): A/B pairs of two builds then do the same work.
 */
import { localTrio } from '../src/mpc/local.js';
import { input, open } from '../src/mpc/protocols/io.js';
import { keySign, selectRanks } from '../src/mpc/protocols/order-statistics.js';
import { selectRanks as radixRanks } from '../src/mpc/protocols/radix-select.js';
import { indexBits, type SignComparator } from '../src/mpc/protocols/sort.js';
import { seedPairwise } from '../test/helpers/seeded-session.js';
import { columnValues, KEY_BITS, wantedRanks } from './select-jobs.js';

const n = Number(process.argv[2] ?? 1 << 18);
const reps = Number(process.argv[3] ?? 2);
const columns = Number(process.argv[4] ?? 5);
const keyBits = Number(process.env.KEY_BITS ?? KEY_BITS);
const radix = process.env.ALGO === 'radix';
const values = Array.from({ length: columns }, (_, j) => columnValues(n, j));
const ranks = wantedRanks(n);
const trio = await localTrio({ timeoutMs: 600_000 });
for (let rep = 0; rep < reps; rep++) {
  const [r] = await trio.run(async (s) => {
    const seed = process.env.SEED;
    if (seed !== undefined) seedPairwise(s, { '01': `${seed}${rep}01`, '12': `${seed}${rep}12`, '02': `${seed}${rep}02` });
    const shared = [];
    for (const v of values) shared.push({ values: await input(s, 0, s.me === 0 ? v : n), min: -100_000n, keyBits: KEY_BITS, ranks });
    const comparisons = { count: 0 };
    const compare = keySign(s, KEY_BITS + indexBits(n));
    const counting: SignComparator = (d, m) => {
      comparisons.count += m;
      return compare(d, m);
    };
    const before = { ...s.stats };
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const out = radix ? await radixRanks(s, shared.map((c) => ({ ...c, keyBits }))) : await selectRanks(s, shared.map((c) => ({ ...c, keyBits })), process.env.COUNT ? counting : undefined);
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    const opened = [];
    for (const v of out.values) opened.push(await open(s, v));
    return { wall, cpu: (cpu.user + cpu.system) / 1e6, bytes: s.stats.bytesSent - before.bytesSent, rounds: s.stats.rounds - before.rounds, levels: out.levels, comparisons: comparisons.count, opened };
  });
  // Check against a plaintext sort (NOCHECK=1 skips it: profiles of the selection alone).
  if (!process.env.NOCHECK) values.forEach((v, j) => {
    const sorted = [...v].map((x) => BigInt.asIntN(64, x)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    ranks.forEach((k, t) => {
      if (BigInt.asIntN(64, r.opened[j][t]) !== sorted[k]) throw new Error(`column ${j} rank ${k}: ${BigInt.asIntN(64, r.opened[j][t])} != ${sorted[k]}`);
    });
  });
  console.log(`n=${n} cols=${columns} wall ${r.wall.toFixed(0)} ms, CPU/party ${(r.cpu / 3).toFixed(2)} s, ${(r.bytes / n / columns).toFixed(1)} B sent/row/col/party, ${r.rounds} rounds, ${r.levels} levels${process.env.COUNT ? `, ${(r.comparisons / n / columns).toFixed(2)} cmp/row` : ''}`);
}
trio.close();
