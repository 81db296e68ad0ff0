/** `--epsilon` / `--rho` / `--contributions` (cli/privacy-options.ts): the spec they build, and what they refuse. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { privacyFromFlags } from '../../src/cli/privacy-options.js';
import { UsageError } from '../../src/errors.js';

test('--epsilon is Laplace noise, --rho Gaussian, --contributions the rows per individual', () => {
  assert.equal(privacyFromFlags({}), undefined);
  assert.deepEqual(privacyFromFlags({ epsilon: '0.5' }), { mechanism: 'laplace', epsilon: 0.5 });
  assert.deepEqual(privacyFromFlags({ rho: '0.125', contributions: '2' }), { mechanism: 'gaussian', rho: 0.125, contributions: 2 });
  assert.deepEqual(privacyFromFlags({ epsilon: '1', suppressBelow: '5' }), { mechanism: 'laplace', epsilon: 1, suppress_below: 5 });
});

test('both mechanisms, a non-number, a non-positive value or --contributions alone are refused', () => {
  for (const flags of [{ epsilon: '1', rho: '1' }, { epsilon: 'lots' }, { epsilon: '0' }, { rho: '-1' }, { contributions: '2' }, { epsilon: '1', contributions: 'x' }, { suppressBelow: '5' }]) {
    assert.throws(() => privacyFromFlags(flags), UsageError, JSON.stringify(flags));
  }
});
