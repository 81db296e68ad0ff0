/**
 * The two first collaborations, end to end through the SDK with three in-process nodes:
 * (a) three registries each hold a patient count; the total is opened to all three;
 * (b) 1,000 patients each submit one value with their own client; only the hospital learns the sum.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DuplicateContributorError, PermissionDeniedError, RangeCheckError, ValueParseError, CredentialError, NullValueError } from '../../src/errors.js';
import { buildContributionFrame, credentialHeaderValue, newSubmissionId, resolveCredential, type Credential } from '../../src/client/contribution.js';
import { NodeConnection } from '../../src/client/node-connection.js';
import { CREDENTIAL_HEADER, ROUTES } from '../../src/wire/api.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;

before(async () => {
  cluster = await startTestCluster();
});

after(async () => {
  await cluster.close();
});

test('(a) secure sum of three registries, opened to all three', async () => {
  const registries = ['St. Mary Hospital', 'Registry North', 'Registry South'];
  const counts = [1234, 567, 89];
  const clients = await Promise.all(registries.map((r, i) => cluster.connect(r, i)));
  for (const [i, client] of clients.entries()) {
    await client.uploadTable(`patients_${i}`, { columns: { patients: [counts[i]] } }, { columns: { patients: { type: 'integer', min: 0, max: 1_000_000 } } });
  }
  const q = await clients[0].sum({ column: 'patients', recipients: registries });
  for (const client of clients) {
    const r = await client.result(q.id);
    assert.equal(r.value, 1234 + 567 + 89);
    assert.deepEqual(r.nodes, [0, 1, 2]);
  }
});

test('(b) 1,000 patients submit one value each; only the hospital learns the sum', async () => {
  const hospital = await cluster.connect('St. Mary Hospital', 0);
  await hospital.createAppendTable('glucose', {
    version: 1,
    columns: [{ name: 'mmol', nullable: false, type: 'decimal', scale: 1, min: '0.0', max: '50.0' }],
  });
  const patients = 1000;
  // One signature per 256 patients (the nodes verify each batch once); credentials travel as JSON files.
  const credentials = hospital.issueCredentials('glucose', patients + 50, { batchSize: 256 }).map((c) => JSON.parse(JSON.stringify(c)) as Credential);
  const values = Array.from({ length: patients }, (_, i) => (30 + (i % 200)) / 10); // 3.0 .. 22.9
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < patients) {
      const i = next++;
      const patient = await cluster.connect(undefined, i % 3); // each patient: its own client, no key of the collaboration
      const response = await patient.contribute('glucose', values[i], credentials[i]);
      assert.equal(response.status, 'stored');
      await patient.close();
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const seconds = (performance.now() - started) / 1000;
  console.log(`# ${patients} patient submissions (own client each, 16 at a time, in-process nodes): ${seconds.toFixed(2)} s, ${(patients / seconds).toFixed(0)}/s`);

  // Refusals: a second submission, a malformed value, an out-of-range value, a foreign credential.
  const patient = await cluster.connect(undefined, 1);
  await assert.rejects(patient.contribute('glucose', 5.5, credentials[0]), DuplicateContributorError);
  await assert.rejects(patient.contribute('glucose', 'high', credentials[patients]), (e: unknown) => e instanceof ValueParseError && /column 'mmol'/.test(e.message) && !/high/.test(e.message));
  await assert.rejects(patient.contribute('glucose', 51, credentials[patients]), (e: unknown) => e instanceof RangeCheckError && /\[0\.0, 50\.0\]/.test(e.message));
  await assert.rejects(patient.contribute('glucose', 5.55, credentials[patients]), ValueParseError);
  await assert.rejects(patient.contribute('glucose', null, credentials[patients]), NullValueError);
  await assert.rejects(patient.contribute('other', 5, credentials[patients]), CredentialError);
  await assert.rejects(patient.contribute('glucose', 5, credentials[patients].statement), (e: unknown) => e instanceof CredentialError && /whole credential/.test(e.message));
  const forged = (await cluster.connect('Registry North')).issueCredential('glucose');
  await assert.rejects(patient.contribute('glucose', 5, forged.statement), CredentialError);
  assert.equal((await hospital.tableInfo('glucose')).rows, patients);

  // A retry of the very same submission is acknowledged, not duplicated.
  const connection = new NodeConnection(cluster.collaboration.node(2), { ca: cluster.certs.ca.certPem, timeoutMs: 10_000 });
  const submission = newSubmissionId();
  const c = credentials[patients + 1];
  const body = buildContributionFrame(cluster.collaboration, 'glucose', [new BigUint64Array([77n])], resolveCredential(c), submission);
  const headers = { [CREDENTIAL_HEADER]: credentialHeaderValue(resolveCredential(c)) };
  const first = await connection.send<{ status: string }>({ method: 'POST', path: ROUTES.contributions('glucose'), frame: { body, signingBytes: body }, headers });
  const again = await connection.send<{ status: string }>({ method: 'POST', path: ROUTES.contributions('glucose'), frame: { body, signingBytes: body }, headers });
  assert.deepEqual([first.status, first.body.status, again.status, again.body.status], [201, 'stored', 200, 'already-stored']);

  // A client that bypasses the SDK's check stores an out-of-range value: the nodes' MPC range check leaves it out.
  const rogue = credentials[patients + 2];
  const bad = buildContributionFrame(cluster.collaboration, 'glucose', [new BigUint64Array([BigInt.asUintN(64, -5n)])], resolveCredential(rogue), newSubmissionId());
  await connection.send({ method: 'POST', path: ROUTES.contributions('glucose'), frame: { body: bad, signingBytes: bad }, headers: { [CREDENTIAL_HEADER]: credentialHeaderValue(resolveCredential(rogue)) } });
  await connection.close();

  const q = await hospital.sum({ column: 'mmol', tables: ['glucose'], recipients: ['St. Mary Hospital'] });
  const r = await q.result();
  const expected = values.reduce((s, v) => s + Math.round(v * 10), 0) + 77;
  assert.equal(r.exact, (expected / 10).toFixed(1));
  assert.equal(r.rows, patients + 2);
  assert.equal(r.excluded, 1);
  const mean = await (await hospital.mean({ column: 'mmol', tables: ['glucose'], recipients: ['St. Mary Hospital'] })).result();
  assert.equal(mean.count, patients + 1); // the 50 who never submitted do not count, nor does the rogue row
  await assert.rejects((await cluster.connect('Registry North')).result(q.id), PermissionDeniedError);
});

test('batch credentials: each node checks the proof, the table and the owner; an id is one row whatever the batch', async () => {
  const hospital = await cluster.connect('St. Mary Hospital', 0);
  await hospital.createAppendTable('steps', { version: 1, columns: [{ name: 'n', nullable: false, type: 'integer', min: '0', max: '100000' }] });
  await hospital.createAppendTable('weight', { version: 1, columns: [{ name: 'kg', nullable: false, type: 'integer', min: '0', max: '500' }] });
  // The same id issued in two batches (another root): its second row is refused at every node.
  const first = hospital.issueCredentials('steps', ['patient-twice', 'patient-a1', 'patient-a2']);
  const second = hospital.issueCredentials('steps', ['patient-b1', 'patient-twice']);
  assert.notDeepEqual(first[0].statement, second[1].statement);
  const patient = await cluster.connect(undefined, 1);
  await patient.contribute('steps', 1000, first[0]);
  await assert.rejects(patient.contribute('steps', 2000, second[1]), DuplicateContributorError);
  for (const c of [first[1], first[2], second[0]]) await patient.contribute('steps', 10, c);

  // A forged proof (another contributor's path, a changed hash) is refused by the nodes.
  const more = hospital.issueCredentials('steps', 4);
  const flipped = Buffer.from(more[0].proof!.path[0], 'base64url');
  flipped[3] ^= 0x80;
  const forged: Credential[] = [
    { ...more[0], proof: more[1].proof },
    { ...more[0], proof: { ...more[0].proof!, path: [flipped.toString('base64url'), ...more[0].proof!.path.slice(1)] } },
    { ...more[0], contributor: 'patient-invented' },
  ];
  for (const c of forged) await assert.rejects(patient.contribute('steps', 5, c, { schema: STEPS }), (e: unknown) => e instanceof CredentialError && /does not place this contributor/.test(e.message));
  // Another party's batch for the owner's table; the owner's batch for another table (bypassing the SDK's check).
  const registry = await cluster.connect('Registry North');
  const rogue = registry.issueCredentials('steps', 1)[0];
  await assert.rejects(patient.contribute('steps', 5, rogue, { schema: STEPS }), (e: unknown) => e instanceof CredentialError && /not signed by the owner/.test(e.message));
  const connection = new NodeConnection(cluster.collaboration.node(2), { ca: cluster.certs.ca.certPem, timeoutMs: 10_000 });
  const body = buildContributionFrame(cluster.collaboration, 'weight', [new BigUint64Array([70n])], resolveCredential(more[2]), newSubmissionId());
  await assert.rejects(
    connection.send({ method: 'POST', path: ROUTES.contributions('weight'), frame: { body, signingBytes: body }, headers: { [CREDENTIAL_HEADER]: credentialHeaderValue(resolveCredential(more[2])) } }),
    (e: unknown) => e instanceof CredentialError && /for table 'steps', not 'weight'/.test(e.message),
  );
  await connection.close();
  await patient.contribute('steps', 7, more[3]);

  // 300 at once from one client: the coordinator's batches to its peers exceed 64 contributions
  // (and so 128 frame parts), which a peer once dropped without an answer.
  const crowd = hospital.issueCredentials('steps', 300);
  await Promise.all(crowd.map((c) => patient.contribute('steps', 1, c)));
  const sum = await (await hospital.sum({ column: 'n', tables: ['steps'], recipients: ['St. Mary Hospital'] })).result();
  assert.deepEqual([sum.value, sum.rows], [1000 + 30 + 7 + 300, 305]);
});

const STEPS = { version: 1, columns: [{ name: 'n', nullable: false, type: 'integer', min: '0', max: '100000' }] } as const;

test('nullable append columns: nulls are not counted, a bad validity bit is excluded', async () => {
  const hospital = await cluster.connect('St. Mary Hospital', 1);
  await hospital.createAppendTable('survey', {
    version: 1,
    columns: [
      { name: 'score', nullable: true, type: 'integer', min: '1', max: '5' },
      { name: 'visits', nullable: false, type: 'integer', min: '0', max: '100' },
    ],
  });
  const answers: [number | null, number][] = [[5, 1], [null, 2], [3, 0], [1, 10]];
  for (const [score, visits] of answers) {
    const patient = await cluster.connect(undefined, 2);
    await patient.contribute('survey', { score, visits }, hospital.issueCredential('survey').statement);
  }
  // Bypassing the SDK: validity bit 2 (neither null nor present), and a row whose other column is out of range.
  const connection = new NodeConnection(cluster.collaboration.node(0), { ca: cluster.certs.ca.certPem, timeoutMs: 10_000 });
  for (const row of [[3n, 2n, 1n], [4n, 1n, 101n]]) {
    const c = hospital.issueCredential('survey');
    const body = buildContributionFrame(cluster.collaboration, 'survey', row.map((v) => new BigUint64Array([v])), resolveCredential(c), newSubmissionId());
    await connection.send({ method: 'POST', path: ROUTES.contributions('survey'), frame: { body, signingBytes: body }, headers: { [CREDENTIAL_HEADER]: credentialHeaderValue(resolveCredential(c)) } });
  }
  await connection.close();
  const mean = await (await hospital.mean({ column: 'score', tables: ['survey'], recipients: ['St. Mary Hospital'] })).result();
  assert.deepEqual([mean.sum, mean.count, mean.rows, mean.excluded], [9, 3, 6, 2]);
  const rows = await (await hospital.count({ tables: ['survey'], recipients: ['St. Mary Hospital'] })).result();
  assert.equal(rows.value, 4);
  const visits = await (await hospital.sum({ column: 'visits', tables: ['survey'], recipients: ['St. Mary Hospital'] })).result();
  assert.equal(visits.value, 13);
});
