/**
 * `tessera keys new` and `tessera cluster init`: files, permissions, valid configurations, and
 * the refusals with their messages and exit codes. The commands run in this process (the same
 * code as the `tessera` binary, without a process start-up per command); test/cli/
 * cluster-processes.test.ts runs the binary itself.
 */

import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadIdentifierKey } from '../../src/crypto/identifier-key.js';
import { loadIdentity, loadPublicIdentity } from '../../src/crypto/identity.js';
import { certificateFingerprint } from '../../src/crypto/fingerprint.js';
import { Collaboration } from '../../src/governance/collaboration.js';
import { loadNodeConfig } from '../../src/node/config.js';
import { LocalCluster } from '../../src/cli/cluster/layout.js';
import { DEMO_PARTIES } from '../../src/cli/cluster/parties.js';
import { runInProcess as runTessera } from '../helpers/cli.js';
import { withTempDir } from '../helpers/temp-dir.js';

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

test('keys new writes a private key (0600) and a public identity, prints the fingerprint and what to do next', async () => {
  await withTempDir(async (dir) => {
    const run = await runTessera(['keys', 'new', '--name', 'St. Mary Hospital', '--out', dir]);
    assert.equal(run.code, 0, run.stderr);
    const key = join(dir, 'st-mary-hospital.key.json');
    const pub = join(dir, 'st-mary-hospital.pub.json');
    assert.equal(await mode(key), 0o600);
    assert.equal(await mode(pub), 0o644);
    const identity = await loadIdentity(key);
    const publicIdentity = await loadPublicIdentity(pub);
    assert.equal(identity.name, 'St. Mary Hospital');
    assert.match(run.stdout, new RegExp(`fingerprint\\s+${publicIdentity.fingerprint}`));
    assert.match(run.stdout, /Next:/);

    const again = await runTessera(['keys', 'new', '--name', 'St. Mary Hospital', '--out', dir]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
    const badName = await runTessera(['keys', 'new', '--name', ' padded', '--out', dir]);
    assert.equal(badName.code, 2);
    assert.match(badName.stderr, /INVALID_NAME/);
    const noName = await runTessera(['keys', 'new']);
    assert.equal(noName.code, 2);
    assert.match(noName.stderr, /--name/);
  });
});

test('keys identifier writes the shared identifier key (0600) that loadIdentifierKey reads; bad files are refused', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'ids.key.json');
    const run = await runTessera(['keys', 'identifier', '--out', path]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Never to a node operator or an analyst/);
    assert.equal(await mode(path), 0o600);
    const key = await loadIdentifierKey(path);
    assert.equal(key.length, 32);
    assert.ok(key.some((b) => b !== 0), 'random bytes, not zeros');
    const again = await runTessera(['keys', 'identifier', '--out', path]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
    assert.deepEqual(await loadIdentifierKey(path), key); // the first key is kept

    await chmod(path, 0o644);
    await assert.rejects(loadIdentifierKey(path), /can be read by other users.*chmod 600/);
    const damaged = join(dir, 'damaged.key.json');
    await writeFile(damaged, JSON.stringify({ format: 'tessera-identifier-key/v1', key: 'c2hvcnQ=' }), { mode: 0o600 });
    await assert.rejects(loadIdentifierKey(damaged), /not 16 or more bytes/);
    await writeFile(damaged, '{"not":"a key"}', { mode: 0o600 });
    await assert.rejects(loadIdentifierKey(damaged), /not an identifier key file/);
    await assert.rejects(loadIdentifierKey(join(dir, 'missing.json')), /tessera keys identifier/);
    // A readable file that is not a key at all is named as such, not given chmod advice.
    const csv = join(dir, 'patients.csv');
    await writeFile(csv, 'patient,age\nNL-001,34\n', { mode: 0o644 });
    await assert.rejects(loadIdentifierKey(csv), (e: unknown) => e instanceof Error && /patients\.csv is not an identifier key file/.test(e.message) && !/chmod/.test(e.message));
  });
});

