import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cholesky, inverseSpd, solveCholesky } from '../../src/stats/cholesky.js';

/** A Aᵀ + d·I for A with entries in [-1, 1]: positive definite. */
const spd = fc.integer({ min: 1, max: 8 }).chain((d) =>
  fc
    .tuple(
      fc.array(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: d, maxLength: d }), { minLength: d, maxLength: d }),
      fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: d, maxLength: d }),
    )
    .map(([a, b]) => ({ h: a.map((ri, i) => a.map((rj, j) => ri.reduce((t, v, k) => t + v * rj[k], 0) + (i === j ? d : 0))), b })),
);

test('cholesky: h times its inverse is the identity and the solve satisfies h x = b, on random positive-definite matrices', () => {
  fc.assert(
    fc.property(spd, ({ h, b }) => {
      const inverse = inverseSpd(h);
      h.forEach((row, i) => inverse.forEach((_, j) => assert.ok(Math.abs(row.reduce((t, v, k) => t + v * inverse[k][j], 0) - (i === j ? 1 : 0)) < 1e-10)));
      const result = cholesky(h, () => 0);
      assert.ok('factor' in result);
      const x = solveCholesky(result.factor, b);
      h.forEach((row, i) => assert.ok(Math.abs(row.reduce((t, v, k) => t + v * x[k], 0) - b[i]) < 1e-9 * (1 + Math.abs(b[i]))));
    }),
  );
});

test('cholesky: a singular or indefinite matrix names its first failing pivot; the floor is the caller\'s', () => {
  assert.deepEqual(cholesky([[1, 2], [2, 1]], () => 0), { singularAt: 1 });
  assert.deepEqual(cholesky([[0, 0], [0, 1]], () => 0), { singularAt: 0 });
  assert.deepEqual(cholesky([[1, 0], [0, 1e-6]], () => 1e-3), { singularAt: 1 });
  assert.ok('factor' in cholesky([[1, 0], [0, 1e-6]], () => 1e-9));
  assert.throws(() => inverseSpd([[1, 1], [1, 1]]), /not positive definite/);
});
