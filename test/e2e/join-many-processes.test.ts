/**
 * A many-to-many join end to end over three node processes linked by the mutual-TLS mesh
 * (`cluster init` and `cluster up`, as a deployment runs them): a hospital's visits and a
 * registry's prescriptions, both with repeated patient identifiers (keyed-hashed by each owner
 * with the collaboration's identifier key), joined up to a declared bound through the SDK and
 * SQL (`joinMaxRows`), grouped, and opened to the hospital; compared with DuckDB on the
 * plaintext identifiers. A bound below the true output size is refused saying only that.
 */

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { initCluster } from '../../src/cli/cluster/init.js';
import type { LocalCluster } from '../../src/cli/cluster/layout.js';
import { clusterDown, clusterUp } from '../../src/cli/cluster/processes.js';
import { count, sum } from '../../src/client/aggregates.js';
import { Tessera } from '../../src/client/tessera.js';
import { createIdentifierKey } from '../../src/crypto/identifier-key.js';
import { loadIdentity } from '../../src/crypto/identity.js';
import { QueryFailedError } from '../../src/errors.js';
import { Collaboration } from '../../src/governance/collaboration.js';
import { duckdbRows } from '../helpers/duckdb-oracle.js';
import { SETUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from '../helpers/node-processes.js';

let root: string;
let cluster: LocalCluster;
let hospital: Tessera;
let registry: Tessera;
const to = { to: ['St. Mary Hospital'] };

const VISITS = { patient: ['p1', 'p2', 'p2', 'p3', 'p4', 'p2', 'p5'], ward: [1, 2, 2, 3, 1, 1, 2] };
const SCRIPTS = { patient_id: ['p2', 'p2', 'p1', 'p9', 'p2', 'p3', 'p3', 'p6'], dose: [10, 20, 5, 99, 30, 7, null, 1] };

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-join-many-'));
  cluster = await initCluster({ warmUp: false, dir: root, parties: [{ name: 'St. Mary Hospital', roles: ['input', 'output', 'analyst'] }, { name: 'Registry North', roles: ['input'] }], logLevel: 'warn' });
  await clusterUp(cluster, { timeoutMs: 120_000 });
  const collaboration = await Collaboration.load(cluster.collaborationPath);
  const identifierKey = createIdentifierKey();
  const connect = async (k: number, node: number) => Tessera.connect({ collaboration, identity: await loadIdentity(cluster.path(cluster.file.parties[k].key)), node, ca: cluster.caPath, identifierKey });
  hospital = await connect(0, 0);
  registry = await connect(1, 1);
  await hospital.uploadTable('visits', { columns: VISITS }, { schema: { version: 1, columns: [
    { name: 'patient', nullable: false, type: 'identifier' },
    { name: 'ward', nullable: false, type: 'integer', min: '1', max: '3' },
  ] } });
  await registry.uploadTable('scripts', { columns: SCRIPTS }, { schema: { version: 1, columns: [
    { name: 'patient_id', nullable: false, type: 'identifier' },
    { name: 'dose', nullable: true, type: 'integer', min: '0', max: '100' },
  ] } });
}, { timeout: SETUP_TIMEOUT_MS });

after(async () => {
  await hospital?.close().catch(() => undefined);
  await registry?.close().catch(() => undefined);
  if (cluster) await clusterDown(cluster);
  await rm(root, { recursive: true, force: true });
}, { timeout: TEARDOWN_TIMEOUT_MS });

async function oracle(sql: string): Promise<Record<string, unknown>[]> {
  const visits = { name: 'visits', columns: { patient: 'VARCHAR', ward: 'INTEGER' }, rows: VISITS };
  const scripts = { name: 'scripts', columns: { patient_id: 'VARCHAR', dose: 'INTEGER' }, rows: SCRIPTS };
  return duckdbRows([visits, scripts], sql);
}

test('over three node processes with TLS: a many-to-many join of two owners\' tables up to a bound, grouped and opened (SDK, SQL and DuckDB agree); beyond the bound it is refused', { timeout: 300_000 }, async () => {
  const sql = 'SELECT v.ward, count(*) AS n, sum(s.dose) AS total FROM visits v JOIN scripts s ON v.patient = s.patient_id GROUP BY v.ward ORDER BY v.ward';
  const want = await oracle(sql);
  const pairs = want.reduce((k, r) => k + Number(r.n), 0);
  assert.ok(pairs > VISITS.patient.length, 'the data hold more pairs than either side has rows');
  const frame = (maxRows: number, mode: 'reveal-count' | 'oblivious' = 'reveal-count') => hospital
    .table('visits').select('patient', 'ward').join(hospital.table('scripts').select('patient_id', 'dose'), { on: { left: 'patient', right: 'patient_id' }, maxRows, ...(mode === 'oblivious' ? { mode } : {}) })
    .groupBy('ward').agg({ n: count(), total: sum('dose') });
  const viaSql = await hospital.sql('SELECT v.ward, count(*) AS n, sum(s.dose) AS total FROM visits v JOIN scripts s ON v.patient = s.patient_id GROUP BY v.ward', { joinMaxRows: 20 });
  assert.equal(viaSql.planHash(to), frame(20).planHash(to));
  const explained = await frame(20).explain(to);
  assert.ok(explained.disclosures.some((d) => /exceeds max_rows = 20/.test(d.what)), JSON.stringify(explained.disclosures));
  for (const mode of ['reveal-count', 'oblivious'] as const) {
    const got = (await (await frame(20, mode).open(to)).result()).table.rows.map((r) => ({ ward: Number(r.ward), n: Number(r.n), total: Number(r.total) })).sort((a, b) => a.ward - b.ward);
    assert.deepEqual(got, want.map((r) => ({ ward: Number(r.ward), n: Number(r.n), total: Number(r.total) })), mode);
  }
  // Without the bound, the duplicate right keys stop the query, saying how to give the bound.
  await assert.rejects((await hospital.sql(sql.replace(' ORDER BY v.ward', ''))).open(to).then((h) => h.result()), (e: unknown) => e instanceof QueryFailedError && /not unique/.test(e.message) && /joinMaxRows/.test(e.message));
  await assert.rejects((await frame(pairs - 1).open(to)).result(), (e: unknown) => e instanceof QueryFailedError && new RegExp(`more than its max_rows = ${pairs - 1} rows`).test(e.message));
});
