import { test } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { createIdentity, publicIdentity } from '../../src/crypto/identity.js';
import { RequestVerifier, requestBodyBytes, signRequest, type ReceivedRequest } from '../../src/crypto/request-signing.js';
import { RequestRejectedError } from '../../src/errors.js';
import type { JsonValue } from '../../src/crypto/canonical-json.js';

const alice = createIdentity('alice');
const mallory = createIdentity('mallory');
const parties = new Map([[publicIdentity(alice).signingKey, 'alice']]);

function setup(now: { t: number }) {
  return new RequestVerifier<string>({ audience: 'node-0', authorize: (k) => parties.get(k), now: () => now.t, maxSkewMs: 30_000 });
}

function request(body: JsonValue | Uint8Array | undefined, t: number, audience = 'node-0', signer = alice): ReceivedRequest {
  const headers = signRequest({ audience, method: 'post', path: '/tables/x?a=1', body }, signer.signingPrivateKey, { now: t });
  return { method: 'POST', path: '/tables/x?a=1', body: requestBodyBytes(body), headers };
}

function rejected(reason: string) {
  return (e: unknown) => e instanceof RequestRejectedError && e.reason === reason;
}

test('request signing: valid request accepted once, replay refused', () => {
  const clock = { t: 1_700_000_000_000 };
  const v = setup(clock);
  const r = request({ rows: 3, name: 'x' }, clock.t);
  assert.equal(v.verify(r).party, 'alice');
  assert.throws(() => v.verify(r), rejected('replay'));
});

test('request signing: JSON bodies hash canonically, bytes as they are', () => {
  const clock = { t: 1_700_000_000_000 };
  const v = setup(clock);
  const r = request({ b: 1, a: 2 }, clock.t);
  assert.equal(Buffer.from(r.body!).toString(), '{"a":2,"b":1}');
  v.verify(r);
  v.verify(request(new Uint8Array([1, 2, 3]), clock.t));
  v.verify(request(undefined, clock.t));
});

test('request signing: changed method, path, body or headers fail', () => {
  const clock = { t: 1_700_000_000_000 };
  const v = setup(clock);
  const r = request({ a: 1 }, clock.t);
  assert.throws(() => v.verify({ ...r, method: 'DELETE' }), rejected('signature'));
  assert.throws(() => v.verify({ ...r, path: '/tables/y?a=1' }), rejected('signature'));
  assert.throws(() => v.verify({ ...r, body: Buffer.from('{"a":2}') }), rejected('signature'));
  assert.throws(() => v.verify({ ...r, headers: { ...r.headers, 'x-tessera-timestamp': String(clock.t + 1) } }), rejected('signature'));
  assert.throws(() => v.verify({ ...r, headers: { ...r.headers, 'x-tessera-nonce': 'A'.repeat(22) } }), rejected('signature'));
  assert.throws(() => v.verify({ ...r, headers: { ...r.headers, 'x-tessera-signature': undefined } }), rejected('malformed'));
});

test('request signing: another audience, unknown signer and clock skew fail', () => {
  const clock = { t: 1_700_000_000_000 };
  const v = setup(clock);
  assert.throws(() => v.verify(request({}, clock.t, 'node-1')), rejected('signature'));
  assert.throws(() => v.verify(request({}, clock.t, 'node-0', mallory)), rejected('unknown-signer'));
  assert.throws(() => v.verify(request({}, clock.t - 31_000)), rejected('clock-skew'));
  assert.throws(() => v.verify(request({}, clock.t + 31_000)), rejected('clock-skew'));
  v.verify(request({}, clock.t - 29_000));
});

test('request signing: a replayed request stays refused until its timestamp is stale', () => {
  const clock = { t: 1_700_000_000_000 };
  const v = setup(clock);
  const r = request({}, clock.t);
  v.verify(r);
  clock.t += 20_000;
  assert.throws(() => v.verify(r), rejected('replay'));
  clock.t += 20_000;
  assert.throws(() => v.verify(r), rejected('clock-skew'));
});

test('request signing: replay cache is bounded and swept', () => {
  const clock = { t: 1_700_000_000_000 };
  const v = new RequestVerifier<string>({ audience: 'node-0', authorize: (k) => parties.get(k), now: () => clock.t, maxSkewMs: 1000, maxCachedNonces: 3 });
  for (let i = 0; i < 3; i++) v.verify(request({ i }, clock.t));
  assert.throws(() => v.verify(request({ i: 4 }, clock.t)), rejected('replay'));
  clock.t += 2_001;
  v.verify(request({ i: 5 }, clock.t));
  assert.equal(v.cachedNonces, 1);
});

test('request signing: preverify then verify checks the signature once; every change after preverify is still refused', () => {
  const clock = { t: 1_700_000_000_000 };
  const v = setup(clock);
  const head = (r: ReceivedRequest) => ({ method: r.method, path: r.path, headers: { ...r.headers, 'x-tessera-body-sha256': createHash('sha256').update(r.body!).digest('hex') } });
  const r = request({ rows: 3 }, clock.t);
  v.preverify(head(r), true);
  // A body that took a minute to arrive: the timestamp was judged on arrival.
  clock.t += 45_000;
  assert.equal(v.verify({ ...r, headers: head(r).headers }).party, 'alice');
  assert.equal(v.signatureChecks, 1, 'one Ed25519 check for the request');
  // Sent again: refused (checked in full now: its timestamp is stale, and its nonce seen).
  assert.throws(() => v.verify({ ...r, headers: head(r).headers }), rejected('clock-skew'));
  // Preverified, then a different body, path, method or nonce: the full check refuses it.
  for (const change of [{ body: Buffer.from('{"rows":4}') }, { path: '/tables/y?a=1' }, { method: 'PUT' }]) {
    const s = request({ rows: 3 }, clock.t);
    v.preverify(head(s), true);
    assert.throws(() => v.verify({ ...s, headers: head(s).headers, ...change }), rejected('signature'), JSON.stringify(change));
  }
  const n = request({ rows: 3 }, clock.t);
  v.preverify(head(n), true);
  assert.throws(() => v.verify({ ...n, headers: { ...head(n).headers, 'x-tessera-nonce': 'B'.repeat(22) } }), rejected('signature'));
  // Twice preverified (a replay racing the original): one verify passes, the other is a replay.
  const twice = request({ rows: 5 }, clock.t);
  v.preverify(head(twice), true);
  v.preverify(head(twice), true);
  v.verify({ ...twice, headers: head(twice).headers });
  assert.throws(() => v.verify({ ...twice, headers: head(twice).headers }), rejected('replay'));
  // Refusals at preverify keep their reasons.
  assert.throws(() => v.preverify(head(request({}, clock.t, 'node-1')), true), rejected('signature'));
  assert.throws(() => v.preverify(head(request({}, clock.t, 'node-0', mallory)), true), rejected('unknown-signer'));
  assert.throws(() => v.preverify(head(request({}, clock.t - 31_000)), true), rejected('clock-skew'));
  assert.throws(() => v.preverify({ ...head(r), headers: { ...r.headers } }, true), rejected('malformed'));
  // Without preverify, verify checks everything itself (one check).
  const before = v.signatureChecks;
  v.verify(request({ rows: 6 }, clock.t));
  assert.equal(v.signatureChecks, before + 1);
});
