/**
 * predict's η with the standardisation folded into the coefficients (src/ops/predict-eta.ts)
 * equals [2^16, (x − c) 2^(16 − k)] · β exactly (mod 2^64), on random columns, centres, shifts
 * and coefficients, edges included; one round.
 */

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { open } from '../../src/mpc/protocols/io.js';
import { linearPredictor } from '../../src/ops/predict-eta.js';
import { concatA, type AShare } from '../../src/mpc/shares.js';
import { closeTrio, RUNS, secret, trio, u64 } from '../helpers/protocol.js';

after(closeTrio);

const column = (rows: number) => fc.record({
  values: fc.array(fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }), { minLength: rows, maxLength: rows }),
  center: fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }),
  shift: fc.integer({ min: 0, max: 16 }),
});

test('η with the folded standardisation equals the standardised design times β, mod 2^64; one round', async () => {
  const t = await trio();
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 20 }).chain((rows) => fc.tuple(fc.constant(rows), fc.array(column(rows), { minLength: 0, maxLength: 5 }))).chain(([rows, cols]) => fc.tuple(fc.constant(rows), fc.constant(cols), fc.array(u64, { minLength: cols.length + 1, maxLength: cols.length + 1 }))),
      async ([rows, cols, beta]) => {
        const want = Array.from({ length: rows }, (_, r) =>
          BigInt.asUintN(64, (beta[0] << 16n) + cols.reduce((acc, c, j) => acc + (c.values[r] - c.center) * (1n << BigInt(16 - c.shift)) * beta[j + 1], 0n)),
        );
        const results = await t.run(async (s) => {
          const columns: AShare[] = [];
          for (const c of cols) columns.push(await secret(s, BigUint64Array.from(c.values, (v) => BigInt.asUintN(64, v)), 1));
          const b: AShare[] = [];
          for (const v of beta) b.push(await secret(s, BigUint64Array.of(v), 2));
          const r0 = s.stats.rounds;
          const eta = await linearPredictor(s, cols.map((c, j) => ({ values: columns[j], center: c.center, shift: c.shift })), concatA(b), rows);
          const rounds = s.stats.rounds - r0;
          return { eta: await open(s, eta), rounds };
        });
        assert.deepEqual([...results[0].eta], want);
        assert.equal(results[0].rounds, 1);
      },
    ),
    { numRuns: Math.max(10, Math.floor(RUNS / 2)) },
  );
});
