/** `--suite stats` of bench/main.ts: picks the cases by --ops and prints (or --json) one line per case and size. */

import { resolve } from 'node:path';
import { STATS_MODULES, STATS_OPS } from './stats/cases.js';
import { runStatsSuite, type StatsRow } from './stats-suite.js';

export async function stats(o: { ops?: string; json?: boolean; profile?: string }): Promise<void> {
  const all = STATS_MODULES.flatMap((m) => m.cases);
  const ops = o.ops ? o.ops.split(',') : STATS_OPS;
  for (const op of ops) if (!STATS_OPS.includes(op)) throw new Error(`unknown stats operation '${op}'; choose from ${STATS_OPS.join(', ')}`);
  const missing = ops.filter((op) => !all.some((c) => c.op === op));
  if (o.ops && missing.length > 0) throw new Error(`no benchmark case for ${missing.join(', ')} in this build (bench/stats/cases.ts has ${[...new Set(all.map((c) => c.op))].join(', ')})`);
  const cases = all.filter((c) => ops.includes(c.op));
  const fmtS = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`);
  if (!o.json) {
    console.log('suite stats, transport three node processes, mutual TLS 1.3 on loopback; the client (SDK) in this process; every result checked against float64');
    if (missing.length > 0) console.log(`(no case yet for ${missing.join(', ')})`);
    console.log(`${'op'.padEnd(10)} ${'rows'.padStart(9)} ${'seconds'.padStart(10)} ${'cpu/node'.padStart(10)} ${'read/node'.padStart(10)} ${'rounds'.padStart(7)}   target`);
  }
  await runStatsSuite({
    cases,
    ...(o.profile ? { profileDir: resolve(o.profile) } : {}),
    onProgress: o.json ? undefined : (text) => process.stderr.write(`  … ${text}\n`),
    onRow: (r: StatsRow) => {
      if (o.json) return console.log(JSON.stringify({ suite: 'stats', transport: 'tls', ...r }));
      const verdict = r.missedBy === undefined ? `${fmtS(r.target)}: met` : `${fmtS(r.target)}: missed by ${fmtS(r.missedBy)}\n${''.padEnd(12)}why: ${r.why}`;
      console.log(`${r.op.padEnd(10)} ${String(r.rows).padStart(9)} ${fmtS(r.seconds).padStart(10)} ${fmtS(r.cpuSeconds).padStart(10)} ${`${(r.bytesPerParty / 1e6).toFixed(1)} MB`.padStart(10)} ${String(r.rounds).padStart(7)}   ${verdict}`);
      console.log(`${''.padEnd(12)}minor page faults, busiest node: ${r.minorFaults}`);
    },
  });
}
