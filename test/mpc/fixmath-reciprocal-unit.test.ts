/** reciprocalOneToTwo (fixmath/reciprocal-unit.ts): 1/x on [1, 2] without normalisation, against float64. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS } from '../helpers/protocol.js';
import { assertWithin, realsIn, runSecure } from '../helpers/fixmath.js';
import { reciprocalOneToTwo, reciprocalOneToTwoErrorBound } from '../../src/mpc/protocols/fixmath/reciprocal-unit.js';
import { UsageError } from '../../src/errors.js';

after(closeTrio);

for (const f of [24, 20]) {
  test(`reciprocalOneToTwo at f = ${f}: within 2^-(f − 3) relative plus one unit on [1, 2]; 13 rounds`, async () => {
    const { relative, absolute } = reciprocalOneToTwoErrorBound(f);
    assert.equal(relative, 2 ** -(f - 3));
    await fc.assert(
      fc.asyncProperty(fc.array(realsIn(1, 2, [1, 1 + 2 ** -f, 1.5, 2 - 2 ** -f, 2]), { minLength: 1, maxLength: 40 }), async (xs) => {
        const out = await runSecure([xs], (s, [x]) => reciprocalOneToTwo(s, x, f), f);
        assertWithin(out, (x) => 1 / x, (want) => relative * Math.abs(want) + absolute, 'reciprocalOneToTwo');
        assert.equal(out.rounds, 13);
      }),
      { numRuns: Math.max(5, Math.floor(RUNS / 4)) },
    );
  });
}

test('reciprocalOneToTwo refuses fraction bits outside 18..24 before anything runs', async () => {
  await assert.rejects(runSecure([[1.5]], (s, [x]) => reciprocalOneToTwo(s, x, 30), 24), UsageError);
});
