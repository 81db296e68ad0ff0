/**
 * Governance over three node processes (TLS mesh), driven through the `tessera` CLI as people
 * would: the policy signed into the collaboration file, a script recorded, shown, submitted and
 * approved, an unapproved query refused by every node, the script run, a receipt fetched and
 * verified (and a changed result refused), the three audit logs verified and a tampered one named.
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

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-gov-procs-'));
  cluster = await initCluster({
    warmUp: false,
    dir: root,
    parties: [
      { name: 'Hospital', roles: ['input', 'output', 'representative'] },
      { name: 'Analyst', roles: ['analyst', 'output'] },
    ],
    timeouts: { connectMs: 1500, rpcMs: 10_000, mpcMs: 10_000 },
  });
  // The policy, then signed by the owner's representative with the CLI.
  const file = JSON.parse(await readFile(cluster.collaborationPath, 'utf8')) as Record<string, unknown>;
  file.governance = { mode: 'production', owners: [{ owner: 'Hospital', approvers: ['Hospital'], required: 'one', recipients: ['Analyst'], minGroupSize: 2 }], signatures: [] };
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

test('governance over three node processes, through the CLI', { timeout: 180_000 }, async () => {
  const as = (party: string) => ['--cluster', root, '--as', party];
  const hospital = await Tessera.connect({ collaboration: cluster.collaborationPath, identity: cluster.path(cluster.party('Hospital').key), ca: cluster.caPath });
  await hospital.uploadTable('visits', { columns: { age: [30, 40, 50, 60] } }, { columns: { age: { type: 'integer', min: 0, max: 120 } } });
  await hospital.close();

  // Unapproved: every node refuses and names the rule.
  const refused = await cli(['sql', 'SELECT sum(age) AS total FROM visits', '--to', 'Analyst', ...as('Analyst')], 1);
  assert.match(refused, /governance rule 'approved-script'/);

  const scriptPath = join(root, 'script.json');
  await cli(['script', 'record', 'SELECT sum(age) AS total FROM visits', 'SELECT count(*) AS n FROM visits WHERE age > 35', '--to', 'Analyst', '--out', scriptPath, ...as('Analyst')]);
  const shown = await cli(['script', 'show', scriptPath, '--collaboration', cluster.collaborationPath]);
  assert.match(shown, /step 2: plan [0-9a-f]{64}/);
  assert.match(shown, /opened to:\s+Analyst/);
  await cli(['script', 'submit', scriptPath, ...as('Analyst')]);
  await cli(['script', 'approve', scriptPath, ...as('Hospital')]);
  const ran = await cli(['script', 'run', scriptPath, ...as('Analyst')]);
  assert.match(ran, /step 1: query (q-[0-9a-f]{24}) .*"total":180/);
  assert.match(ran, /step 2: query q-[0-9a-f]{24} .*"n":3/);
  const query = /step 1: query (q-[0-9a-f]{24})/.exec(ran)![1];

  const resultPath = join(root, 'result.json');
  const receiptPath = join(root, 'receipt.json');
  await cli(['receipt', 'fetch', query, '--out-result', resultPath, '--out-receipt', receiptPath, ...as('Analyst')]);
  assert.match(await cli(['receipt', 'verify', resultPath, receiptPath, '--collaboration', cluster.collaborationPath]), /receipt verified.*\n.*step 1\n.*approved by Hospital/);
  const result = JSON.parse(await readFile(resultPath, 'utf8')) as { table: { rows: Record<string, unknown>[] } };
  assert.equal(result.table.rows[0].total, 180);
  result.table.rows[0].total = 181;
  await writeFile(resultPath, JSON.stringify(result));
  assert.match(await cli(['receipt', 'verify', resultPath, receiptPath, '--collaboration', cluster.collaborationPath], 1), /recombine into another result/);

  assert.match(await cli(['audit', 'verify', ...as('Analyst')]), /every chain and signature verifies, and the three logs agree/);
  const logs = cluster.nodes.map((n, i) => join(root, `audit-${i}.log`));
  for (const [i, path] of logs.entries()) {
    const text = await (async () => {
      const c = await Tessera.connect({ collaboration: cluster.collaborationPath, identity: cluster.path(cluster.party('Analyst').key), ca: cluster.caPath, node: i });
      try {
        return await c.auditLog();
      } finally {
        await c.close();
      }
    })();
    await writeFile(path, i === 2 ? text.replace('"outcome":"computed"', '"outcome":"refused"') : text);
  }
  const tampered = await cli(['audit', 'verify', '--logs', ...logs, '--collaboration', cluster.collaborationPath], 1);
  assert.match(tampered, /node-2 line \d+ .*edited/);
});
