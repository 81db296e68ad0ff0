/** derive/select/rename and value expressions at plan time: types and ranges, each refusal with its place, costs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanError } from '../../src/errors.js';
import { checkPlan, type CatalogTable, type CheckContext, type CheckedAggregate } from '../../src/plan/check.js';
import type { CheckedDerive } from '../../src/plan/check-derive.js';
import { parsePlan } from '../../src/plan/parse.js';
import { parseSchema } from '../../src/table/schema.js';

const TABLES: CatalogTable[] = [{
  name: 'visits', kind: 'table', rows: 1000,
  schema: parseSchema({
    version: 1,
    columns: [
      { name: 'age', nullable: false, type: 'integer', min: '0', max: '120' },
      { name: 'big', nullable: false, type: 'integer', min: '-4611686018427387903', max: '4611686018427387903' },
      { name: 'cost', nullable: true, type: 'decimal', scale: 2, min: '0.00', max: '100000.00' },
      { name: 'sex', nullable: false, type: 'category', dictionary: ['F', 'M'] },
      { name: 'day', nullable: false, type: 'date', min: '2020-01-01', max: '2030-12-31' },
      { name: 'born', nullable: false, type: 'date', min: '0001-01-01', max: '9999-12-31' },
      { name: 'patient', nullable: false, type: 'identifier' },
      { name: 'other', nullable: false, type: 'identifier' },
    ],
  }),
}];
const context: CheckContext = { table: (n) => TABLES.find((t) => t.name === n), recipientRefusal: () => undefined };
const col = (name: string) => ({ op: 'col', name });
const lit = (value: unknown) => ({ op: 'lit', value });
const P = '/root/input/input';
const plan = (columns: unknown, wrap: (d: object) => object = (d) => d) => ({
  version: 1,
  root: { op: 'open', to: ['Auditor'], input: { op: 'aggregate', aggregates: [{ name: 'n', fn: 'count' }], input: wrap({ op: 'derive', input: { op: 'scan', table: 'visits' }, columns }) } },
});
const derived = (expr: unknown) => ((checkPlan(parsePlan(plan([{ name: 'v', expr }])), context).root.input as CheckedAggregate).input as CheckedDerive);
const facts = (expr: unknown) => derived(expr).type.columns.find((c) => c.name === 'v')!;

function refusedAt(p: unknown, path: string, message: RegExp): void {
  assert.throws(() => checkPlan(parsePlan(p), context), (e: unknown) => {
    assert.ok(e instanceof PlanError, String(e));
    assert.equal(e.path, path, e.message);
    assert.match(e.message, message);
    return true;
  });
}
const refused = (expr: unknown, at: string, message: RegExp) => refusedAt(plan([{ name: 'v', expr }]), `${P}/columns/0/expr${at}`, message);

test('types and ranges propagate through every node', () => {
  assert.deepEqual(pick(facts({ op: '+', args: [col('age'), lit(1)] })), ['integer', 0, 1n, 121n, false]);
  assert.deepEqual(pick(facts({ op: '*', args: [col('cost'), lit(1.1)] })), ['decimal', 3, 0n, 110000000n, true]);
  assert.deepEqual(pick(facts({ op: '*', args: [col('age'), col('age')] })), ['integer', 0, 0n, 14400n, false]);
  assert.deepEqual(pick(facts({ op: '/', args: [col('age'), lit(3)] })), ['decimal', 4, 0n, 400000n, false]);
  assert.deepEqual(pick(facts({ op: '-', args: [col('day'), lit('2020-01-01')] })), ['integer', 0, 0n, 4017n, false]);
  assert.deepEqual(pick(facts({ op: 'year', arg: col('day') })), ['integer', 0, 2020n, 2030n, false]);
  assert.deepEqual(pick(facts({ op: 'weekday', arg: col('day') })), ['integer', 0, 1n, 7n, false]);
  assert.deepEqual(pick(facts({ op: 'cast', arg: col('cost'), to: 'integer' })), ['integer', 0, 0n, 100000n, true]);
  assert.deepEqual(pick(facts({ op: 'fill_null', args: [col('cost'), lit(0)] })), ['decimal', 2, 0n, 10000000n, false]);
  assert.deepEqual(pick(facts({ op: 'isin', arg: col('sex'), values: ['F'] })), ['boolean', 0, 0n, 1n, false]);
  assert.deepEqual(pick(facts({ op: '=', args: [col('patient'), col('other')] })), ['boolean', 0, 0n, 1n, false]);
  assert.deepEqual(pick(facts({ op: 'abs', arg: { op: '-', args: [col('age'), lit(100)] } })), ['integer', 0, 0n, 100n, false]);
  assert.deepEqual(pick(facts({ op: 'if_else', args: [{ op: '>=', args: [col('age'), lit(18)] }, col('cost'), lit(0)] })), ['decimal', 2, 0n, 10000000n, true]);
});

function pick(c: { kind: string; scale: number; min: bigint; max: bigint; nullable: boolean }): unknown[] {
  return [c.kind, c.scale, c.min, c.max, c.nullable];
}

test('each refusal names its place in the plan and what to do', () => {
  refused({ op: '+', args: [col('sex'), col('age')] }, '/args/0', /\+ takes numbers, not a category\(2\) value/);
  refused({ op: '+', args: [col('age'), lit('F')] }, '/args/1', /"F" meets a integer value: write a number/);
  refused({ op: '*', args: [col('big'), lit(2)] }, '', /the product could reach .* beyond ±\(2\^62 − 1\).*declare narrower ranges/);
  refused({ op: '+', args: [col('big'), col('big')] }, '', /the sum could reach/);
  refused({ op: '*', args: [{ op: '*', args: [col('cost'), col('cost')] }, { op: '*', args: [col('cost'), { op: '*', args: [col('cost'), { op: '*', args: [col('cost'), { op: '*', args: [col('cost'), { op: '*', args: [col('cost'), { op: '*', args: [col('cost'), col('cost')] }] }] }] }] }] }] }, '/args/1/args/1/args/1/args/1/args/1', /the product could reach \[0, 1000000000000000000000\] in stored units, beyond ±\(2\^62 − 1\)/);
  refused({ op: '/', args: [col('big'), col('age')] }, '', /the quotient could reach .* beyond ±\(2\^62 − 1\)/);
  // Division by a secret value: a decimal of 4 digits, null where the divisor (whose range holds 0) is 0.
  assert.deepEqual(pick(facts({ op: '/', args: [col('age'), col('age')] })), ['decimal', 4, 0n, 1200000n, true]);
  refused({ op: '/', args: [col('age'), lit(0)] }, '/args/1', /division by zero/);
  refused({ op: '<', args: [col('sex'), lit('F')] }, '', /category values compare with = and != only/);
  refused({ op: '<', args: [col('patient'), col('other')] }, '', /identifier values compare with = and != only/);
  refused({ op: '=', args: [col('patient'), lit('x')] }, '/args/1', /identifiers are keyed hashes/);
  refused({ op: 'year', arg: col('age') }, '/arg', /year\(\) takes a date, not a integer value/);
  refused({ op: 'month', arg: col('born') }, '', /month\(\) over the declared range \[0001-01-01, 9999-12-31\] needs \d+ comparisons per row.*declare a narrower date range/);
  refused({ op: 'if_else', args: [col('age'), lit(1), lit(2)] }, '/args/0', /a condition is needed here, not a integer value/);
  refused({ op: 'if_else', args: [{ op: '>', args: [col('age'), lit(1)] }, col('sex'), col('day')] }, '', /if_else needs operands of the same type: argument 1 is category\(2\), argument 2 is date/);
  refused({ op: 'cast', arg: col('sex'), to: 'integer' }, '/arg', /cannot cast a category\(2\) value to integer/);
  refused({ op: '+', args: [col('day'), col('day')] }, '', /a date takes \+ or − a whole number of days/);
  refused({ op: '+', args: [col('born'), lit(1)] }, '', /outside 0001-01-01 … 9999-12-31/);
  refused({ op: 'isin', arg: col('sex'), values: ['Q'] }, '/values/0', /write one of its words/);
  refused({ op: 'cast', arg: col('age'), to: 'decimal', scale: 19 }, '/scale', /a scale is a whole number of decimal digits from 0 to 18/);
  refused({ op: 'pow', args: [] }, '/op', /unknown expression "pow"/);
  refused({ op: 'abs', args: [col('age')] }, '/args', /unknown field 'args'/);
  refusedAt(plan([{ name: 'AGE', expr: lit(1) }]), `${P}/columns/0/name`, /differs from the input's column 'age' only in case/);
  refusedAt(plan([{ name: 'v', expr: lit(1) }, { name: 'v', expr: lit(2) }]), `${P}/columns/1/name`, /named twice/);
  refusedAt(plan([{ name: 'v', expr: lit(1) }], (d) => ({ op: 'select', input: d, columns: ['v', 'nope'] })), '/root/input/input/columns/1', /no column 'nope'/);
  refusedAt(plan([{ name: 'v', expr: lit(1) }], (d) => ({ op: 'rename', input: d, names: { v: 'age' } })), '/root/input/input/names', /two columns would be named 'age'/);
  refusedAt(plan([{ name: 'v', expr: lit(1) }], (d) => ({ op: 'rename', input: d, names: { w: 'x' } })), '/root/input/input/names/w', /no column 'w' to rename/);
});

test('a filter compares expressions; an aggregate sums a derived column with its computed range; costs count the circuit', () => {
  const p = {
    version: 1,
    root: { op: 'open', to: ['Auditor'], input: { op: 'aggregate', aggregates: [{ name: 'total', fn: 'sum', column: 'v' }], input: {
      op: 'filter', predicate: { op: '>', args: [{ op: '*', args: [col('age'), lit(2)] }, col('v')] },
      input: { op: 'derive', input: { op: 'scan', table: 'visits' }, columns: [{ name: 'v', expr: { op: '*', args: [col('age'), col('age')] } }] } } } },
  };
  const checked = checkPlan(parsePlan(p), context);
  const base = checkPlan(parsePlan({ ...p, root: { ...p.root, input: { ...p.root.input, input: { op: 'scan', table: 'visits' }, aggregates: [{ name: 'total', fn: 'sum', column: 'age' }] } } }), context);
  // One multiplication (1 round) for the derive, one lt (8 + 2 rounds) for the filter, plus the compaction.
  assert.ok(checked.cost.rounds >= base.cost.rounds + 1 + 10, `${checked.cost.rounds} vs ${base.cost.rounds}`);
  // sum over 1000 rows of [0, 14400]: within range; over rows of big·big it would be refused.
  refusedAt({ ...p, root: { ...p.root, input: { ...p.root.input, input: { op: 'derive', input: { op: 'scan', table: 'visits' }, columns: [{ name: 'v', expr: { op: '*', args: [col('cost'), lit(1000000000)] } }] } } } }, '/root/input/aggregates/0/column', /could exceed the 64-bit range/);
});
