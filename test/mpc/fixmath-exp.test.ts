import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS } from '../helpers/protocol.js';
import { assertWithin, realsIn, runSecure } from '../helpers/fixmath.js';
import { exp, expErrorBound, type ExpOptions } from '../../src/mpc/protocols/fixmath/index.js';
import { expOfSigned } from '../../src/mpc/protocols/fixmath/exp.js';
import { UsageError } from '../../src/errors.js';

after(closeTrio);

const WIDE: ExpOptions = { min: -32, max: 15.9 };
const SOFTMAX: ExpOptions = { min: -16, max: 0 };

function expBound(options: ExpOptions) {
  const { relative, absolute } = expErrorBound(options);
  return (want: number): number => relative * want + absolute;
}

test('exp of x in [-32, 15.9]: relative 2^-16 plus one unit, exact 0 below the underflow; 22 rounds', async () => {
  assert.equal(expErrorBound(WIDE).relative, 2 ** -16);
  // Around -(f+2) ln 2 = -12.48 the zero flag switches on; integer parts change at multiples of ln 2.
  const edges = [-12.48, -12.47, -11.78, -11.09, -Math.LN2, 0, Math.LN2, 1, 10 * Math.LN2, 15.9];
  await fc.assert(
    fc.asyncProperty(fc.array(realsIn(WIDE.min, WIDE.max, edges), { minLength: 1, maxLength: 40 }), async (xs) => {
      const out = await runSecure([xs], (s, [x]) => exp(s, x, WIDE));
      assert.equal(out.rounds, 22);
      assertWithin(out, Math.exp, expBound(WIDE), 'exp');
      out.values.forEach((v, i) => {
        if (out.inputs[0][i] * Math.LOG2E < -(16 + 2) - 1) assert.equal(v, 0, `exp(${out.inputs[0][i]}) underflows to exactly 0`);
      });
    }),
    { numRuns: RUNS },
  );
});

test('exp on [-16, 0] (softmax shape): no overflow possible, 0 <= result <= 1', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(realsIn(SOFTMAX.min, SOFTMAX.max, [-16, -8, -1, -(2 ** -16), 0]), { minLength: 1, maxLength: 40 }), async (xs) => {
      const out = await runSecure([xs], (s, [x]) => exp(s, x, SOFTMAX));
      assertWithin(out, Math.exp, expBound(SOFTMAX), 'exp');
      assert.ok(out.values.every((v) => v >= 0 && v <= 1 + 2 ** -16));
    }),
    { numRuns: RUNS },
  );
});

test('exp: a dense sweep of [-14, 15.9] across every integer part; bytes per element', async () => {
  const xs = Array.from({ length: 3000 }, (_, i) => -14 + (29.9 * i) / 2999);
  const out = await runSecure([xs], (s, [x]) => exp(s, x, WIDE));
  assertWithin(out, Math.exp, expBound(WIDE), 'exp');
  for (const b of out.bytesPerElement) assert.ok(b > 150 && b < 170, `exp: ${b} bytes per element`);
});

test('exp with other fraction bits and ranges', async () => {
  for (const options of [
    { min: -4, max: 4, fractionBits: 12 },
    { min: -8, max: 8, fractionBits: 20 },
    { min: 0, max: 2 },
    { min: -60, max: -1 },
  ] as ExpOptions[]) {
    const f = options.fractionBits ?? 16;
    const xs = [options.min, options.max, ...Array.from({ length: 40 }, (_, i) => options.min + ((options.max - options.min) * i) / 39)];
    const out = await runSecure([xs], (s, [x]) => exp(s, x, options), f);
    assertWithin(out, Math.exp, expBound(options), `exp(${JSON.stringify(options)})`);
  }
});

test(`expOfSigned at W = 18 (predict's exp(−|η|), f = 24, |η| ≤ 1000): exp(sign x) within 2^-16 relative plus a unit, either sign; as many rounds as exp of the product alone, 3 fewer than exp at W = 20`, async () => {
  const options: ExpOptions = { min: -1000, max: 0, fractionBits: 24, workingBits: 18 };
  assert.equal(expErrorBound(options).relative, 2 ** -16);
  assert.equal(expErrorBound({ ...options, workingBits: undefined }).relative, 2 ** -18);
  const edges = [0, 2 ** -24, 1, Math.LN2, 12.47, 17.3, 18, 30, 999.99, 1000];
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.oneof(realsIn(0, 40, edges), realsIn(0, 1000, edges)), fc.boolean()), { minLength: 1, maxLength: 40 }), async (cases) => {
      // sign x = −|x| always: x carries the sign the shared factor takes off again.
      const xs = cases.map(([m, negative]) => (negative ? m : -m));
      const signs = cases.map(([, negative]) => (negative ? -1 : 1) * 2 ** -24);
      const out = await runSecure([xs, signs], (s, [x, raw]) => expOfSigned(s, raw, x, options), 24);
      const plain = await runSecure([xs.map((x) => -Math.abs(x))], (s, [x]) => exp(s, x, options), 24);
      const full = await runSecure([xs.map((x) => -Math.abs(x))], (s, [x]) => exp(s, x, { ...options, workingBits: undefined }), 24);
      assertWithin({ ...out, inputs: [out.inputs[0].map((x) => -Math.abs(x))] }, Math.exp, expBound(options), 'expOfSigned');
      assert.equal(plain.rounds, full.rounds - 3);
      assert.equal(out.rounds, plain.rounds);
    }),
    { numRuns: Math.max(5, Math.floor(RUNS / 4)) },
  );
});

test('exp refuses ranges whose result cannot fit the bit budget', async () => {
  const refused = async (options: ExpOptions, pattern: RegExp) =>
    assert.rejects(
      runSecure([[0]], (s, [x]) => exp(s, x, options)),
      (e: unknown) => e instanceof UsageError && pattern.test(e.message),
    );
  await refused({ min: 0, max: 18.1 }, /max/);
  await refused({ min: 0, max: 10, fractionBits: 24 }, /max/);
  await refused({ min: 1, max: 0 }, /min <= max/);
  await refused({ min: Number.NEGATIVE_INFINITY, max: 0 }, /finite/);
  await refused({ min: 0, max: 1, fractionBits: 40 }, /fractionBits/);
  await refused({ min: -1, max: 0, workingBits: 21 }, /working bits/);
});
