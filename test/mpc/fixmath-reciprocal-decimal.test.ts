/** decimalReciprocalOneToTwo (fixmath/reciprocal-decimal.ts): ±10^k/x on [1, 2] in units of 10^-k, against float64. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { open } from '../../src/mpc/protocols/io.js';
import { decimalReciprocalErrorBound, decimalReciprocalOneToTwo } from '../../src/mpc/protocols/fixmath/reciprocal-decimal.js';
import { linearA } from '../../src/mpc/protocols/fixmath/ops.js';
import { UsageError } from '../../src/errors.js';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { realsIn } from '../helpers/fixmath.js';

after(closeTrio);

for (const [f, digits] of [[24, 6], [20, 6], [24, 3]] as const) {
  test(`decimalReciprocalOneToTwo at f = ${f}, 10^${digits}: ±10^k/x within 2^-(f − 3) relative plus one unit on [1, 2], either sign; 13 rounds`, async () => {
    const t = await trio();
    const { relative, absolute } = decimalReciprocalErrorBound(f);
    assert.equal(relative, 2 ** -(f - 3));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(realsIn(1, 2, [1, 1 + 2 ** -f, 1.5, 2 - 2 ** -f, 2]), fc.boolean()), { minLength: 1, maxLength: 40 }), async (cases) => {
        const raw = BigUint64Array.from(cases, ([x]) => BigInt(Math.round(x * 2 ** f)));
        const signs = BigUint64Array.from(cases, ([, negative]) => (negative ? BigInt.asUintN(64, -1n) : 1n));
        const results = await t.run(async (s) => {
          const x = await secret(s, raw, 0);
          const sign = await secret(s, signs, 1);
          const r0 = s.stats.rounds;
          const y = await decimalReciprocalOneToTwo(s, x, sign, f, digits);
          const rounds = s.stats.rounds - r0;
          return { y: await open(s, y), rounds };
        });
        assert.equal(results[0].rounds, 13);
        cases.forEach(([, negative], i) => {
          const x = Number(raw[i]) / 2 ** f;
          const want = ((negative ? -1 : 1) * 10 ** digits) / x;
          const got = Number(BigInt.asIntN(64, results[0].y[i]));
          assert.ok(Math.abs(got - want) <= relative * Math.abs(want) + absolute, `x = ${x}, sign ${negative ? -1 : 1}: ${got}, float64 ${want}`);
        });
      }),
      { numRuns: Math.max(5, Math.floor(RUNS / 4)) },
    );
  });
}

test('decimalReciprocalOneToTwo refuses fraction bits outside 18..24, digits that are not a whole number and a scale the last product cannot hold, before anything runs', async () => {
  const t = await trio();
  await t.run(async (s) => {
    const one = linearA(s.me, 1, [], 1n << 24n);
    await assert.rejects(decimalReciprocalOneToTwo(s, one, one, 30, 6), UsageError);
    await assert.rejects(decimalReciprocalOneToTwo(s, one, one, 24, 9), UsageError);
    await assert.rejects(decimalReciprocalOneToTwo(s, one, one, 24, 1.5), UsageError);
  });
});
