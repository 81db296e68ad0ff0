/**
 * The quantile aggregates' plan side: p is checked (given for quantile, fixed for median, refused
 * elsewhere, at most 6 decimals, in [0, 1]), the columns they make, per group only on the one-hot path, and the
 * exact decoding of the opened parts (negative values, interpolation, trailing zeros, no value).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanError } from '../../src/errors.js';
import { checkGroupBy } from '../../src/plan/check-group-by.js';
import type { CheckedScan } from '../../src/plan/check.js';
import { decodeQuantile } from '../../src/plan/functions/quantile.js';
import { parsePlan } from '../../src/plan/parse.js';
import type { AggregateSpec } from '../../src/plan/plan.js';
import { tableType } from '../../src/plan/types.js';
import { parseSchema } from '../../src/table/schema.js';

const schema = parseSchema({
  version: 1,
  columns: [
    { name: 'age', nullable: false, type: 'integer', min: '-50', max: '120' },
    { name: 'cost', nullable: true, type: 'decimal', scale: 2, min: '0.00', max: '100000.00' },
    { name: 'sex', nullable: false, type: 'category', dictionary: ['F', 'M'] },
    { name: 'code', nullable: false, type: 'integer', min: '0', max: '999' },
  ],
});
const input: CheckedScan = { op: 'scan', path: '/in', table: { name: 't', kind: 'table', schema, rows: 1000 }, columns: schema.columns.map((c) => c.name), type: tableType(schema, 1000) };
const check = (aggregates: AggregateSpec[], by?: string[]) => checkGroupBy({ op: 'aggregate', input: { op: 'scan', table: 't' }, aggregates, ...(by ? { by } : {}) }, input, '/g', []);

function refused(run: () => unknown, path: string, message: RegExp): void {
  assert.throws(run, (e: unknown) => e instanceof PlanError && e.path === path && message.test(e.message));
}

test('p: required by quantile, fixed for median, refused elsewhere; in [0, 1] with at most 6 decimals', () => {
  const ok = check([{ name: 'q', fn: 'quantile', column: 'cost', p: 0.25 }, { name: 'm', fn: 'median', column: 'age' }]);
  assert.deepEqual(ok.outputs.map((o) => o.fraction), [250000n, 500000n]);
  assert.deepEqual(ok.type.columns.map((c) => [c.name, c.kind, c.scale, c.nullable]), [
    ['q.lower', 'decimal', 2, true], ['q.upper', 'decimal', 2, false], ['q.fraction', 'integer', 0, false],
    ['m.lower', 'integer', 0, true], ['m.upper', 'integer', 0, false], ['m.fraction', 'integer', 0, false],
  ]);
  refused(() => check([{ name: 'q', fn: 'quantile', column: 'cost' }]), '/g/aggregates/0/p', /quantile needs p/);
  refused(() => check([{ name: 'm', fn: 'median', column: 'cost', p: 0.5 }]), '/g/aggregates/0/p', /takes no p/);
  refused(() => check([{ name: 's', fn: 'min', column: 'cost', p: 0.5 }]), '/g/aggregates/0/p', /min takes no p/);
  refused(() => check([{ name: 'q', fn: 'quantile', column: 'cost', p: 1.5 }]), '/g/aggregates/0/p', /in \[0, 1\]/);
  refused(() => check([{ name: 'q', fn: 'quantile', column: 'cost', p: 0.1234567 }]), '/g/aggregates/0/p', /more than 6 digits/);
  refused(() => check([{ name: 'q', fn: 'median', column: 'sex' }]), '/g/aggregates/0/column', /category column/);
  assert.equal(check([{ name: 'q', fn: 'median', column: 'cost' }], ['sex']).group.method, 'one-hot', 'per group on the one-hot path');
  refused(() => check([{ name: 'q', fn: 'median', column: 'cost' }], ['code']), '/g/aggregates/0/fn', /median per group needs the one-hot path \(keys of at most 256 combinations\); these keys have 1000/);
  refused(() => checkGroupBy({ op: 'aggregate', input: { op: 'scan', table: 't' }, aggregates: [{ name: 'q', fn: 'median', column: 'age' }], by: ['sex'] }, { ...input, type: tableType(schema, 20_000_000) }, '/g', []), '/g/aggregates/0/fn', /2 groups × 20000000 rows is more than 33554432/);
  const plan = (p: unknown) => ({ version: 1, root: { op: 'open', to: ['A'], input: { op: 'aggregate', input: { op: 'scan', table: 't' }, aggregates: [{ name: 'q', fn: 'quantile', column: 'age', p }] } } });
  assert.equal((parsePlan(plan(0.9)).root.input as unknown as { aggregates: AggregateSpec[] }).aggregates[0].p, 0.9);
  assert.throws(() => parsePlan(plan('0.5')), /p is a number in \[0, 1\]/);
});

test('decoding: lower + fraction·(upper − lower), exactly, at the column scale or wider; null without values', () => {
  const parts = (lower: bigint, upper: bigint, fraction: bigint, present = 1n) => new Map([['lower', lower], ['upper', upper], ['fraction', fraction], ['present', present]]);
  assert.deepEqual(decodeQuantile(parts(-7n, -3n, 250000n), 0), { value: -6, exact: '-6' });
  assert.deepEqual(decodeQuantile(parts(-7n, -4n, 500000n), 0), { value: -5.5, exact: '-5.5' });
  assert.deepEqual(decodeQuantile(parts(1050n, 1050n, 0n), 2), { value: 10.5, exact: '10.50' });
  assert.deepEqual(decodeQuantile(parts(100n, 101n, 333333n), 2), { value: 1.00333333, exact: '1.00333333' });
  assert.deepEqual(decodeQuantile(parts(-1n, 0n, 100000n), 1), { value: -0.09, exact: '-0.09' });
  assert.ok(Number.isNaN(decodeQuantile(parts(0n, 0n, 0n, 0n), 2).value));
});
