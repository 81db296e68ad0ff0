/** The lazy data-frame API builds plans: concat, select, agg with projection, refusals, builders from the registry. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as builders from '../../src/client/aggregates.js';
import { aggregate, count, mean, sum } from '../../src/client/aggregates.js';
import { scanFrame } from '../../src/client/frame.js';
import { UsageError } from '../../src/errors.js';
import { aggregatePlan } from '../../src/plan/build.js';
import { planHash } from '../../src/plan/plan.js';
import { aggregateNames, findAggregate } from '../../src/plan/registry.js';

const to = { to: ['Auditor'] };

test('a table aggregated reads only the columns its aggregates need, in order of first use', () => {
  const plan = scanFrame('visits').agg({ n: count(), total: sum('visits'), avg_age: mean('age'), m2: mean('visits') }).toPlan(to);
  assert.deepEqual(plan, {
    version: 1,
    root: {
      op: 'open',
      to: ['Auditor'],
      input: {
        op: 'aggregate',
        input: { op: 'scan', table: 'visits', columns: ['visits', 'age'] },
        aggregates: [{ name: 'n', fn: 'count' }, { name: 'total', fn: 'sum', column: 'visits' }, { name: 'avg_age', fn: 'mean', column: 'age' }, { name: 'm2', fn: 'mean', column: 'visits' }],
      },
    },
  });
});

test('concat flattens, select pushes into every scan, and an explicit selection is kept', () => {
  const a = scanFrame('a');
  const b = scanFrame('b');
  const c = scanFrame('c');
  const nested = a.concat(b).concat(c).select('age', 'cost').agg({ s: sum('age') }).toPlan(to);
  const flat = a.select('age', 'cost').concat(b.select('age', 'cost'), c.select('age', 'cost')).agg({ s: sum('age') }).toPlan(to);
  assert.deepEqual(nested, flat);
  assert.deepEqual(nested.root.input, {
    op: 'aggregate',
    input: { op: 'concat', inputs: ['a', 'b', 'c'].map((t) => ({ op: 'scan', table: t, columns: ['age', 'cost'] })) },
    aggregates: [{ name: 's', fn: 'sum', column: 'age' }],
  });
});

test('t.count/sum/mean (aggregate of one column over tables) build the same plan as before', () => {
  // Aggregates of one column and nothing else (quantile takes p, corr a second column).
  const single = aggregateNames().filter((n) => findAggregate(n)!.fraction !== 'argument' && findAggregate(n)!.pair !== true);
  fc.assert(
    fc.property(fc.constantFrom(...single), fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'visits'), { minLength: 1, maxLength: 4 }), (fn, tables) => {
      const column = findAggregate(fn)!.column === 'required' ? 'age' : undefined;
      const sorted = [...tables].sort();
      const [first, ...rest] = sorted.map((t) => scanFrame(t));
      const frame = (rest.length === 0 ? first : first.concat(...rest)).agg({ [fn]: aggregate(fn, column) });
      assert.equal(frame.planHash(to), planHash(aggregatePlan(fn, column, tables, ['Auditor'])));
    }),
  );
});

test('every registry aggregate has a named builder with its column rule', () => {
  const named = builders as unknown as Record<string, ((column?: string, second?: number | string) => unknown) | undefined>;
  for (const name of aggregateNames()) {
    const build = named[name];
    assert.equal(typeof build, 'function', `client/aggregates.ts has no builder for '${name}'`);
    const rule = findAggregate(name)!.column;
    // quantile takes its fraction p after the column.
    if (findAggregate(name)!.fraction === 'argument') assert.deepEqual(build!('age', 0.25), { fn: name, column: 'age', p: 0.25 });
    // corr and covar_samp take a second column.
    else if (findAggregate(name)!.pair === true) assert.deepEqual(build!('age', 'cost'), { fn: name, column: 'age', other: 'cost' });
    else if (rule !== 'none') assert.deepEqual(build!('age'), { fn: name, column: 'age' });
    if (rule === 'required') assert.throws(() => build!(), UsageError);
    else assert.deepEqual(build!(), { fn: name });
  }
  assert.throws(() => aggregate('mode', 'age'), /unknown aggregate 'mode'/);
  assert.throws(() => aggregate('quantile', 'age'), /quantile needs p/);
  assert.throws(() => aggregate('median', 'age', { p: 0.5 }), /median takes no p/);
  assert.throws(() => aggregate('corr', 'age'), /corr needs a second column/);
  assert.throws(() => aggregate('sum', 'age', { other: 'cost' }), /sum takes one column/);
  assert.throws(() => sum('not a column'), UsageError);
});

test('what the plan cannot express, or a slip, is refused before anything is sent', () => {
  const visits = scanFrame('visits');
  assert.throws(() => scanFrame('no such table!'), /not a table name/);
  assert.throws(() => visits.select(), /at least one column/);
  assert.throws(() => visits.select('age', 'age'), /selected twice/);
  // The column names are typed once selected: TypeScript refuses these two already.
  // @ts-expect-error 'cost' is not among the selected columns
  assert.throws(() => visits.select('age').select('cost'), /column 'cost' of table 'visits' is not among the selected columns \(age\)/);
  // @ts-expect-error 'cost' is not among the selected columns
  assert.throws(() => visits.select('age').agg({ s: sum('cost') }), /column 'cost' of table 'visits' is not among the selected columns/);
  assert.throws(() => visits.agg({}), /at least one aggregate/);
  assert.throws(() => visits.agg({ 'bad name': count() }), /cannot name an output/);
  assert.throws(() => visits.agg({ n: 3 as unknown as ReturnType<typeof count> }), /is not an aggregate/);
  assert.throws(() => visits.concat(), /at least one other frame/);
  const q = visits.agg({ n: count() });
  assert.throws(() => q.toPlan({ to: [] }), /at least one recipient/);
  // The nodes' own parser checks the finished plan here too (e.g. over 100 concatenated tables).
  const many = Array.from({ length: 101 }, (_, i) => scanFrame(`t${i}`));
  assert.throws(() => many[0].concat(...many.slice(1)).agg({ n: count() }).toPlan(to), /concat's inputs must be a list of 2 to 100/);
  return assert.rejects(q.open(to), /built without a client/);
});
