/**
 * `node dist/bench/warm-up.js [rows] [rounds]`: runs a node's start-up warm-up (src/node/warm-up/)
 * in this process, with the node processes' V8 flags when started as they are
 * (`node --single-threaded-gc --no-incremental-marking dist/bench/warm-up.js`), and prints each
 * step's wall and CPU time and the total: what a node's start-up pays for it.
 */

import { warmUp } from '../src/node/warm-up/warm-up.js';

const rows = process.argv[2] !== undefined ? Number(process.argv[2]) : undefined;
const rounds = process.argv[3] !== undefined ? Number(process.argv[3]) : undefined;
const report = await warmUp({ ...(rows !== undefined ? { rows } : {}), ...(rounds !== undefined ? { rounds } : {}) });
for (const s of report.steps) console.log(`${s.name.padEnd(18)} ${s.wallMs.toFixed(0).padStart(6)} ms wall ${s.cpuMs.toFixed(0).padStart(6)} ms CPU${s.error ? `  FAILED: ${s.error}` : ''}`);
console.log(`warm-up: ${report.rows} rows, ${report.rounds} rounds: ${report.wallMs.toFixed(0)} ms wall, ${report.cpuMs.toFixed(0)} ms CPU; RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
