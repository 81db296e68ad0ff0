/**
 * ols(frame, { y, x, by }) end to end on three in-process nodes (src/stats/ols-groups.ts): one
 * plan opens one Gram matrix per declared group; each group's fit must match a float64 QR fit
 * of that group's rows alone (test/helpers/ols-reference.ts) to 1e-9 relative (the contract is
 * 1e-6), and a group that cannot be fitted carries its own reason while the others print.
 * mtcars by cyl (a declared level '12' with no rows), then random tables (a property test).
 */

import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, test } from 'node:test';
import { count, sum } from '../../src/client/aggregates.js';
import { col } from '../../src/client/expr.js';
import type { Tessera } from '../../src/client/tessera.js';
import { UsageError } from '../../src/errors.js';
import { ols, OLS_GROUPS_REVEALS } from '../../src/stats/ols.js';
import { MTCARS } from '../helpers/mtcars.js';
import { plainOls } from '../helpers/ols-reference.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let cluster: TestCluster;
let hospital: Tessera;
const to = { to: ['St. Mary Hospital'] };

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  await hospital.uploadTable(
    'mtcars',
    { columns: { mpg: [...MTCARS.mpg], wt: [...MTCARS.wt], hp: [...MTCARS.hp], cyl: [...MTCARS.cyl], am: MTCARS.am.map((v) => (v === '1' ? 'true' : 'false')) } },
    {
      schema: {
        version: 1,
        columns: [
          { name: 'mpg', nullable: false, type: 'decimal', scale: 1, min: '0', max: '100' },
          { name: 'wt', nullable: false, type: 'decimal', scale: 3, min: '0', max: '10' },
          { name: 'hp', nullable: false, type: 'integer', min: '0', max: '1000' },
          { name: 'cyl', nullable: false, type: 'category', dictionary: ['4', '6', '8', '12'] },
          { name: 'am', nullable: false, type: 'boolean' },
        ],
      },
    },
  );
});

after(async () => {
  await cluster.close();
});

function near(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected) + 1e-300, `${what}: ${actual} vs ${expected}`);
}

function matchesPlain(fit: { coefficients: readonly { estimate: number; stdError: number }[]; rSquared: number; residualStdError: number; fStatistic: number }, x: number[][], y: number[], what: string): void {
  const ref = plainOls(x, y);
  fit.coefficients.forEach((c, j) => {
    near(c.estimate, ref.coef[j], 1e-9, `${what}: coefficient ${j}`);
    near(c.stdError, ref.se[j], 1e-9, `${what}: standard error ${j}`);
  });
  near(fit.rSquared, ref.r2, 1e-10, `${what}: R²`);
  near(fit.residualStdError, ref.sigma, 1e-10, `${what}: residual standard error`);
  near(fit.fStatistic, ref.f, 1e-9, `${what}: F`);
}

test('mpg ~ wt + hp by cyl: one fit per cylinder count, each the float64 fit of its cars; the empty level refused', async () => {
  const fits = await ols(hospital.table('mtcars'), { y: 'mpg', x: ['wt', 'hp'], by: 'cyl' }).open(to);
  assert.equal(fits.by, 'cyl');
  assert.deepEqual(fits.groups.map((g) => g.label), ['4', '6', '8', '12'].sort());
  for (const g of fits.groups) {
    const rows = MTCARS.cyl.map((c, i) => i).filter((i) => MTCARS.cyl[i] === g.label);
    if (g.label === '12') {
      assert.equal(g.fit, undefined);
      assert.match(g.refused!, /needs more than 3 rows; it has 0/);
      continue;
    }
    assert.ok(g.fit, `${String(g.label)}: ${g.refused}`);
    assert.equal(g.fit.observations, rows.length);
    matchesPlain(g.fit, rows.map((i) => [Number(MTCARS.wt[i]), Number(MTCARS.hp[i])]), rows.map((i) => Number(MTCARS.mpg[i])), `cyl ${String(g.label)}`);
  }
  const text = fits.text();
  assert.match(text, /^cyl = 12\nnot fitted: a regression with 3 coefficients needs more than 3 rows/m);
  assert.match(text, /^cyl = 4\n\s+OLS Regression Results/m);
  assert.equal(text.match(/OLS Regression Results/g)?.length, 3);
  assert.match(fits.plan, /^[0-9a-f]{64}$/);
});

test('a group whose predictor is constant on its rows is refused with the reason, the others fitted; by a boolean', async () => {
  const fits = await ols(hospital.table('mtcars'), { y: 'mpg', x: ['wt', 'cyl'], by: 'am' }).open(to);
  assert.deepEqual(fits.groups.map((g) => g.label), [false, true]);
  for (const g of fits.groups) {
    assert.ok(g.fit, g.refused);
    assert.equal(g.fit.observations, MTCARS.am.filter((a) => (a === '1') === g.label).length);
  }
  // hp > 200 only among the 8-cylinder cars: constant (false) on the 4- and 6-cylinder rows.
  const strong = hospital.table('mtcars').withColumns({ strong: col('hp').gt(200) });
  const collinear = await ols(strong, { y: 'mpg', x: ['wt', 'strong'], by: 'cyl' }).open(to);
  const byLabel = new Map(collinear.groups.map((g) => [g.label, g]));
  for (const label of ['4', '6']) assert.match(byLabel.get(label)!.refused ?? '', /'strong' is a linear combination of the intercept and 'wt'|'strong' is a linear combination of the intercept/);
  const eight = MTCARS.cyl.map((_, i) => i).filter((i) => MTCARS.cyl[i] === '8');
  matchesPlain(byLabel.get('8')!.fit!, eight.map((i) => [Number(MTCARS.wt[i]), Number(MTCARS.hp[i]) > 200 ? 1 : 0]), eight.map((i) => Number(MTCARS.mpg[i])), 'cyl 8 with strong');
  assert.match(collinear.text(), /^cyl = 6\nnot fitted: 'strong' is a linear combination/m);
});

