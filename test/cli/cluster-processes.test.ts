/**
 * A local cluster of three real node processes on loopback, driven by the CLI as a user would:
 * init → up → status → the examples, upload/query/result and the demo against it → down. And a
 * node that cannot start: a clear error with its log, the other nodes stopped. `cluster up`,
 * `down`, the demo and the examples run as processes of their own; the short commands run in
 * this process (same code) to keep the test short.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LocalCluster } from '../../src/cli/cluster/layout.js';
import { logTail, runningNodes } from '../../src/cli/cluster/processes.js';
import { runInProcess, runTessera, type CliRun } from '../helpers/cli.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';

let root: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-cli-cluster-'));
});

after(async () => {
  // Never leave node processes behind, whatever failed.
  for (const name of ['cluster', 'broken']) {
    const dir = join(root, name);
    try {
      await runTessera(['cluster', 'down', dir, '--grace', '2']);
    } catch {
      // nothing to stop
    }
  }
  await rm(root, { recursive: true, force: true });
});

function runExample(name: string, args: readonly string[]): Promise<CliRun> {
  const script = fileURLToPath(new URL(`../../examples/${name}.js`, import.meta.url));
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { timeout: 60_000 }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr }));
  });
}

test('cluster up, status, the examples, CLI queries and the demo against it, down', async () => {
  const dir = join(root, 'cluster');
  assert.equal((await runInProcess(['cluster', 'init', dir, '--no-warm-up'])).code, 0);
  const up = await runTessera(['cluster', 'up', dir]);
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /node-0\s+started \(pid \d+\)/);
  assert.match(up.stdout, /All three nodes are up/);
  const cluster = await LocalCluster.load(dir);
  assert.equal((await runningNodes(cluster)).length, 3);

  const again = await runInProcess(['cluster', 'up', dir]);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /already up/);

  const status = await runInProcess(['cluster', 'status', dir, '--json']);
  assert.equal(status.code, 0, status.stdout);
  const parsed = JSON.parse(status.stdout) as { healthy: boolean; nodes: { state: string; pid?: number }[] };
  assert.equal(parsed.healthy, true);
  assert.deepEqual(parsed.nodes.map((n) => n.state), ['ok', 'ok', 'ok']);
  // Three nodes on one machine collect garbage on their main threads, marking in one pause (party-environment.ts COLOCATED_PARTY_FLAGS).
  if (process.platform === 'linux') for (const n of parsed.nodes) for (const flag of ['--single-threaded-gc', '--no-incremental-marking']) assert.ok((await readFile(`/proc/${n.pid}/cmdline`, 'utf8')).split('\0').includes(flag), `node pid ${n.pid}: ${flag}`);

  // The examples, as the README runs them.
  // On failure, the nodes' logs say what they were doing.
  const logs = async (): Promise<string> => (await Promise.all(cluster.nodes.map((n) => logTail(cluster, n, 0, 20)))).join('\n');
  const sum = await runExample('secure-sum-registries', ['--cluster', dir]);
  assert.equal(sum.code, 0, sum.stderr + (await logs()));
  assert.equal((sum.stdout.match(/opens the total: 5066/g) ?? []).length, 3);
  const patients = await runExample('patient-aggregation', ['--cluster', dir, '--patients', '60']);
  assert.equal(patients.code, 0, patients.stdout + patients.stderr + (await logs()));
  assert.match(patients.stdout, /60 patients submitted/);
  assert.match(patients.stdout, /out-of-range value was refused/);
  const learned = /mean ([\d.]+) mmHg \(sum (\d+) over 60 patients\)/.exec(patients.stdout);
  const simulated = /add up to (\d+)/.exec(patients.stdout);
  assert.ok(learned && simulated, patients.stdout);
  assert.equal(learned[2], simulated[1]);
  assert.equal((await runExample('secure-sum-registries', ['--cluster', dir])).code, 0, 'the example can run again');

  // Everyday commands.
  const csv = join(root, 'visits.csv');
  await writeFile(csv, 'age,visits\n34,2\n51,5\n67,1\n');
  const as = (party: string): string[] => ['--cluster', dir, '--as', party];
  const upload = await runInProcess(['upload', 'visits', csv, '--column', 'age:integer:0:120', ...as('St. Mary Hospital')]);
  assert.equal(upload.code, 0, upload.stderr);
  assert.match(upload.stdout, /Uploaded visits as St\. Mary Hospital: 3 rows/);
  // The reading options that reading errors advise, from the command line.
  const exported = join(root, 'export.dat');
  await writeFile(exported, 'Patient Age,Visit Count,Notes\n34,2,x\n51,5,y\n');
  const shape = ['--rename', 'Patient Age=age', '--rename', 'Visit Count=visits', '--select', 'age,visits', '--column', 'age:integer:0:120', ...as('St. Mary Hospital')];
  const unknownFormat = await runInProcess(['upload', 'exported', exported, ...shape]);
  assert.equal(unknownFormat.code, 2);
  assert.match(unknownFormat.stderr, /CLI: --format csv or --format parquet/);
  const tooLong = await runInProcess(['upload', 'exported', exported, '--format', 'csv', '--max-line-size', '20', ...shape]);
  assert.equal(tooLong.code, 2);
  assert.match(tooLong.stderr, /LINE_TOO_LONG.*line 1 of the file is \d+ bytes long, more than the maximum line size of 20 bytes/);
  const shaped = await runInProcess(['upload', 'exported', exported, '--format', 'csv', '--max-line-size', '1000', ...shape]);
  assert.equal(shaped.code, 0, shaped.stderr);
  assert.match(shaped.stdout, /Uploaded exported as St\. Mary Hospital: 2 rows/);
  assert.match(shaped.stdout, /columns: age integer \[0, 120\], visits integer/);
  // Identifier columns need the owners' shared key.
  const patientsCsv = join(root, 'patients.csv');
  await writeFile(patientsCsv, 'patient,age\nNL-001,34\nNL-002,51\n');
  const idUpload = ['upload', 'patients', patientsCsv, '--column', 'patient:identifier', '--column', 'age:integer:0:120', ...as('St. Mary Hospital')];
  const noKey = await runInProcess(idUpload);
  assert.equal(noKey.code, 2);
  assert.match(noKey.stderr, /identifier columns.*--identifier-key FILE.*tessera keys identifier/);
  const idKey = join(root, 'ids.key.json');
  assert.equal((await runInProcess(['keys', 'identifier', '--out', idKey])).code, 0);
  const withKey = await runInProcess([...idUpload, '--identifier-key', idKey]);
  assert.equal(withKey.code, 0, withKey.stderr);
  assert.match(withKey.stdout, /Uploaded patients as St\. Mary Hospital: 2 rows/);
  const tables = await runInProcess(['tables', ...as('analyst')]);
  assert.match(tables.stdout, /patients\s+table\s+St\. Mary Hospital\s+2\s+patient identifier/);
  assert.match(tables.stdout, /visits\s+table\s+St\. Mary Hospital\s+3\s+age integer \[0, 120\]/);
  const query = await runInProcess(['query', 'sum', 'age', '--tables', 'visits', '--to', 'st. mary hospital', ...as('Analyst')]);
  assert.equal(query.code, 0, query.stderr);
  assert.match(query.stdout, /Analyst is not a recipient/);
  assert.match(query.stdout, /state: done/);
  const id = /Query (q-[0-9a-f]+)/.exec(query.stdout)?.[1];
  assert.ok(id);
  const result = await runInProcess(['result', id, ...as('St. Mary Hospital')]);
  assert.match(result.stdout, /sum\(age\) = 152 .*query q-[0-9a-f]+, done,/);
  const state = await runInProcess(['result', id, '--state', ...as('Analyst')]); // the requester may ask
  assert.equal(state.code, 0, state.stderr);
  assert.match(state.stdout, new RegExp(`query ${id}: done`));
  const sql = await runInProcess(['sql', 'SELECT count(*) AS n, avg(age) FROM visits', '--to', 'St. Mary Hospital', ...as('St. Mary Hospital')]);
  assert.equal(sql.code, 0, sql.stderr);
  assert.match(sql.stdout, /n = count\(\*\) = 3\n\s+avg_age = mean\(age\) = 50\.6667 \(sum 152 \/ count 3\)/);
  const explained = await runInProcess(['explain', 'SELECT sum(age) AS total FROM visits', '--to', 'St. Mary Hospital', ...as('Analyst')]);
  assert.equal(explained.code, 0, explained.stderr);
  assert.match(explained.stdout, /estimated cost: \d+ rounds/);
  assert.match(explained.stdout, /row count of table 'visits' \(3, public metadata\)\s+\/root\/input\/input/);
  const filtered = await runInProcess(['sql', 'SELECT count(*) AS n, sum(age) AS total FROM visits WHERE age > 40', '--to', 'St. Mary Hospital', ...as('St. Mary Hospital')]);
  assert.equal(filtered.code, 0, filtered.stderr);
  assert.match(filtered.stdout, /n = count\(\*\) = 2\n\s+total = sum\(age\) = 118/);
  // stats ols: visits' inferred range (±2^53) lets visits² leave the ring, so the checker refuses; declared ranges fit.
  const olsArgs = ['stats', 'ols', '--y', 'visits', '--x', 'age', '--to', 'St. Mary Hospital', ...as('St. Mary Hospital')];
  const olsRefused = await runInProcess([...olsArgs, '--table', 'visits']);
  assert.equal(olsRefused.code, 1, olsRefused.stderr); // QUERY: refused by the plan check, as a SQL query's
  assert.match(olsRefused.stderr, /the product could reach .* beyond ±\(2\^62 − 1\).*the column 'ols_visits_x_visits' = visits × visits, which this statistic derives/);
  assert.equal((await runInProcess(['upload', 'visits_ranged', csv, '--column', 'age:integer:0:120', '--column', 'visits:integer:0:100', ...as('St. Mary Hospital')])).code, 0);
  const fitted = await runInProcess([...olsArgs, '--table', 'visits_ranged']);
  assert.equal(fitted.code, 0, fitted.stderr);
  assert.match(fitted.stdout, /OLS Regression Results/);
  assert.match(fitted.stdout, /Dep\. Variable:\s+visits/);
  assert.match(fitted.stdout, /Intercept\s+4\.0930/);
  assert.match(fitted.stdout, /age\s+-0\.0282/);
  const groupRefused = await runInProcess(['sql', 'SELECT age, sum(age) FROM visits GROUP BY ROLLUP (age)', '--to', 'St. Mary Hospital', ...as('Analyst')]);
  assert.equal(groupRefused.code, 2);
  assert.match(groupRefused.stderr, /error \(SQL\): grouping sets, CUBE and ROLLUP are not supported/);
  const refused = await runInProcess(['result', id, ...as('Analyst')]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /FORBIDDEN/);
  // --output writes the opened table instead of printing it; an existing file is replaced only with --force.
  const agesFile = join(root, 'ages.csv');
  const wrote = await runInProcess(['sql', 'SELECT age, visits FROM visits ORDER BY age DESC', '--to', 'St. Mary Hospital', '--output', agesFile, ...as('St. Mary Hospital')]);
  assert.equal(wrote.code, 0, wrote.stderr);
  assert.match(wrote.stdout, /wrote 3 rows \(age, visits\) to .*ages\.csv as CSV/);
  assert.equal(await readFile(agesFile, 'utf8'), 'age,visits\n67,1\n51,5\n34,2\n');
  const notTwice = await runInProcess(['result', id, '--output', agesFile, ...as('St. Mary Hospital')]);
  assert.equal(notTwice.code, 2);
  assert.match(notTwice.stderr, /OUTPUT_FILE.*exists.*--force/);
  const forced = await runInProcess(['result', id, '--output', agesFile, '--force', ...as('St. Mary Hospital')]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(await readFile(agesFile, 'utf8'), /^[^\n]+\n152\n$/);
  const arrowFile = join(root, 'ages.data');
  const arrow = await runInProcess(['result', id, '--output', arrowFile, '--format', 'arrow', ...as('St. Mary Hospital')]);
  assert.equal(arrow.code, 0, arrow.stderr);
  assert.match(arrow.stdout, /wrote 1 rows .* to .*ages\.data as Arrow IPC/);
  assert.equal((await readFile(arrowFile)).subarray(0, 6).toString('latin1'), 'ARROW1');
  // Derived tables: CREATE TABLE AS and --store, listed with their lineage, queried, deleted by their creator.
  const created = await runInProcess(['sql', 'CREATE TABLE older AS SELECT age FROM visits WHERE age > 40', ...as('Analyst')]);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /Stored older \(2 rows\) at all three nodes by query q-[0-9a-f]+\n\s+from: visits; plan: [0-9a-f]{64}/);
  const storedAgain = await runInProcess(['sql', '--store', 'older', '--replace', 'SELECT age FROM visits WHERE age > 60', ...as('Analyst')]);
  assert.equal(storedAgain.code, 0, storedAgain.stderr);
  assert.match(storedAgain.stdout, /Stored older \(1 rows\)/);
  const listed = await runInProcess(['tables', ...as('Analyst')]);
  assert.match(listed.stdout, /older\s+derived\s+Analyst\s+1\s+age integer \[0, 120\]/);
  assert.match(listed.stdout, /Derived tables \(stored by a query\):\n\s+older: from visits by Analyst at .* \(query q-[0-9a-f]+, plan [0-9a-f]{16}…, replacing an earlier one\)/);
  const overOlder = await runInProcess(['sql', 'SELECT sum(age) AS s FROM older', '--to', 'St. Mary Hospital', ...as('St. Mary Hospital')]);
  assert.equal(overOlder.code, 0, overOlder.stderr);
  assert.match(overOlder.stdout, /s = sum\(age\) = 67/);
  const both = await runInProcess(['sql', 'CREATE TABLE x AS SELECT age FROM visits', '--to', 'St. Mary Hospital', ...as('Analyst')]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /a stored table is opened to nobody: drop --to/);
  assert.equal((await runInProcess(['delete', 'older', ...as('Analyst')])).code, 0);

  // A table damaged at one node: refused in queries naming the node, shown as DAMAGED there, deleted by its owner.
  assert.equal((await runInProcess(['upload', 'doomed', csv, '--column', 'age:integer:0:120', ...as('St. Mary Hospital')])).code, 0);
  const manifest = join(dir, cluster.nodes[1].dataDir, 'tables', 'doomed', 'manifest');
  const sealed = await readFile(manifest);
  sealed[sealed.length - 20] ^= 0x01;
  await writeFile(manifest, sealed);
  const damagedQuery = await runInProcess(['query', 'count', '--tables', 'doomed', '--to', 'St. Mary Hospital', ...as('St. Mary Hospital')]);
  assert.equal(damagedQuery.code, 1);
  assert.match(damagedQuery.stderr, /'doomed' is damaged at node 1 .*tables\/doomed\/manifest/);
  const listedDamaged = await runInProcess(['tables', '--node', '1', ...as('analyst')]);
  assert.match(listedDamaged.stdout, /doomed\s+table\s+St\. Mary Hospital\s+DAMAGED\s+tables\/doomed\/manifest: authentication tag mismatch/);
  assert.match(listedDamaged.stdout, /1 table is damaged at node 1 .*tessera delete NAME/);
  const deleted = await runInProcess(['delete', 'doomed', ...as('St. Mary Hospital')]);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.doesNotMatch((await runInProcess(['tables', '--node', '1', ...as('analyst')])).stdout, /doomed/);

  // The demo against the running cluster.
  // The demo runs several MPC queries: at load 40 (eight test suites on two cores) it took over 60 s, runTessera's default.
  const demo = await runTessera(['demo', '--cluster', dir, '--patients', '60'], { timeoutMs: 240_000 });
  assert.equal(demo.code, 0, demo.stdout + demo.stderr + (await logs()));
  assert.match(demo.stdout, /three node processes, mutual TLS/);
  assert.equal((demo.stdout.match(/opens the total: 5,066/g) ?? []).length, 3);
  assert.match(demo.stdout, /over 60 patients/);

  const down = await runTessera(['cluster', 'down', dir]);
  assert.equal(down.code, 0);
  assert.equal((down.stdout.match(/stopped \(pid \d+/g) ?? []).length, 3);
  assert.equal((await runningNodes(cluster)).length, 0);
  const stopped = await runInProcess(['cluster', 'status', dir]);
  assert.equal(stopped.code, 3);
  assert.match(stopped.stdout, /not running/);
  const demoDown = await runInProcess(['demo', '--cluster', dir]);
  assert.equal(demoDown.code, 3);
  assert.match(demoDown.stderr, /not up.*tessera cluster up/);
});

test('a node that cannot start: a clear error with its log, and the other nodes stopped', async () => {
  const dir = join(root, 'broken');
  assert.equal((await runInProcess(['cluster', 'init', dir, '--no-warm-up'])).code, 0);
  const cluster = await LocalCluster.load(dir);
  const port = Number(new URL(cluster.nodes[1].apiUrl).port);
  const squatter = createServer((socket) => socket.destroy()); // another program on node-1's API port
  await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
  try {
    const up = await runTessera(['cluster', 'up', dir]);
    assert.equal(up.code, 3);
    assert.match(up.stderr, /NODE_START.*node-1 exited with code \d+ while starting/);
    assert.match(up.stderr, /cannot listen for its API on 127\.0\.0\.1:\d+.*EADDRINUSE/);
    assert.match(up.stderr, /Stopped the nodes started now \(node-0, node-2\)/);
    assert.equal((await runningNodes(cluster)).length, 0);
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }
});

