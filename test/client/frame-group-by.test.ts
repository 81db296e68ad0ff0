/** frame.groupBy().agg() and frame.crosstab(): the plan they build, the columns scans read, and slips refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { count, mean, min } from '../../src/client/aggregates.js';
import { col } from '../../src/client/expr.js';
import { scanFrame } from '../../src/client/frame.js';
import { UsageError } from '../../src/errors.js';

const to = { to: ['Auditor'] };

test('groupBy().agg() is an aggregate node with by; scans read the keys and the aggregated columns', () => {
  const plan = scanFrame('visits').groupBy('region', 'sex').agg({ n: count(), cost: mean('amount'), lo: min('age') }).toPlan(to);
  assert.deepEqual(plan.root.input, {
    op: 'aggregate',
    by: ['region', 'sex'],
    aggregates: [{ name: 'n', fn: 'count' }, { name: 'cost', fn: 'mean', column: 'amount' }, { name: 'lo', fn: 'min', column: 'age' }],
    input: { op: 'scan', table: 'visits', columns: ['region', 'sex', 'amount', 'age'] },
  });
  // A filter over the outputs (HAVING) and a selection of them are ordinary nodes above it.
  const having = scanFrame('visits').groupBy('region').agg({ n: count() }).filter(col('n').ge(5)).select('region').toPlan(to);
  const filter = having.root.input as unknown as { op: string; input: { op: string; columns: readonly string[]; input: { op: string } } };
  assert.deepEqual([filter.op, filter.input.op, filter.input.columns, filter.input.input.op], ['filter', 'select', ['region', 'n'], 'aggregate']);
});

test('crosstab is a crosstab node reading only its keys', () => {
  const plan = scanFrame('visits').crosstab(['a', 'b'], { suppressBelow: 5, margins: true }).toPlan(to);
  assert.deepEqual(plan.root.input, { op: 'crosstab', by: ['a', 'b'], suppress_below: 5, margins: true, input: { op: 'scan', table: 'visits', columns: ['a', 'b'] } });
  assert.deepEqual(scanFrame('visits').crosstab(['a', 'b']).toPlan(to).root.input, { op: 'crosstab', by: ['a', 'b'], input: { op: 'scan', table: 'visits', columns: ['a', 'b'] } });
});

test('slips are refused with what to write', () => {
  const t = scanFrame('visits');
  assert.throws(() => t.groupBy(), (e: unknown) => e instanceof UsageError && /at least one key/.test(e.message));
  assert.throws(() => t.groupBy('a', 'a'), (e: unknown) => e instanceof UsageError && /listed twice/.test(e.message));
  assert.throws(() => t.groupBy('a b'), (e: unknown) => e instanceof UsageError && /not a column name/.test(e.message));
  assert.throws(() => t.groupBy('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'), (e: unknown) => e instanceof UsageError && /at most 8/.test(e.message));
  assert.throws(() => t.groupBy('a').agg({}), (e: unknown) => e instanceof UsageError && /at least one aggregate/.test(e.message));
  assert.throws(() => t.crosstab(['a']), (e: unknown) => e instanceof UsageError && /two or more/.test(e.message));
  assert.throws(() => t.crosstab(['a', 'b'], { suppressBelow: 0 }), (e: unknown) => e instanceof UsageError && /at least 1/.test(e.message));
  assert.throws(() => t.crosstab(['a', 'b'], { suppressBelow: 2.5 }), (e: unknown) => e instanceof UsageError && /whole number/.test(e.message));
});
