import { localTrio } from '../src/mpc/local.js';
import { randomA } from '../src/mpc/protocols/io.js';
import { sortByKey } from '../src/mpc/protocols/sort.js';
const n = Number(process.argv[2] ?? 65536);
const trio = await localTrio();
for (let rep = 0; rep < 2; rep++) {
  const t0 = performance.now(); const c0 = process.cpuUsage();
  const [r] = await trio.run(async (s) => { const out = await sortByKey(s, randomA(s, n), [randomA(s, n)]); return { ...s.stats, levels: out.levels }; });
  const c = process.cpuUsage(c0); console.log('sort', n, (performance.now() - t0).toFixed(0), 'ms wall', ((c.user + c.system) / 3000).toFixed(0), 'ms CPU per party', (r.bytesSent / n).toFixed(0), 'B/row', r.rounds, 'rounds', r.levels, 'levels');
}
trio.close();
