import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS } from '../helpers/protocol.js';
import { assertWithin, F, realsIn, runSecure } from '../helpers/fixmath.js';
import { sigmoid, sigmoidErrorBound } from '../../src/mpc/protocols/fixmath/index.js';
import { UsageError } from '../../src/errors.js';

after(closeTrio);

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));
/** The documented bound: approximation 2.43e-4, final truncation 2^-f, coefficient rounding. */
const bound = (f: number) => () => sigmoidErrorBound({ fractionBits: f });
const ROUNDS = 16;

test('sigmoid: random x over the whole range, within 2.43e-4 + 2^-f; 16 rounds', async () => {
  const x = fc.oneof({ weight: 3, arbitrary: realsIn(-12, 12, [-8, -4, -1, 0, 1, 4, 8]) }, { weight: 1, arbitrary: realsIn(-(2 ** 46), 2 ** 46) });
  await fc.assert(
    fc.asyncProperty(fc.array(x, { minLength: 1, maxLength: 60 }), async (xs) => {
      const out = await runSecure([xs], (s, [v]) => sigmoid(s, v));
      assert.equal(out.rounds, ROUNDS);
      assertWithin(out, logistic, bound(F), 'sigmoid');
    }),
    { numRuns: RUNS },
  );
});

test('sigmoid: piece boundaries and their neighbours, 0, the smallest values, the ring extremes', async () => {
  const ulp = 2 ** -F;
  const edges: number[] = [0, ulp, -ulp, 2 ** 46, -(2 ** 46), 2 ** 47 - ulp, -(2 ** 47)];
  for (const b of [1, 2, 4, 8, 16, 0.5]) for (const d of [-ulp, 0, ulp]) edges.push(b + d, -b + d);
  const out = await runSecure([edges], (s, [v]) => sigmoid(s, v));
  assertWithin(out, logistic, bound(F), 'sigmoid');
  // Saturation: the tails are constants in [0, 1], symmetric up to the truncation's unit.
  assert.ok(Math.abs(out.values[3] + out.values[4] - 1) <= 2 * ulp);
  assert.ok(out.values.every((v) => v >= 0 && v <= 1));
});

test('sigmoid: a dense sweep of [-10, 10] (step 2^-9) stays within the bound; ~127 bytes per element and party', async () => {
  const xs = Array.from({ length: 20 * 512 + 1 }, (_, i) => -10 + i / 512);
  const out = await runSecure([xs], (s, [v]) => sigmoid(s, v));
  assertWithin(out, logistic, bound(F), 'sigmoid');
  let worst = 0;
  out.values.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - logistic(out.inputs[0][i])))));
  assert.ok(worst > 2e-4, `the sweep should reach the approximation's worst case (got ${worst})`);
  for (const b of out.bytesPerElement) assert.ok(b > 120 && b < 128, `bytes per element ${b}`);
  // Roles rotate: the three parties send the same amount (up to padding of the chunks).
  assert.ok(Math.max(...out.bytesPerElement) - Math.min(...out.bytesPerElement) < 1);
});

test('sigmoid with other fraction bits (8, 12, 24)', async () => {
  for (const f of [8, 12, 24]) {
    const xs = [0, 1, -1, 3.3, -7.9, 8, 40, -40, ...Array.from({ length: 40 }, (_, i) => -10 + i / 2)];
    const out = await runSecure([xs], (s, [v]) => sigmoid(s, v, { fractionBits: f }), f);
    // The carries into bits f..f+2 need fewer layers when f is small.
    assert.ok(out.rounds <= ROUNDS, `${out.rounds} rounds`);
    assertWithin(out, logistic, bound(f), `sigmoid(f=${f})`);
  }
});

test('sigmoid with a declared bound: exact within it, fewer bytes (|x| <= 2^15: about 106)', async () => {
  for (const limit of [2 ** 15, 1000, 8.5, 1]) {
    const ulp = 2 ** -F;
    const xs = [limit, -limit, 0, ulp, -ulp, ...[1, 4, 8].flatMap((b) => [b, -b, b - ulp, -b - ulp]).filter((v) => Math.abs(v) <= limit), ...Array.from({ length: 200 }, (_, i) => -limit + (2 * limit * i) / 199)];
    const out = await runSecure([xs], (s, [v]) => sigmoid(s, v, { bound: limit }));
    assert.equal(out.rounds <= ROUNDS, true);
    assertWithin(out, logistic, bound(F), `sigmoid(bound ${limit})`);
  }
  const wide = Array.from({ length: 3000 }, (_, i) => -(2 ** 15) + (2 ** 16 * i) / 2999);
  const out = await runSecure([wide], (s, [v]) => sigmoid(s, v, { bound: 2 ** 15 }));
  for (const b of out.bytesPerElement) assert.ok(b > 100 && b < 110, `bytes per element ${b}`);
});

test('sigmoid refuses unsupported fraction bits', async () => {
  await assert.rejects(
    runSecure([[1]], (s, [v]) => sigmoid(s, v, { fractionBits: 40 })),
    (e: unknown) => e instanceof UsageError && /fractionBits/.test(e.message),
  );
  await assert.rejects(
    runSecure([[1]], (s, [v]) => sigmoid(s, v, { bound: -1 })),
    (e: unknown) => e instanceof UsageError && /bound/.test(e.message),
  );
});
