/**
 * Logistic regression end to end over three real node processes (mutual TLS mesh), driven by
 * the CLI as a user would: cluster init and up, R's mtcars uploaded from CSV, `tessera stats
 * logit` printing statsmodels' table with the float64 Newton fit's coefficients, `--explain`
 * saying what opens, separated classes refused (exit 1, MODEL_FIT), cluster down.
 */

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runInProcess, runTessera } from '../helpers/cli.js';
import { logitReference } from '../helpers/logit-reference.js';
import { MTCARS } from '../helpers/mtcars.js';

let root: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-logit-procs-'));
});

after(async () => {
  try {
    await runTessera(['cluster', 'down', join(root, 'cluster'), '--grace', '2']);
  } catch {
    // nothing to stop
  }
  await rm(root, { recursive: true, force: true });
});

test('tessera stats logit over three node processes: am ~ hp + wt as statsmodels prints it, explain, separation refused', async () => {
  const dir = join(root, 'cluster');
  assert.equal((await runInProcess(['cluster', 'init', dir, '--no-warm-up'])).code, 0);
  const up = await runTessera(['cluster', 'up', dir, '--timeout', '120'], { timeoutMs: 150_000 }); // a node takes ~1 min to listen at load ~25
  assert.equal(up.code, 0, up.stderr);
  const csv = join(root, 'mtcars.csv');
  const lines = MTCARS.am.map((am, i) => `${MTCARS.hp[i]},${MTCARS.wt[i]},${am === '1'},${Number(MTCARS.wt[i]) < 3.3}`);
  await writeFile(csv, `hp,wt,am,light\n${lines.join('\n')}\n`);
  const as = ['--cluster', dir, '--as', 'St. Mary Hospital'];
  const upload = await runInProcess(['upload', 'mtcars', csv, '--column', 'hp:integer:50:350', '--column', 'wt:decimal(3):1:6', '--column', 'am:boolean', '--column', 'light:boolean', ...as]);
  assert.equal(upload.code, 0, upload.stderr);

  const args = ['stats', 'logit', '--table', 'mtcars', '--y', 'am', '--x', 'hp,wt', '--to', 'St. Mary Hospital', ...as];
  const fitted = await runInProcess(args);
  assert.equal(fitted.code, 0, fitted.stderr);
  assert.match(fitted.stdout, /Logit Regression Results/);
  const ref = logitReference(MTCARS.am.map((_, i) => [Number(MTCARS.hp[i]), Number(MTCARS.wt[i])]), MTCARS.am.map(Number));
  for (const [term, j] of [['Intercept', 0], ['hp', 1], ['wt', 2]] as const) {
    const row = new RegExp(`^${term}\\s+(-?[\\d.]+)\\s+([\\d.]+)`, 'm').exec(fitted.stdout);
    assert.ok(row, fitted.stdout);
    // Printed to 4 decimals: within half a unit of the last digit plus the 1e-5 contract.
    for (const [printed, want, what] of [[row[1], ref.coef[j], 'coefficient'], [row[2], ref.se[j], 'standard error']] as const) {
      assert.ok(Math.abs(Number(printed) - want) <= 5e-5 + 1e-5 * Math.abs(want), `${term} ${what}: printed ${printed}, float64 ${want}`);
    }
  }

  const explained = await runInProcess([...args, '--explain']);
  assert.equal(explained.code, 0, explained.stderr);
  assert.match(explained.stdout, /Newton steps inside MPC/);
  assert.match(explained.stdout, /information matrix/);

  const separated = await runInProcess(['stats', 'logit', '--table', 'mtcars', '--y', 'light', '--x', 'hp,wt', '--to', 'St. Mary Hospital', ...as]);
  assert.equal(separated.code, 1, separated.stdout);
  assert.match(separated.stderr, /MODEL_FIT/);
  assert.match(separated.stderr, /separat|settle/);

  const down = await runTessera(['cluster', 'down', dir, '--grace', '2']);
  assert.equal(down.code, 0, down.stderr);
});
