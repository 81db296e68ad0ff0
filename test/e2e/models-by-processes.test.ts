/**
 * Models per group end to end over three real node processes (mutual TLS mesh), driven by the
 * CLI: `tessera stats ols --by cyl` prints one statsmodels table per cylinder count (the empty
 * declared level refused in its place) with the float64 QR fit of each group's cars, and
 * `tessera stats logit --by half` one Logit table per half of mtcars with each half's float64
 * Newton fit; `--explain` says what opens per group.
 */

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runInProcess, runTessera } from '../helpers/cli.js';
import { logitReference } from '../helpers/logit-reference.js';
import { MTCARS } from '../helpers/mtcars.js';
import { plainOls } from '../helpers/ols-reference.js';

let root: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-models-by-'));
});

after(async () => {
  try {
    await runTessera(['cluster', 'down', join(root, 'cluster'), '--grace', '2']);
  } catch {
    // nothing to stop
  }
  await rm(root, { recursive: true, force: true });
});

/** The printed coefficient and standard error of `term` in the table under `title`. */
function printed(stdout: string, title: string, term: string): [number, number] {
  const section = stdout.split(/\n\n(?=\w+ = )/).find((s) => s.startsWith(title));
  assert.ok(section, `no section '${title}' in:\n${stdout}`);
  const row = new RegExp(`^${term.replace(/[[\]]/g, '\\$&')}\\s+(-?[\\d.e-]+)\\s+([\\d.e-]+)`, 'm').exec(section);
  assert.ok(row, `no row '${term}' in:\n${section}`);
  return [Number(row[1]), Number(row[2])];
}

/** Printed to 4 decimals: within half a unit of the last digit (or 4 significant digits in exponent form) plus the contract. */
function close(shown: number, want: number, contract: number, what: string): void {
  assert.ok(Math.abs(shown - want) <= 5e-5 + 5e-4 * Math.abs(want) * (Math.abs(want) < 1e-4 ? 1 : 0) + contract * Math.abs(want), `${what}: printed ${shown}, float64 ${want}`);
}

test('tessera stats ols --by and stats logit --by over three node processes', async () => {
  const dir = join(root, 'cluster');
  assert.equal((await runInProcess(['cluster', 'init', dir, '--no-warm-up'])).code, 0);
  const up = await runTessera(['cluster', 'up', dir, '--timeout', '120'], { timeoutMs: 150_000 }); // a node takes ~1 min to listen at load ~25
  assert.equal(up.code, 0, up.stderr);
  const csv = join(root, 'mtcars.csv');
  const lines = MTCARS.am.map((am, i) => `${MTCARS.mpg[i]},${MTCARS.hp[i]},${MTCARS.wt[i]},${MTCARS.cyl[i]},${am === '1'},${i % 2 === 0 ? 'even' : 'odd'}`);
  await writeFile(csv, `mpg,hp,wt,cyl,am,half\n${lines.join('\n')}\n`);
  const as = ['--cluster', dir, '--as', 'St. Mary Hospital'];
  const upload = await runInProcess(['upload', 'mtcars', csv, '--column', 'mpg:decimal(1):0:100', '--column', 'hp:integer:50:350', '--column', 'wt:decimal(3):1:6', '--column', 'cyl:category(4|6|8|12)', '--column', 'am:boolean', '--column', 'half:category(even|odd)', ...as]);
  assert.equal(upload.code, 0, upload.stderr);

  const ols = await runInProcess(['stats', 'ols', '--table', 'mtcars', '--y', 'mpg', '--x', 'wt,hp', '--by', 'cyl', '--to', 'St. Mary Hospital', ...as]);
  assert.equal(ols.code, 0, ols.stderr);
  assert.equal(ols.stdout.match(/OLS Regression Results/g)?.length, 3, ols.stdout);
  assert.match(ols.stdout, /^cyl = 12\nnot fitted: .*it has 0/m);
  for (const cyl of ['4', '6', '8']) {
    const rows = MTCARS.cyl.map((_, i) => i).filter((i) => MTCARS.cyl[i] === cyl);
    const ref = plainOls(rows.map((i) => [Number(MTCARS.wt[i]), Number(MTCARS.hp[i])]), rows.map((i) => Number(MTCARS.mpg[i])));
    (['Intercept', 'wt', 'hp'] as const).forEach((term, j) => {
      const [coef, se] = printed(ols.stdout, `cyl = ${cyl}`, term);
      close(coef, ref.coef[j], 1e-6, `cyl ${cyl} ${term}`);
      close(se, ref.se[j], 1e-6, `cyl ${cyl} ${term} SE`);
    });
  }

  const logit = await runInProcess(['stats', 'logit', '--table', 'mtcars', '--y', 'am', '--x', 'hp', '--by', 'half', '--to', 'St. Mary Hospital', ...as]);
  assert.equal(logit.code, 0, logit.stderr);
  assert.equal(logit.stdout.match(/Logit Regression Results/g)?.length, 2, logit.stdout);
  for (const [half, parity] of [['even', 0], ['odd', 1]] as const) {
    const rows = MTCARS.am.map((_, i) => i).filter((i) => i % 2 === parity);
    const ref = logitReference(rows.map((i) => [Number(MTCARS.hp[i])]), rows.map((i) => Number(MTCARS.am[i])));
    (['Intercept', 'hp'] as const).forEach((term, j) => {
      const [coef, se] = printed(logit.stdout, `half = ${half}`, term);
      close(coef, ref.coef[j], 1e-5, `${half} ${term}`);
      close(se, ref.se[j], 1e-5, `${half} ${term} SE`);
    });
  }

  const explained = await runInProcess(['stats', 'logit', '--table', 'mtcars', '--y', 'am', '--x', 'hp', '--by', 'half', '--to', 'St. Mary Hospital', '--explain', ...as]);
  assert.equal(explained.code, 0, explained.stderr);
  assert.match(explained.stdout, /one row per declared group of 'half' \(2/);
  assert.match(explained.stdout, /the regressions: per declared group/);

  const down = await runTessera(['cluster', 'down', dir, '--grace', '2']);
  assert.equal(down.code, 0, down.stderr);
});
