/**
 * Design mode end to end on three in-process nodes (docs/governance.md, "Design mode"): in a
 * production collaboration, design queries run on dummy tables without any approval, exactly on
 * the rows every node generates from the public seed (or the owner's uploaded dummy), marked as
 * dummy; production plans never see dummies and design plans never see real rows; a design run
 * while recording becomes a script step that then runs, approved, on the real table.
 */

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Tessera } from '../../src/client/tessera.js';
import { generateDummyColumns } from '../../src/design/dummy-values.js';
import { PermissionDeniedError, QueryError, QueryFailedError, SchemaError, TableNotFoundError, type TesseraError } from '../../src/errors.js';
import { crossCheck, verifyChain } from '../../src/governance/audit.js';
import type { Plan } from '../../src/plan/plan.js';
import { parseSchema } from '../../src/table/schema.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let hospital: Tessera;
let analyst: Tessera;

const AGE = { type: 'integer', min: 18, max: 90 } as const;
const SEED = 'design-test-seed';
const ROWS = 40;

function sumPlan(table = 'visits'): Plan {
  return { version: 1, root: { op: 'open', to: ['Analyst'], input: { op: 'aggregate', aggregates: [{ name: 'total', fn: 'sum', column: 'age' }, { name: 'n', fn: 'count' }], input: { op: 'scan', table, columns: ['age'] } } } } as Plan;
}

async function auditEntries(dir: string): Promise<Record<string, unknown>[]> {
  return (await readFile(join(dir, 'governance', 'audit.log'), 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { entry: Record<string, unknown> }).entry);
}

before(async () => {
  cluster = await startTestCluster({
    parties: [
      { name: 'St. Mary Hospital', roles: ['input', 'output', 'representative'] },
      { name: 'Registry', roles: ['input'] },
      { name: 'Analyst', roles: ['analyst', 'output'] },
    ],
    governance: { owners: [{ owner: 'St. Mary Hospital', approvers: ['St. Mary Hospital'], required: 'one', recipients: ['Analyst'] }], design: { seed: SEED, rows: ROWS } },
  });
  hospital = await cluster.connect('St. Mary Hospital', 0);
  analyst = await cluster.connect('Analyst', 1);
  await hospital.uploadTable('visits', { columns: { age: [30, 40, 50, 60], weight: [70.5, null, 80.25, 90] } }, { columns: { age: AGE, weight: { type: 'decimal', scale: 2, min: 0, max: 300, nullable: true } } });
});

after(async () => {
  await cluster?.close();
});

test('a design query runs without approval on the dummy generated from the public seed, exactly, and is marked', async () => {
  const real = await hospital.tableInfo('visits');
  const expected = generateDummyColumns({ seed: SEED, table: 'visits', schema: parseSchema(real.schema), rows: ROWS });
  const ages = [...expected.find((c) => c.name === 'age')!.values].map(Number);
  assert.ok(ages.every((a) => a >= 18 && a <= 90), 'dummy values respect the declared range');
  const result = await (await analyst.run(sumPlan(), { design: true })).result();
  assert.equal(result.design, true);
  assert.equal(result.outputs.n.value, ROWS);
  assert.equal(result.outputs.total.value, ages.reduce((a, b) => a + b, 0));
  // The same plan in production mode is refused (no script), so the design run needed none.
  await assert.rejects((await analyst.run(sumPlan())).result(), /governance rule 'approved-script'/);
});

test('design mode on the client: SQL-built frames run on dummies; storing and scripts are refused', async () => {
  analyst.design();
  try {
    const result = await (await analyst.run(sumPlan())).result();
    assert.equal(result.design, true);
    assert.equal(result.outputs.n.value, ROWS);
    await assert.rejects(analyst.run(sumPlan(), { script: 'a'.repeat(64) }), /needs no script/);
    const store = { version: 1, root: { op: 'store', table: 'copy', input: { op: 'scan', table: 'visits', columns: ['age'] } } } as unknown as Plan;
    await assert.rejects(analyst.run(store), (e: TesseraError) => e instanceof QueryError && /does not store tables/.test(e.message));
  } finally {
    analyst.design(false);
  }
});

