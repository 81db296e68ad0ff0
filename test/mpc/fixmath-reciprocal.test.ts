import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS } from '../helpers/protocol.js';
import { assertWithin, logUniform, runSecure } from '../helpers/fixmath.js';
import { div, divErrorBound, reciprocal, reciprocalErrorBound, type ReciprocalOptions } from '../../src/mpc/protocols/fixmath/index.js';
import { UsageError } from '../../src/errors.js';

after(closeTrio);

const RANGE: ReciprocalOptions = { min: 2 ** -8, max: 2 ** 16 };
const SIGNED: ReciprocalOptions = { ...RANGE, signed: true };
const POWERS = Array.from({ length: 25 }, (_, k) => 2 ** (k - 8));

function reciprocalBound(options: ReciprocalOptions) {
  const { relative, absolute } = reciprocalErrorBound(options);
  return (want: number): number => relative * Math.abs(want) + absolute;
}

test('reciprocal of x in [2^-8, 2^16]: relative 2^-19 plus one unit; 36 rounds', async () => {
  const { relative } = reciprocalErrorBound(RANGE);
  assert.equal(relative, 2 ** -19);
  await fc.assert(
    fc.asyncProperty(fc.array(logUniform(RANGE.min, RANGE.max, [...POWERS, 3, 2 ** 16 - 2 ** -16, 1.5]), { minLength: 1, maxLength: 40 }), async (xs) => {
      const out = await runSecure([xs], (s, [x]) => reciprocal(s, x, RANGE));
      assert.equal(out.rounds, 36);
      assertWithin(out, (x) => 1 / x, reciprocalBound(RANGE), 'reciprocal');
    }),
    { numRuns: RUNS },
  );
});

test('reciprocal, signed: negative inputs, powers of two (the one-complement edge) and the extremes; 37 rounds', async () => {
  const xs = [...POWERS.flatMap((v) => [v, -v, v + 2 ** -16, -v - 2 ** -16]), -(2 ** 16), 2 ** 16, -1.5, 3, -3, -(2 ** -8)];
  const out = await runSecure([xs], (s, [x]) => reciprocal(s, x, SIGNED));
  assert.equal(out.rounds, 37);
  assertWithin(out, (x) => 1 / x, reciprocalBound(SIGNED), 'reciprocal');
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(logUniform(SIGNED.min, SIGNED.max), fc.boolean()), { minLength: 1, maxLength: 40 }), async (pairs) => {
      const r = await runSecure([pairs.map(([v, negative]) => (negative ? -v : v))], (s, [x]) => reciprocal(s, x, SIGNED));
      assertWithin(r, (x) => 1 / x, reciprocalBound(SIGNED), 'reciprocal');
    }),
    { numRuns: RUNS },
  );
});

test('reciprocal with a narrow range and other fraction bits', async () => {
  for (const options of [{ min: 0.5, max: 2 }, { min: 1, max: 1000, fractionBits: 20 }, { min: 2 ** -4, max: 16, fractionBits: 8 }] as ReciprocalOptions[]) {
    const f = options.fractionBits ?? 16;
    const xs = [options.min, options.max, ...Array.from({ length: 30 }, (_, i) => options.min + ((options.max - options.min) * i) / 29)];
    const out = await runSecure([xs], (s, [x]) => reciprocal(s, x, options), f);
    assertWithin(out, (x) => 1 / x, reciprocalBound(options), `reciprocal(${JSON.stringify(options)})`);
  }
});

test('div: x / y with |x| <= 2^10, y in [2^-4, 2^10]; bound relative + |x| 2^-(f+g) + unit', async () => {
  const options = { numeratorMax: 1024, min: 1 / 16, max: 1024 };
  const { relative, numerator, absolute } = divErrorBound(options);
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.double({ min: -1024, max: 1024, noNaN: true }), logUniform(options.min, options.max, [1, 2, 1024, 1 / 16])), { minLength: 1, maxLength: 40 }),
      async (pairs) => {
        const out = await runSecure([pairs.map((p) => p[0]), pairs.map((p) => p[1])], (s, [x, y]) => div(s, x, y, options));
        assert.equal(out.rounds, 39);
        assertWithin(out, (x, y) => x / y, (want, x) => relative * Math.abs(want) + numerator * Math.abs(x) + absolute, 'div');
      },
    ),
    { numRuns: RUNS },
  );
});

test('reciprocal: about 211 bytes per element and party (max 2^16 needs 33 bits), balanced', async () => {
  const xs = Array.from({ length: 3000 }, (_, i) => 2 ** (-8 + (24 * i) / 3000));
  const out = await runSecure([xs], (s, [x]) => reciprocal(s, x, RANGE));
  for (const b of out.bytesPerElement) assert.ok(b > 205 && b < 217, `reciprocal: ${b} bytes per element`);
});

test('reciprocal and div refuse ranges whose bit budget cannot be proven', async () => {
  const refused = async (fn: Parameters<typeof runSecure>[1], pattern: RegExp) =>
    assert.rejects(runSecure([[1]], fn), (e: unknown) => e instanceof UsageError && pattern.test(e.message));
  await refused((s, [x]) => reciprocal(s, x, { min: 2 ** -20, max: 1 }), /resolution/);
  await refused((s, [x]) => reciprocal(s, x, { min: 1, max: 2 ** 45 }), /max/);
  await refused((s, [x]) => reciprocal(s, x, { min: 2, max: 1 }), /min/);
  await refused((s, [x]) => reciprocal(s, x, { min: 1, max: Number.NaN }), /max/);
  await refused((s, [x]) => div(s, x, x, { numeratorMax: 2 ** 40, min: 2 ** -16, max: 1 }), /numeratorMax/);
});
