import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createIdentity, publicIdentity } from '../../src/crypto/identity.js';
import { Collaboration } from '../../src/governance/collaboration.js';
import { CollaborationError, UnknownPartyError } from '../../src/errors.js';
import { withTempDir } from '../helpers/temp-dir.js';

type Mutable = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test fixtures are edited freely

function fixture(): Mutable {
  const node = (index: number) => {
    const id = publicIdentity(createIdentity(`node-${index}`));
    return {
      index,
      name: `node-${'abc'[index]}`,
      apiUrl: `https://node${index}.example.org:8443`,
      mpcAddress: `node${index}.example.org:9000`,
      tlsCertificateFingerprint: 'ab'.repeat(32),
      encryptionKey: id.encryptionKey,
      signingKey: id.signingKey,
    };
  };
  const party = (name: string, roles: string[]) => {
    const id = publicIdentity(createIdentity(name));
    return { name, roles, signingKey: id.signingKey, encryptionKey: id.encryptionKey };
  };
  return {
    format: 'tessera-collaboration/v1',
    id: 'diabetes-2025',
    name: 'Diabetes outcomes',
    nodes: [node(0), node(1), node(2)],
    parties: [party('St. Mary Hospital', ['input', 'representative']), party('Analyst Ann', ['analyst', 'output'])],
  };
}

function problemsOf(value: unknown): readonly string[] {
  try {
    Collaboration.fromJson(value);
  } catch (error) {
    assert.ok(error instanceof CollaborationError);
    return error.problems;
  }
  assert.fail('expected a CollaborationError');
}

test('collaboration: valid file, lookups by name, role and signing key', () => {
  const f = fixture();
  const c = Collaboration.fromJson(f);
  assert.equal(c.id, 'diabetes-2025');
  assert.equal(c.party('Analyst Ann').roles.join(), 'analyst,output');
  assert.equal(c.partyBySigningKey(f.parties[0].signingKey)?.name, 'St. Mary Hospital');
  assert.equal(c.partyBySigningKey(c.signingKeyOf('Analyst Ann'))?.name, 'Analyst Ann');
  assert.equal(c.partyBySigningKey(f.nodes[0].signingKey), undefined);
  assert.deepEqual(c.partiesWithRole('input').map((p) => p.name), ['St. Mary Hospital']);
  assert.equal(c.nodeByName('node-b').index, 1);
  assert.equal(c.nodeEncryptionKey(2).asymmetricKeyType, 'x25519');
  assert.ok(c.hasRole('Analyst Ann', 'output'));
  assert.throws(() => c.party('Nobody'), UnknownPartyError);
});

test('collaboration: hash is over canonical content, not formatting', () => {
  const f = fixture();
  const a = Collaboration.parse(JSON.stringify(f));
  const reordered = { parties: f.parties, nodes: f.nodes, name: f.name, id: f.id, format: f.format };
  const colons = structuredClone(f);
  colons.nodes[0].tlsCertificateFingerprint = 'AB:'.repeat(31) + 'AB';
  assert.equal(Collaboration.parse(JSON.stringify(reordered, null, 4)).hash, a.hash);
  assert.equal(Collaboration.fromJson(colons).hash, a.hash);
  const renamed = structuredClone(f);
  renamed.name = 'Other';
  assert.notEqual(Collaboration.fromJson(renamed).hash, a.hash);
  assert.match(a.hash, /^[0-9a-f]{64}$/);
});

test('collaboration: unknown role, duplicate names and keys, wrong node count', () => {
  const f = fixture();
  f.parties[0].roles = ['input', 'admin'];
  assert.ok(problemsOf(f).some((p) => /unknown role "admin"/.test(p)));

  const dupName = fixture();
  dupName.parties[1].name = 'st. mary hospital';
  assert.ok(problemsOf(dupName).some((p) => /already used/.test(p)));

  const dupKey = fixture();
  dupKey.parties[1].signingKey = dupKey.parties[0].signingKey;
  assert.ok(problemsOf(dupKey).some((p) => /same key as the signingKey of party 'St. Mary Hospital'/.test(p)));

  const nodeKeyReused = fixture();
  nodeKeyReused.parties[0].encryptionKey = nodeKeyReused.nodes[1].encryptionKey;
  assert.ok(problemsOf(nodeKeyReused).some((p) => /same key/.test(p)));

  const two = fixture();
  two.nodes.pop();
  assert.ok(problemsOf(two).some((p) => /exactly 3/.test(p)));

  const dupNode = fixture();
  dupNode.nodes[2].name = 'node-a';
  assert.ok(problemsOf(dupNode).some((p) => /used twice/.test(p)));
});

test('collaboration: malformed keys, wrong key types, bad URLs and unknown fields', () => {
  const f = fixture();
  f.parties[0].signingKey = 'not a key';
  f.parties[1].encryptionKey = fixture().parties[0].signingKey; // an Ed25519 key where X25519 belongs
  f.nodes[0].apiUrl = 'http://node0.example.org';
  f.nodes[1].mpcAddress = 'node1:99999';
  f.nodes[2].tlsCertificateFingerprint = 'abc';
  f.nodes[2].index = 5;
  f.parties[1].role = ['input'];
  f.extra = 1;
  const problems = problemsOf(f);
  const expected = [/not base64/, /ed25519 key, but an x25519/, /must use https/, /mpcAddress/, /tlsCertificateFingerprint/, /"index" must be 2/, /unknown field "role"/, /unknown field "extra"/];
  for (const re of expected) assert.ok(problems.some((p) => re.test(p)), `missing problem ${re}: ${problems.join(' | ')}`);
});

test('collaboration: loopback http is allowed for local runs; roles must be non-empty and unique', () => {
  const f = fixture();
  f.nodes[0].apiUrl = 'http://127.0.0.1:8080';
  Collaboration.fromJson(f);
  f.parties[0].roles = [];
  assert.ok(problemsOf(f).some((p) => /non-empty list/.test(p)));
  f.parties[0].roles = ['input', 'input'];
  assert.ok(problemsOf(f).some((p) => /listed twice/.test(p)));
});

test('collaboration: load reports missing files and bad JSON clearly', () =>
  withTempDir(async (dir) => {
    await assert.rejects(Collaboration.load(join(dir, 'missing.json')), (e: unknown) => e instanceof CollaborationError && /ENOENT/.test(e.message));
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"format":');
    await assert.rejects(Collaboration.load(bad), (e: unknown) => e instanceof CollaborationError && /not valid JSON/.test(e.message));
    const good = join(dir, 'good.json');
    await writeFile(good, JSON.stringify(fixture()));
    assert.equal((await Collaboration.load(good)).nodes.length, 3);
  }));
