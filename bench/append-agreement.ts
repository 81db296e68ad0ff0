/**
 * The cost of the append-row agreement (src/node/query/append-rows.ts) on its own: three parties
 * in one thread (in-memory links), N one-column rows held identically by all three, so the
 * common path (two rounds) is timed; `--split=K` leaves K rows at two nodes only, which adds the
 * third round. Prints rows, milliseconds (all three parties together, one thread) and bytes sent
 * per party.
 *
 *   npx tsc -p . && node dist/bench/append-agreement.js [--rows=20000] [--split=0] [--runs=5]
 */

import { createHash } from 'node:crypto';
import { localTrio } from '../src/mpc/local.js';
import { encodeContribution } from '../src/node/contribution-index.js';
import { agreeOnAppendRows } from '../src/node/query/append-rows.js';
import type { AppendRow } from '../src/node/storage.js';

const arg = (name: string, fallback: string): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const n = arg('rows', '20000');
const split = arg('split', '0');
const runs = arg('runs', '5');

async function main(): Promise<void> {
  const rows: AppendRow[][] = [[], [], []];
  for (let k = 0; k < n; k++) {
    const shares = [BigInt(k) * 7n, BigInt(k) * 13n, BigInt(k) * 17n];
    const submission = `s${k}`.padEnd(16, '0');
    const digest = createHash('sha256').update(`${k}/${submission}`).digest();
    for (const node of [0, 1, 2]) {
      if (k < split && node === 2) continue;
      rows[node].push({ contributorId: `c${String(k).padStart(8, '0')}`, value: encodeContribution(submission, digest, [[shares[node], shares[(node + 1) % 3]]]) });
    }
  }
  let bytes = 0;
  const trio = await localTrio({ tap: (_to, from, _session, payload) => (bytes += from === 0 ? payload.byteLength : 0) });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    bytes = 0;
    const t = performance.now();
    const kept = await trio.run((s) => agreeOnAppendRows(s, 'ab'.repeat(32), [{ name: 't', rows: rows[s.me] }], () => 'a peer'));
    times.push(performance.now() - t);
    if (kept[0].get('t')!.length !== n - split) throw new Error(`kept ${kept[0].get('t')!.length} rows, expected ${n - split}`);
  }
  times.sort((a, b) => a - b);
  console.log(`append-row agreement, ${n} rows (${split} at two nodes only), three parties in one thread: median ${times[Math.floor(runs / 2)].toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[runs - 1].toFixed(0)}), ${(bytes / 1e6).toFixed(2)} MB sent by party 0`);
  trio.close();
}

await main();
