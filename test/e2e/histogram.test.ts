/**
 * histogram end to end on three in-process nodes: R's PlantGrowth weights (30 rows) in public
 * bins, against numpy's histogram semantics computed here in plaintext ([e0, e1), …, the last bin
 * closed; below/above counted apart), with nulls (not counted), with suppression inside MPC (small
 * bins come out null), and the refusals of bad edges.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Tessera } from '../../src/client/tessera.js';
import { UsageError } from '../../src/errors.js';
import { histogram } from '../../src/stats/histogram.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

const WEIGHTS = [4.17, 5.58, 5.18, 6.11, 4.5, 4.61, 5.17, 4.53, 5.33, 5.14, 4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69, 6.31, 5.12, 5.54, 5.5, 5.37, 5.29, 4.92, 6.15, 5.8, 5.26];
/** Two nulls and the weights: nulls never count. */
const COLUMN = [...WEIGHTS.map((w) => w.toFixed(2)), null, null];

let cluster: TestCluster;
let hospital: Tessera;
const to = { to: ['St. Mary Hospital'] };

before(async () => {
  cluster = await startTestCluster();
  hospital = await cluster.connect('St. Mary Hospital', 0);
  const schema = { version: 1 as const, columns: [{ name: 'weight', nullable: true, type: 'decimal' as const, scale: 2, min: '0', max: '10' }] };
  await hospital.uploadTable('plants', { columns: { weight: COLUMN } }, { schema });
});

after(async () => {
  await cluster.close();
});

/** numpy.histogram's counts, plus the values outside the edges. */
function reference(values: readonly number[], edges: readonly number[]): { counts: number[]; below: number; above: number } {
  const counts = edges.slice(1).map(() => 0);
  let below = 0, above = 0;
  for (const v of values) {
    if (v < edges[0]) below++;
    else if (v > edges[edges.length - 1]) above++;
    else {
      let b = edges.findIndex((e, i) => i > 0 && v < e) - 1;
      if (b < 0) b = counts.length - 1; // v equals the last edge: the last bin is closed
      counts[b]++;
    }
  }
  return { counts, below, above };
}

test('counts per bin as numpy.histogram (the last bin closed, an edge value in the bin it opens), outside values apart, nulls not counted', async () => {
  const edges = [3.59, 4.5, 5, 5.5, 6];
  const h = await histogram(hospital.table('plants'), 'weight', { edges }, to);
  assert.deepEqual({ counts: h.counts, below: h.below, above: h.above }, reference(WEIGHTS, edges));
  assert.deepEqual(h.counts, [6, 7, 8, 5], 'numpy 2: np.histogram(weights, [3.59, 4.5, 5, 5.5, 6])');
  assert.equal(h.above, 4);
  assert.match(h.text(), /^\[5\.5, 6\] +5$/m);
  const wide = await histogram(hospital.table('plants'), 'weight', { edges: ['3.50', '4.00', '6.31'] }, to);
  assert.deepEqual([...wide.counts, wide.below, wide.above], [...reference(WEIGHTS, [3.5, 4, 6.31]).counts, 0, 0]);
});

test('suppressBelow drops small bins inside MPC (they open as null); bad edges are refused', async () => {
  const h = await histogram(hospital.table('plants'), 'weight', { edges: [3.59, 4.5, 5, 5.5, 6], suppressBelow: 6 }, to);
  assert.deepEqual(h.counts, [6, 7, 8, null]);
  assert.equal(h.below, null, 'no value below: 0 is suppressed too');
  assert.equal(h.above, null, '4 above 6: suppressed');
  assert.match(h.text(), /suppressed/);
  await assert.rejects(histogram(hospital.table('plants'), 'weight', { edges: [5] }, to), UsageError);
  await assert.rejects(histogram(hospital.table('plants'), 'weight', { edges: [5, 4] }, to), /increase strictly/);
  await assert.rejects(histogram(hospital.table('plants'), 'weight', { edges: [1, 2], suppressBelow: 0 }, to), /suppressBelow/);
});
