/**
 * solveSpdColumns (many right-hand sides in one elimination), refineInverse (Newton–Schulz) and
 * matVecTrunc (fixmath/newton-schulz.ts) against float64, on random positive-definite matrices.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { closeTrio, RUNS } from '../helpers/protocol.js';
import { runSecure } from '../helpers/fixmath.js';
import { solveSpdColumns } from '../../src/mpc/protocols/fixmath/spd-solve.js';
import { matVecTrunc, refineInverse } from '../../src/mpc/protocols/fixmath/newton-schulz.js';
import { splitA } from '../../src/mpc/shares.js';

after(closeTrio);

const F = 24;

/** Gauss–Jordan inverse in float64. */
function invert(h: readonly (readonly number[])[]): number[][] {
  const d = h.length;
  const m = h.map((row, i) => [...row, ...row.map((_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < d; c++) {
    const p = m[c][c];
    m[c] = m[c].map((v) => v / p);
    for (let r = 0; r < d; r++) if (r !== c) { const k = m[r][c]; m[r] = m[r].map((v, j) => v - k * m[c][j]); }
  }
  return m.map((row) => row.slice(d));
}

/** A Aᵀ + d·I for A with entries in [-1, 1] (eigenvalues in [d, d + d²]), and a vector g. */
const spd = (d: number) =>
  fc.record({
    a: fc.array(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: d, maxLength: d }), { minLength: d, maxLength: d }),
    g: fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: d, maxLength: d }),
    scale: fc.double({ min: 0.6, max: 1.6, noNaN: true }),
  }).map(({ a, g, scale }) => ({ h: a.map((ri, i) => a.map((rj, j) => ri.reduce((t, v, k) => t + v * rj[k], 0) + (i === j ? d : 0))), g, scale }));

const rowsOf = (flat: readonly number[], d: number): number[][] => Array.from({ length: d }, (_, i) => flat.slice(i * d, i * d + d));

test('solveSpdColumns with B = [I | g] returns H⁻¹ and H⁻¹g (d = 1..5), to 1e-5 absolute', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 5 }).chain(spd), async ({ h, g }) => {
      const d = g.length;
      const rhs = h.flatMap((_, i) => [...h.map((__, j) => (i === j ? 1 : 0)), g[i]]);
      const out = await runSecure([[...h.flat(), ...rhs]], async (s, [x]) => {
        const [hs, bs] = splitA(x, [d * d, d * (d + 1)]);
        return solveSpdColumns(s, hs, bs, d, d + 1, { fractionBits: F, pivotMin: 2 ** -8, pivotMax: 2 ** 8 });
      }, F);
      const inverse = invert(rowsOf(out.inputs[0], d));
      const gIn = out.inputs[0].slice(d * d).filter((_, k) => k % (d + 1) === d);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) assert.ok(Math.abs(out.values[i * (d + 1) + j] - inverse[i][j]) <= 1e-5, `H⁻¹[${i}][${j}]`);
        const want = inverse[i].reduce((t, v, j) => t + v * gIn[j], 0);
        assert.ok(Math.abs(out.values[i * (d + 1) + d] - want) <= 1e-4, `(H⁻¹g)[${i}] = ${out.values[i * (d + 1) + d]}, expected ${want}`);
      }
    }),
    { numRuns: Math.max(5, Math.floor(RUNS / 4)) },
  );
});

test('refineInverse carries the inverse of H to the inverse of a nearby H (scaled by 0.6..1.6) in 5 steps (residual ≤ 0.7^32), and matVecTrunc applies it', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 5 }).chain(spd), async ({ h, g, scale }) => {
      const d = g.length;
      const start = invert(h).flat();
      const target = h.map((row, i) => row.map((v, j) => v * scale + (i === j ? 0.1 * i : 0)));
      const out = await runSecure([[...target.flat(), ...start, ...g]], async (s, [x]) => {
        const [hs, xs, gs] = splitA(x, [d * d, d * d, d]);
        const refined = await refineInverse(s, hs, xs, d, 5, F);
        return matVecTrunc(s, refined, gs, d, F);
      }, F);
      const hIn = rowsOf(out.inputs[0], d);
      const gIn = out.inputs[0].slice(2 * d * d);
      const want = invert(hIn).map((row) => row.reduce((t, v, j) => t + v * gIn[j], 0));
      out.values.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-4, `Δ[${i}] = ${v}, expected ${want[i]}`));
      assert.equal(out.rounds, 5 * 6 + 3);
    }),
    { numRuns: Math.max(5, Math.floor(RUNS / 4)) },
  );
});
