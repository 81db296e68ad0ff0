import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { createIdentity } from '../../src/crypto/identity.js';
import { envelopeSize, openEnvelope, sealEnvelope, type EnvelopeContext } from '../../src/crypto/envelope.js';
import { DecryptionError, FormatError, SignatureError, TesseraError } from '../../src/errors.js';
import { EnvelopeSession, SharedSecretCache } from '../../src/crypto/envelope-session.js';
import { canonicalFlatJson, canonicalJson } from '../../src/crypto/canonical-json.js';

const node1 = createIdentity('node-1');
const node2 = createIdentity('node-2');
const client = createIdentity('client');
const ctx: EnvelopeContext = { purpose: 'table-share', table: 'patients', node: 1 };

test('envelope: round trip, empty and multi-chunk payloads', () => {
  for (const size of [0, 1, 100, (1 << 20) + 17]) {
    const payload = randomBytes(size);
    const sealed = sealEnvelope(payload, node1.encryptionPublicKey, ctx);
    assert.equal(sealed.byteLength, envelopeSize(size, false));
    const opened = openEnvelope(sealed, node1.encryptionPrivateKey, ctx);
    assert.ok(Buffer.from(opened.payload).equals(payload));
    assert.equal(opened.signer, undefined);
  }
});

test('envelope: two seals of the same payload differ (fresh ephemeral key)', () => {
  const p = Buffer.from('same');
  assert.ok(!Buffer.from(sealEnvelope(p, node1.encryptionPublicKey, ctx)).equals(sealEnvelope(p, node1.encryptionPublicKey, ctx)));
});

test('envelope: context key order does not matter, values do', () => {
  const sealed = sealEnvelope(Buffer.from('x'), node1.encryptionPublicKey, ctx);
  openEnvelope(sealed, node1.encryptionPrivateKey, { node: 1, table: 'patients', purpose: 'table-share' });
  for (const other of [
    { ...ctx, node: 2 },
    { ...ctx, table: 'patients2' },
    { ...ctx, purpose: 'result-share' },
    { purpose: 'table-share', table: 'patients' },
    { ...ctx, node: '1' },
  ]) {
    assert.throws(() => openEnvelope(sealed, node1.encryptionPrivateKey, other), DecryptionError);
  }
});

test('envelope: wrong recipient key fails with a typed error', () => {
  const sealed = sealEnvelope(Buffer.from('x'), node1.encryptionPublicKey, ctx);
  assert.throws(() => openEnvelope(sealed, node2.encryptionPrivateKey, ctx), (e: unknown) => e instanceof DecryptionError && /another recipient/.test(e.message));
});

test('envelope: flipping any single byte is detected (property)', () => {
  const payload = randomBytes(300);
  for (const signed of [false, true]) {
    const sealed = sealEnvelope(payload, node1.encryptionPublicKey, ctx, signed ? { sender: client.signingPrivateKey } : {});
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sealed.byteLength - 1 }), fc.integer({ min: 1, max: 255 }), (index, mask) => {
        const tampered = Buffer.from(sealed);
        tampered[index] ^= mask;
        assert.throws(() => openEnvelope(tampered, node1.encryptionPrivateKey, ctx), (e: unknown) => e instanceof TesseraError);
      }),
      { numRuns: 300 },
    );
  }
});

test('envelope: every byte position of a small envelope is covered', () => {
  const sealed = sealEnvelope(Buffer.from('patient 42: 7.3'), node1.encryptionPublicKey, ctx, { sender: client.signingPrivateKey });
  for (let i = 0; i < sealed.byteLength; i++) {
    const tampered = Buffer.from(sealed);
    tampered[i] ^= 0x01;
    assert.throws(() => openEnvelope(tampered, node1.encryptionPrivateKey, ctx), (e: unknown) => e instanceof TesseraError, `byte ${i}`);
  }
});

test('envelope: truncated or extended envelopes fail', () => {
  const sealed = Buffer.from(sealEnvelope(randomBytes(64), node1.encryptionPublicKey, ctx));
  assert.throws(() => openEnvelope(sealed.subarray(0, sealed.byteLength - 1), node1.encryptionPrivateKey, ctx), DecryptionError);
  assert.throws(() => openEnvelope(Buffer.concat([sealed, Buffer.from([0])]), node1.encryptionPrivateKey, ctx), DecryptionError);
  assert.throws(() => openEnvelope(sealed.subarray(0, 10), node1.encryptionPrivateKey, ctx), FormatError);
  const v3 = Buffer.from(sealed);
  v3[4] = 3;
  assert.throws(() => openEnvelope(v3, node1.encryptionPrivateKey, ctx), /unsupported envelope version/);
});

test('envelope: sender authentication', () => {
  const payload = Buffer.from('result share');
  const signed = sealEnvelope(payload, node1.encryptionPublicKey, ctx, { sender: client.signingPrivateKey });
  assert.equal(signed.byteLength, envelopeSize(payload.byteLength, true));
  const opened = openEnvelope(signed, node1.encryptionPrivateKey, ctx, { expectedSender: client.signingPublicKey });
  assert.ok(opened.signer?.equals(client.signingPublicKey));
  assert.throws(() => openEnvelope(signed, node1.encryptionPrivateKey, ctx, { expectedSender: node2.signingPublicKey }), SignatureError);
  const unsigned = sealEnvelope(payload, node1.encryptionPublicKey, ctx);
  assert.throws(() => openEnvelope(unsigned, node1.encryptionPrivateKey, ctx, { expectedSender: client.signingPublicKey }), SignatureError);
});

