/**
 * A node started by hand without the allocator settings that the process clusters give their
 * nodes (mpc/party-environment.ts PARTY_ALLOCATOR_ENV) says so in its log: which variables are
 * missing is decided here.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingAllocatorSettings } from '../../src/node/main.js';
import { PARTY_ALLOCATOR_ENV } from '../../src/mpc/party-environment.js';

test('every recommended allocator variable is reported missing from an empty environment', () => {
  assert.deepEqual(missingAllocatorSettings({}).sort(), Object.keys(PARTY_ALLOCATOR_ENV).sort());
});

test('nothing is missing when the environment carries them, whatever their values', () => {
  const env = Object.fromEntries(Object.keys(PARTY_ALLOCATOR_ENV).map((k) => [k, '1']));
  assert.deepEqual(missingAllocatorSettings(env), []);
});

test('only the absent ones are reported', () => {
  const [first, ...rest] = Object.keys(PARTY_ALLOCATOR_ENV);
  assert.ok(first !== undefined && rest.length > 0);
  assert.deepEqual(missingAllocatorSettings({ [first]: PARTY_ALLOCATOR_ENV[first] }).sort(), rest.sort());
});
