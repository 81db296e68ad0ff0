/**
 * Ranks, correlation and rank tests end to end on three in-process nodes:
 * - the rank operator against average ranks computed here (scipy.stats.rankdata's 'average'),
 *   with ties, nulls (no rank) and an oblivious filter (rows filtered out never rank);
 * - corr and covar_samp against DuckDB on rows with nulls (pairwise complete), whole and per
 *   group, through SQL too, and the ring refusal of products that could overflow;
 * - the matrices and tests on R's data against scipy 1.17 (which agrees with R's cor,
 *   wilcox.test and kruskal.test to the digits R prints): sleep (Pearson 0.7951702, Spearman,
 *   Mann–Whitney W = 25.5, p = 0.06933) and PlantGrowth (Kruskal–Wallis 7.9882, p = 0.01842).
 */

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, test } from 'node:test';
import { corr, count, covarSamp } from '../../src/client/aggregates.js';
import { col } from '../../src/client/expr.js';
import type { Tessera } from '../../src/client/tessera.js';
import { correlation, covariance } from '../../src/stats/correlation.js';
import { kruskalWallis, mannWhitney } from '../../src/stats/ranks.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { duckdbRows } from '../helpers/duckdb-oracle.js';

const SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
const PLANT = {
  ctrl: [4.17, 5.58, 5.18, 6.11, 4.5, 4.61, 5.17, 4.53, 5.33, 5.14],
  trt1: [4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69],
  trt2: [6.31, 5.12, 5.54, 5.5, 5.37, 5.29, 4.92, 6.15, 5.8, 5.26],
};
/** Synthetic rows with ties and nulls in both columns. */
const N = 37;
const MIXED = {
  g: Array.from({ length: N }, (_, i) => ['a', 'b', 'c'][i % 3]),
  x: Array.from({ length: N }, (_, i) => (i % 7 === 2 ? null : String(((i * 37) % 23) - 9))),
  y: Array.from({ length: N }, (_, i) => (i % 5 === 4 ? null : (((i * 53) % 41) / 4 - 3).toFixed(2))),
};

let cluster: TestCluster;
let hospital: Tessera;
const to = { to: ['St. Mary Hospital'] };

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  const decimal = (name: string, scale: number, min: string, max: string, nullable = false) => ({ name, nullable, type: 'decimal' as const, scale, min, max });
  await hospital.uploadTable('sleep', { columns: { extra: [...SLEEP_1, ...SLEEP_2].map(String), group: [...SLEEP_1.map(() => '1'), ...SLEEP_2.map(() => '2')] } }, {
    schema: { version: 1, columns: [decimal('extra', 1, '-10', '10'), { name: 'group', nullable: false, type: 'category', dictionary: ['1', '2', '3'] }] },
  });
  await hospital.uploadTable('sleep_wide', { columns: { drug1: SLEEP_1.map(String), drug2: SLEEP_2.map(String) } }, {
    schema: { version: 1, columns: [decimal('drug1', 1, '-10', '10'), decimal('drug2', 1, '-10', '10')] },
  });
  const plant = Object.entries(PLANT).flatMap(([g, values]) => values.map((v) => ({ g, v })));
  await hospital.uploadTable('plants', { columns: { weight: plant.map((p) => p.v.toFixed(2)), group: plant.map((p) => p.g) } }, {
    schema: { version: 1, columns: [decimal('weight', 2, '0', '10'), { name: 'group', nullable: false, type: 'category', dictionary: ['ctrl', 'trt1', 'trt2'] }] },
  });
  await hospital.uploadTable('mixed', { columns: MIXED }, {
    schema: {
      version: 1,
      columns: [
        { name: 'g', nullable: false, type: 'category', dictionary: ['a', 'b', 'c'] },
        { name: 'x', nullable: true, type: 'integer', min: '-20', max: '20' },
        decimal('y', 2, '-100', '100', true),
      ],
    },
  });
});

after(async () => {
  await cluster.close();
});

/** scipy.stats.rankdata(method='average'). */
function averageRanks(values: readonly number[]): number[] {
  return values.map((v) => values.filter((w) => w < v).length + (values.filter((w) => w === v).length + 1) / 2);
}

function close(got: number, want: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(got - want) <= tolerance * Math.max(1, Math.abs(want)), `${what}: ${got} vs ${want}`);
}

