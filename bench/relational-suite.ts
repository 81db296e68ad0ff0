/**
 * `npm run bench -- --suite relational [--ops filter,sort,...] [--rows 1048576] [--json]`:
 * issue 9's relational operators end to end on a local TLS cluster through the SDK.
 *
 * The cluster is made and started like `tessera cluster init` / `up` do it (three node
 * processes, mutual TLS 1.3 on loopback), in a temporary directory removed afterwards. Per case
 * (bench/relational/case.ts): its tables are generated as CSV files, uploaded through the SDK
 * and loaded into DuckDB; its plan runs as a job and its result is opened (timed: submission to
 * opened result); DuckDB answers the case's SQL on the same rows, and a different answer stops
 * the suite with both answers.
 *
 * Figures: seconds (wall), cpuSeconds of the busiest node process (/proc), bytesPerParty = bytes
 * the busiest node read meanwhile (/proc rchar: its peers' messages, and the stored shares it
 * reads from disk), rounds = the plan's estimated rounds (plan/cost.ts; the node does not
 * report its session's counters to clients).
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { HOSPITAL, withNodeCluster } from './node-cluster.js';
import { CounterWindow } from './proc-stats.js';
import type { QueryResult } from '../src/client/result.js';
import type { Tessera } from '../src/client/tessera.js';
import type { Plan } from '../src/plan/plan.js';
import type { BenchTable, RelationalCase } from './relational/case.js';

export interface RelationalRow {
  readonly op: string;
  readonly rows: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly bytesPerParty: number;
  readonly rounds: number;
  readonly target: number;
  /** Seconds over the target (only when missed), and why. */
  readonly missedBy?: number;
  readonly why?: string;
  /** With `warm`: the same plan run again in the same node processes (their code compiled, their memory touched). */
  readonly warmSeconds?: number;
  readonly warmCpuSeconds?: number;
  /** Minor page faults of the busiest node process (first query; `warm`: the repetition). */
  readonly minorFaults: number;
  readonly warmMinorFaults?: number;
  /** CPU seconds of every node process and of this (the client's) process: three processes share two cores, so the wall is at least half their sum. */
  readonly nodesCpuSeconds?: readonly number[];
  readonly clientCpuSeconds?: number;
  readonly warmNodesCpuSeconds?: readonly number[];
  readonly warmClientCpuSeconds?: number;
}

export interface RelationalOptions {
  readonly cases: readonly RelationalCase[];
  readonly rows: number;
  readonly onRow: (row: RelationalRow) => void;
  readonly onProgress?: (text: string) => void;
  /** Directory for a CPU profile of each node process (written when the cluster stops). */
  readonly profileDir?: string;
  /**
   * Run each plan a second time and report it beside the first: the first query of fresh node
   * processes pays V8's compilation and the first touch of memory, which a long-running node
   * has paid before. The target's verdict stays on the first (cold) run.
   */
  readonly warm?: boolean;
}

const FULL = 1 << 20;

