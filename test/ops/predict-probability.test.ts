/**
 * predict's decimal(6) probabilities (src/ops/predict-probability.ts) against float64 σ(η) over
 * the whole declared range |η| ≤ 1000, edges included (η = 0, ±2^-24, where exp underflows,
 * ±1000): within the documented 10^6 σ 2^-16 + 1.6 units (PREDICT_PROBABILITY_ERROR), inside the
 * decimal's declared slack and the contract (2^-15 relative plus 5 units), in 45 rounds.
 */

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { open } from '../../src/mpc/protocols/io.js';
import { PREDICT_PROBABILITY_ERROR, predictedProbabilities } from '../../src/ops/predict-probability.js';
import { PREDICT_ETA_LIMIT, PREDICT_PROBABILITY_SLACK } from '../../src/plan/check-predict.js';
import { closeTrio, RUNS, secret, trio } from '../helpers/protocol.js';
import { realsIn } from '../helpers/fixmath.js';

after(closeTrio);

const F = 24;
const EDGES = [0, 2 ** -24, -(2 ** -24), 1e-6, -1e-6, 0.5, -0.5, 12, -12, 17.3, -17.3, 18, -18, 30, -30, 999.99, -999.99, PREDICT_ETA_LIMIT, -PREDICT_ETA_LIMIT];

test('σ(η) 10^6 within the documented bound of float64 over |η| ≤ 1000, edges included; within the declared slack; 45 rounds', async () => {
  const t = await trio();
  const eta = fc.oneof(realsIn(-PREDICT_ETA_LIMIT, PREDICT_ETA_LIMIT, EDGES), realsIn(-40, 40, EDGES));
  await fc.assert(
    fc.asyncProperty(fc.array(eta, { minLength: 1, maxLength: 60 }), async (etas) => {
      const raw = BigUint64Array.from(etas, (v) => BigInt.asUintN(64, BigInt(Math.round(v * 2 ** F))));
      const results = await t.run(async (s) => {
        const x = await secret(s, raw, 0);
        const r0 = s.stats.rounds;
        const p = await predictedProbabilities(s, x);
        const rounds = s.stats.rounds - r0;
        return { p: await open(s, p), rounds };
      });
      assert.equal(results[0].rounds, 45);
      results[0].p.forEach((v, i) => {
        const got = Number(BigInt.asIntN(64, v));
        const encoded = Number(BigInt.asIntN(64, raw[i])) / 2 ** F;
        const want = 1e6 / (1 + Math.exp(-encoded));
        const bound = want * PREDICT_PROBABILITY_ERROR.relative + PREDICT_PROBABILITY_ERROR.units;
        assert.ok(Math.abs(got - want) <= bound, `η = ${encoded}: ${got}, float64 ${want}, bound ${bound}`);
        assert.ok(bound <= want * 2 ** -15 + 5, 'the documented bound is inside the contract');
        assert.ok(got >= -Number(PREDICT_PROBABILITY_SLACK) && got <= 1e6 + Number(PREDICT_PROBABILITY_SLACK), `η = ${encoded}: ${got} outside the declared range`);
      });
    }),
    { numRuns: Math.max(10, Math.floor(RUNS / 2)) },
  );
});
