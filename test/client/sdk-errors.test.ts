/**
 * What a user can get wrong, through the SDK against three in-process nodes: each mistake gives
 * a typed error with an actionable message, and bad input is refused before anything is sent.
 */

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createIdentity } from '../../src/crypto/identity.js';
import { Collaboration } from '../../src/governance/collaboration.js';
import { Tessera } from '../../src/client/tessera.js';
import {
  CredentialError,
  EmptyTableError,
  InputFileError,
  PeerAuthenticationError,
  PermissionDeniedError,
  RaggedRowError,
  RangeCheckError,
  TableExistsError,
  TableNotFoundError,
  UnknownPartyError,
  UsageError,
  ValueParseError,
} from '../../src/errors.js';
import { withTempDir } from '../helpers/temp-dir.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;

before(async () => {
  cluster = await startTestCluster();
});

after(async () => {
  await cluster.close();
});

test('a key that is not in the collaboration is refused when connecting', async () => {
  await assert.rejects(
    Tessera.connect({ collaboration: cluster.collaboration, identity: createIdentity('Mallory'), node: 0, ca: cluster.certs.ca.certPem }),
    (e: unknown) => e instanceof UnknownPartyError && /Mallory/.test(e.message) && /not a party/.test(e.message),
  );
});

test('a node whose certificate is not the pinned one is refused', async () => {
  const file = JSON.parse(cluster.collaboration.toJsonText());
  file.nodes[0].tlsCertificateFingerprint = cluster.certs.nodes[1].fingerprint256;
  const wrong = Collaboration.fromJson(file);
  await assert.rejects(Tessera.connect({ collaboration: wrong, identity: cluster.parties.get('Analyst')!, node: 0, ca: cluster.certs.ca.certPem }), PeerAuthenticationError);
});

test('bad files and values are refused before anything is sent', async () => {
  const hospital = await cluster.connect('St. Mary Hospital');
  await withTempDir(async (dir) => {
    const ragged = join(dir, 'ragged.csv');
    await writeFile(ragged, 'a,b\n1,2\n3\n');
    await assert.rejects(hospital.uploadTable('ragged', { file: ragged }), RaggedRowError);
    const empty = join(dir, 'empty.csv');
    await writeFile(empty, 'a,b\n');
    await assert.rejects(hospital.uploadTable('empty', { file: empty }), EmptyTableError);
    await assert.rejects(hospital.uploadTable('missing', { file: join(dir, 'nope.csv') }), InputFileError);
    const text = join(dir, 'text.csv');
    await writeFile(text, 'age\n12\ntwelve\n');
    await assert.rejects(hospital.uploadTable('text', { file: text }, { columns: { age: { type: 'integer' } } }), (e: unknown) => e instanceof ValueParseError && !/twelve/.test(e.message));
  });
  await assert.rejects(hospital.uploadTable('old', { columns: { age: [30, 130] } }, { columns: { age: { type: 'integer', min: 0, max: 120 } } }), (e: unknown) => e instanceof RangeCheckError && /\[0, 120\]/.test(e.message));
  assert.deepEqual(await hospital.listTables(), []);
});

test('duplicate names, unknown tables, wrong roles and owners', async () => {
  const hospital = await cluster.connect('St. Mary Hospital');
  const north = await cluster.connect('Registry North', 1);
  const analyst = await cluster.connect('Analyst', 2);
  await hospital.uploadTable('once', { columns: { n: [1] } });
  await assert.rejects(north.uploadTable('once', { columns: { n: [2] } }), (e: unknown) => e instanceof TableExistsError && /'once' already exists/.test(e.message));
  await assert.rejects(hospital.createAppendTable('once', { version: 1, columns: [{ name: 'n', nullable: false, type: 'integer', min: '0', max: '1' }] }), TableExistsError);
  await assert.rejects(analyst.tableInfo('never'), TableNotFoundError);
  await assert.rejects(hospital.deleteTable('never'), TableNotFoundError);
  await assert.rejects(analyst.uploadTable('mine', { columns: { n: [1] } }), (e: unknown) => e instanceof PermissionDeniedError && /'input' role/.test(e.message));
  await assert.rejects(north.deleteTable('once'), (e: unknown) => e instanceof PermissionDeniedError && /owner/.test(e.message));
  await assert.rejects(north.count({ recipients: ['Auditor'] }), PermissionDeniedError);
  await hospital.deleteTable('once');
  for (const client of [hospital, north, analyst]) assert.deepEqual(await client.listTables(), []);
  const contributor = await cluster.connect(undefined);
  await assert.rejects(contributor.listTables(), (e: unknown) => e instanceof UsageError && /without an identity/.test(e.message));
});

test('credentials: batches of the asked size, plain JSON, and mistakes refused before anything is sent', async () => {
  const hospital = await cluster.connect('St. Mary Hospital', 0);
  const many = hospital.issueCredentials('readings', 2500, { batchSize: 1000 });
  assert.equal(many.length, 2500);
  assert.equal(new Set(many.map((c) => c.contributor)).size, 2500);
  assert.equal(new Set(many.map((c) => c.statement)).size, 3, 'one signed statement per 1,000');
  assert.deepEqual(many.slice(0, 3).map((c) => c.proof?.index), [0, 1, 2]);
  assert.equal(many[0].proof?.path.length, 10);
  const given = hospital.issueCredentials('readings', ['patient-0001', 'patient-0002']);
  assert.deepEqual(given.map((c) => c.contributor), ['patient-0001', 'patient-0002']);
  assert.deepEqual(JSON.parse(JSON.stringify(given[1])), given[1]);
  assert.throws(() => hospital.issueCredentials('readings', ['patient-0001', 'patient-0001']), (e: unknown) => e instanceof UsageError && /once/.test(e.message));
  assert.throws(() => hospital.issueCredentials('readings', 3, { batchSize: 0 }), UsageError);
  const anonymous = await Tessera.connect({ collaboration: cluster.collaboration, node: 0, ca: cluster.certs.ca.certPem, check: false });
  assert.throws(() => anonymous.issueCredentials('readings', 1), (e: unknown) => e instanceof UsageError && /without an identity/.test(e.message));
  // Checked on the client: the table, the whole object for a batch, and that it is a credential at all.
  await assert.rejects(anonymous.contribute('other', 1, many[0]), (e: unknown) => e instanceof CredentialError && /for table 'readings', not 'other'/.test(e.message));
  await assert.rejects(anonymous.contribute('readings', 1, many[0].statement), (e: unknown) => e instanceof CredentialError && /whole credential/.test(e.message));
  await assert.rejects(anonymous.contribute('readings', 1, { ...many[0], proof: undefined }), (e: unknown) => e instanceof CredentialError && /whole credential/.test(e.message));
  await assert.rejects(anonymous.contribute('readings', 1, { payloadType: 'x', payload: '', signatures: [] }), (e: unknown) => e instanceof CredentialError && /not a contribution credential/.test(e.message));
  await anonymous.close();
  await hospital.close();
});