test('cluster init writes certificates, keys, configurations and the collaboration, all consistent', async () => {
  await withTempDir(async (root) => {
    const dir = join(root, 'cluster');
    const run = await runTessera(['cluster', 'init', dir, '--party', 'City Clinic:input,output', '--party', 'Ethics Board:representative']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Next: tessera cluster up/);

    const cluster = await LocalCluster.load(dir);
    const collaboration = await Collaboration.load(cluster.collaborationPath);
    assert.deepEqual(
      collaboration.parties.map((p) => [p.name, p.roles]),
      [...DEMO_PARTIES.map((p) => [p.name, p.roles]), ['City Clinic', ['input', 'output']], ['Ethics Board', ['representative']]],
    );
    assert.equal(await mode(dir), 0o700);
    assert.equal(await mode(join(dir, 'parties')), 0o700);
    const apiPorts = new Set<string>();
    for (const node of cluster.nodes) {
      const config = await loadNodeConfig(cluster.path(node.config)); // strict validation
      assert.equal(config.index, node.index);
      assert.equal(await mode(config.identityFile), 0o600);
      assert.equal(await mode(config.tls.keyFile), 0o600);
      assert.equal(await mode(cluster.path(node.dataDir)), 0o700);
      const identity = await loadIdentity(config.identityFile);
      assert.equal(collaboration.node(node.index).encryptionKey, (await import('../../src/crypto/keys.js')).encodePublicKey(identity.encryptionPublicKey));
      assert.equal(collaboration.node(node.index).tlsCertificateFingerprint, certificateFingerprint(await readFile(config.tls.certFile, 'utf8')).replaceAll(':', '').toLowerCase());
      assert.equal(`https://${config.apiListen.host}:${config.apiListen.port}`, collaboration.node(node.index).apiUrl);
      assert.equal(`${config.mpcListen.host}:${config.mpcListen.port}`, collaboration.node(node.index).mpcAddress);
      apiPorts.add(String(config.apiListen.port)).add(String(config.mpcListen.port));
    }
    assert.equal(apiPorts.size, 6, 'six distinct ports');
    for (const party of cluster.file.parties) {
      assert.equal(await mode(cluster.path(party.key)), 0o600);
      const identity = await loadIdentity(cluster.path(party.key));
      assert.equal(collaboration.partyBySigningKey(identity.signingPublicKey)?.name, party.name);
    }
    await assert.rejects(stat(join(dir, 'certs', 'ca.key')), { code: 'ENOENT' }); // the CA key is not kept
    // A public identity given as the key is named as such (it used to get chmod 600 advice).
    const publicAsKey = await runTessera(['tables', '--cluster', dir, '--key', join(dir, 'parties', 'city-clinic.pub.json')]);
    assert.equal(publicAsKey.code, 2);
    assert.match(publicAsKey.stderr, /city-clinic\.pub\.json is a public identity file, not a private key file/);
    assert.doesNotMatch(publicAsKey.stderr, /chmod/);

    // A non-empty directory is refused, unless --force (which keeps unrelated files).
    const refused = await runTessera(['cluster', 'init', dir]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /CLUSTER_DIR.*not empty.*--force/);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const forced = await runTessera(['cluster', 'init', dir, '--force', '--no-demo-parties', '--party', 'Solo:input,output,analyst']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual((await Collaboration.load(cluster.collaborationPath)).parties.map((p) => p.name), ['Solo']);
    assert.equal(await readFile(join(dir, 'notes.txt'), 'utf8'), 'mine');
  });
});

test('cluster commands refuse bad input with a message saying what to do', async () => {
  await withTempDir(async (root) => {
    const unknownRole = await runTessera(['cluster', 'init', join(root, 'a'), '--party', 'X:input,boss']);
    assert.equal(unknownRole.code, 2);
    assert.match(unknownRole.stderr, /unknown role 'boss'.*roles are input, output, analyst, representative/);
    const noRoles = await runTessera(['cluster', 'init', join(root, 'a'), '--party', 'X']);
    assert.equal(noRoles.code, 2);
    assert.match(noRoles.stderr, /NAME:role/);
    const clash = await runTessera(['cluster', 'init', join(root, 'a'), '--party', 'analyst:analyst']);
    assert.equal(clash.code, 2);
    assert.match(clash.stderr, /given twice.*--no-demo-parties/);
    const wildcard = await runTessera(['cluster', 'init', join(root, 'a'), '--host', '0.0.0.0']);
    assert.equal(wildcard.code, 2);
    for (const command of ['up', 'status', 'down']) {
      const missing = await runTessera(['cluster', command, join(root, 'missing')]);
      assert.equal(missing.code, 2, command);
      assert.match(missing.stderr, /not a Tessera cluster directory.*tessera cluster init/);
    }
    await mkdir(join(root, 'empty'));
    const notCluster = await runTessera(['tables', '--cluster', join(root, 'empty'), '--as', 'Analyst']);
    assert.equal(notCluster.code, 2);
    const unknownCommand = await runTessera(['clutser']);
    assert.equal(unknownCommand.code, 2);
    const help = await runTessera(['cluster', 'up', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: tessera cluster up/);
  });
});
