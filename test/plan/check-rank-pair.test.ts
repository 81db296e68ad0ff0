/**
 * Plan checks of the rank operator (kinds, ranges, name clashes, the tie term's bound) and of
 * the pair aggregates corr and covar_samp (`other` required or refused, its type rule, the
 * facts of their sums and the ring refusal of products that could overflow).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanError } from '../../src/errors.js';
import { checkGroupBy } from '../../src/plan/check-group-by.js';
import { checkRank } from '../../src/plan/check-rank.js';
import type { CheckedScan } from '../../src/plan/check.js';
import type { AggregateSpec } from '../../src/plan/plan.js';
import { tableType } from '../../src/plan/types.js';
import { parseSchema } from '../../src/table/schema.js';

const schema = parseSchema({
  version: 1,
  columns: [
    { name: 'age', nullable: false, type: 'integer', min: '-50', max: '120' },
    { name: 'cost', nullable: true, type: 'decimal', scale: 2, min: '0.00', max: '100000.00' },
    { name: 'sex', nullable: false, type: 'category', dictionary: ['F', 'M'] },
    { name: 'big', nullable: false, type: 'integer', min: '0', max: '4000000000000' },
  ],
});
const scanOf = (rows: number): CheckedScan => ({ op: 'scan', path: '/in', table: { name: 't', kind: 'table', schema, rows }, columns: schema.columns.map((c) => c.name), type: tableType(schema, rows) });
const scan = { op: 'scan' as const, table: 't' };

function refused(run: () => unknown, path: string, message: RegExp): void {
  assert.throws(run, (e: unknown) => e instanceof PlanError && e.path === path && message.test(e.message));
}

test('rank: the rank column (decimal of scale 1 in [1, rows]) and the ties column; refusals', () => {
  const checked = checkRank({ op: 'rank', input: scan, column: 'cost', as: 'r', ties: 't' }, '/r', scanOf(1000), []);
  assert.deepEqual(checked.type.columns.slice(-2).map((c) => [c.name, c.kind, c.scale, c.min, c.max, c.nullable]), [['r', 'decimal', 1, 10n, 10000n, true], ['t', 'integer', 0, 0n, 999999n, true]]);
  refused(() => checkRank({ op: 'rank', input: scan, column: 'sex', as: 'r' }, '/r', scanOf(10), []), '/r/column', /cannot rank column 'sex'/);
  refused(() => checkRank({ op: 'rank', input: scan, column: 'nope', as: 'r' }, '/r', scanOf(10), []), '/r/column', /no column 'nope'/);
  refused(() => checkRank({ op: 'rank', input: scan, column: 'age', as: 'cost' }, '/r', scanOf(10), []), '/r/as', /already has a column 'cost'/);
  refused(() => checkRank({ op: 'rank', input: scan, column: 'age', as: 'r', ties: 't' }, '/r', scanOf(3_000_000_000), []), '/r/ties', /could exceed 2\^62 − 1/);
});

test('corr and covar_samp: other required and typed, refused elsewhere; their sums checked against the ring', () => {
  const check = (aggregates: AggregateSpec[], rows = 1000) => checkGroupBy({ op: 'aggregate', input: scan, aggregates }, scanOf(rows), '/g', []);
  const ok = check([{ name: 'c', fn: 'corr', column: 'age', other: 'cost' }]);
  assert.deepEqual(ok.type.columns.map((c) => [c.name, c.kind, c.scale, c.min, c.max]), [
    ['c.count', 'integer', 0, 0n, 1000n],
    ['c.sum_x', 'integer', 0, -50000n, 120000n],
    ['c.sum_y', 'decimal', 2, 0n, 10000000000n],
    ['c.sum_xy', 'decimal', 2, -500000000000n, 1200000000000n],
    ['c.sum_xx', 'integer', 0, 0n, 14400000n],
    ['c.sum_yy', 'decimal', 4, 0n, 100000000000000000n],
  ]);
  refused(() => check([{ name: 'c', fn: 'corr', column: 'age' }]), '/g/aggregates/0/other', /corr needs a second column/);
  refused(() => check([{ name: 'c', fn: 'corr', column: 'age', other: 'sex' }]), '/g/aggregates/0/other', /category column/);
  refused(() => check([{ name: 'c', fn: 'corr', column: 'age', other: 'nope' }]), '/g/aggregates/0/other', /no column 'nope'/);
  refused(() => check([{ name: 's', fn: 'sum', column: 'age', other: 'cost' }]), '/g/aggregates/0/other', /sum takes one column/);
  refused(() => check([{ name: 'c', fn: 'covar_samp', column: 'big', other: 'big' }], 2), '/g/aggregates/0/column', /the covar_samp of 'big' and 'big' could exceed the 64-bit range: its sum of x·y/);
});
