/**
 * A stored logistic model end to end over three real node processes (mutual TLS mesh), driven by
 * the CLI: mtcars uploaded from CSV, `tessera stats logit --store` keeping the model secret,
 * `tessera tables` listing it, `tessera stats predict` opening probabilities (against float64
 * σ(xβ̂) within the documented bound), storing classes as a derived table and scoring against
 * the labels (against plaintext), then `tessera delete` of the model.
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
  root = await mkdtemp(join(tmpdir(), 'tessera-predict-procs-'));
});

after(async () => {
  try {
    await runTessera(['cluster', 'down', join(root, 'cluster'), '--grace', '2']);
  } catch {
    // nothing to stop
  }
  await rm(root, { recursive: true, force: true });
});

test('tessera stats logit --store, stats predict (open, store, score) and delete over three node processes', async () => {
  const dir = join(root, 'cluster');
  assert.equal((await runInProcess(['cluster', 'init', dir, '--no-warm-up'])).code, 0);
  const up = await runTessera(['cluster', 'up', dir, '--timeout', '120'], { timeoutMs: 150_000 }); // a node takes ~1 min to listen at load ~25
  assert.equal(up.code, 0, up.stderr);
  const csv = join(root, 'mtcars.csv');
  await writeFile(csv, `hp,wt,am\n${MTCARS.am.map((am, i) => `${MTCARS.hp[i]},${MTCARS.wt[i]},${am === '1'}`).join('\n')}\n`);
  const as = ['--cluster', dir, '--as', 'St. Mary Hospital'];
  const upload = await runInProcess(['upload', 'mtcars', csv, '--column', 'hp:integer:50:350', '--column', 'wt:decimal(3):1:6', '--column', 'am:boolean', ...as]);
  assert.equal(upload.code, 0, upload.stderr);

  const stored = await runInProcess(['stats', 'logit', '--table', 'mtcars', '--y', 'am', '--x', 'hp,wt', '--store', 'am_model', ...as]);
  assert.equal(stored.code, 0, stored.stderr);
  assert.match(stored.stdout, /stored model 'am_model'.*logit_model, hp, wt, beta_0, beta_1, beta_2/);
  const tables = await runInProcess(['tables', ...as]);
  assert.equal(tables.code, 0, tables.stderr);
  assert.match(tables.stdout, /am_model/);

  const predicted = await runInProcess(['stats', 'predict', '--model', 'am_model', '--table', 'mtcars', '--column', 'p_am', '--to', 'St. Mary Hospital', '--json', ...as]);
  assert.equal(predicted.code, 0, predicted.stderr);
  const rows = JSON.parse(predicted.stdout) as { hp: number; wt: number; p_am: number }[];
  assert.equal(rows.length, 32);
  const ref = logitReference(MTCARS.am.map((_, i) => [Number(MTCARS.hp[i]), Number(MTCARS.wt[i])]), MTCARS.am.map(Number));
  const bound = (3 * 2 ** -10) / 4 + 2 ** -15 + 5e-6;
  for (const row of rows) {
    const want = 1 / (1 + Math.exp(-(ref.coef[0] + ref.coef[1] * Number(row.hp) + ref.coef[2] * Number(row.wt))));
    assert.ok(Math.abs(Number(row.p_am) - want) <= bound, `hp ${row.hp} wt ${row.wt}: ${row.p_am} vs float64 ${want}`);
  }

  const classes = await runInProcess(['stats', 'predict', '--model', 'am_model', '--table', 'mtcars', '--column', 'am_hat', '--class', '--store', 'mtcars_classes', ...as]);
  assert.equal(classes.code, 0, classes.stderr);
  assert.match(classes.stdout, /stored 'mtcars_classes' \(32 rows/);

  const scored = await runInProcess(['stats', 'predict', '--model', 'am_model', '--table', 'mtcars', '--score', 'am', '--to', 'St. Mary Hospital', '--json', ...as]);
  assert.equal(scored.code, 0, scored.stderr);
  const scores = JSON.parse(scored.stdout) as { accuracy: number; auc: number; confusion: Record<string, number> };
  const p = rows.map((r) => 1 / (1 + Math.exp(-(ref.coef[0] + ref.coef[1] * Number(r.hp) + ref.coef[2] * Number(r.wt)))));
  const y = rows.map((r) => MTCARS.am[MTCARS.hp.findIndex((h, i) => h === String(r.hp) && Number(MTCARS.wt[i]) === Number(r.wt))] === '1');
  let pairs = 0, tp = 0, tn = 0;
  p.forEach((pi, i) => {
    if (y[i] && pi >= 0.5) tp++;
    if (!y[i] && pi < 0.5) tn++;
    p.forEach((pj, j) => { if (y[i] && !y[j]) pairs += pi > pj ? 1 : pi === pj ? 0.5 : 0; });
  });
  const n1 = y.filter(Boolean).length;
  assert.equal(scores.confusion.truePositive, tp);
  assert.equal(scores.confusion.trueNegative, tn);
  assert.equal(scores.accuracy, (tp + tn) / 32);
  assert.ok(Math.abs(scores.auc - pairs / (n1 * (32 - n1))) < 1e-12, `AUC ${scores.auc}`);

  const deleted = await runInProcess(['delete', 'am_model', ...as]);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.doesNotMatch((await runInProcess(['tables', ...as])).stdout, /^am_model\s/m, 'the model is no longer listed (the classes table still names it in its lineage)');

  const down = await runTessera(['cluster', 'down', dir, '--grace', '2']);
  assert.equal(down.code, 0, down.stderr);
});
