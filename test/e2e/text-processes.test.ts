/**
 * Text over three node processes linked by the mutual-TLS mesh: two owners upload tables with
 * text columns of different bounds, an analyst joins them on the text key, groups by a text
 * column of the other side, and opens the groups, keys as text, to one recipient; the answer is
 * DuckDB's on the same plaintext.
 */

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { initCluster } from '../../src/cli/cluster/init.js';
import { count, sum } from '../../src/client/aggregates.js';
import { Tessera } from '../../src/client/tessera.js';
import { loadIdentity, type Identity } from '../../src/crypto/identity.js';
import { Collaboration } from '../../src/governance/collaboration.js';
import { duckdbRows } from '../helpers/duckdb-oracle.js';
import { connectWhenHealthy } from '../helpers/cluster-health.js';

const MAIN = fileURLToPath(new URL('../../src/node/main.js', import.meta.url));
const PARTIES = [
  { name: 'St. Mary Hospital', roles: ['input', 'output'] as const },
  { name: 'Registry North', roles: ['input'] as const },
  { name: 'Analyst', roles: ['analyst'] as const },
];

let root: string;
let collaboration: Collaboration;
let caPem: string;
const processes: ChildProcess[] = [];
const identities = new Map<string, Identity>();
const clients: Tessera[] = [];

function connect(party: string, node: number, timeoutMs = 60_000): Promise<Tessera> {
  return connectWhenHealthy(() => Tessera.connect({ collaboration, identity: identities.get(party)!, node, ca: caPem }), node, clients, timeoutMs);
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-text-procs-'));
  const cluster = await initCluster({
    dir: root,
    parties: PARTIES.map((p) => ({ name: p.name, roles: [...p.roles] })),
    timeouts: { connectMs: 1500, rpcMs: 15_000, mpcMs: 15_000 },
  });
  collaboration = await Collaboration.load(cluster.collaborationPath);
  for (const [k, p] of PARTIES.entries()) identities.set(p.name, await loadIdentity(cluster.path(cluster.file.parties[k].key)));
  caPem = cluster.caPath;
  for (const node of cluster.nodes) {
    const child = spawn(process.execPath, [MAIN, '--config', cluster.path(node.config)], { stdio: ['ignore', process.env.NODE_LOGS ? 'inherit' : 'ignore', 'pipe'] });
    child.stderr?.resume();
    processes.push(child);
  }
});

after(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  for (const child of processes) {
    if (child.exitCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await rm(root, { recursive: true, force: true });
});

// Diagnosis codes (text(12) at the hospital, text(8) at the registry), with multi-byte text.
const VISITS = { diagnosis: ['J45.909', 'E11.9', 'J45.909', 'I10', 'Ü-07.1', 'E11.9', 'Z00', 'I10', ''], cost: [120, 80, 95, 40, 300, 60, 10, 45, 5] };
const CODES = { code: ['E11.9', 'I10', 'J45.909', 'Ü-07.1', ''], chapter: ['Endokrin', 'Kreislauf', 'Atmung', 'Sonderzwecke', 'unbekannt'] };

test('over three node processes with TLS: a join on a text key across two owners, grouped by text, opened as text', { timeout: 240_000 }, async () => {
  const hospital = await connect('St. Mary Hospital', 0);
  const north = await connect('Registry North', 1);
  const analyst = await connect('Analyst', 2);
  await hospital.uploadTable('visits', { columns: VISITS }, { columns: { diagnosis: { type: 'text', maxBytes: 12 }, cost: { type: 'integer', min: 0, max: 1000 } } });
  await north.uploadTable('codes', { columns: CODES }, { columns: { code: { type: 'text', maxBytes: 8 }, chapter: { type: 'text', maxBytes: 16 } } });

  const frame = analyst.table('visits').join(analyst.table('codes'), { on: { left: 'diagnosis', right: 'code' } }).groupBy('chapter').agg({ n: count(), total: sum('cost') });
  const q = await frame.open({ to: ['St. Mary Hospital'] });
  await q.wait();
  const result = await hospital.result(q.id);
  assert.deepEqual(result.table.columns, ['chapter', 'n', 'total']);
  const got = result.table.rows.map((r) => JSON.stringify([r.chapter, Number(r.n), Number(r.total)])).sort();
  const want = (await duckdbRows([
    { name: 'visits', columns: { diagnosis: 'VARCHAR', cost: 'INTEGER' }, rows: VISITS },
    { name: 'codes', columns: { code: 'VARCHAR', chapter: 'VARCHAR' }, rows: CODES },
  ], 'SELECT chapter, count(*), sum(cost) FROM visits JOIN codes ON diagnosis = code GROUP BY chapter')).map((r) => JSON.stringify(Object.values(r))).sort();
  assert.deepEqual(got, want);
  assert.ok(got.some((r) => r.includes('"Sonderzwecke"')), 'a multi-byte key matched');
});
