/**
 * The Cox model end to end over three node processes linked by the mutual-TLS mesh (`cluster
 * init` and `cluster up`): R's ovarian uploaded by a hospital, fitted through the SDK
 * (`cox(frame, spec).open`) and the CLI (`tessera stats cox`), checked against the float64
 * Breslow fit written in test/helpers/cox-reference.ts; `--explain` says what is opened.
 */

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { initCluster } from '../../src/cli/cluster/init.js';
import type { LocalCluster } from '../../src/cli/cluster/layout.js';
import { clusterDown, clusterUp } from '../../src/cli/cluster/processes.js';
import { Tessera } from '../../src/client/tessera.js';
import { loadIdentity } from '../../src/crypto/identity.js';
import { Collaboration } from '../../src/governance/collaboration.js';
import { cox } from '../../src/stats/cox.js';
import { cliExpect as cli } from '../helpers/cli.js';
import { breslowFit } from '../helpers/cox-reference.js';
import { OVARIAN } from '../helpers/survival-data.js';
import { SETUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from '../helpers/node-processes.js';

const HOSPITAL = 'St. Mary Hospital';
let root: string;
let cluster: LocalCluster;
let hospital: Tessera;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tessera-cox-'));
  cluster = await initCluster({ warmUp: false, dir: root, parties: [{ name: HOSPITAL, roles: ['input', 'output', 'analyst'] }], logLevel: 'warn' });
  await clusterUp(cluster, { timeoutMs: 120_000 });
  const collaboration = await Collaboration.load(cluster.collaborationPath);
  hospital = await Tessera.connect({ collaboration, identity: await loadIdentity(cluster.path(cluster.file.parties[0].key)), node: 0, ca: cluster.caPath });
  await hospital.uploadTable('ovarian', { columns: { futime: [...OVARIAN.futime], fustat: OVARIAN.fustat.map((v) => v === 1), age: OVARIAN.age.map(Number), ecog_ps: [...OVARIAN.ecog_ps], rx: [...OVARIAN.rx] } }, { schema: { version: 1, columns: [
    { name: 'futime', nullable: false, type: 'integer', min: '0', max: '2000' },
    { name: 'fustat', nullable: false, type: 'boolean' },
    { name: 'age', nullable: false, type: 'decimal', scale: 4, min: '30', max: '80' },
    { name: 'ecog_ps', nullable: false, type: 'integer', min: '1', max: '2' },
    { name: 'rx', nullable: false, type: 'integer', min: '1', max: '2' },
  ] } });
}, { timeout: SETUP_TIMEOUT_MS });

after(async () => {
  await hospital?.close().catch(() => undefined);
  if (cluster) await clusterDown(cluster);
  await rm(root, { recursive: true, force: true });
}, { timeout: TEARDOWN_TIMEOUT_MS });

test('over three node processes with TLS: ovarian\'s Cox fit through the SDK and the CLI agrees with float64 Breslow to 1e-5', { timeout: 600_000 }, async () => {
  const reference = breslowFit(OVARIAN.futime.map((t, i) => ({ time: t, event: OVARIAN.fustat[i] as 0 | 1, x: [Number(OVARIAN.age[i]), OVARIAN.ecog_ps[i], OVARIAN.rx[i]] })));
  const fit = await cox(hospital.table('ovarian'), { time: 'futime', event: 'fustat', x: ['age', 'ecog_ps', 'rx'] }).open({ to: [HOSPITAL] });
  fit.coefficients.forEach((c, j) => {
    assert.ok(Math.abs(c.estimate / reference.beta[j] - 1) < 1e-5, `${c.term}: ${c.estimate} vs ${reference.beta[j]}`);
    assert.ok(Math.abs(c.stdError / reference.se[j] - 1) < 1e-5, `${c.term}: SE ${c.stdError} vs ${reference.se[j]}`);
  });
  assert.equal(fit.events, 12);
  assert.match(fit.text(), /exp\(coef\)/);

  const as = ['--cluster', root, '--as', HOSPITAL];
  const printed = await cli(['stats', 'cox', '--table', 'ovarian', '--time', 'futime', '--event', 'fustat', '--x', 'age,ecog_ps,rx', '--to', HOSPITAL, ...as]);
  assert.match(printed, /n= 26, number of events= 12/);
  assert.match(printed, /^age\s+0\.14699/m);
  assert.match(printed, /Likelihood ratio test= 15\.9\d/);
  const explained = await cli(['stats', 'cox', '--table', 'ovarian', '--time', 'futime', '--event', 'fustat', '--x', 'age,rx', '--to', HOSPITAL, '--explain', ...as]);
  assert.match(explained, /last Newton iterate/);
});
