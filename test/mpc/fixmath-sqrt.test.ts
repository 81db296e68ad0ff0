import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS } from '../helpers/protocol.js';
import { assertWithin, logUniform, runSecure } from '../helpers/fixmath.js';
import { rootErrorBound, rsqrt, sqrt, type RsqrtOptions, type SqrtOptions } from '../../src/mpc/protocols/fixmath/index.js';
import { UsageError } from '../../src/errors.js';

after(closeTrio);

const SQRT: SqrtOptions = { max: 2 ** 16 };
const RSQRT: RsqrtOptions = { min: 2 ** -8, max: 2 ** 16 };
const POWERS = Array.from({ length: 33 }, (_, k) => 2 ** (k - 16));

function rootBound(want: 'sqrt' | 'rsqrt', options: SqrtOptions | RsqrtOptions) {
  const { relative, absolute } = rootErrorBound(want, options);
  return (value: number): number => relative * Math.abs(value) + absolute;
}

test('sqrt of x in [0, 2^16]: relative 2^-19 plus one unit; 42 rounds', async () => {
  assert.equal(rootErrorBound('sqrt', SQRT).relative, 2 ** -19);
  const x = fc.oneof(logUniform(2 ** -16, SQRT.max, [...POWERS, 2, 3, 0.75]), fc.constant(0));
  await fc.assert(
    fc.asyncProperty(fc.array(x, { minLength: 1, maxLength: 40 }), async (xs) => {
      const out = await runSecure([xs], (s, [v]) => sqrt(s, v, SQRT));
      assert.equal(out.rounds, 42);
      assertWithin(out, Math.sqrt, rootBound('sqrt', SQRT), 'sqrt');
    }),
    { numRuns: RUNS },
  );
});

test('sqrt: zero, every power of two and its neighbours (both parities of the shift)', async () => {
  const ulp = 2 ** -16;
  const xs = [0, ulp, 2 * ulp, ...POWERS.flatMap((v) => [v, v + ulp, Math.max(ulp, v - ulp)])].filter((v) => v <= SQRT.max);
  const out = await runSecure([xs], (s, [v]) => sqrt(s, v, SQRT));
  assertWithin(out, Math.sqrt, rootBound('sqrt', SQRT), 'sqrt');
  assert.equal(out.values[0], 0);
});

test('rsqrt of x in [2^-8, 2^16]: relative 2^-19 plus one unit; 42 rounds', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(logUniform(RSQRT.min, RSQRT.max, [...POWERS, 3]), { minLength: 1, maxLength: 40 }), async (xs) => {
      const out = await runSecure([xs], (s, [v]) => rsqrt(s, v, RSQRT));
      assert.equal(out.rounds, 42);
      assertWithin(out, (v) => 1 / Math.sqrt(v), rootBound('rsqrt', RSQRT), 'rsqrt');
    }),
    { numRuns: RUNS },
  );
});

test('sqrt and rsqrt with other ranges and fraction bits', async () => {
  for (const [f, max] of [
    [16, 1],
    [16, 3],
    [20, 2 ** 10],
    [8, 2 ** 20],
    [15, 100],
  ]) {
    const xs = [0, 2 ** -f, max, ...Array.from({ length: 30 }, (_, i) => (max * i) / 29)];
    const out = await runSecure([xs], (s, [v]) => sqrt(s, v, { max, fractionBits: f }), f);
    assertWithin(out, Math.sqrt, rootBound('sqrt', { max, fractionBits: f }), `sqrt(f=${f}, max=${max})`);
    const options = { min: 2 ** -(f >> 1), max, fractionBits: f };
    const ys = xs.map((v) => Math.max(options.min, v));
    const inv = await runSecure([ys], (s, [v]) => rsqrt(s, v, options), f);
    assertWithin(inv, (v) => 1 / Math.sqrt(v), rootBound('rsqrt', options), `rsqrt(f=${f}, max=${max})`);
  }
});

test('sqrt: about 214 bytes per element and party, balanced', async () => {
  const xs = Array.from({ length: 3000 }, (_, i) => (2 ** 16 * i) / 3000);
  const out = await runSecure([xs], (s, [v]) => sqrt(s, v, SQRT));
  for (const b of out.bytesPerElement) assert.ok(b > 208 && b < 220, `sqrt: ${b} bytes per element`);
});

test('sqrt and rsqrt refuse unprovable parameters', async () => {
  const refused = async (fn: Parameters<typeof runSecure>[1], pattern: RegExp) =>
    assert.rejects(runSecure([[1]], fn), (e: unknown) => e instanceof UsageError && pattern.test(e.message));
  await refused((s, [x]) => sqrt(s, x, { max: -1 }), /max/);
  await refused((s, [x]) => sqrt(s, x, { max: 2 ** 41 }), /max/);
  await refused((s, [x]) => rsqrt(s, x, { min: 0, max: 4 }), /min/);
  await refused((s, [x]) => rsqrt(s, x, { min: 2 ** -20, max: 4 }), /resolution/);
});
