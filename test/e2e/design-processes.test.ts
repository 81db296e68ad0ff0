/**
 * Design mode over three node processes (TLS mesh), through the `tessera` CLI (docs/governance.md,
 * "Design mode"): in a production collaboration an analyst runs SQL on the dummy tables without
 * any approval, every result and written file marked as dummy; the owner's dummies stay apart
 * from the real tables both ways; and the statements designed on dummies are recorded, approved
 * and run on the real table.
 */

import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { initCluster } from '../../src/cli/cluster/init.js';
import type { LocalCluster } from '../../src/cli/cluster/layout.js';
import { cliExpect as cli } from '../helpers/cli.js';
import { NodeProcessSet } from '../helpers/node-process-set.js';
import { SETUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from '../helpers/node-processes.js';

const DUMMY_ROWS = 30;
let root: string;
let cluster: LocalCluster;
let nodes: NodeProcessSet | undefined;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-design-procs-'));
  cluster = await initCluster({
    warmUp: false,
    dir: root,
    parties: [
      { name: 'Hospital', roles: ['input', 'output', 'representative'] },
      { name: 'Analyst', roles: ['analyst', 'output'] },
    ],
    timeouts: { connectMs: 1500, rpcMs: 10_000, mpcMs: 10_000 },
  });
  const file = JSON.parse(await readFile(cluster.collaborationPath, 'utf8')) as Record<string, unknown>;
  file.governance = { mode: 'production', owners: [{ owner: 'Hospital', approvers: ['Hospital'], required: 'one', recipients: ['Analyst'], minGroupSize: 2 }], design: { seed: 'process-test', rows: DUMMY_ROWS }, signatures: [] };
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

test('design mode over three node processes, through the CLI', { timeout: 180_000 }, async () => {
  const as = (party: string) => ['--cluster', root, '--as', party];
  const write = async (name: string, text: string) => {
    const path = join(root, name);
    await writeFile(path, text);
    return path;
  };
  const SUM = 'SELECT sum(age) AS total, count(*) AS n FROM visits';
  await cli(['upload', 'visits', await write('visits.csv', 'age\n30\n40\n50\n60\n'), '--column', 'age:integer:18:90', ...as('Hospital')]);

  // No approval needed: the dummy generated at the nodes, marked as dummy.
  const designed = await cli(['sql', SUM, '--to', 'Analyst', '--design', ...as('Analyst')]);
  assert.match(designed, /DUMMY DATA \(design mode/);
  assert.match(designed, new RegExp(`count\\(\\*\\) = ${DUMMY_ROWS}|n = ${DUMMY_ROWS}`));
  const json = JSON.parse(await cli(['sql', SUM, '--to', 'Analyst', '--design', '--json', ...as('Analyst')])) as { design?: boolean; result: { design?: boolean } };
  assert.equal(json.design, true);
  assert.equal(json.result.design, true);
  // A written result says so in its name.
  await cli(['sql', SUM, '--to', 'Analyst', '--design', '--output', join(root, 'out.csv'), ...as('Analyst')]);
  await access(join(root, 'out.dummy.csv'));
  await assert.rejects(access(join(root, 'out.csv')));
  // The same query on the real table needs an approved script.
  assert.match(await cli(['sql', SUM, '--to', 'Analyst', ...as('Analyst')], 1), /governance rule 'approved-script'/);

  // The owner's own dummies: design queries read them, production plans never do.
  assert.match(await cli(['upload', 'visits', await write('visits-dummy.csv', 'age\n20\n21\n22\n'), '--column', 'age:integer:18:90', '--dummy', ...as('Hospital')]), /dummy of visits/);
  assert.match(await cli(['sql', SUM, '--to', 'Analyst', '--design', '--json', ...as('Analyst')]), /"total":63,"n":3/);
  await cli(['upload', 'planned', await write('planned.csv', 'age\n33\n44\n'), '--column', 'age:integer:18:90', '--dummy', ...as('Hospital')]);
  assert.match(await cli(['sql', 'SELECT sum(age) AS total FROM planned', '--to', 'Analyst', '--design', '--json', ...as('Analyst')]), /"total":77/);
  assert.match(await cli(['sql', 'SELECT sum(age) AS total FROM planned', '--to', 'Analyst', ...as('Analyst')], 1), /no table named 'planned'/);
  const listed = await cli(['tables', '--design', ...as('Analyst')]);
  assert.match(listed, /planned\s+uploaded\s+Hospital\s+2/);
  assert.match(await cli(['tables', ...as('Analyst')]), /^(?![\s\S]*planned)/);

  // design → record → approve → run.
  const scriptPath = join(root, 'script.json');
  const recorded = await cli(['script', 'record', SUM, '--to', 'Analyst', '--out', scriptPath, '--design', ...as('Analyst')]);
  assert.match(recorded, /step 1 on dummy tables: query q-[0-9a-f]{24} .*"total":63/);
  await cli(['script', 'submit', scriptPath, ...as('Analyst')]);
  await cli(['script', 'approve', scriptPath, ...as('Hospital')]);
  assert.match(await cli(['script', 'run', scriptPath, ...as('Analyst')]), /step 1: query q-[0-9a-f]{24} .*"total":180,"n":4/);
  assert.match(await cli(['audit', 'verify', ...as('Analyst')]), /every chain and signature verifies, and the three logs agree/);
});
