/** `tessera demo`, embedded, as a user runs it: the three use cases and the expected numbers. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkedData, plaintextAnswer } from '../../src/cli/demo/linked-records.js';
import { systolicOf } from '../../src/cli/demo/patients.js';
import { runTessera } from '../helpers/cli.js';

test('the demo runs embedded and prints the results, the refusals and who learned what', async () => {
  const patients = 150; // the default is 1,000; fewer keep the suite short, the flow is the same
  // Bounded but generous: on a machine shared by many test runs the demo's wall time grows far beyond its CPU time.
  const run = await runTessera(['demo', '--patients', String(patients)], { timeoutMs: 180_000 });
  assert.equal(run.code, 0, run.stderr);
  const out = run.stdout;
  // (a) the total, opened by each registry; the analyst is refused
  for (const registry of ['Registry North', 'Registry East', 'Registry South']) assert.match(out, new RegExp(`${registry}\\s+opens the total: 5,066`));
  assert.match(out, /Analyst\s+tries to open it: refused \(FORBIDDEN/);
  assert.match(out, /node-b\s+tables\/registry_north_patients\/c0000\.col\s+([0-9a-f]{2} ){12}…/);
  // (b) sum and mean for the hospital, the three refusals, the patients who never submitted
  let sum = 0;
  for (let i = 0; i < patients; i++) sum += systolicOf(i);
  const formatted = sum.toLocaleString('en-US');
  assert.match(out, new RegExp(`St\\. Mary Hospital opens: sum ${formatted} over ${patients} patients, mean ${(sum / patients).toFixed(2).replace(/0+$/, '').replace(/\.$/, '')} mmHg`));
  assert.match(out, /patient 1 submits again \(\d+\): refused — DUPLICATE_CONTRIBUTOR/);
  assert.match(out, /types "120\/80": refused — VALUE_PARSE: the value for column 'systolic' is not a valid integer/);
  assert.match(out, /types 400: refused — RANGE_CHECK: .*outside the declared range \[70, 250\]/);
  assert.match(out, /100 never submitted, 2 were refused/);
  assert.match(out, /add up to [\d,]+ ✓/);
  // (c) two owners' tables joined on a hashed patient id, filtered, grouped, opened to the hospital; equal to the plaintext answer
  const want = plaintextAnswer(linkedData());
  for (const r of want) assert.match(out, new RegExp(`${r.region}\\s+${r.claims.toLocaleString('en-US')} claims\\s+total [\\d,.]+\\s+mean ${r.mean.toLocaleString('en-US', { maximumFractionDigits: 2 })}`));
  assert.match(out, /✓ equal to the same computation on the plaintext/);
  assert.match(out, /how many rows this join outputs/);
  assert.doesNotMatch(out, /unexpected|MISMATCH|NOT equal/);
  assert.match(out, /Who learned what/);
  // (d) the survival study on the joined tables, opened to the researcher, approved by both owners; equal to the plaintext estimate
  assert.match(out, /approved by Northwind Health Insurance and St\. Mary Hospital; the query runs as its step 1\n\s+query q-[0-9a-f]+ ran in .*Researcher opens the counts per \(treatment, month\)/);
  assert.match(out, /nothing \(one-hot over the 122 combinations/);
  assert.match(out, /treatment=new\s+272\s+86\s+57\s+43\s+NA/);
  assert.match(out, / Chisq= 5\.9 {2}on 1 degrees of freedom, p= 0\.01 /);
  assert.match(out, /✓ equal to the same estimate from the plaintext/);
  assert.match(out, /\(d\) a study on the hospital's and the insurer's joined tables, opened to the researcher: median survival new 57 months, standard 47 months; log-rank χ² 5\.93 \(p 0\.015\); odds ratio of death on the new treatment 0\.66 \(p 0\.027\), equal to the plaintext estimate/);
  // and the logistic regression on the same joined frame: statsmodels' table, within the 1e-5 contract of a float64 fit
  assert.match(out, /treatment\[T\.new\]\s+-0\.4093\s+0\.1849\s+-2\.214\s+0\.027/);
  assert.match(out, /✓ coefficients and standard errors within 0\.00001 relative of a float64 fit of the plaintext/);
  // Production mode: the unapproved query refused with the rule named, the script, the signatures, the audit and a receipt.
  assert.match(out, /submits it without approval → query q-[0-9a-f]{24}: refused by node-.*rule 'approved-script'/);
  assert.match(out, /script [0-9a-f]{64}\n\s+title:\s+Total patient count across the three registries/);
  assert.match(out, /step 1: plan [0-9a-f]{64}\n\s+reads tables: registry_east_patients, registry_north_patients, registry_south_patients/);
  for (const registry of ['Registry North', 'Registry East', 'Registry South']) assert.match(out, new RegExp(`${registry} signs its approval: application/vnd\\.tessera\\.script-approval\\+json, key .*, signature [0-9a-f]{24}… \\(64 bytes, Ed25519\\)`));
  assert.match(out, /approved by St\. Mary Hospital; the query runs as its step 1/);
  assert.match(out, /approved by Northwind Health Insurance and St\. Mary Hospital; the query runs as its step 1/);
  for (const node of ['node-a', 'node-b', 'node-c']) assert.match(out, new RegExp(`${node}: \\d+ audit entries, 6 queries \\(1 refused\\)`));
  assert.match(out, /✓ tessera audit verify: every chain and signature verifies, and the three logs agree/);
  assert.match(out, /✓ receipt verified: signed by node-a, node-b, node-c; .*step 1 of script [0-9a-f]{12}…, approved by Registry/);
  assert.match(out, /production mode: every query approved before it ran; audit logs verified, receipt verified/);
  assert.match(out, /total [\d.]+ m?s/);
  assert.doesNotMatch(out, /\u001b\[/, 'NO_COLOR: no escape sequences');
});
