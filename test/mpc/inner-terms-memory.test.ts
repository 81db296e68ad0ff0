/**
 * The wasm kernel's memory is never grown (inner-terms.ts instance()): growing would detach an
 * ArrayBuffer, and the first detach in a process invalidates V8's ArrayBufferDetaching
 * protector, deoptimizing every optimized typed-array function at once (a node's warm-up lost its
 * compiled kernels that way). A child process with V8's protector trace runs the kernel at sizes
 * that need ever larger memories and must print no invalidation.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MODULES = { terms: '../../src/mpc/protocols/inner-terms.js', shares: '../../src/mpc/shares.js' };

test('the inner-product kernel takes ever larger memories without detaching a buffer (V8 protector trace)', () => {
  const url = (m: string): string => JSON.stringify(new URL(m, import.meta.url).href);
  const script = `
    import { addInnerTerms } from ${url(MODULES.terms)};
    import { AShare } from ${url(MODULES.shares)};
    const v = (n) => BigUint64Array.from({ length: n }, (_, k) => BigInt(k + 1));
    for (const [L, R, n] of [[1, 1, 8], [5, 4, 20000], [13, 11, 3000], [300, 200, 300]]) {
      const left = Array.from({ length: L }, () => new AShare(v(n), v(n)));
      const right = Array.from({ length: R }, () => new AShare(v(n), v(n)));
      addInnerTerms(new BigUint64Array(L * R), left, right, n);
    }
    console.log('ran');`;
  const child = spawnSync(process.execPath, ['--trace-protector-invalidation', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: fileURLToPath(new URL('.', import.meta.url)), timeout: 120_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /ran/);
  assert.doesNotMatch(child.stdout, /Invalidating protector cell ArrayBufferDetaching/, 'a buffer was detached');
});