export async function runRelationalSuite(options: RelationalOptions): Promise<void> {
  const progress = options.onProgress ?? ((): void => undefined);
  await withNodeCluster('relational', progress, async ({ root, pids, hospital }) => {
    const duck = await DuckDBInstance.create(':memory:');
    const db = await duck.connect();
    const loaded = new Map<string, string>();
    try {
      for (const c of options.cases) {
        for (const t of c.tables(options.rows)) {
          // A name is uploaded once; two cases may share a table only with the same schema.
          const schema = JSON.stringify(t.schema);
          if (loaded.has(t.name)) {
            if (loaded.get(t.name) !== schema) throw new Error(`relational suite: case '${c.op}' declares table '${t.name}' with another schema than an earlier case; name it differently`);
            continue;
          }
          const csv = join(root, `${t.name}.csv`);
          progress(`${c.op}: writing table '${t.name}' (${t.rows} rows) and uploading it`);
          await writeCsv(csv, t);
          const info = await hospital.uploadTable(t.name, { file: csv }, { schema: t.schema });
          if (info.rows !== t.rows) throw new Error(`table '${t.name}': the upload stored ${info.rows} rows, not ${t.rows}`);
          const columns = t.schema.columns.map((col, k) => `'${col.name}': '${t.duckdb[k]}'`).join(', ');
          await db.run(`CREATE TABLE ${t.name} AS SELECT * FROM read_csv('${csv}', header = true, columns = {${columns}})`);
          loaded.set(t.name, schema);
        }
        const plan = c.plan(HOSPITAL);
        const rounds = (await hospital.checkPlan(plan)).cost.rounds;
        progress(`${c.op}: running (${c.description})`);
        const window = await CounterWindow.open(pids);
        // The monotonic clock of the node processes' CPU profiles (µs), to cut each op's window out of them.
        const profileFrom = process.hrtime.bigint() / 1000n;
        const started = performance.now();
        const result = await (await hospital.run(plan)).result();
        const seconds = (performance.now() - started) / 1000;
        const counters = await window.close();
        if (options.profileDir) await appendFile(join(options.profileDir, 'windows.jsonl'), `${JSON.stringify({ op: c.op, rows: options.rows, fromUs: String(profileFrom), toUs: String(process.hrtime.bigint() / 1000n) })}\n`);
        const expected = (await db.runAndReadAll(c.sql)).getRows();
        const difference = c.verify(result, expected);
        if (difference !== undefined) throw new Error(`relational suite, ${c.op} at ${options.rows} rows: WRONG RESULT: ${difference}`);
        const missed = options.rows === FULL && seconds > c.target;
        const warm = options.warm ? await warmRun(hospital, plan, pids, (r) => c.verify(r, expected), options.profileDir ? { dir: options.profileDir, op: c.op, rows: options.rows } : undefined) : undefined;
        options.onRow({
          op: c.op,
          rows: options.rows,
          seconds,
          cpuSeconds: Math.max(...counters.cpuSeconds),
          bytesPerParty: Math.max(...counters.bytesRead),
          minorFaults: Math.max(...counters.minorFaults),
          rounds,
          target: c.target,
          ...(missed ? { missedBy: seconds - c.target, why: c.why } : {}),
          nodesCpuSeconds: counters.cpuSeconds,
          clientCpuSeconds: counters.selfCpuSeconds,
          ...(warm ? { warmSeconds: warm.seconds, warmCpuSeconds: warm.cpuSeconds, warmMinorFaults: warm.minorFaults, warmNodesCpuSeconds: warm.nodesCpuSeconds, warmClientCpuSeconds: warm.clientCpuSeconds } : {}),
        });
      }
    } finally {
      db.closeSync();
    }
  }, options.profileDir);
}

/** The plan again in the same node processes, timed and checked like the first run. */
async function warmRun(hospital: Tessera, plan: Plan, pids: readonly number[], verify: (result: QueryResult) => string | undefined, profile?: { dir: string; op: string; rows: number }): Promise<{ seconds: number; cpuSeconds: number; minorFaults: number; nodesCpuSeconds: number[]; clientCpuSeconds: number }> {
  const window = await CounterWindow.open(pids);
  const profileFrom = process.hrtime.bigint() / 1000n;
  const started = performance.now();
  const result = await (await hospital.run(plan)).result();
  const seconds = (performance.now() - started) / 1000;
  const counters = await window.close();
  if (profile) await appendFile(join(profile.dir, 'windows.jsonl'), `${JSON.stringify({ op: `${profile.op} (warm)`, rows: profile.rows, fromUs: String(profileFrom), toUs: String(process.hrtime.bigint() / 1000n) })}\n`);
  const difference = verify(result);
  if (difference !== undefined) throw new Error(`relational suite, warm run: WRONG RESULT: ${difference}`);
  return { seconds, cpuSeconds: Math.max(...counters.cpuSeconds), minorFaults: Math.max(...counters.minorFaults), nodesCpuSeconds: counters.cpuSeconds, clientCpuSeconds: counters.selfCpuSeconds };
}

/** The table as CSV with a header, streamed. */
export async function writeCsv(path: string, t: BenchTable): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${t.schema.columns.map((c) => c.name).join(',')}\n`);
  const chunk: string[] = [];
  for (let i = 0; i < t.rows; i++) {
    chunk.push(`${t.row(i).join(',')}\n`);
    if (chunk.length === 10_000 || i === t.rows - 1) {
      if (!out.write(chunk.join(''))) await once(out, 'drain');
      chunk.length = 0;
    }
  }
  out.end();
  await once(out, 'finish');
}
