/**
 * The MPC noise sampler: with the parties' pairwise streams seeded (deterministic), the opened
 * noise of many cells fits the table's exact pmf (chi-square goodness of fit); the noise is not
 * determined by any one party's keys; the round count is constant.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeTrio, trio } from '../helpers/protocol.js';
import { seedPairwise } from '../helpers/seeded-session.js';
import { open } from '../../src/mpc/protocols/io.js';
import { sampleNoise } from '../../src/mpc/protocols/noise-sampler.js';
import { gaussianTable, laplaceTable, sampledPmf, type NoiseTable } from '../../src/privacy/noise-tables.js';
import { chiSquareUpper } from '../../src/stats/distributions.js';

after(closeTrio);

const SEEDS = { '01': 'seed-a', '12': 'seed-b', '02': 'seed-c' } as const;

async function sample(tables: readonly NoiseTable[], cells: number, seeds: Readonly<Record<'01' | '12' | '02', string>> = SEEDS): Promise<{ values: bigint[][]; rounds: number }> {
  const t = await trio();
  const [r] = await t.run(async (s) => {
    seedPairwise(s, seeds);
    const r0 = s.stats.rounds;
    const noise = await sampleNoise(s, tables.map((table) => ({ table, cells })));
    const rounds = s.stats.rounds - r0;
    const values: bigint[][] = [];
    for (const n of noise) values.push([...(await open(s, n))].map((v) => BigInt.asIntN(64, v)));
    return { values, rounds };
  });
  return r;
}

/** Pearson's chi-square over the values, bins with expected count below 5 pooled into the two tails. */
function goodnessOfFit(values: readonly bigint[], table: NoiseTable): { statistic: number; df: number; p: number } {
  const pmf = sampledPmf(table);
  const n = values.length;
  const observed = new Map<number, number>();
  for (const v of values) observed.set(Number(v), (observed.get(Number(v)) ?? 0) + 1);
  for (const v of observed.keys()) assert.ok(pmf.has(v), `value ${v} has probability 0`);
  const support = [...pmf.keys()].sort((a, b) => a - b);
  const core = support.filter((x) => pmf.get(x)! * n >= 5);
  const lo = core[0], hi = core[core.length - 1];
  const bins: { expected: number; observed: number }[] = [];
  const bin = (inBin: (x: number) => boolean): void => {
    let expected = 0, seen = 0;
    for (const x of support) if (inBin(x)) expected += pmf.get(x)! * n;
    for (const [x, c] of observed) if (inBin(x)) seen += c;
    bins.push({ expected, observed: seen });
  };
  bin((x) => x <= lo);
  for (const x of core.slice(1, -1)) bin((y) => y === x);
  bin((x) => x >= hi);
  const statistic = bins.reduce((s, b) => s + (b.observed - b.expected) ** 2 / b.expected, 0);
  const df = bins.length - 1;
  return { statistic, df, p: chiSquareUpper(statistic, df) };
}

test('discrete Laplace and Gaussian noise sampled in MPC fit their exact pmf (chi-square, fixed seed), in 9 rounds for both at once', async () => {
  const laplace = laplaceTable(1n, 2n); // ε/Δ = 1/2
  const gaussian = gaussianTable(1n, 8n); // σ = 2
  const cells = 6000;
  const { values, rounds } = await sample([laplace, gaussian], cells);
  assert.equal(rounds, 9);
  for (const [k, table] of [laplace, gaussian].entries()) {
    const fit = goodnessOfFit(values[k], table);
    assert.ok(fit.df >= 8, `${table.mechanism}: ${fit.df} bins`);
    assert.ok(fit.p > 0.001, `${table.mechanism}: chi-square ${fit.statistic.toFixed(1)} on ${fit.df} df, p = ${fit.p}`);
    const mean = values[k].reduce((s, v) => s + Number(v), 0) / cells;
    assert.ok(Math.abs(mean) < 5 * table.standardDeviation / Math.sqrt(cells), `${table.mechanism}: mean ${mean}`);
  }
});

test('a Laplace table alone takes 8 rounds (no sign); no cells, no rounds', async () => {
  assert.equal((await sample([laplaceTable(1n, 1n)], 10)).rounds, 8);
  assert.equal((await sample([laplaceTable(1n, 1n)], 0)).rounds, 0);
});

test("no party's keys determine the noise: changing only the key a party does not hold changes the noise", async () => {
  const table = gaussianTable(1n, 8n);
  const base = (await sample([table], 200)).values[0];
  assert.deepEqual((await sample([table], 200)).values[0], base, 'the same seeds give the same noise');
  // Party 0 holds the keys of pairs 01 and 02; party 1 those of 01 and 12; party 2 those of 02 and 12.
  for (const unknown of ['12', '02', '01'] as const) {
    const other = (await sample([table], 200, { ...SEEDS, [unknown]: 'changed' })).values[0];
    const differing = other.filter((v, i) => v !== base[i]).length;
    assert.ok(differing > 100, `changing key ${unknown}: only ${differing} of 200 cells changed`);
  }
});