test('rank: average ranks with ties (scipy rankdata), t² − 1 per row, nulls and filtered-out rows without a rank', async () => {
  const sleep = await (await hospital.table('sleep').rank('extra', { as: 'r', ties: 't' }).open(to)).result();
  const values = [...SLEEP_1, ...SLEEP_2];
  const want = values.map((v, i) => ({ v, r: averageRanks(values)[i] })).sort((a, b) => a.v - b.v);
  assert.deepEqual(sleep.table.rows.map((row) => [row.extra, row.r]), want.map((w) => [w.v, w.r]), 'sorted by the value, with its average rank');
  assert.deepEqual(sleep.table.rows.map((row) => row.t), want.map((w) => values.filter((x) => x === w.v).length ** 2 - 1));
  const kept = hospital.table('mixed').filter(col('g').ne('b'), { mode: 'oblivious' }).rank('x', { as: 'r' });
  const rows = (await (await kept.open(to)).result()).table.rows;
  const xs = MIXED.x.filter((x, i) => x !== null && MIXED.g[i] !== 'b').map(Number);
  const ranked = rows.filter((r) => r.r !== null).map((r) => [Number(r.x), r.r]);
  assert.deepEqual(ranked, xs.map((x, i) => [x, averageRanks(xs)[i]]).sort((a, b) => (a[0] as number) - (b[0] as number)));
  assert.ok(rows.filter((r) => r.r === null).every((r) => r.x === null), 'only nulls lack a rank');
});

test('corr and covar_samp match DuckDB over pairwise complete rows, whole and per group; SQL corr(y, x) builds the same plan', async () => {
  const frame = hospital.table('mixed').agg({ c: corr('x', 'y'), v: covarSamp('x', 'y'), vx: covarSamp('x', 'x'), n: count() });
  const got = await (await frame.open(to)).result();
  const oracle = (sql: string) => duckdbRows([{ name: 'mixed', columns: { g: 'VARCHAR', x: 'INTEGER', y: 'DECIMAL(10, 2)' }, rows: MIXED }], sql);
  const [want] = await oracle('SELECT corr(x, y::DOUBLE) AS c, covar_samp(x, y::DOUBLE) AS v, var_samp(x) AS vx FROM mixed');
  close(got.outputs.c.value as number, Number(want.c), 1e-13, 'corr');
  close(got.outputs.v.value as number, Number(want.v), 1e-13, 'covar_samp');
  close(got.outputs.vx.value as number, Number(want.vx), 1e-13, 'covariance with itself is the variance');
  const pairs = MIXED.x.filter((x, i) => x !== null && MIXED.y[i] !== null).length;
  assert.equal(got.outputs.c.count, pairs);
  const grouped = await (await hospital.table('mixed').groupBy('g').agg({ c: corr('x', 'y'), v: covarSamp('y', 'x') }).open(to)).result();
  const wanted = await oracle('SELECT g, corr(x, y::DOUBLE) AS c, covar_samp(y::DOUBLE, x) AS v FROM mixed GROUP BY g ORDER BY g');
  for (const w of wanted) {
    const row = grouped.table.rows.find((r) => r.g === w.g)!;
    close(Number(row.c), Number(w.c), 1e-13, `corr of ${String(w.g)}`);
    close(Number(row.v), Number(w.v), 1e-13, `covar_samp of ${String(w.g)}`);
  }
  const sql = await hospital.sql('SELECT corr(x, y) AS c, covar_samp(x, y) AS v FROM mixed');
  assert.equal(sql.planHash(to), hospital.table('mixed').agg({ c: corr('x', 'y'), v: covarSamp('x', 'y') }).planHash(to));
});

test('a pair whose sums could leave the ring is refused at plan time, naming the bound', async () => {
  await hospital.uploadTable('wide', { columns: { a: ['1', '2'], b: ['3', '4'] } }, {
    schema: { version: 1, columns: [{ name: 'a', nullable: false, type: 'integer', min: '0', max: '4000000000000' }, { name: 'b', nullable: false, type: 'integer', min: '0', max: '4000000000000' }] },
  });
  await assert.rejects(async () => (await hospital.table('wide').agg({ c: corr('a', 'b') }).open(to)).result(), /the corr of 'a' and 'b' could exceed the 64-bit range: its sum of x·y over up to 2 rows of the declared ranges lies in \[0, 32000000000000000000000000\]/);
});

