/**
 * Derived tables over three real node processes linked by the mutual-TLS mesh (HTTPS APIs, a
 * fresh cluster CA): two owners' tables combined (a concat for now; the join extends this test),
 * stored by an analyst, a node killed with SIGKILL and restarted in between, then the stored
 * table aggregated and opened to one recipient: the restart keeps the derived table, with its
 * lineage, at every node.
 */

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { initCluster } from '../../src/cli/cluster/init.js';
import { count, mean, sum } from '../../src/client/aggregates.js';
import { col } from '../../src/client/expr.js';
import { Tessera } from '../../src/client/tessera.js';
import { loadIdentity, type Identity } from '../../src/crypto/identity.js';
import { Collaboration, type NodeIndex } from '../../src/governance/collaboration.js';
import { isDamagedTable, type TableInfo } from '../../src/wire/api.js';
import { connectWhenHealthy } from '../helpers/cluster-health.js';
import { NodeProcessSet } from '../helpers/node-process-set.js';
import { SETUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from '../helpers/node-processes.js';

const PARTIES = [
  { name: 'St. Mary Hospital', roles: ['input', 'output'] as const },
  { name: 'Registry North', roles: ['input'] as const },
  { name: 'Analyst', roles: ['analyst'] as const },
];

let root: string;
let collaboration: Collaboration;
let caPem: string;
let nodes: NodeProcessSet | undefined;
const identities = new Map<string, Identity>();
const clients: Tessera[] = [];

function startProcess(i: NodeIndex): void {
  nodes!.start(i);
}

async function stopProcess(i: NodeIndex, signal: NodeJS.Signals): Promise<void> {
  await nodes!.stop(i, signal);
}

/** A client of `party` at `node`, once the node answers and reports its mesh up (a generous "did not hang" bound). */
function connect(party: string, node: number, timeoutMs = 120_000): Promise<Tessera> {
  return connectWhenHealthy(() => Tessera.connect({ collaboration, identity: identities.get(party)!, node, ca: caPem }), node, clients, timeoutMs);
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-store-procs-'));
  const cluster = await initCluster({
    warmUp: false,
    dir: root,
    parties: PARTIES.map((p) => ({ name: p.name, roles: [...p.roles] })),
    timeouts: { connectMs: 1500, rpcMs: 15_000, mpcMs: 15_000 },
  });
  collaboration = await Collaboration.load(cluster.collaborationPath);
  for (const [k, p] of PARTIES.entries()) identities.set(p.name, await loadIdentity(cluster.path(cluster.file.parties[k].key)));
  caPem = cluster.caPath;
  nodes = new NodeProcessSet(cluster);
  nodes.startAll();
}, { timeout: SETUP_TIMEOUT_MS });

after(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await nodes?.stopAll();
  await rm(root, { recursive: true, force: true });
}, { timeout: TEARDOWN_TIMEOUT_MS });

const VISITS = { age: [34, 51, 17, 29, 80], cost: ['12.50', null, '99.99', '0.00', '250.00'] };
const ADMISSIONS = { age: [45, 12, 60, 18], cost: ['40.00', '7.25', null, '12.51'] };
const COLUMNS = { age: { type: 'integer', min: 0, max: 120 }, cost: { type: 'decimal', scale: 2, min: 0, max: 1000, nullable: true } } as const;

test('over three node processes with TLS: two owners\' tables combined and stored, a node killed and restarted, then aggregated and opened to one recipient', { timeout: 240_000 }, async () => {
  const hospital = await connect('St. Mary Hospital', 0);
  const north = await connect('Registry North', 1);
  const analyst = await connect('Analyst', 2);
  await hospital.uploadTable('visits', { columns: VISITS }, { columns: COLUMNS });
  await north.uploadTable('admissions', { columns: ADMISSIONS }, { columns: COLUMNS });

  const stored = await (await analyst.table('visits').concat(analyst.table('admissions')).filter(col('age').ge(18)).store('adults')).result();
  const adults = [...VISITS.age.map((age, i) => ({ age, cost: VISITS.cost[i] })), ...ADMISSIONS.age.map((age, i) => ({ age, cost: ADMISSIONS.cost[i] }))].filter((r) => r.age >= 18);
  assert.equal(stored.rows, adults.length);
  assert.deepEqual(stored.lineage?.inputs, ['admissions', 'visits']);

  // A restart in between: node 2 (where the analyst stored it) is killed and started again.
  await stopProcess(2, 'SIGKILL');
  startProcess(2);
  const again = await connect('Analyst', 2);
  for (const node of [0, 1, 2]) {
    const listed = (await (await connect('Analyst', node)).listTables()).find((t) => t.name === 'adults');
    assert.ok(listed && !isDamagedTable(listed), `node ${node} lists the derived table after the restart`);
    assert.deepEqual((listed as TableInfo).lineage, stored.lineage);
  }

  const q = await again.table('adults').agg({ n: count(), total: sum('age'), avg_cost: mean('cost') }).open({ to: ['St. Mary Hospital'] });
  await q.wait(); // decided at its coordinator (node 2) before the recipient opens it through node 0
  const got = (await hospital.result(q.id)).outputs;
  const costs = adults.flatMap((r) => (r.cost === null ? [] : [Number(r.cost)]));
  assert.equal(got.n.value, adults.length);
  assert.equal(got.total.value, adults.reduce((s, r) => s + r.age, 0));
  assert.ok(Math.abs(Number(got.avg_cost.value) - costs.reduce((s, c) => s + c, 0) / costs.length) < 1e-9);
});
