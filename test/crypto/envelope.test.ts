import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { createIdentity } from '../../src/crypto/identity.js';
import { envelopeSize, openEnvelope, sealEnvelope, type EnvelopeContext } from '../../src/crypto/envelope.js';
import { DecryptionError, FormatError, SignatureError, TesseraError } from '../../src/errors.js';

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
