/** Plan parsing and checking: every refusal names its place in the plan; the checked plan lists what it makes public. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanError, TableNotFoundError } from '../../src/errors.js';
import { aggregatePlan } from '../../src/plan/build.js';
import { checkPlan, type CatalogTable, type CheckContext, type CheckedAggregate } from '../../src/plan/check.js';
import { parsePlan } from '../../src/plan/parse.js';
import { planHash } from '../../src/plan/plan.js';
import { parseSchema } from '../../src/table/schema.js';

const schema = (columns: object[]) => parseSchema({ version: 1, columns });
const int = (name: string, min: string, max: string, nullable = false) => ({ name, nullable, type: 'integer', min, max });

const TABLES: CatalogTable[] = [
  { name: 'visits', kind: 'table', rows: 1000, schema: schema([int('age', '0', '120'), { name: 'cost', nullable: true, type: 'decimal', scale: 2, min: '0.00', max: '100000.00' }, { name: 'blood', nullable: false, type: 'category', dictionary: ['A', 'B'] }]) },
  { name: 'admissions', kind: 'table', rows: 500, schema: schema([int('age', '-5', '130'), { name: 'cost', nullable: false, type: 'decimal', scale: 1, min: '0.0', max: '10.0' }]) },
  { name: 'votes', kind: 'append', rows: 7, schema: schema([int('v', '0', '9')]) },
  { name: 'huge', kind: 'table', rows: 4_000_000, schema: schema([int('x', '0', String(2n ** 50n))]) },
  { name: 'people', kind: 'table', rows: 10, schema: schema([{ name: 'pid', nullable: false, type: 'identifier' }, int('age', '0', '120')]) },
];

const context: CheckContext = {
  table: (name) => TABLES.find((t) => t.name === name),
  recipientRefusal: (name) => (name === 'Auditor' ? undefined : name === 'Analyst' ? `recipient '${name}' cannot receive results` : `recipient '${name}' is not a party`),
};

function check(plan: unknown) {
  return checkPlan(parsePlan(plan), context);
}

function refusedAt(plan: unknown, path: string, message: RegExp, type: new (...args: never[]) => Error = PlanError): void {
  assert.throws(() => check(plan), (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${String(e)}`);
    if (e instanceof PlanError) assert.equal(e.path, path);
    assert.ok(e.message.includes(path), `the message names ${path}: ${e.message}`);
    assert.match(e.message, message);
    return true;
  });
}

const agg = (input: object, aggregates: object[] = [{ name: 's', fn: 'sum', column: 'age' }]) => ({ version: 1, root: { op: 'open', to: ['Auditor'], input: { op: 'aggregate', input, aggregates } } });
const scan = (table: string, columns?: string[]) => ({ op: 'scan', table, ...(columns ? { columns } : {}) });

test('a well-formed plan checks, with its outputs, tables, disclosures and cost', () => {
  const mean = check(aggregatePlan('mean', 'age', ['visits', 'admissions'], ['Auditor']));
  assert.deepEqual(mean.outputs, [{ name: 'mean', fn: 'mean', column: 'age', scale: 0, parts: [{ column: 'mean.sum', part: 'sum' }, { column: 'mean.count', part: 'count' }] }]);
  const checked = check(aggregatePlan('count', undefined, ['visits', 'admissions', 'votes'], ['Auditor']));
  assert.deepEqual(checked.tables.map((t) => t.name), ['admissions', 'visits', 'votes']);
  const what = checked.disclosures.map((d) => `${d.path}: ${d.what}`).join('\n');
  assert.match(what, /row count of table 'visits' \(1000/);
  assert.match(what, /append table 'votes' the range check excludes/);
  assert.match(what, /opened to Auditor only/);
  assert.ok(checked.cost.rounds > 2 && checked.cost.bytesPerParty > 0);
  assert.equal(checked.hash, planHash(checked.plan));
});

test('malformed plans and wrong versions are refused with their place', () => {
  refusedAt([], '', /must be a JSON object/);
  refusedAt({ version: 2, root: {} }, '/version', /plan version 1, the plan has version 2/);
  refusedAt({ root: {} }, '/version', /no version/);
  refusedAt({ version: 1, root: { op: 'aggregate' } }, '/root/op', /root of a plan is an 'open' node/);
  refusedAt({ version: 1, root: { op: 'open', to: [], input: scan('visits') } }, '/root/to', /recipients/);
  refusedAt({ version: 1, extra: 1, root: {} }, '/extra', /unknown field 'extra'/);
  refusedAt(agg({ op: 'pivot', input: scan('visits') }), '/root/input/input/op', /unknown operator "pivot" \(this release knows scan, concat, filter, aggregate, crosstab, derive, select, rename, join, sort, limit, distinct/);
  refusedAt(agg({ op: 'filter', input: scan('visits') }), '/root/input/input/predicate', /an expression must be a JSON object/);
  refusedAt(agg(scan('../etc')), '/root/input/input/table', /not a table name/);
  refusedAt(agg({ op: 'concat', inputs: [scan('visits')] }), '/root/input/input/inputs', /2 to 100/);
  refusedAt(agg(scan('visits'), [{ name: 's', fn: 'mode', column: 'age' }]), '/root/input/aggregates/0/fn', /unknown aggregate "mode" \(this release knows count, sum, mean, min, max, var, std, count_distinct, median, quantile, corr, covar_samp\)/);
  refusedAt(agg(scan('visits'), [{ name: 's', fn: 'sum', column: 'age' }, { name: 's', fn: 'count' }]), '/root/input/aggregates/1/name', /two aggregates are named 's'/);
  refusedAt(agg(scan('visits', ['age', 'age'])), '/root/input/input/columns/1', /listed twice/);
  refusedAt(agg(scan('visits'), [{ name: 'a b', fn: 'count' }]), '/root/input/aggregates/0/name', /not a column name/);
});

test('unknown tables and columns, type mismatches and recipients are refused with their place', () => {
  refusedAt(agg(scan('missing')), '/root/input/input/table', /no table named 'missing'/, TableNotFoundError);
  refusedAt(agg(scan('visits', ['weight'])), '/root/input/input/columns/0', /table 'visits' has no column 'weight' \(it has age, cost, blood\)/);
  refusedAt(agg(scan('visits', ['cost']), [{ name: 's', fn: 'sum', column: 'age' }]), '/root/input/aggregates/0/column', /no column 'age' \(it has cost\)/);
  refusedAt(agg(scan('visits'), [{ name: 's', fn: 'sum', column: 'blood' }]), '/root/input/aggregates/0/column', /cannot sum column 'blood': it is a category column/);
  refusedAt(agg(scan('visits'), [{ name: 's', fn: 'mean' }]), '/root/input/aggregates/0/column', /mean needs a column/);
  refusedAt(agg({ op: 'concat', inputs: [scan('visits', ['cost']), scan('admissions', ['cost'])] }, [{ name: 'c', fn: 'sum', column: 'cost' }]), '/root/input/input/inputs/1', /column 'cost' is decimal\(2\) in input 0 and decimal\(1\) in input 1/);
  refusedAt(agg({ op: 'concat', inputs: [scan('visits', ['age']), scan('admissions', ['age', 'cost'])] }), '/root/input/input/inputs/1', /same columns in the same order/);
  refusedAt({ version: 1, root: { op: 'open', to: ['Analyst'], input: { op: 'aggregate', input: scan('visits'), aggregates: [{ name: 'n', fn: 'count' }] } } }, '/root/to/0', /cannot receive results/);
  refusedAt({ version: 1, root: { op: 'open', to: ['Auditor'], input: scan('people') } }, '/root/input', /column 'pid' is an identifier \(a keyed hash\) and cannot be opened/);
});

test('any table opens: plain columns decode by their type, a nullable column opens its present bits', () => {
  const open = (input: object) => check({ version: 1, root: { op: 'open', to: ['Auditor'], input } });
  const rows = open(scan('visits'));
  assert.deepEqual(rows.outputs.map((o) => [o.name, o.fn, o.parts.map((p) => p.column)]), [
    ['age', 'column', ['age']],
    ['cost', 'column', ['cost', 'cost.present']],
    ['blood', 'column', ['blood']],
  ]);
  assert.deepEqual(rows.outputs[2].type, { type: 'category', dictionary: ['A', 'B'] });
  assert.match(rows.disclosures.at(-1)!.what, /a table of up to 1000 rows \(age, cost, blood\) opened to Auditor only/);
  assert.deepEqual(open(scan('people', ['age'])).outputs.map((o) => o.name), ['age']);
  // An aggregate is a table of one row: it can be filtered (HAVING) and aggregated again.
  const n = { op: 'aggregate', input: scan('visits'), aggregates: [{ name: 'n', fn: 'count' }, { name: 'm', fn: 'mean', column: 'age' }] };
  const having = open({ op: 'filter', input: n, predicate: { op: '>=', args: [{ op: 'col', name: 'n' }, { op: 'lit', value: 5 }] } });
  assert.deepEqual(having.outputs.map((o) => o.name), ['n', 'm']);
  assert.deepEqual(having.root.input.type.columns.map((c) => [c.name, c.min, c.max]), [['n', 0n, 1000n], ['m.sum', 0n, 120000n], ['m.count', 0n, 1000n]]);
  refusedAt({ version: 1, root: { op: 'open', to: ['Auditor'], input: { op: 'filter', input: n, predicate: { op: '>=', args: [{ op: 'col', name: 'm' }, { op: 'lit', value: 5 }] } } } }, '/root/input/predicate/args/0/name', /no column 'm'/);
});

test('a possible ring overflow is refused at plan time; ranges join across a concat', () => {
  // 4e6 rows of up to 2^50: up to 2^71.9, beyond 2^63.
  refusedAt(agg(scan('huge'), [{ name: 's', fn: 'sum', column: 'x' }]), '/root/input/aggregates/0/column', /could exceed the 64-bit range/);
  // A count of the same rows is fine.
  check(agg(scan('huge'), [{ name: 'n', fn: 'count' }]));
  const joined = check(agg({ op: 'concat', inputs: [scan('visits', ['age']), scan('admissions', ['age'])] }));
  const input = (joined.root.input as CheckedAggregate).input;
  assert.deepEqual([input.type.maxRows, input.type.columns[0].min, input.type.columns[0].max], [1500, -5n, 130n]);
});