test('correlation and covariance matrices on R sleep (wide): Pearson, Spearman and cov as scipy/numpy', async () => {
  const pearson = await correlation(hospital.table('sleep_wide'), ['drug1', 'drug2'], to);
  close(pearson.matrix[0][1], 0.7951702058335779, 1e-14, 'pearson');
  assert.equal(pearson.matrix[0][1], pearson.matrix[1][0]);
  assert.deepEqual([pearson.matrix[0][0], pearson.matrix[1][1]], [1, 1]);
  assert.match(pearson.text(), /^drug1 +1\.000000 +0\.795170$/m);
  const spearman = await correlation(hospital.table('sleep_wide'), ['drug1', 'drug2'], { ...to, method: 'spearman' });
  close(spearman.matrix[0][1], 0.7818181818181817, 1e-14, 'spearman');
  assert.deepEqual(spearman.columns, ['drug1', 'drug2']);
  const cov = await covariance(hospital.table('sleep_wide'), ['drug1', 'drug2'], to);
  assert.deepEqual((await hospital.table('sleep_wide').corr(['drug1', 'drug2'], to)).matrix, pearson.matrix, 'frame.corr() is correlation()');
  assert.deepEqual((await hospital.table('sleep_wide').cov(['drug1', 'drug2'], to)).matrix, cov.matrix, 'frame.cov() is covariance()');
  close(cov.matrix[0][1], 2.848333333333333, 1e-14, 'cov');
  close(cov.matrix[0][0], 3.2005555555555554, 1e-14, 'var of drug1');
});

test('Mann–Whitney on R sleep and Kruskal–Wallis on PlantGrowth match scipy (asymptotic, tie-corrected); refusals', async () => {
  const mw = await mannWhitney(hospital.table('sleep'), { value: 'extra', by: 'group' }, to);
  assert.equal(mw.u, 25.5);
  close(mw.p, 0.06932757543362658, 1e-12, 'Mann–Whitney p');
  assert.deepEqual(mw.groups.map((g) => g.label), ['1', '2']);
  const kw = await kruskalWallis(hospital.table('plants'), { value: 'weight', by: 'group' }, to);
  close(kw.h, 7.988228749443715, 1e-13, 'H');
  close(kw.p, 0.018423755731471966, 1e-12, 'Kruskal–Wallis p');
  assert.equal(kw.df, 2);
  const pair = await mannWhitney(hospital.table('plants').filter(col('group').ne('trt2')), { value: 'weight', by: 'group' }, to);
  assert.equal(pair.u, 67.5);
  close(pair.p, 0.1985957586332152, 1e-12, 'ctrl vs trt1');
  await assert.rejects(mannWhitney(hospital.table('plants'), { value: 'weight', by: 'group' }, to), /exactly two non-empty groups of 'group', it has 3/);
});

let generated = 0;
test('property: rank of random integers (many ties, nulls, the range\'s ends) is scipy\'s average rank, and t² − 1 the tie term', async () => {
  const MIN = -1_000n, MAX = 1_000n;
  const value = fc.oneof(fc.bigInt({ min: MIN, max: MAX }), fc.constantFrom(MIN, MAX), fc.bigInt({ min: 0n, max: 2n }));
  await fc.assert(
    fc.asyncProperty(fc.array(fc.option(value, { freq: 5 }), { minLength: 1, maxLength: 20 }), async (cells) => {
      const name = `rank_random_${generated++}`;
      await hospital.uploadTable(name, { columns: { v: cells.map((c) => (c === null ? null : c.toString())) } }, {
        schema: { version: 1, columns: [{ name: 'v', nullable: true, type: 'integer', min: MIN.toString(), max: MAX.toString() }] },
      });
      const rows = (await (await hospital.table(name).rank('v', { as: 'r', ties: 't' }).open(to)).result()).table.rows;
      const xs = cells.filter((c): c is bigint => c !== null).map(Number);
      const want = xs.map((x, i) => [x, averageRanks(xs)[i], xs.filter((y) => y === x).length ** 2 - 1]).sort((a, b) => a[0] - b[0]);
      assert.deepEqual(rows.filter((r) => r.r !== null).map((r) => [Number(r.v), r.r, Number(r.t)]), want, `ranks of ${cells.join(',')}`);
      assert.equal(rows.filter((r) => r.r === null).length, cells.length - xs.length, 'exactly the nulls lack a rank');
    }),
    { numRuns: 12, seed: 20261205 },
  );
});
