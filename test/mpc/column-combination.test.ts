/**
 * combineColumns (src/mpc/protocols/column-combination.ts): Σ_k c_k x_k for secret columns and
 * secret scalars, against the plaintext ring (mod 2^64, any 64-bit values), in one round and 8
 * bytes per row whatever the number of columns; mismatched shapes refused.
 */

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../src/errors.js';
import { open } from '../../src/mpc/protocols/io.js';
import { combineColumns } from '../../src/mpc/protocols/column-combination.js';
import { closeTrio, RUNS, secret, trio, u64 } from '../helpers/protocol.js';

after(closeTrio);

test('Σ_k c_k x_k matches the plaintext ring in one round and 8 bytes per row', async () => {
  const t = await trio();
  const shapes = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 12 }));
  await fc.assert(
    fc.asyncProperty(
      shapes.chain(([rows, k]) => fc.tuple(fc.array(fc.array(u64, { minLength: rows, maxLength: rows }), { minLength: k, maxLength: k }), fc.array(u64, { minLength: k, maxLength: k }))),
      async ([columns, coefficients]) => {
        const rows = columns[0].length;
        const [r] = await t.run(async (s) => {
          const xs = await Promise.all(columns.map((c, k) => secret(s, BigUint64Array.from(c), (k % 3) as 0 | 1 | 2)));
          const cs = await secret(s, BigUint64Array.from(coefficients), 1);
          const [r0, b0] = [s.stats.rounds, s.stats.bytesSent];
          const out = await combineColumns(s, xs, cs, rows);
          const cost = { rounds: s.stats.rounds - r0, bytes: s.stats.bytesSent - b0 };
          return { value: await open(s, out), ...cost };
        });
        for (let i = 0; i < rows; i++) {
          const want = BigInt.asUintN(64, columns.reduce((acc, c, k) => acc + c[i] * coefficients[k], 0n));
          assert.equal(r.value[i], want, `row ${i}`);
        }
        assert.equal(r.rounds, 1);
        assert.ok(r.bytes <= 8 * rows + 64, `${r.bytes} bytes for ${rows} rows`);
      },
    ),
    { numRuns: RUNS },
  );
});

test('columns of another length than the rows, or another number of coefficients, are refused', async () => {
  const t = await trio();
  await t.run(async (s) => {
    const x = await secret(s, BigUint64Array.of(1n, 2n, 3n), 0);
    const c = await secret(s, BigUint64Array.of(5n, 6n), 0);
    await assert.rejects(combineColumns(s, [x], c, 3), UsageError);
    await assert.rejects(combineColumns(s, [x, x], c, 4), UsageError);
  });
});
