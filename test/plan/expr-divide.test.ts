/**
 * Exact division by a public constant (plan/expr-divide.ts), on the circuit itself evaluated in
 * plaintext with every truncation free to be one too high (as the ring's truncation may be):
 * the result is always round(x·P/Q), halves toward +∞, and no truncation input reaches 2^62.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Gate } from '../../src/plan/expr-circuit.js';
import { roundDivide } from '../../src/plan/expr-divide.js';
import { roundHalfUp } from '../../src/plan/expr-check.js';
import { PlanError } from '../../src/errors.js';

function evaluate(g: Gate, x: bigint, up: (g: Gate) => boolean, memo = new Map<Gate, bigint>()): bigint {
  const known = memo.get(g);
  if (known !== undefined) return known;
  let v: bigint;
  switch (g.op) {
    case 'column': v = x; break;
    case 'const': v = g.value; break;
    case 'linear': v = g.terms.reduce((a, [h, k]) => a + k * evaluate(h, x, up, memo), g.constant); break;
    case 'lt': v = evaluate(g.x, x, up, memo) < evaluate(g.y, x, up, memo) ? 1n : 0n; break;
    case 'trunc': {
      const z = evaluate(g.x, x, up, memo);
      assert.ok(z > -(1n << 62n) && z < 1n << 62n, `truncation input ${z} beyond 2^62`);
      v = (z >> BigInt(g.bits)) + (up(g) ? 1n : 0n);
      break;
    }
    default: throw new Error(`unexpected gate ${g.op}`);
  }
  memo.set(g, v);
  return v;
}

test('round(x·P/Q) is exact for every x of the range, whichever way each truncation rounds', () => {
  const caseArb = fc.record({
    lo: fc.oneof(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.bigInt({ min: -100n, max: 100n })),
    span: fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: 10n ** 15n })),
    p: fc.oneof(fc.constantFrom(1n, -1n, 10n, 10000n, -100n), fc.bigInt({ min: 1n, max: 1000n })),
    q: fc.oneof(fc.constantFrom(1n, 2n, 3n, 7n, 10n, 100n, 1024n, 10n ** 6n), fc.bigInt({ min: 1n, max: 10n ** 9n })),
    seed: fc.integer(),
  });
  fc.assert(
    fc.property(caseArb, ({ lo, span, p, q, seed }) => {
      const hi = lo + span;
      let g: Gate;
      try {
        g = roundDivide({ op: 'column', name: 'x' }, lo, hi, p, q, '/e', 'the quotient');
      } catch (e) {
        assert.ok(e instanceof PlanError, String(e));
        return;
      }
      let state = seed;
      const up = () => ((state = (state * 1103515245 + 12345) & 0x7fffffff) & 1) === 1;
      for (const x of [lo, hi, lo + span / 2n, lo + 1n, hi - 1n, 0n].filter((v) => v >= lo && v <= hi)) {
        assert.equal(evaluate(g, x, up), roundHalfUp(x * p, q), `x = ${x} in [${lo}, ${hi}], P = ${p}, Q = ${q}`);
        assert.equal(evaluate(g, x, () => false), roundHalfUp(x * p, q));
        assert.equal(evaluate(g, x, () => true), roundHalfUp(x * p, q));
      }
    }),
    { numRuns: 500 },
  );
});

test('halves round toward +∞: 2.5 → 3, −2.5 → −2, 0.5 → 1', () => {
  const g = roundDivide({ op: 'column', name: 'x' }, -100n, 100n, 1n, 10n, '/e', 'q');
  assert.deepEqual([25n, -25n, 5n, -5n, 14n, -16n].map((x) => evaluate(g, x, () => false)), [3n, -2n, 1n, 0n, 1n, -2n]);
});
