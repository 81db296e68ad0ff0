import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createIdentity } from '../../src/crypto/identity.js';
import {
  addSignature,
  canonicalHash,
  canonicalJson,
  parseStatement,
  preAuthEncoding,
  signStatement,
  verifyStatement,
  type JsonValue,
  type SignedStatement,
} from '../../src/crypto/signed.js';
import { FormatError, SignatureError, UsageError } from '../../src/errors.js';

const rep = createIdentity('representative');
const other = createIdentity('other');
const APPROVAL = 'application/vnd.tessera.script-approval+json';
const KEY_PUB = 'application/vnd.tessera.published-key+json';

test('canonical JSON: RFC 8785 examples', () => {
  assert.equal(canonicalJson({ b: 2, a: [1, 'x', null, true], c: { z: 1, y: 0.5 } }), '{"a":[1,"x",null,true],"b":2,"c":{"y":0.5,"z":1}}');
  assert.equal(canonicalJson(1e21), '1e+21');
  assert.equal(canonicalJson(-0), '0');
  assert.equal(canonicalJson({ '\u20ac': 1, '\r': 2, '1': 3 }), '{"\\r":2,"1":3,"€":1}');
  assert.equal(canonicalHash({ a: 1, b: 2 }), canonicalHash({ b: 2, a: 1 }));
});

test('canonical JSON: refuses values that are not plain JSON', () => {
  for (const bad of [{ a: undefined }, NaN, Infinity, new Uint8Array(2), { d: new Date() }, 10n, [() => 1]]) {
    assert.throws(() => canonicalJson(bad), UsageError);
  }
});

test('canonical JSON: key order never changes the text (property)', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
      const reversed = Object.fromEntries(Object.entries(obj).reverse());
      assert.equal(canonicalJson(JSON.parse(JSON.stringify(reversed))), canonicalJson(JSON.parse(JSON.stringify(obj))));
    }),
    { numRuns: 100 },
  );
});

test('statement: sign and verify round trip (property over payloads)', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const payload = JSON.parse(JSON.stringify(value)) as JsonValue; // -0 → 0 and such, as on the wire
      const st = parseStatement(JSON.stringify(signStatement(APPROVAL, payload, rep.signingPrivateKey)));
      const v = verifyStatement(st, APPROVAL, [rep.signingPublicKey]);
      assert.equal(canonicalJson(v.payload), canonicalJson(payload));
      assert.equal(v.signers.length, 1);
    }),
    { numRuns: 50 },
  );
});

test('statement: a signature for one payload type never verifies as another', () => {
  const st = signStatement(APPROVAL, { script: 'abc' }, rep.signingPrivateKey);
  assert.throws(() => verifyStatement(st, KEY_PUB, [rep.signingPublicKey]), SignatureError);
  // Relabelled: same signature, other type → the PAE differs, so the signature fails.
  const relabelled: SignedStatement = { ...st, payloadType: KEY_PUB };
  assert.throws(() => verifyStatement(relabelled, KEY_PUB, [rep.signingPublicKey]), SignatureError);
});

test('statement: PAE is length-prefixed (no ambiguity between type and body)', () => {
  assert.equal(preAuthEncoding('a', Buffer.from('b c')).toString(), 'DSSEv1 1 a 3 b c');
  assert.notDeepEqual(preAuthEncoding('a 1 b', Buffer.from('')), preAuthEncoding('a', Buffer.from('b')));
});

test('statement: untrusted, tampered or non-canonical statements fail', () => {
  const st = signStatement(APPROVAL, { script: 'abc', n: 1 }, rep.signingPrivateKey);
  assert.throws(() => verifyStatement(st, APPROVAL, [other.signingPublicKey]), SignatureError);
  const body = Buffer.from(st.payload, 'base64').toString().replace('abc', 'abd');
  assert.throws(() => verifyStatement({ ...st, payload: Buffer.from(body).toString('base64') }, APPROVAL, [rep.signingPublicKey]), SignatureError);
  const spaced = Buffer.from('{"n": 1,"script":"abc"}').toString('base64');
  assert.throws(() => verifyStatement({ ...st, payload: spaced }, APPROVAL, [rep.signingPublicKey]), FormatError);
  const sig = Buffer.from(st.signatures[0].sig, 'base64');
  sig[10] ^= 1;
  assert.throws(
    () => verifyStatement({ ...st, signatures: [{ ...st.signatures[0], sig: sig.toString('base64') }] }, APPROVAL, [rep.signingPublicKey]),
    SignatureError,
  );
  // keyid claims the trusted key, but the signature was made by another key.
  const forged = signStatement(APPROVAL, { script: 'abc', n: 1 }, other.signingPrivateKey);
  const claimed = { ...forged, signatures: [{ keyid: st.signatures[0].keyid, sig: forged.signatures[0].sig }] };
  assert.throws(() => verifyStatement(claimed, APPROVAL, [rep.signingPublicKey]), SignatureError);
});

test('statement: several signers, each counted once', () => {
  let st = signStatement(APPROVAL, { script: 'abc' }, rep.signingPrivateKey);
  st = addSignature(st, other.signingPrivateKey);
  st = addSignature(st, other.signingPrivateKey);
  assert.equal(st.signatures.length, 2);
  const v = verifyStatement({ ...st, signatures: [...st.signatures, st.signatures[0]] }, APPROVAL, [rep.signingPublicKey, other.signingPublicKey]);
  assert.equal(v.signers.length, 2);
});

test('statement: parse refuses malformed JSON', () => {
  assert.throws(() => parseStatement('{'), FormatError);
  assert.throws(() => parseStatement('{"payloadType":"x","payload":"","signatures":[{}]}'), FormatError);
});