test('explain() says what opens per group; a group column of more than 256 values, or a decimal one, is refused before any plan', async () => {
  const explained = await ols(hospital.table('mtcars'), { y: 'mpg', x: ['wt'], by: 'cyl' }).explain(to);
  assert.equal(explained.reveals, OLS_GROUPS_REVEALS);
  assert.match(explained.text(), /the regressions: per declared group/);
  await assert.rejects(ols(hospital.table('mtcars'), { y: 'mpg', x: ['wt'], by: 'hp' }).open(to), (e: unknown) => e instanceof UsageError && /'hp' declares 1001 groups, more than 256/.test(e.message));
  await assert.rejects(ols(hospital.table('mtcars'), { y: 'mpg', x: ['hp'], by: 'wt' }).open(to), (e: unknown) => e instanceof UsageError && /it is a decimal column/.test(e.message));
  assert.throws(() => ols(hospital.table('mtcars'), { y: 'mpg', x: ['wt'], by: 'wt' }), (e: unknown) => e instanceof UsageError && /'wt' appears twice/.test(e.message));
});

test('property: random tables, each group\'s fit is the float64 fit of its rows, or refused when it has too few rows', async () => {
  for (let trial = 0; trial < 3; trial++) {
    const sizes = [randomInt(0, 4), randomInt(5, 25), randomInt(5, 25)];
    const group: number[] = sizes.flatMap((n, g) => new Array<number>(n).fill(g));
    const a = group.map(() => randomInt(-500, 501)), b = group.map(() => randomInt(0, 1001));
    const y = group.map((g, i) => 3 * g - 2 * a[i] + b[i] + randomInt(-300, 301));
    const name = `random_${trial}`;
    await hospital.uploadTable(
      name,
      { columns: { g: group.map(String), a: a.map((v) => (v / 100).toFixed(2)), b: b.map(String), y: y.map((v) => (v / 10).toFixed(1)) } },
      {
        schema: {
          version: 1,
          columns: [
            { name: 'g', nullable: false, type: 'integer', min: '0', max: '2' },
            { name: 'a', nullable: false, type: 'decimal', scale: 2, min: '-5', max: '5' },
            { name: 'b', nullable: false, type: 'integer', min: '0', max: '1000' },
            { name: 'y', nullable: false, type: 'decimal', scale: 1, min: '-1000', max: '1000' },
          ],
        },
      },
    );
    const fits = await ols(hospital.table(name), { y: 'y', x: ['a', 'b'], by: 'g' }).open(to);
    assert.deepEqual(fits.groups.map((g) => g.label), [0, 1, 2]);
    fits.groups.forEach((fitted, g) => {
      const rows = group.map((_, i) => i).filter((i) => group[i] === g);
      if (rows.length <= 3) return void assert.match(fitted.refused ?? '', new RegExp(`it has ${rows.length}`), `group ${g} of ${rows.length} rows`);
      assert.ok(fitted.fit, fitted.refused);
      matchesPlain(fitted.fit, rows.map((i) => [a[i] / 100, b[i]]), rows.map((i) => y[i] / 10), `trial ${trial} group ${g}`);
    });
  }
});

test('per-group sums of products fused with the group indicators equal the materialised ones, with a secret validity and a nullable key', async () => {
  await hospital.uploadTable(
    'gaps',
    { columns: { k: MTCARS.cyl.map((c, i) => (i % 9 === 4 ? null : c)), wt: [...MTCARS.wt], hp: [...MTCARS.hp] } },
    {
      schema: {
        version: 1,
        columns: [
          { name: 'k', nullable: true, type: 'category', dictionary: ['4', '6', '8'] },
          { name: 'wt', nullable: false, type: 'decimal', scale: 3, min: '0', max: '10' },
          { name: 'hp', nullable: false, type: 'integer', min: '0', max: '1000' },
        ],
      },
    },
  );
  const kept = hospital.table('gaps').filter(col('hp').ge(100), { mode: 'oblivious' }).withColumns({ p: col('wt').mul(col('hp')), q: col('hp').mul(col('hp')) });
  const aggregates = { n: count(), s: sum('hp'), p: sum('p'), q: sum('q') };
  const fused = (await (await kept.groupBy('k').agg(aggregates).open(to)).result()).table.rows;
  // A derived column that is not a plain product sends the group-by down the general (materialised) path.
  const general = (await (await kept.withColumns({ r: col('hp').add(1) }).groupBy('k').agg({ ...aggregates, r: sum('r') }).open(to)).result()).table.rows;
  assert.equal(fused.length, 4);
  fused.forEach((row, i) => {
    for (const name of ['k', 'n', 's', 'p', 'q']) assert.equal(String(row[name]), String(general[i][name]), `${String(row.k)} ${name}`);
  });
  // The plaintext: rows with hp ≥ 100, by key (null its own group).
  for (const row of fused) {
    const rows = MTCARS.hp.map((_, i) => i).filter((i) => Number(MTCARS.hp[i]) >= 100 && (i % 9 === 4 ? null : MTCARS.cyl[i]) === row.k);
    assert.equal(Number(row.n), rows.length, `${String(row.k)} count`);
    assert.equal(Number(row.q), rows.reduce((t, i) => t + Number(MTCARS.hp[i]) ** 2, 0), `${String(row.k)} Σhp²`);
  }
});