test("an owner's uploaded dummy replaces the generated one; only the owner, only with the real schema", async () => {
  await assert.rejects(
    hospital.uploadDummyTable('visits', { columns: { age: [20, 21] } }, { columns: { age: { type: 'integer', min: 0, max: 120 } } }),
    (e: TesseraError) => e instanceof SchemaError && /real table's schema/.test(e.message),
  );
  const registry = await cluster.connect('Registry', 2);
  await assert.rejects(registry.uploadDummyTable('visits', { columns: { age: [20] } }, { columns: { age: AGE } }), (e: TesseraError) => e instanceof PermissionDeniedError);
  const info = await hospital.uploadDummyTable('visits', { columns: { age: [20, 21, 22], weight: [1, null, 2] } }, { columns: { age: AGE, weight: { type: 'decimal', scale: 2, min: 0, max: 300, nullable: true } } });
  assert.equal(info.source, 'uploaded');
  const result = await (await analyst.run(sumPlan(), { design: true })).result();
  assert.deepEqual([result.outputs.total.value, result.outputs.n.value], [63, 3]);
  // A dummy without a real table: design queries see it, production plans do not.
  await registry.uploadDummyTable('planned', { columns: { age: [33, 44] } }, { columns: { age: AGE } });
  assert.equal((await (await analyst.run(sumPlan('planned'), { design: true })).result()).outputs.total.value, 77);
  await assert.rejects(analyst.run(sumPlan('planned')), (e: TesseraError) => e instanceof TableNotFoundError && /no table named 'planned'/.test(e.message));
  const listed = await analyst.designTables();
  assert.deepEqual(listed.map((t) => [t.name, t.source]), [['planned', 'uploaded'], ['visits', 'uploaded']]);
});

test('a dummy that no longer matches its real table (another owner) is refused, and listed with the problem', async () => {
  await hospital.uploadTable('later', { columns: { age: [50] } }, { columns: { age: AGE } });
  const registry = await cluster.connect('Registry', 0);
  // 'later' had no real table when... it has one now, of the hospital: the registry may not upload its dummy.
  await assert.rejects(registry.uploadDummyTable('later', { columns: { age: [20] } }, { columns: { age: AGE } }), PermissionDeniedError);
  // 'planned' was uploaded as a dummy by the registry; the hospital then makes a real 'planned'.
  await hospital.uploadTable('planned', { columns: { age: [50] } }, { columns: { age: AGE } });
  await assert.rejects(analyst.run(sumPlan('planned'), { design: true }), (e: TesseraError) => e instanceof SchemaError && /no longer stands for the real table/.test(e.message));
  const listed = await analyst.designTables();
  assert.match(listed.find((t) => t.name === 'planned')?.problem ?? '', /no longer stands for the real table/);
  await hospital.uploadDummyTable('planned', { columns: { age: [40, 41] } }, { columns: { age: AGE } });
  assert.equal((await (await analyst.run(sumPlan('planned'), { design: true })).result()).outputs.total.value, 81);
});

test('design → record → approve → run: the step designed on dummies runs, approved, on the real table', async () => {
  analyst.design();
  const recorder = analyst.recordScript({ title: 'designed', validUntil: new Date(Date.now() + 3_600_000).toISOString() });
  const designed = await (await analyst.run(sumPlan())).result();
  assert.equal(designed.design, true);
  const script = recorder.finish();
  analyst.design(false);
  assert.equal(script.steps.length, 1);
  const hash = await analyst.submitScript(script);
  await hospital.approveScript(hash);
  const real = await (await analyst.run(sumPlan(), { script: hash })).result();
  assert.equal(real.design, undefined);
  assert.deepEqual([real.outputs.total.value, real.outputs.n.value], [180, 4]);
});

test('design queries are audited as such at every node, and the logs still verify and agree', async () => {
  const reports = [];
  for (const [i, dir] of cluster.dataDirs.entries()) {
    const entries = await auditEntries(dir);
    const design = entries.filter((e) => e.event === 'query' && e.design === true);
    assert.ok(design.length >= 4, `node ${i} audits its design queries`);
    assert.ok(design.every((e) => e.script === null && (e.approvals as unknown[]).length === 0));
    assert.ok(entries.some((e) => e.event === 'dummy-table' && e.table === 'visits'));
    const text = await readFile(join(dir, 'governance', 'audit.log'), 'utf8');
    const report = verifyChain(text, cluster.collaboration, i as 0 | 1 | 2);
    assert.deepEqual(report.problems, []);
    reports.push(report);
  }
  assert.deepEqual(crossCheck(reports), []);
});

test('a collaboration in design mode runs only design queries', async () => {
  const designOnly = await startTestCluster({
    parties: [
      { name: 'Owner', roles: ['input', 'representative'] },
      { name: 'Analyst', roles: ['analyst', 'output'] },
    ],
    governance: { mode: 'design', owners: [{ owner: 'Owner', approvers: ['Owner'], required: 'one', recipients: ['Analyst'] }] },
  });
  try {
    const owner = await designOnly.connect('Owner', 0);
    const a = await designOnly.connect('Analyst', 2);
    await owner.uploadTable('visits', { columns: { age: [30, 40] } }, { columns: { age: AGE } });
    await assert.rejects((await a.run(sumPlan())).result(), (e: TesseraError) => e instanceof QueryFailedError && /governance rule 'design-mode'/.test(e.message));
    const result = await (await a.run(sumPlan(), { design: true })).result();
    assert.equal(result.design, true);
    assert.equal(result.outputs.n.value, 200);
  } finally {
    await designOnly.close();
  }
});
