/**
 * Differential-privacy budgets over three node processes (TLS mesh), through the CLI: the
 * owner's signed policy gives table 'visits' a budget of ε = 1 (Laplace). A script of one noisy
 * step (ε = 0.5, --max-runs 3) runs twice; the nodes restart (the spending is durable); the third
 * run is refused by every node with rule 'dp-budget' naming the table and what remains; a plan
 * with Gaussian noise is refused ('dp-mechanism'), one without noise too ('dp-required'); every node's audit log records what each
 * query spent and the refusals, and the three logs still verify and agree.
 */

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { initCluster } from '../../src/cli/cluster/init.js';
import type { LocalCluster } from '../../src/cli/cluster/layout.js';
import { Tessera } from '../../src/client/tessera.js';
import { cliExpect as cli } from '../helpers/cli.js';
import { NodeProcessSet } from '../helpers/node-process-set.js';
import { SETUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from '../helpers/node-processes.js';

let root: string;
let cluster: LocalCluster;
let nodes: NodeProcessSet | undefined;

interface Entry { readonly query?: string; readonly outcome?: string; readonly rule?: string; readonly reason?: string; readonly privacy?: { spent: number; tables: { table: string; budget: number; spent: number; remaining: number }[] } }

async function auditEntries(node: number): Promise<Entry[]> {
  const c = await Tessera.connect({ collaboration: cluster.collaborationPath, identity: cluster.path(cluster.party('Analyst').key), ca: cluster.caPath, node });
  try {
    return (await c.auditLog()).trim().split('\n').map((line) => (JSON.parse(line) as { entry: Entry }).entry);
  } finally {
    await c.close();
  }
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-dp-procs-'));
  cluster = await initCluster({
    warmUp: false,
    dir: root,
    parties: [
      { name: 'Hospital', roles: ['input', 'output', 'representative'] },
      { name: 'Analyst', roles: ['analyst', 'output'] },
    ],
    timeouts: { connectMs: 1500, rpcMs: 10_000, mpcMs: 20_000 },
  });
  const file = JSON.parse(await readFile(cluster.collaborationPath, 'utf8')) as Record<string, unknown>;
  file.governance = { mode: 'production', owners: [{ owner: 'Hospital', approvers: ['Hospital'], required: 'one', recipients: ['Analyst'], dpBudget: { mechanism: 'laplace', epsilon: 1 } }], signatures: [] };
  await writeFile(cluster.collaborationPath, JSON.stringify(file, null, 2));
  await cli(['policy', 'sign', cluster.collaborationPath, '--key', cluster.path(cluster.party('Hospital').key)]);
  nodes = new NodeProcessSet(cluster);
  nodes.startAll();
  await nodes.waitHealthy();
}, { timeout: SETUP_TIMEOUT_MS });

after(async () => {
  await nodes?.stopAll();
  await rm(root, { recursive: true, force: true });
}, { timeout: TEARDOWN_TIMEOUT_MS });

test('a budget of ε = 1: two queries of 0.5 pass, the third is refused by every node after a restart; no noise, no query; all audited', { timeout: 300_000 }, async () => {
  const as = (party: string) => ['--cluster', root, '--as', party];
  const hospital = await Tessera.connect({ collaboration: cluster.collaborationPath, identity: cluster.path(cluster.party('Hospital').key), ca: cluster.caPath });
  await hospital.uploadTable('visits', { columns: { age: [30, 40, 50, 60, 70] } }, { columns: { age: { type: 'integer', min: 0, max: 120 } } });
  await hospital.close();

  const noisy = join(root, 'noisy.json');
  await cli(['script', 'record', 'SELECT count(*) AS n FROM visits', '--to', 'Analyst', '--out', noisy, '--max-runs', '3', '--epsilon', '0.5', ...as('Analyst')]);
  assert.match(await cli(['script', 'show', noisy, '--collaboration', cluster.collaborationPath]), /step 1/);
  await cli(['script', 'submit', noisy, ...as('Analyst')]);
  await cli(['script', 'approve', noisy, ...as('Hospital')]);
  for (let run = 0; run < 2; run++) assert.match(await cli(['script', 'run', noisy, ...as('Analyst')]), /step 1: query q-[0-9a-f]{24} \{"columns":\["n"\]/);

  // The spending is on disk: restarted nodes still know it.
  await nodes!.stopAll();
  nodes!.startAll();
  await nodes!.waitHealthy();
  const third = await cli(['script', 'run', noisy, ...as('Analyst')], 1);
  assert.match(third, /governance rule 'dp-budget'/);
  assert.match(third, /budget of table 'visits'.*ε = 0 left and this query spends ε = 0\.5/);

  const gaussian = join(root, 'gaussian.json');
  await cli(['script', 'record', 'SELECT count(*) AS n FROM visits', '--to', 'Analyst', '--out', gaussian, '--rho', '0.1', ...as('Analyst')]);
  await cli(['script', 'submit', gaussian, ...as('Analyst')]);
  await cli(['script', 'approve', gaussian, ...as('Hospital')]);
  assert.match(await cli(['script', 'run', gaussian, ...as('Analyst')], 1), /governance rule 'dp-mechanism'.*budget for laplace noise; this plan asks for gaussian/);

  const plain = join(root, 'plain.json');
  await cli(['script', 'record', 'SELECT count(*) AS n FROM visits', '--to', 'Analyst', '--out', plain, ...as('Analyst')]);
  await cli(['script', 'submit', plain, ...as('Analyst')]);
  await cli(['script', 'approve', plain, ...as('Hospital')]);
  assert.match(await cli(['script', 'run', plain, ...as('Analyst')], 1), /governance rule 'dp-required'.*table 'visits'/);

  for (const node of [0, 1, 2]) {
    const queries = (await auditEntries(node)).filter((e) => e.query !== undefined);
    const computed = queries.filter((e) => e.outcome === 'computed');
    assert.deepEqual(computed.map((e) => e.privacy?.tables.map((t) => [t.table, t.budget, t.spent, t.remaining])), [[['visits', 1, 0.5, 0.5]], [['visits', 1, 1, 0]]], `node ${node}`);
    const refusals = queries.filter((e) => e.outcome === 'refused');
    assert.deepEqual(refusals.map((e) => e.rule), ['dp-budget', 'dp-mechanism', 'dp-required'], `node ${node}`);
    assert.deepEqual(refusals[0].privacy?.tables, [{ table: 'visits', budget: 1, spent: 1, remaining: 0 }]);
  }
  assert.match(await cli(['audit', 'verify', ...as('Analyst')]), /every chain and signature verifies, and the three logs agree/);
});