test('envelope: a signature cannot be stripped or replaced', () => {
  const signed = Buffer.from(sealEnvelope(Buffer.from('abc'), node1.encryptionPublicKey, ctx, { sender: client.signingPrivateKey }));
  // Strip: clear the flag, drop signer key and signature.
  const stripped = Buffer.concat([signed.subarray(0, 88), signed.subarray(120, signed.byteLength - 64)]);
  stripped[5] = 0;
  assert.throws(() => openEnvelope(stripped, node1.encryptionPrivateKey, ctx), DecryptionError);
});

test('envelope: 8 MB payload round trip stays fast', () => {
  const payload = randomBytes(8 << 20);
  const t0 = performance.now();
  const sealed = sealEnvelope(payload, node1.encryptionPublicKey, ctx, { sender: client.signingPrivateKey });
  const opened = openEnvelope(sealed, node1.encryptionPrivateKey, ctx, { expectedSender: client.signingPublicKey });
  assert.ok(Buffer.from(opened.payload).equals(payload));
  assert.ok(performance.now() - t0 < 5000);
});

// ---- version 2: envelope sessions (crypto/envelope-session.ts) ----------------------------------

test('envelope v2: a session reuses its key pair, every envelope still has its own nonce and key', () => {
  const session = new EnvelopeSession();
  const cache = new SharedSecretCache();
  const payload = Buffer.from('7.3 mmol/l');
  const a = Buffer.from(sealEnvelope(payload, node1.encryptionPublicKey, ctx, { session }));
  const b = Buffer.from(sealEnvelope(payload, node1.encryptionPublicKey, ctx, { session }));
  assert.equal(a[4], 2);
  assert.equal(a.byteLength, envelopeSize(payload.byteLength, false, true));
  assert.ok(a.subarray(16, 48).equals(b.subarray(16, 48)), 'same session key');
  assert.ok(!a.subarray(88, 104).equals(b.subarray(88, 104)), 'fresh nonces');
  assert.ok(!a.subarray(104).equals(b.subarray(104)), 'same payload and context, different ciphertext');
  for (const sealed of [a, b]) {
    assert.ok(Buffer.from(openEnvelope(sealed, node1.encryptionPrivateKey, ctx, { sharedSecrets: cache }).payload).equals(payload));
    assert.ok(Buffer.from(openEnvelope(sealed, node1.encryptionPrivateKey, ctx).payload).equals(payload), 'no cache needed');
  }
  // Another recipient of the same session cannot open it; the context is bound as in version 1.
  assert.throws(() => openEnvelope(a, node2.encryptionPrivateKey, ctx, { sharedSecrets: new SharedSecretCache() }), /another recipient/);
  assert.throws(() => openEnvelope(a, node1.encryptionPrivateKey, { ...ctx, node: 2 }, { sharedSecrets: cache }), DecryptionError);
  // The same session seals to several recipients, each opening only its own.
  const c = sealEnvelope(payload, node2.encryptionPublicKey, ctx, { session });
  assert.ok(Buffer.from(openEnvelope(c, node2.encryptionPrivateKey, ctx, { sharedSecrets: new SharedSecretCache() }).payload).equals(payload));
  assert.throws(() => openEnvelope(c, node1.encryptionPrivateKey, ctx, { sharedSecrets: cache }), DecryptionError);
});

test('envelope v2: flipping any byte fails, also with a warm cache; signed v2 envelopes work', () => {
  const session = new EnvelopeSession();
  const cache = new SharedSecretCache();
  for (const signed of [false, true]) {
    const sealed = sealEnvelope(Buffer.from('patient 42: 7.3'), node1.encryptionPublicKey, ctx, { session, ...(signed ? { sender: client.signingPrivateKey } : {}) });
    const opened = openEnvelope(sealed, node1.encryptionPrivateKey, ctx, { sharedSecrets: cache, ...(signed ? { expectedSender: client.signingPublicKey } : {}) });
    assert.equal(Buffer.from(opened.payload).toString(), 'patient 42: 7.3');
    for (let i = 0; i < sealed.byteLength; i++) {
      const tampered = Buffer.from(sealed);
      tampered[i] ^= 0x01;
      assert.throws(() => openEnvelope(tampered, node1.encryptionPrivateKey, ctx, { sharedSecrets: cache }), (e: unknown) => e instanceof TesseraError, `byte ${i}`);
    }
  }
});

test('envelope v2: the session key pair is replaced after maxUses envelopes or maxAgeMs', async () => {
  const byUses = new EnvelopeSession({ maxUses: 2 });
  const keys = Array.from({ length: 5 }, () => Buffer.from(sealEnvelope(Buffer.from('x'), node1.encryptionPublicKey, ctx, { session: byUses })).subarray(16, 48).toString('hex'));
  assert.deepEqual([keys[0] === keys[1], keys[1] === keys[2], keys[2] === keys[3], keys[3] === keys[4]], [true, false, true, false]);
  const byAge = new EnvelopeSession({ maxAgeMs: 20 });
  const first = Buffer.from(sealEnvelope(Buffer.from('x'), node1.encryptionPublicKey, ctx, { session: byAge })).subarray(16, 48);
  await new Promise((resolve) => setTimeout(resolve, 40));
  const later = Buffer.from(sealEnvelope(Buffer.from('x'), node1.encryptionPublicKey, ctx, { session: byAge })).subarray(16, 48);
  assert.ok(!first.equals(later));
});

test('envelope contexts: the flat canonical writer agrees with RFC 8785 (property)', () => {
  const value = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean());
  fc.assert(
    fc.property(fc.dictionary(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), value), (context) => {
      assert.equal(canonicalFlatJson(context), canonicalJson(context));
    }),
    { numRuns: 500 },
  );
  assert.throws(() => canonicalFlatJson({ a: Number.NaN }), /not a JSON number/);
});
