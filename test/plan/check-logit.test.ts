/**
 * The logit node at the parser and the plan checker (plan/parse-logit.ts, check-logit.ts), without
 * running it: the exact standardisation from declared ranges (|z| ≤ 1, the centre and power of two
 * the recipient recomputes), the output row, the cost estimate, and every plan-time refusal with
 * its place in the plan.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PlanError } from '../../src/errors.js';
import { checkPlan, type CatalogTable, type CheckContext } from '../../src/plan/check.js';
import { logitStandardisation, LOGIT_DESIGN_BITS, type CheckedLogit } from '../../src/plan/check-logit.js';
import { parsePlan } from '../../src/plan/parse.js';
import { parseSchema, type ColumnSchemaJson } from '../../src/table/schema.js';

const COLUMNS: ColumnSchemaJson[] = [
  { name: 'y', nullable: false, type: 'boolean' },
  { name: 'count01', nullable: false, type: 'integer', min: '0', max: '1' },
  { name: 'age', nullable: false, type: 'integer', min: '18', max: '100' },
  { name: 'wt', nullable: false, type: 'decimal', scale: 3, min: '1.000', max: '6.000' },
  { name: 'wide', nullable: false, type: 'decimal', scale: 2, min: '0', max: '1000000' },
  { name: 'same', nullable: false, type: 'integer', min: '5', max: '5' },
  { name: 'maybe', nullable: true, type: 'integer', min: '0', max: '10' },
  { name: 'cat', nullable: false, type: 'category', dictionary: ['a', 'b'] },
];

function context(rows: number): CheckContext {
  const table: CatalogTable = { name: 't', kind: 'table', rows, schema: parseSchema({ version: 1, columns: COLUMNS }) };
  return { table: (n) => (n === 't' ? table : undefined), recipientRefusal: () => undefined };
}

const plan = (node: Record<string, unknown>) => parsePlan({ version: 1, root: { op: 'open', to: ['R'], input: { op: 'logit', input: { op: 'scan', table: 't' }, ...node } } });

test('the standardisation is exact: every declared value maps into [−1, 1] at 16 fraction bits, and back', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }), fc.bigInt({ min: 1n, max: 1n << 17n }), fc.double({ min: 0, max: 1, noNaN: true }), (min, width, at) => {
      const max = min + width;
      const s = logitStandardisation(min, max);
      assert.ok(!('refusal' in s));
      const x = min + BigInt(Math.floor(Number(width) * at));
      const scaled = (x - s.center) << BigInt(LOGIT_DESIGN_BITS - s.shift); // z · 2^16, exact
      assert.ok(scaled >= -(1n << 16n) && scaled <= 1n << 16n, `${x} in [${min}, ${max}]: z·2^16 = ${scaled}`);
      assert.equal((scaled >> BigInt(LOGIT_DESIGN_BITS - s.shift)) + s.center, x);
    }),
  );
  assert.match((logitStandardisation(0n, 1n << 18n) as { refusal: string }).refusal, /spans more than 2\^17/);
  assert.match((logitStandardisation(7n, 7n) as { refusal: string }).refusal, /constant/);
});

test('a logit over y, age and wt checks: one row of n, y_sum, β, g, the upper triangle of H, 2 log L and the bit; its cost grows with the rows', () => {
  const checked = checkPlan(plan({ y: 'y', x: ['age', 'wt'] }), context(10_000));
  const node = checked.root.input as CheckedLogit;
  assert.equal(node.op, 'logit');
  assert.equal(node.iterations, 10);
  assert.deepEqual(node.predictors.map((p) => [p.center, p.shift]), [[59n, 6], [3500n, 12]]);
  assert.deepEqual(checked.outputs.map((o) => o.name), ['n', 'y_sum', 'beta_0', 'beta_1', 'beta_2', 'g_0', 'g_1', 'g_2', 'h_0_0', 'h_0_1', 'h_0_2', 'h_1_1', 'h_1_2', 'h_2_2', 'twice_loglik', 'converged']);
  assert.ok(checked.disclosures.some((d) => /information matrix/.test(d.what)));
  const bigger = checkPlan(plan({ y: 'count01', x: ['age', 'wt'], iterations: 12 }), context(100_000));
  assert.ok(bigger.cost.rounds > checked.cost.rounds && bigger.cost.bytesPerParty > 5 * checked.cost.bytesPerParty);
});

test('refused at plan time, each at its place: a response not 0/1, a nullable, category, constant or too wide predictor, too few or too many rows', () => {
  const refuses = (node: Record<string, unknown>, rows: number, path: RegExp, why: RegExp): void => {
    assert.throws(() => checkPlan(plan(node), context(rows)), (e: unknown) => e instanceof PlanError && path.test(e.message) && why.test(e.message), JSON.stringify(node));
  };
  refuses({ y: 'age', x: ['wt'] }, 100, /\/root\/input\/y/, /0\/1/);
  refuses({ y: 'y', x: ['wt', 'maybe'] }, 100, /\/root\/input\/x\/1/, /nullable/);
  refuses({ y: 'y', x: ['cat'] }, 100, /\/root\/input\/x\/0/, /dummy codes/);
  refuses({ y: 'y', x: ['same'] }, 100, /\/root\/input\/x\/0/, /constant/);
  refuses({ y: 'y', x: ['wide'] }, 100, /\/root\/input\/x\/0/, /2\^17/);
  refuses({ y: 'y', x: ['age', 'wt'] }, 3, /\/root\/input\/input/, /more rows than coefficients/);
  refuses({ y: 'y', x: ['age'] }, 5_000_000, /\/root\/input\/input/, /at most 4194304 rows/);
  refuses({ y: 'y', x: ['nope'] }, 100, /\/root\/input\/x\/0/, /no column 'nope'/);
});

test('the parser refuses a repeated column, iterations out of 1..25 and unknown fields', () => {
  assert.throws(() => plan({ y: 'y', x: ['age', 'age'] }), (e: unknown) => e instanceof PlanError && /appears twice/.test(e.message));
  assert.throws(() => plan({ y: 'y', x: ['y'] }), (e: unknown) => e instanceof PlanError && /appears twice/.test(e.message));
  for (const iterations of [0, 26, 2.5, '10']) assert.throws(() => plan({ y: 'y', x: ['age'], iterations }), (e: unknown) => e instanceof PlanError && /iterations/.test(e.message));
  assert.throws(() => plan({ y: 'y', x: ['age'], tolerance: 1 }), (e: unknown) => e instanceof PlanError && /unknown field 'tolerance'/.test(e.message));
  assert.throws(() => plan({ y: 'y', x: [] }), (e: unknown) => e instanceof PlanError && /predictors/.test(e.message));
});
