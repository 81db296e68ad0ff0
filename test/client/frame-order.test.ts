/** Frame sort/head/distinct build the plan nodes of docs/plan.md, refuse bad arguments with typed errors, and prune scans correctly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { count, sum } from '../../src/client/aggregates.js';
import { scanFrame } from '../../src/client/frame.js';
import { UsageError } from '../../src/errors.js';
import type { AggregateNode, Plan } from '../../src/plan/plan.js';

const inner = (p: Plan): unknown => (p.root.input as AggregateNode).input;

const to = { to: ['Auditor'] };

test('sort, head and distinct make sort, limit and distinct nodes; the scans read the keys too', () => {
  const plan = scanFrame('t').sort('a', { column: 'b', descending: true, nulls: 'first' }).head(10, { offset: 2 }).agg({ s: sum('p') }).toPlan(to);
  assert.deepEqual(inner(plan), {
    op: 'limit',
    count: 10,
    offset: 2,
    input: { op: 'sort', by: [{ column: 'a' }, { column: 'b', descending: true, nulls: 'first' }], input: { op: 'scan', table: 't', columns: ['p', 'a', 'b'] } },
  });
  const distinct = scanFrame('t').distinct('a', 'b', { mode: 'oblivious' }).agg({ n: count() }).toPlan(to);
  assert.deepEqual(inner(distinct), { op: 'distinct', columns: ['a', 'b'], mode: 'oblivious', input: { op: 'scan', table: 't', columns: ['a', 'b'] } });
  // Distinct over all columns: every column decides, so the scan is not narrowed.
  assert.deepEqual(inner(scanFrame('t').distinct().agg({ n: count() }).toPlan(to)), { op: 'distinct', input: { op: 'scan', table: 't' } });
});

test('bad sort keys, counts and distinct columns are refused with UsageError', () => {
  const t = scanFrame('t');
  assert.throws(() => t.sort(), UsageError);
  assert.throws(() => t.sort('1a'), UsageError);
  assert.throws(() => t.sort({ column: 'a', descending: 'yes' as unknown as boolean }), UsageError);
  assert.throws(() => t.sort({ column: 'a', nulls: 'middle' as 'first' }), UsageError);
  assert.throws(() => t.head(0), UsageError);
  assert.throws(() => t.head(1.5), UsageError);
  assert.throws(() => t.head(10_000_001), UsageError);
  assert.throws(() => t.head(5, { offset: -1 }), UsageError);
  assert.throws(() => t.distinct('a', 'a'), UsageError);
  assert.throws(() => t.distinct('a', { mode: 'fast' as 'oblivious' }), UsageError);
  // A selection above a sort or a distinct is a select node: the sort still reads its key, the distinct its columns.
  assert.deepEqual(scanFrame('t').sort('a').select('b').node, { op: 'select', columns: ['b'], input: { op: 'sort', by: [{ column: 'a' }], input: { op: 'scan', table: 't', columns: ['b', 'a'] } } });
  assert.deepEqual(scanFrame('t').distinct('a', 'b').select('a').node, { op: 'select', columns: ['a'], input: { op: 'distinct', columns: ['a', 'b'], input: { op: 'scan', table: 't', columns: ['a', 'b'] } } });
  // A column the distinct dropped cannot be aggregated above it.
  assert.throws(() => scanFrame<'a' | 'b'>('t').distinct('a').agg({ s: sum('b' as 'a') }), /not among the distinct columns/);
});
