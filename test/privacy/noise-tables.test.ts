/** The public noise tables: the distribution they sample is within their stated total variation of the exact discrete Laplace / Gaussian pmf, and every value within `bound`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaussianTable, laplaceTable, sampledPmf, type NoiseTable } from '../../src/privacy/noise-tables.js';
import { expNegFixed, fixedOf, toNumber } from '../../src/privacy/exact-real.js';

function laplacePmf(epsilonOverDelta: number): (x: number) => number {
  const a = Math.exp(-epsilonOverDelta);
  return (x) => ((1 - a) / (1 + a)) * a ** Math.abs(x);
}

function gaussianPmf(sigma: number): (x: number) => number {
  let z = 0;
  for (let x = -Math.ceil(40 * sigma); x <= Math.ceil(40 * sigma); x++) z += Math.exp(-(x * x) / (2 * sigma * sigma));
  return (x) => Math.exp(-(x * x) / (2 * sigma * sigma)) / z;
}

function totalVariation(table: NoiseTable, ideal: (x: number) => number, span: number): number {
  const pmf = sampledPmf(table);
  let tv = 0;
  for (let x = -span; x <= span; x++) tv += Math.abs((pmf.get(x) ?? 0) - ideal(x));
  return tv / 2;
}

test('exp(−x) in fixed point agrees with Math.exp to double precision', () => {
  for (const x of [0, 1e-9, 0.001, 0.25, 0.5, 1, 2.5, 10, 37]) {
    const got = toNumber(expNegFixed(fixedOf(BigInt(Math.round(x * 1e9)), 1_000_000_000n)));
    assert.ok(Math.abs(got - Math.exp(-x)) <= 1e-15 * Math.max(1, Math.exp(-x)) + 1e-300, `exp(-${x}): ${got} vs ${Math.exp(-x)}`);
  }
});

test('discrete Laplace tables: sampled pmf within the stated total variation (< 2^-40) of (1−a)/(1+a)·a^|x|', () => {
  for (const [num, den] of [[1n, 1n], [1n, 2n], [1n, 10n], [3n, 1n]] as const) {
    const table = laplaceTable(num, den);
    assert.ok(table.tv < 2 ** -40, `tv ${table.tv}`);
    assert.equal(table.signed, false);
    const pmf = sampledPmf(table);
    const mass = [...pmf.values()].reduce((s, p) => s + p, 0);
    assert.ok(Math.abs(mass - 1) < 1e-12);
    for (const x of pmf.keys()) assert.ok(BigInt(Math.abs(x)) <= table.bound);
    const tv = totalVariation(table, laplacePmf(Number(num) / Number(den)), Number(table.bound));
    // Doubles add ~1e-16 per term to the computed distance; the table's own bound is far tighter than that.
    assert.ok(tv < 1e-12, `ε/Δ = ${num}/${den}: total variation ${tv}`);
  }
  // Comparisons grow with log2(Δ/ε): 2 per binary digit of each geometric.
  assert.ok(laplaceTable(1n, 1_000_000n).comparisons <= 2 * 26);
});

test('discrete Gaussian tables: sampled pmf within the stated total variation of exp(−x²/2σ²)/Z; thresholds decrease; the zero point is not counted twice', () => {
  for (const sigma of [0.5, 1, 3, 10]) {
    // 1/(2σ²) as a fraction.
    const table = gaussianTable(1_000_000n, BigInt(Math.round(2 * sigma * sigma * 1_000_000)));
    assert.ok(table.tv < 2 ** -40, `tv ${table.tv}`);
    const t = table.draws[0].thresholds;
    for (let k = 1; k < t.length; k++) assert.ok(t[k] <= t[k - 1]);
    const ideal = gaussianPmf(sigma);
    const pmf = sampledPmf(table);
    assert.ok(Math.abs((pmf.get(0) ?? 0) - ideal(0)) < 1e-15, `P(0) at σ ${sigma}`);
    const tv = totalVariation(table, ideal, Number(table.bound) + 2);
    assert.ok(tv < 1e-12, `σ = ${sigma}: total variation ${tv}`);
    assert.ok(table.comparisons <= Math.ceil(7.6 * sigma) + 2);
  }
  assert.throws(() => gaussianTable(1n, 2n * 10_000n * 10_000n), /comparisons per cell/);
});
