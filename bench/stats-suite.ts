/**
 * `npm run bench -- --suite stats [--ops ols,ttest,describe] [--json] [--profile dir]`: issue 10's statistics end
 * to end on a local TLS cluster through the SDK (bench/node-cluster.ts: three node processes,
 * mutual TLS 1.3 on loopback, in a temporary directory removed afterwards). Cases come from the
 * modules bench/stats/cases.ts lists (bench/stats/case.ts: tables, the timed run, the float64
 * check); a result that differs from its float64 reference stops the suite with both answers.
 *
 * Figures as the relational suite's: seconds (wall, submission to the statistic at the
 * recipient), cpuSeconds of the busiest node process, bytesPerParty = bytes the busiest node read
 * meanwhile (/proc rchar: its peers' messages and the shares it reads from disk), rounds = the
 * plan's estimated rounds (plan/cost.ts).
 */

import { join } from 'node:path';
import { writeCsv, type RelationalRow } from './relational-suite.js';
import { HOSPITAL, withNodeCluster } from './node-cluster.js';
import { CounterWindow } from './proc-stats.js';
import { NodeUnavailableError } from '../src/errors.js';
import type { StatsCase } from './stats/case.js';

/** The relational suite's row: the same columns and JSON keys. */
export type StatsRow = RelationalRow;

export interface StatsOptions {
  readonly cases: readonly StatsCase[];
  readonly onRow: (row: StatsRow) => void;
  readonly onProgress?: (text: string) => void;
  /** `--profile <dir>`: a CPU profile of each node process there (node --cpu-prof). */
  readonly profileDir?: string;
}

export async function runStatsSuite(options: StatsOptions): Promise<void> {
  const progress = options.onProgress ?? ((): void => undefined);
  await withNodeCluster('stats', progress, async ({ root, pids, hospital }) => {
    const loaded = new Map<string, string>();
    for (const c of options.cases) {
      for (const t of c.tables()) {
        const schema = JSON.stringify(t.schema);
        if (loaded.has(t.name)) {
          if (loaded.get(t.name) !== schema) throw new Error(`stats suite: case '${c.op}' declares table '${t.name}' with another schema than an earlier case; name it differently`);
          continue;
        }
        const csv = join(root, `${t.name}.csv`);
        progress(`${c.op}: writing table '${t.name}' (${t.rows} rows) and uploading it`);
        await writeCsv(csv, t);
        const info = await uploadWithRetry(() => hospital.uploadTable(t.name, { file: csv }, { schema: t.schema }), t.name, progress);
        if (info.rows !== t.rows) throw new Error(`table '${t.name}': the upload stored ${info.rows} rows, not ${t.rows}`);
        loaded.set(t.name, schema);
      }
      const rounds = await c.rounds(hospital, HOSPITAL);
      progress(`${c.op} at ${c.rows} rows: running (${c.description})`);
      const window = await CounterWindow.open(pids);
      const started = performance.now();
      const run = await c.run(hospital, HOSPITAL);
      const seconds = (performance.now() - started) / 1000;
      const counters = await window.close();
      progress(`${c.op} at ${c.rows} rows: checking against float64`);
      const difference = run.verify();
      if (difference !== undefined) throw new Error(`stats suite, ${c.op} at ${c.rows} rows: WRONG RESULT: ${difference}`);
      const missed = seconds > c.target;
      // TESSERA_BENCH_STATS_AGAIN=k: the same query k more times in the same node processes, each
      // printed on stderr (what a node's first query pays beside a warm one; the row stays the first).
      for (let again = 1; again <= Number(process.env.TESSERA_BENCH_STATS_AGAIN ?? 0); again++) {
        const w = await CounterWindow.open(pids);
        const t0 = performance.now();
        const repeated = await c.run(hospital, HOSPITAL);
        const s = (performance.now() - t0) / 1000;
        const k = await w.close();
        const wrong = repeated.verify();
        if (wrong !== undefined) throw new Error(`stats suite, ${c.op} at ${c.rows} rows, run ${again + 1}: WRONG RESULT: ${wrong}`);
        progress(`${c.op} at ${c.rows} rows, run ${again + 1} (same nodes): ${s.toFixed(2)} s, cpu/node ${k.cpuSeconds.map((x) => x.toFixed(2)).join(' / ')} s, read/node ${(Math.max(...k.bytesRead) / 1e6).toFixed(1)} MB, minor faults ${Math.max(...k.minorFaults)}`);
      }
      options.onRow({
        op: c.op,
        rows: c.rows,
        seconds,
        cpuSeconds: Math.max(...counters.cpuSeconds),
        bytesPerParty: Math.max(...counters.bytesRead),
        minorFaults: Math.max(...counters.minorFaults),
        rounds,
        target: c.target,
        ...(missed ? { missedBy: seconds - c.target, why: c.why } : {}),
      });
    }
  }, options.profileDir);
}

/**
 * Uploads of 1M × 11 columns (~250 MB a node) sometimes end in EPIPE on this shared machine
 * (load average above 20; the node logs nothing at warn level): the suite tries twice more,
 * saying so, rather than losing the run. Any other error, or a third failure, stops it.
 */
async function uploadWithRetry<T>(upload: () => Promise<T>, table: string, progress: (text: string) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await upload();
    } catch (e) {
      if (!(e instanceof NodeUnavailableError) || attempt === 3) throw e;
      progress(`upload of '${table}' failed (${e.message}); trying again (${attempt + 1} of 3)`);
    }
  }
}
