/**
 * Noisy grouped results under a minimum group size and a budget (docs/governance.md), on three
 * in-process nodes: with minGroupSize 5, a noisy crosstab or group-by passes when privacy's
 * `suppress_below` is at least 5 (groups are suppressed on their noisy counts inside MPC) and is
 * refused by every node otherwise; a query with many noisy columns (var, min, quantiles…)
 * charges the table its ε once, not once per column, and a refused query charges nothing.
 */

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Tessera } from '../../src/client/tessera.js';
import { QueryFailedError, type TesseraError } from '../../src/errors.js';
import type { Plan } from '../../src/plan/plan.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let hospital: Tessera;
let ethics: Tessera;
let analyst: Tessera;
const HOUR = 3_600_000;
// blood A 12 rows, B 6, O 2.
const BLOOD = Array.from({ length: 20 }, (_, i) => (i < 12 ? 'A' : i < 18 ? 'B' : 'O'));
const AGE = BLOOD.map((_, i) => 20 + i);

interface Entry { readonly query?: string; readonly outcome?: string; readonly rule?: string; readonly privacy?: { spent: number; tables: { table: string; budget: number; spent: number; remaining: number }[] } }

const scan = { op: 'scan', table: 'visits', columns: ['age', 'blood'] };
const noisy = (input: object, suppress?: number): Plan => ({ version: 1, root: { op: 'open', to: ['Analyst'], input, privacy: { mechanism: 'laplace', epsilon: 1, ...(suppress !== undefined ? { suppress_below: suppress } : {}) } } }) as Plan;
const crosstab = { op: 'crosstab', input: { op: 'scan', table: 'visits', columns: ['blood', 'old'] }, by: ['blood', 'old'] };
const grouped = {
  op: 'aggregate', input: scan, by: ['blood'],
  aggregates: [{ name: 'n', fn: 'count' }, { name: 'v', fn: 'var', column: 'age' }, { name: 'lo', fn: 'min', column: 'age' }, { name: 'med', fn: 'median', column: 'age' }],
};

async function approved(plans: readonly Plan[]): Promise<string> {
  const recorder = analyst.recordScript({ title: 'noisy groups', validUntil: new Date(Date.now() + HOUR).toISOString(), maxRuns: 1 });
  for (const plan of plans) await analyst.run(plan);
  const hash = await analyst.submitScript(recorder.finish());
  await hospital.approveScript(hash);
  await ethics.approveScript(hash);
  return hash;
}

async function audited(query: string): Promise<Entry[]> {
  return Promise.all(cluster.dataDirs.map(async (dir) => {
    const entries = (await readFile(join(dir, 'governance', 'audit.log'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { entry: Entry }).entry);
    const entry = entries.find((e) => e.query === query);
    assert.ok(entry, `query ${query} is audited at ${dir}`);
    return entry;
  }));
}

before(async () => {
  cluster = await startTestCluster({
    parties: [
      { name: 'St. Mary Hospital', roles: ['input', 'output', 'representative'] },
      { name: 'Ethics Board', roles: ['representative'] },
      { name: 'Analyst', roles: ['analyst', 'output'] },
    ],
    governance: { owners: [{ owner: 'St. Mary Hospital', approvers: ['St. Mary Hospital', 'Ethics Board'], required: 'all', recipients: ['Analyst'], minGroupSize: 5, dpBudget: { mechanism: 'laplace', epsilon: 3 } }] },
  });
  hospital = await cluster.connect('St. Mary Hospital', 0);
  ethics = await cluster.connect('Ethics Board', 1);
  analyst = await cluster.connect('Analyst', 2);
  await hospital.uploadTable(
    'visits',
    { columns: { age: AGE.map(String), blood: BLOOD, old: AGE.map((a) => (a >= 30 ? 'true' : 'false')) } },
    { schema: { version: 1, columns: [
      { name: 'age', nullable: false, type: 'integer', min: '0', max: '120' },
      { name: 'blood', nullable: false, type: 'category', dictionary: ['A', 'B', 'O'] },
      { name: 'old', nullable: false, type: 'boolean' },
    ] } },
  );
});

after(async () => {
  await cluster?.close();
});

test('minGroupSize 5: noisy crosstabs and group-bys pass with privacy\'s suppress_below ≥ 5 and each query charges ε once', async () => {
  const plans = [noisy(crosstab, 5), noisy(grouped, 5)];
  const hash = await approved(plans);
  const x = await analyst.run(plans[0], { script: hash });
  const cells = (await x.result()).table.rows;
  assert.ok(cells.every((row) => typeof row.count === 'number'), 'opened cells carry their noisy counts');
  assert.ok(cells.length <= 6);
  for (const e of await audited(x.id)) {
    assert.equal(e.outcome, 'computed');
    assert.deepEqual(e.privacy?.tables.map((t) => [t.table, t.spent, t.remaining]), [['visits', 1, 2]]);
  }
  // Fifteen noisy columns (count, var's three sums, min, the median's three parts per group…): still ε = 1 for the query.
  const g = await analyst.run(plans[1], { script: hash });
  const result = await g.result();
  assert.ok((result.privacy?.columns.length ?? 0) >= 8);
  for (const e of await audited(g.id)) assert.deepEqual(e.privacy?.tables.map((t) => [t.table, t.spent, t.remaining]), [['visits', 2, 1]]);
});

test('minGroupSize 5: a noisy group-by without suppress_below, or with a smaller one, is refused by every node and spends nothing', async () => {
  for (const plan of [noisy(grouped), noisy(grouped, 4), noisy(crosstab, 2)]) {
    const hash = await approved([plan]);
    const handle = await analyst.run(plan, { script: hash });
    await assert.rejects(handle.result(), (e: TesseraError) => e instanceof QueryFailedError && /governance rule 'min-group-size'/.test(e.message) && /suppress_below/.test(e.message));
    for (const e of await audited(handle.id)) {
      assert.equal(e.outcome, 'refused');
      assert.equal(e.rule, 'min-group-size');
      assert.equal(e.privacy, undefined);
    }
  }
});
