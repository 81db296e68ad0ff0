/**
 * Exact division by a secret value (plan/expr-divide-secret.ts), on the circuit itself evaluated
 * in plaintext with the ring's semantics (values mod 2^64, a comparison exact only when the
 * difference stays below 2^62 in magnitude, otherwise an arbitrary bit): the result is always
 * round(a·P/(b·Q)), halves toward +∞, 0 with the zero flag where b = 0, and inside the range
 * computed at plan time; edge values of the declared ranges (0, ±1, the extremes) every time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Gate } from '../../src/plan/expr-circuit.js';
import { divideSecret, roundHalfUpSigned } from '../../src/plan/expr-divide-secret.js';
import { PlanError } from '../../src/errors.js';

const LIMIT = 1n << 62n;

function evaluate(g: Gate, a: bigint, b: bigint, wrapped: () => boolean, memo = new Map<Gate, bigint>()): bigint {
  const known = memo.get(g);
  if (known !== undefined) return known;
  let v: bigint;
  const at = (h: Gate) => evaluate(h, a, b, wrapped, memo);
  switch (g.op) {
    case 'column': v = g.name === 'a' ? a : b; break;
    case 'const': v = g.value; break;
    case 'linear': v = BigInt.asIntN(64, g.terms.reduce((s, [h, k]) => s + k * at(h), g.constant)); break;
    case 'mul': v = BigInt.asIntN(64, at(g.x) * at(g.y)); break;
    case 'lt': {
      const x = at(g.x), y = at(g.y);
      // Beyond the exact range the ring's comparison answers anything.
      v = x > -LIMIT && x < LIMIT && y > -LIMIT && y < LIMIT ? (x < y ? 1n : 0n) : wrapped() ? 1n : 0n;
      break;
    }
    default: throw new Error(`unexpected gate ${g.op}`);
  }
  memo.set(g, v);
  return v;
}

const A: Gate = { op: 'column', name: 'a' }, B: Gate = { op: 'column', name: 'b' };

function check(alo: bigint, ahi: bigint, blo: bigint, bhi: bigint, p: bigint, q: bigint, pairs: [bigint, bigint][], seed: number): void {
  let d: ReturnType<typeof divideSecret>;
  try {
    d = divideSecret(A, alo, ahi, B, blo, bhi, p, q, '/e');
  } catch (e) {
    assert.ok(e instanceof PlanError, String(e));
    return;
  }
  let state = seed;
  const wrapped = () => ((state = (state * 1103515245 + 12345) & 0x7fffffff) & 1) === 1;
  for (const [a, b] of pairs) {
    const where = `a = ${a} in [${alo}, ${ahi}], b = ${b} in [${blo}, ${bhi}], P = ${p}, Q = ${q}`;
    const got = evaluate(d.value, a, b, wrapped);
    const zero = d.zero ? evaluate(d.zero, a, b, wrapped) : 0n;
    if (b === 0n) {
      assert.equal(zero, 1n, where);
      assert.equal(got, 0n, where);
    } else {
      assert.equal(zero, 0n, where);
      assert.equal(got, roundHalfUpSigned(a * p, b * q), where);
    }
    assert.ok(got >= d.min && got <= d.max, `${got} in [${d.min}, ${d.max}]: ${where}`);
  }
}

const edges = (lo: bigint, hi: bigint): bigint[] => [lo, hi, 0n, 1n, -1n, lo + 1n, hi - 1n, (lo + hi) / 2n].filter((v) => v >= lo && v <= hi);

test('round(a·P/(b·Q)) is exact for the edge values and random pairs of any declared ranges; b = 0 is flagged and gives 0', () => {
  const rangeArb = fc.oneof(
    fc.tuple(fc.bigInt({ min: -20n, max: 20n }), fc.bigInt({ min: 0n, max: 40n })),
    fc.tuple(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 2n * 10n ** 12n })),
    fc.tuple(fc.bigInt({ min: -(10n ** 17n), max: 10n ** 17n }), fc.bigInt({ min: 0n, max: 10n ** 17n })),
  ).map(([lo, span]) => [lo, lo + span] as const);
  fc.assert(
    fc.property(rangeArb, rangeArb, fc.constantFrom(1n, 10n, 100n, 10000n, 10n ** 6n), fc.constantFrom(1n, 1n, 10n, 1000n), fc.integer(), fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), { maxLength: 6 }), (ar, br, p, q, seed, picks) => {
      const [alo, ahi] = ar, [blo, bhi] = br;
      const within = (lo: bigint, hi: bigint, f: number) => lo + BigInt(Math.floor(Number(hi - lo) * f));
      const pairs: [bigint, bigint][] = [];
      for (const a of edges(alo, ahi)) for (const b of edges(blo, bhi)) pairs.push([a, b]);
      for (const [x, y] of picks) pairs.push([within(alo, ahi, x), within(blo, bhi, y)].map((v, i) => (i === 0 ? (v > ahi ? ahi : v) : v > bhi ? bhi : v)) as [bigint, bigint]);
      check(alo, ahi, blo, bhi, p, q, pairs, seed);
    }),
    { numRuns: 300 },
  );
});

test('halves round toward +∞ whatever the signs: 5/2 → 3, −5/2 → −2, 5/−2 → −2, −5/−2 → 3, 1/3 → 0, 2/3 → 1', () => {
  const d = divideSecret(A, -10n, 10n, B, -10n, 10n, 1n, 1n, '/e');
  const got = [[5n, 2n], [-5n, 2n], [5n, -2n], [-5n, -2n], [1n, 3n], [2n, 3n], [-7n, 0n]].map(([a, b]) => evaluate(d.value, a, b, () => false));
  assert.deepEqual(got, [3n, -2n, -2n, 3n, 0n, 1n, 0n]);
  assert.deepEqual([d.min, d.max], [-10n, 10n]);
});

test('the range at plan time: a divisor range away from 0 keeps the quotient tight; [0, 0] is refused', () => {
  const d = divideSecret(A, 0n, 100n, B, 4n, 5n, 1n, 1n, '/e');
  assert.deepEqual([d.min, d.max], [0n, 25n]);
  assert.equal(d.zero, undefined);
  assert.throws(() => divideSecret(A, 0n, 1n, B, 0n, 0n, 1n, 1n, '/e'), /always 0/);
  assert.throws(() => divideSecret(A, 0n, 1n << 61n, B, 1n << 20n, 1n << 21n, 1n, 1n, '/e'), /numerator/);
});
