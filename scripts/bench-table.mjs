#!/usr/bin/env node
// Turns benchmark JSON lines (npm run bench -- --json) into a markdown table for docs/benchmarks.md.
//   npm run bench -- --json > tls.jsonl && node scripts/bench-table.mjs tls.jsonl [more.jsonl ...]
import { readFileSync } from 'node:fs';

const rows = [];
for (const file of process.argv.slice(2)) {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const t = line.trim();
    if (t.startsWith('{')) rows.push(JSON.parse(t));
  }
}
if (rows.length === 0) {
  console.error('usage: node scripts/bench-table.mjs results.jsonl ...');
  process.exit(1);
}
const seconds = (s) => (s < 1 ? `${(s * 1000).toFixed(s < 0.1 ? 1 : 0)} ms` : `${s.toFixed(2)} s`);
const bytes = (b) => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(1)} kB`);
// Ingest rows report bytes *received* by the busiest node (the data travels to the nodes), primitives bytes sent.
console.log('| suite | op | transport | rows | seconds | CPU (busiest party) | sent per party (ingest: received per node) | bytes/row | rounds |');
console.log('|---|---|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.suite} | ${r.op} | ${r.transport} | ${r.rows.toLocaleString('en')} | ${seconds(r.seconds)} | ${r.cpuSeconds === undefined ? '' : seconds(r.cpuSeconds)} | ${bytes(r.bytesPerParty)} | ${(r.bytesPerParty / r.rows).toFixed(1)} | ${r.rounds ?? ''} |`);
}
