import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeConfigError } from '../../src/errors.js';
import { DEFAULT_LIMITS, DEFAULT_TIMEOUTS, parseNodeConfig } from '../../src/node/config.js';
import { DEFAULT_TABLE_LIMITS } from '../../src/node/storage.js';

const valid = {
  format: 'tessera-node/v1',
  index: 1,
  collaboration: '../collaboration.json',
  identity: 'node.key.json',
  tls: { cert: 'node.pem', key: 'node.key', ca: '/etc/tessera/ca.pem' },
  dataDir: 'data',
  mpc: { listen: '127.0.0.1:9001' },
  api: { listen: '[::1]:8443' },
};

test('a valid configuration: paths resolved against the file, defaults filled in', () => {
  const c = parseNodeConfig({ ...valid, timeouts: { mpcMs: 5000 }, log: { level: 'debug' } }, '/srv/node1');
  assert.equal(c.index, 1);
  assert.equal(c.collaborationFile, '/srv/collaboration.json');
  assert.equal(c.identityFile, '/srv/node1/node.key.json');
  assert.equal(c.tls.caFile, '/etc/tessera/ca.pem');
  assert.deepEqual(c.mpcListen, { host: '127.0.0.1', port: 9001 });
  assert.deepEqual(c.apiListen, { host: '::1', port: 8443 });
  assert.deepEqual(c.timeouts, { ...DEFAULT_TIMEOUTS, mpcMs: 5000 });
  assert.equal(c.logLevel, 'debug');
});

test('every problem is reported at once, unknown fields included', () => {
  const bad = { ...valid, index: 3, dataDir: '', mpc: { listen: 'nowhere' }, timeouts: { mpcMs: 5 }, lgo: {}, tls: { cert: 'a', key: 'b' } };
  try {
    parseNodeConfig(bad, '/srv');
    assert.fail('expected an error');
  } catch (error) {
    assert.ok(error instanceof NodeConfigError);
    const text = error.problems.join('\n');
    for (const expected of ['"index"', '"dataDir"', '"mpc.listen"', '"timeouts.mpcMs"', 'unknown field "lgo"', '"tls.ca"']) assert.ok(text.includes(expected), `mentions ${expected}: ${text}`);
  }
  assert.throws(() => parseNodeConfig([], '/'), NodeConfigError);
});

test('table bounds: defaults, settings and refused values', () => {
  assert.deepEqual(parseNodeConfig(valid, '/srv').tableLimits, DEFAULT_TABLE_LIMITS);
  assert.deepEqual(parseNodeConfig({ ...valid, tableLimits: { maxTables: 500 } }, '/srv').tableLimits, { ...DEFAULT_TABLE_LIMITS, maxTables: 500 });
  assert.throws(
    () => parseNodeConfig({ ...valid, tableLimits: { maxTables: 0, perOwner: 3 } }, '/srv'),
    (e: unknown) => e instanceof NodeConfigError && /"tableLimits.maxTables"/.test(e.problems.join()) && /unknown field "perOwner"/.test(e.problems.join()),
  );
});

test('limits and the client timeouts: defaults, values, and refusals', () => {
  const defaults = parseNodeConfig(valid, '/srv');
  assert.deepEqual(defaults.limits, DEFAULT_LIMITS);
  assert.deepEqual([defaults.timeouts.headersMs, defaults.timeouts.requestMs], [10_000, 300_000]);
  const set = parseNodeConfig({ ...valid, bodyLimitBytes: 1 << 20, limits: { connections: 64, bodyBytesInFlight: 1 << 24 }, timeouts: { headersMs: 2000 } }, '/srv');
  assert.deepEqual([set.limits, set.timeouts.headersMs], [{ connections: 64, bodyBytesInFlight: 1 << 24 }, 2000]);
  try {
    parseNodeConfig({ ...valid, bodyLimitBytes: 1 << 20, limits: { connections: 3, bodyBytesInFlight: 1000, extra: 1 } }, '/srv');
    assert.fail('expected an error');
  } catch (error) {
    assert.ok(error instanceof NodeConfigError);
    const text = error.problems.join('\n');
    for (const expected of ['"limits.connections"', '"limits.bodyBytesInFlight" must be a whole number of bytes from bodyLimitBytes (1048576)', 'unknown field "extra"']) assert.ok(text.includes(expected), `mentions ${expected}: ${text}`);
  }
});

test('the start-up warm-up: on by default, "warmUp": false turns it off, anything else is refused', () => {
  assert.equal(parseNodeConfig(valid, '/srv').warmUp, true);
  assert.equal(parseNodeConfig({ ...valid, warmUp: true }, '/srv').warmUp, true);
  assert.equal(parseNodeConfig({ ...valid, warmUp: false }, '/srv').warmUp, false);
  assert.throws(() => parseNodeConfig({ ...valid, warmUp: 'no' }, '/srv'), (e: unknown) => e instanceof NodeConfigError && /"warmUp" must be true/.test(e.problems.join()));
});
