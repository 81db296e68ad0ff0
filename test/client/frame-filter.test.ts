/** frame.filter and the col() builder: the plan they build, the columns scans read, and slips refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { count, sum } from '../../src/client/aggregates.js';
import { and, col, not, or } from '../../src/client/expr.js';
import { scanFrame } from '../../src/client/frame.js';
import { UsageError } from '../../src/errors.js';

const to = { to: ['Auditor'] };

test('filter builds a filter node; scans also read the predicate columns', () => {
  const plan = scanFrame('visits').filter(col('age').ge(18).and(col('sex').eq('F'))).agg({ total: sum('cost') }).toPlan(to);
  assert.deepEqual(plan.root.input, {
    op: 'aggregate',
    aggregates: [{ name: 'total', fn: 'sum', column: 'cost' }],
    input: {
      op: 'filter',
      input: { op: 'scan', table: 'visits', columns: ['cost', 'age', 'sex'] },
      predicate: { op: 'and', args: [{ op: '>=', args: [{ op: 'col', name: 'age' }, { op: 'lit', value: 18 }] }, { op: '=', args: [{ op: 'col', name: 'sex' }, { op: 'lit', value: 'F' }] }] },
    },
  });
  // select after a filter pushes into the scans together with the predicate's columns.
  const selected = scanFrame('a').concat(scanFrame('b')).filter(col('flag').eq(true), { mode: 'oblivious' }).select('x').agg({ n: count() }).toPlan(to);
  assert.deepEqual((selected.root.input as { input: unknown }).input, {
    op: 'filter',
    mode: 'oblivious',
    input: { op: 'concat', inputs: [{ op: 'scan', table: 'a', columns: ['x', 'flag'] }, { op: 'scan', table: 'b', columns: ['x', 'flag'] }] },
    predicate: { op: '=', args: [{ op: 'col', name: 'flag' }, { op: 'lit', value: true }] },
  });
});

test('and/or flatten, not wraps, literals keep their written form', () => {
  const a = col('x').lt(1), b = col('y').ne(col('z')), c = col('d').isNotNull();
  assert.deepEqual(a.and(b).and(c).node, and(a, b, c).node);
  assert.deepEqual(or(a, b).node, { op: 'or', args: [a.node, b.node] });
  assert.deepEqual(not(a).node, { op: 'not', arg: a.node });
  assert.deepEqual(c.node, { op: 'not', arg: { op: 'is_null', arg: { op: 'col', name: 'd' } } });
  assert.deepEqual(col('d').eq(new Date(Date.UTC(2024, 1, 29))).node, { op: '=', args: [{ op: 'col', name: 'd' }, { op: 'lit', value: '2024-02-29' }] });
  assert.deepEqual(col('n').eq(2n ** 60n).node, { op: '=', args: [{ op: 'col', name: 'n' }, { op: 'lit', value: String(2n ** 60n) }] });
  assert.deepEqual(col('c').le('12.50').node, { op: '<=', args: [{ op: 'col', name: 'c' }, { op: 'lit', value: '12.50' }] });
});

test('slips are refused before anything is sent', () => {
  assert.throws(() => col('1x'), UsageError);
  assert.throws(() => col('x').eq(Number.NaN), UsageError);
  assert.throws(() => col('d').eq(new Date(Date.UTC(2024, 1, 29, 12))), /UTC midnight/);
  assert.throws(() => scanFrame('v').filter({ node: { op: 'lit', value: true } } as never), /filter takes a condition/);
  assert.throws(() => scanFrame('v').filter(col('x').eq(1), { mode: 'secret' as never }), /'reveal-count' or 'oblivious'/);
  // A scan narrowed before the filter must hold the predicate's columns.
  assert.throws(() => scanFrame('v').select('x').filter(col('age').ge(1)).agg({ n: count() }), /column 'age' of table 'v' is not among the selected columns/);
});
