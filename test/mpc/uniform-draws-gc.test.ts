/**
 * The Fisher–Yates kernel of uniform-draws.ts keeps its optimised code across full garbage
 * collections. As a method reading its object's fields, V8 threw that code away at every full
 * collection ("weak objects") and the next draw ran unoptimised at 2-3 times the cost, which
 * made the first permutation of every shuffle the slowest step of its party (docs/benchmarks.md,
 * s9-shuffle). Checked without timing: a child process draws, collects, draws again, with V8
 * tracing deoptimisations, and no draw kernel may be deoptimised for weak objects.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

const PERMUTATION = new URL('../../src/mpc/protocols/permutation.js', import.meta.url).href;
const PRG = new URL('../../src/crypto/prg.js', import.meta.url).href;

test('the draw kernel is not deoptimised by full garbage collections', () => {
  const script = `
    const { Prg } = await import(${JSON.stringify(PRG)});
    const { drawPermutation } = await import(${JSON.stringify(PERMUTATION)});
    const n = 1 << 18, prg = new Prg(new Uint8Array(16)), memory = new Int32Array(2 * n);
    for (let r = 0; r < 12; r++) { drawPermutation(prg, n, undefined, memory); drawPermutation(prg, n, undefined, memory); globalThis.gc(); }
    console.log('drawn');`;
  const out = execFileSync(process.execPath, ['--expose-gc', '--trace-deopt', '--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 120_000 });
  assert.match(out, /drawn/);
  const weak = out.split('\n').filter((line) => line.includes('weak objects'));
  assert.deepEqual(weak, [], 'optimised code thrown away at a collection');
});
