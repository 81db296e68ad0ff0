/** withColumns, rename and the expression builder: the plan they build and the columns scans read. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { count, sum } from '../../src/client/aggregates.js';
import { col, ifElse, when } from '../../src/client/expr.js';
import { scanFrame } from '../../src/client/frame.js';
import { UsageError } from '../../src/errors.js';

const to = { to: ['Auditor'] };
const c = (name: string) => ({ op: 'col', name });
const l = (value: unknown) => ({ op: 'lit', value });

test('withColumns builds a derive node; scans read what its expressions and the aggregates need', () => {
  const plan = scanFrame('visits')
    .withColumns({ total: col('cost').mul(1.1).add(col('fee')), adult: col('age').ge(18) })
    .filter(col('adult').eq(true))
    .agg({ n: count(), s: sum('total') })
    .toPlan(to);
  assert.deepEqual(plan.root.input, {
    op: 'aggregate',
    aggregates: [{ name: 'n', fn: 'count' }, { name: 's', fn: 'sum', column: 'total' }],
    input: {
      op: 'filter',
      predicate: { op: '=', args: [c('adult'), l(true)] },
      input: {
        op: 'derive',
        input: { op: 'scan', table: 'visits', columns: ['cost', 'fee', 'age'] },
        columns: [
          { name: 'total', expr: { op: '+', args: [{ op: '*', args: [c('cost'), l(1.1)] }, c('fee')] } },
          { name: 'adult', expr: { op: '>=', args: [c('age'), l(18)] } },
        ],
      },
    },
  });
});

test('the builder covers if_else, fill_null, isin, date parts, casts, division with a scale; rename maps names back', () => {
  const e = when(col('sex').isin(['F', 'X'])).then(col('w').div(2)).otherwise(0);
  assert.equal(e.node.op, 'if_else');
  assert.deepEqual(ifElse(col('a').gt(col('b')), col('a').sub(col('b')), col('x').fillNull(0)).node, {
    op: 'if_else', args: [{ op: '>', args: [c('a'), c('b')] }, { op: '-', args: [c('a'), c('b')] }, { op: 'fill_null', args: [c('x'), l(0)] }],
  });
  assert.deepEqual(col('day').year().node, { op: 'year', arg: c('day') });
  assert.deepEqual(col('cost').cast('decimal', 1).node, { op: 'cast', arg: c('cost'), to: 'decimal', scale: 1 });
  assert.deepEqual(col('cost').div(3, { scale: 2 }).node, { op: '/', args: [c('cost'), l(3)], scale: 2 });
  const plan = scanFrame('visits').rename({ age: 'years' }).agg({ s: sum('years') }).toPlan(to);
  assert.deepEqual((plan.root.input as { input: unknown }).input, { op: 'rename', names: { age: 'years' }, input: { op: 'scan', table: 'visits', columns: ['age'] } });
  assert.throws(() => scanFrame('v').withColumns({ '1x': col('a') }), UsageError);
  assert.throws(() => scanFrame('v').withColumns({ x: 5 as never }), UsageError);
  assert.throws(() => col('a').isin([]), UsageError);
});
