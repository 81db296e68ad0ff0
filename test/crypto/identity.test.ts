import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sign, verify } from 'node:crypto';
import {
  createIdentity,
  loadIdentity,
  loadPublicIdentity,
  parseIdentity,
  publicIdentity,
  saveIdentity,
  savePublicIdentity,
  serializeIdentity,
} from '../../src/crypto/identity.js';
import { decodePublicKey } from '../../src/crypto/keys.js';
import { InvalidNameError, KeyFileError, TesseraError } from '../../src/errors.js';
import { withTempDir } from '../helpers/temp-dir.js';

test('identity: save and load round trip, private file mode 0600', () =>
  withTempDir(async (dir) => {
    const alice = createIdentity('Alice Hospital');
    const path = join(dir, 'alice.key.json');
    await saveIdentity(alice, path);
    if (process.platform !== 'win32') assert.equal((await stat(path)).mode & 0o777, 0o600);
    const loaded = await loadIdentity(path);
    assert.equal(loaded.name, 'Alice Hospital');
    assert.deepEqual(publicIdentity(loaded), publicIdentity(alice));
    const sig = sign(null, Buffer.from('hello'), loaded.signingPrivateKey);
    assert.ok(verify(null, Buffer.from('hello'), alice.signingPublicKey, sig));

    const pubPath = join(dir, 'alice.pub.json');
    await savePublicIdentity(publicIdentity(alice), pubPath);
    assert.deepEqual(await loadPublicIdentity(pubPath), publicIdentity(alice));
  }));

test('identity: public identity has typed keys and a short fingerprint', () => {
  const id = publicIdentity(createIdentity('bob'));
  assert.equal(decodePublicKey(id.signingKey, 'ed25519', 's').asymmetricKeyType, 'ed25519');
  assert.equal(decodePublicKey(id.encryptionKey, 'x25519', 'e').asymmetricKeyType, 'x25519');
  assert.match(id.fingerprint, /^[0-9a-f]{32}$/);
  assert.notEqual(id.fingerprint, publicIdentity(createIdentity('bob')).fingerprint);
  assert.throws(() => decodePublicKey(id.signingKey, 'x25519', 'key'), { code: 'KEY_FORMAT' });
});

test('identity: refuses to overwrite an existing key file unless asked', () =>
  withTempDir(async (dir) => {
    const path = join(dir, 'k.json');
    await saveIdentity(createIdentity('a'), path);
    await assert.rejects(saveIdentity(createIdentity('b'), path), KeyFileError);
    await saveIdentity(createIdentity('c'), path, { overwrite: true });
    assert.equal((await loadIdentity(path)).name, 'c');
  }));

test('identity: missing, garbled, mismatched and world-readable files give KeyFileError', () =>
  withTempDir(async (dir) => {
    const missing = join(dir, 'nope.json');
    await assert.rejects(loadIdentity(missing), (e: unknown) => e instanceof KeyFileError && /tessera keys new/.test(e.message));

    const garbled = join(dir, 'garbled.json');
    await writeFile(garbled, '{"format": "tessera-key/v1", "name": ', { mode: 0o600 });
    await assert.rejects(loadIdentity(garbled), (e: unknown) => e instanceof KeyFileError && /not valid JSON/.test(e.message));

    const a = JSON.parse(serializeIdentity(createIdentity('a'))) as { signing: { privateKey: string } };
    const b = JSON.parse(serializeIdentity(createIdentity('b'))) as { signing: { privateKey: string } };
    a.signing.privateKey = b.signing.privateKey;
    assert.throws(() => parseIdentity(JSON.stringify(a), 'mixed.json'), (e: unknown) => e instanceof KeyFileError && /does not match/.test(e.message));

    const text = serializeIdentity(createIdentity('x'));
    const broken = text.replace(/"privateKey": "([A-Za-z0-9+/]{10})/, '"privateKey": "AAAAAAAAAA');
    assert.throws(() => parseIdentity(broken, 'broken.json'), KeyFileError);

    if (process.platform !== 'win32') {
      const open = join(dir, 'open.json');
      await saveIdentity(createIdentity('o'), open);
      await chmod(open, 0o644);
      await assert.rejects(loadIdentity(open), (e: unknown) => e instanceof KeyFileError && /chmod 600/.test(e.message));
    }
  }));

test('identity: a readable file that is not a private key is named as such, not given chmod advice', () =>
  withTempDir(async (dir) => {
    const identity = createIdentity('Clinic');
    const pub = join(dir, 'clinic.pub.json');
    await savePublicIdentity(publicIdentity(identity), pub); // 0644, as it should be
    const notChmod = (pattern: RegExp) => (e: unknown): boolean => e instanceof KeyFileError && pattern.test(e.message) && !/chmod/.test(e.message);
    await assert.rejects(loadIdentity(pub), notChmod(/clinic\.pub\.json is a public identity file, not a private key file; pass the private key file/));
    const collaboration = join(dir, 'collaboration.json');
    await writeFile(collaboration, JSON.stringify({ format: 'tessera-collaboration/v1', id: 'c' }), { mode: 0o644 });
    await assert.rejects(loadIdentity(collaboration), notChmod(/is not a Tessera private key file/));
    const csv = join(dir, 'data.csv');
    await writeFile(csv, 'a,b\n1,2\n', { mode: 0o644 });
    await assert.rejects(loadIdentity(csv), notChmod(/data\.csv is not valid JSON, so it cannot be a key file/));
  }));

test('identity: error messages never contain key material', () => {
  const text = serializeIdentity(createIdentity('secret-holder'));
  const privateKey = (JSON.parse(text) as { encryption: { privateKey: string } }).encryption.privateKey;
  const truncated = text.slice(0, text.indexOf(privateKey) + 20);
  try {
    parseIdentity(truncated, 'k.json');
    assert.fail('should throw');
  } catch (error) {
    assert.ok(error instanceof TesseraError);
    assert.ok(!error.message.includes(privateKey.slice(0, 16)));
  }
});

test('identity: names are checked', () => {
  assert.throws(() => createIdentity(''), InvalidNameError);
  assert.throws(() => createIdentity(' padded'), InvalidNameError);
  assert.throws(() => createIdentity('bad\nname'), InvalidNameError);
});

test('identity: key file is JSON with PKCS#8 and SPKI base64', () =>
  withTempDir(async (dir) => {
    const path = join(dir, 'k.json');
    await saveIdentity(createIdentity('k'), path);
    const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    assert.equal(file.format, 'tessera-key/v1');
    assert.deepEqual(Object.keys(file.signing as object).sort(), ['algorithm', 'privateKey', 'publicKey']);
  }));
