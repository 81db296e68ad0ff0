import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS } from '../helpers/protocol.js';
import { runSecure } from '../helpers/fixmath.js';
import { roughInverseSpd, solveSpd } from '../../src/mpc/protocols/fixmath/spd-solve.js';
import { matVecTrunc, refineInverse } from '../../src/mpc/protocols/fixmath/newton-schulz.js';
import { concatA, splitA } from '../../src/mpc/shares.js';
import { solvePlain } from '../helpers/plain-solve.js';

after(closeTrio);

const F = 24;

/** A Aᵀ + d·I for A with entries in [-1, 1]: positive definite, eigenvalues in [d, d + d²]. */
const spd = (d: number): fc.Arbitrary<{ h: number[][]; g: number[] }> =>
  fc.record({
    a: fc.array(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: d, maxLength: d }), { minLength: d, maxLength: d }),
    g: fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: d, maxLength: d }),
  }).map(({ a, g }) => ({ h: a.map((ri, i) => a.map((rj, j) => ri.reduce((t, v, k) => t + v * rj[k], 0) + (i === j ? d : 0))), g }));

test('solveSpd matches a float64 solve on random positive-definite systems (d = 1..5), to 1e-4 absolute', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 5 }).chain(spd), async ({ h, g }) => {
      const d = g.length;
      const out = await runSecure([[...h.flat(), ...g]], async (s, [x]) => {
        const [hs, gs] = splitA(x, [d * d, d]);
        return solveSpd(s, hs, gs, d, { fractionBits: F, pivotMin: 2 ** -8, pivotMax: 2 ** 8 });
      }, F);
      const inputs = out.inputs[0];
      const want = solvePlain(Array.from({ length: d }, (_, i) => inputs.slice(i * d, i * d + d)), inputs.slice(d * d));
      out.values.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-4, `Δ[${i}] = ${v}, expected ${want[i]}`));
    }),
    { numRuns: Math.max(5, Math.floor(RUNS / 4)) },
  );
});

test('solveSpd: a 1 × 1 system at the pivot range ends, and an identity system returns g', async () => {
  const low = await runSecure([[2 ** -8, 1]], async (s, [x]) => { const [h, g] = splitA(x, [1, 1]); return solveSpd(s, h, g, 1, { fractionBits: F, pivotMin: 2 ** -8, pivotMax: 2 ** 16 }); }, F);
  assert.ok(Math.abs(low.values[0] - 256) <= 256 * 2 ** -18, `1/2^-8 = ${low.values[0]}`);
  const high = await runSecure([[2 ** 16, 3]], async (s, [x]) => { const [h, g] = splitA(x, [1, 1]); return solveSpd(s, h, g, 1, { fractionBits: F, pivotMin: 2 ** -8, pivotMax: 2 ** 16 }); }, F);
  assert.ok(Math.abs(high.values[0] - 3 / 2 ** 16) <= 2 ** -20, `3/2^16 = ${high.values[0]}`);
  const identity = await runSecure([[1, 0, 0, 0, 1, 0, 0, 0, 1, 5, -7, 0.25]], async (s, [x]) => { const [h, g] = splitA(x, [9, 3]); return solveSpd(s, h, g, 3, { fractionBits: F, pivotMin: 0.5, pivotMax: 2 }); }, F);
  identity.values.forEach((v, i) => assert.ok(Math.abs(v - [5, -7, 0.25][i]) <= 1e-5, `Δ[${i}] = ${v}`));
});

/** The largest |(I − H X)_ij| for H and X row-major d × d. */
function residual(h: readonly number[], x: readonly number[], d: number): number {
  let worst = 0;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let hx = 0;
    for (let k = 0; k < d; k++) hx += h[i * d + k] * x[k * d + j];
    worst = Math.max(worst, Math.abs((i === j ? 1 : 0) - hx));
  }
  return worst;
}

test('roughInverseSpd: a start for H⁻¹ with residual |I − HX| ≤ 0.1 (each pivot\'s reciprocal keeps its 1e-2 start) in 30 rounds per pivot (and 3), which two Newton–Schulz steps bring below 1e-4', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 6 }).chain(spd), async ({ h }) => {
      const d = h.length;
      const options = { fractionBits: F, pivotMin: 2 ** -8, pivotMax: 2 ** 8 };
      const rough = await runSecure([h.flat()], (s, [x]) => roughInverseSpd(s, x, d, options), F);
      assert.equal(rough.rounds, 30 * d + (d > 1 ? 3 : 0));
      const start = residual(rough.inputs[0], rough.values, d);
      assert.ok(start <= 0.1, `|I − HX| = ${start} for d = ${d}`);
      const refined = await runSecure([h.flat()], async (s, [x]) => refineInverse(s, x, await roughInverseSpd(s, x, d, options), d, 2, F), F);
      const end = residual(refined.inputs[0], refined.values, d);
      assert.ok(end <= 1e-4, `after two refinements |I − HX| = ${end} for d = ${d}`);
    }),
    { numRuns: Math.max(5, Math.floor(RUNS / 4)) },
  );
});

test('roughInverseSpd, refineInverse and matVecTrunc over G stacked systems: each system as alone (residual ≤ 0.1, then ≤ 1e-4; X g), in the rounds of one', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 4 }).chain((d) => fc.array(spd(d), { minLength: 2, maxLength: 4 })), async (systems) => {
      const d = systems[0].g.length;
      const G = systems.length;
      const options = { fractionBits: F, pivotMin: 2 ** -8, pivotMax: 2 ** 8 };
      const input = [...systems.flatMap(({ h }) => h.flat()), ...systems.flatMap(({ g }) => g.map((v) => v / 64))];
      const rough = await runSecure([input], (s, [x]) => roughInverseSpd(s, splitA(x, [G * d * d, G * d])[0], d, options, G), F);
      assert.equal(rough.rounds, 30 * d + (d > 1 ? 3 : 0), 'the rounds of one system');
      const refined = await runSecure([input], async (s, [x]) => {
        const [h, g] = splitA(x, [G * d * d, G * d]);
        const inverse = await refineInverse(s, h, await roughInverseSpd(s, h, d, options, G), d, 2, F, G);
        return concatA([inverse, await matVecTrunc(s, inverse, g, d, F, G)]);
      }, F);
      const h = refined.inputs[0];
      for (let k = 0; k < G; k++) {
        const hk = h.slice(k * d * d, (k + 1) * d * d);
        assert.ok(residual(hk, rough.values.slice(k * d * d, (k + 1) * d * d), d) <= 0.1, `system ${k} of ${G}: rough start`);
        const xk = refined.values.slice(k * d * d, (k + 1) * d * d);
        assert.ok(residual(hk, xk, d) <= 1e-4, `system ${k} of ${G}: after two refinements`);
        const gk = h.slice(G * d * d + k * d, G * d * d + (k + 1) * d);
        const want = xk.map((_, i) => (i < d ? gk.reduce((t, v, j) => t + xk[i * d + j] * v, 0) : 0)).slice(0, d);
        refined.values.slice(G * d * d + k * d, G * d * d + (k + 1) * d).forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-5 * (1 + Math.abs(want[i])), `system ${k}: (X g)[${i}] = ${v}, expected ${want[i]}`));
      }
    }),
    { numRuns: Math.max(5, Math.floor(RUNS / 4)) },
  );
});
